package music_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

func TestAuthorize(t *testing.T) {
	const (
		botVC   snowflake.ID = 10
		otherVC snowflake.ID = 11
		dj      snowflake.ID = 20
		user    snowflake.ID = 30
	)
	listener := music.Actor{UserID: user, VoiceChannelID: botVC}
	djListener := music.Actor{UserID: user, VoiceChannelID: botVC, RoleIDs: []snowflake.ID{5, dj}}
	admin := music.Actor{UserID: user, VoiceChannelID: botVC, Admin: true}
	elsewhere := music.Actor{UserID: user, VoiceChannelID: otherVC, Admin: true, RoleIDs: []snowflake.ID{dj}}
	outside := music.Actor{UserID: user}

	withDJ := music.Facts{BotVoiceChannelID: botVC, Listeners: 3, DJRoleID: dj}
	noDJ := music.Facts{BotVoiceChannelID: botVC, Listeners: 3}
	alone := music.Facts{BotVoiceChannelID: botVC, Listeners: 1, DJRoleID: dj}
	ownTrack := music.Facts{BotVoiceChannelID: botVC, Listeners: 3, DJRoleID: dj, Requester: user}
	othersTrack := music.Facts{BotVoiceChannelID: botVC, Listeners: 3, DJRoleID: dj, Requester: user + 1}
	botAway := music.Facts{DJRoleID: dj}

	controls := []music.Action{
		music.ActionPause, music.ActionResume, music.ActionSkip, music.ActionPrevious, music.ActionStop,
		music.ActionSeek, music.ActionVolume, music.ActionLoop, music.ActionAutoplay, music.ActionShuffle,
		music.ActionClear, music.ActionMove, music.ActionRemove, music.ActionLeave,
	}
	type tc struct {
		name   string
		actor  music.Actor
		action music.Action
		facts  music.Facts
		want   error
	}
	cases := []tc{
		{"listener views", listener, music.ActionView, withDJ, nil},
		{"outsider views", outside, music.ActionView, withDJ, nil},
		{"listener queues", listener, music.ActionPlay, withDJ, nil},
		{"outsider queues", outside, music.ActionPlay, withDJ, music.ErrNotInVoice},
		{"other channel queues", elsewhere, music.ActionPlay, withDJ, music.ErrNotInVoice},
		{"queue when the bot is away", listener, music.ActionPlay, botAway, nil},
		{"queue when nobody is in voice", outside, music.ActionPlay, botAway, music.ErrNotInVoice},
		{"settings by DJ outside voice", music.Actor{UserID: user, RoleIDs: []snowflake.ID{dj}}, music.ActionSettings, withDJ, nil},
		{"settings by admin outside voice", music.Actor{UserID: user, Admin: true}, music.ActionSettings, withDJ, nil},
		{"settings by a listener", listener, music.ActionSettings, withDJ, music.ErrNoPermission},
		{"settings with no DJ role", outside, music.ActionSettings, noDJ, nil},
		{"settings by the only listener", listener, music.ActionSettings, alone, nil},
	}
	for _, a := range controls {
		n := a.String()
		cases = append(cases,
			tc{n + " with no DJ role", listener, a, noDJ, nil},
			tc{n + " by a DJ", djListener, a, withDJ, nil},
			tc{n + " by an admin", admin, a, withDJ, nil},
			tc{n + " by the only listener", listener, a, alone, nil},
			tc{n + " by a listener", listener, a, withDJ, music.ErrNoPermission},
			tc{n + " from another channel", elsewhere, a, noDJ, music.ErrNotInVoice},
			tc{n + " from outside voice", outside, a, noDJ, music.ErrNotInVoice},
			tc{n + " on someone else's track", listener, a, othersTrack, music.ErrNoPermission},
			tc{n + " with the bot away", listener, a, botAway, music.ErrNoPermission},
		)
		if a == music.ActionSkip || a == music.ActionRemove {
			cases = append(cases, tc{n + " of one's own track", listener, a, ownTrack, nil})
		} else {
			cases = append(cases, tc{n + " by a requester", listener, a, ownTrack, music.ErrNoPermission})
		}
	}
	for _, c := range cases {
		err := music.Authorize(c.actor, c.action, c.facts)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: Authorize = %v, want allowed", c.name, err)
			}
			continue
		}
		var pe *music.PermissionError
		if !errors.Is(err, c.want) || !errors.As(err, &pe) || pe.Action != c.action {
			t.Errorf("%s: Authorize = %v, want a *PermissionError for %v matching %v", c.name, err, c.action, c.want)
			continue
		}
		if c.want == music.ErrNoPermission && pe.Role != dj {
			t.Errorf("%s: PermissionError.Role = %v, want the DJ role %v", c.name, pe.Role, dj)
		}
	}
}

func TestPermissionErrorText(t *testing.T) {
	err := music.Authorize(music.Actor{UserID: 1}, music.ActionSkip, music.Facts{BotVoiceChannelID: 2})
	if want := "music: skip denied: you must be in the bot's voice channel"; err == nil || err.Error() != want {
		t.Errorf("text = %v, want %q", err, want)
	}
	err = music.Authorize(music.Actor{UserID: 1, VoiceChannelID: 2}, music.ActionVolume, music.Facts{BotVoiceChannelID: 2, Listeners: 2, DJRoleID: 3})
	if err == nil || !strings.HasSuffix(err.Error(), "you need the DJ role for this") {
		t.Errorf("text = %v", err)
	}
}

func TestActionString(t *testing.T) {
	seen := map[string]bool{}
	for a := music.ActionView; a <= music.ActionSettings; a++ {
		s := a.String()
		if s == "" || strings.HasPrefix(s, "Action(") || seen[s] {
			t.Errorf("Action(%d).String() = %q; want a unique name", a, s)
		}
		seen[s] = true
		if a.Control() == (a == music.ActionView || a == music.ActionPlay) {
			t.Errorf("%v.Control() = %t", a, a.Control())
		}
	}
	if got := music.Action(200).String(); got != "Action(200)" {
		t.Errorf("Action(200).String() = %q", got)
	}
}
