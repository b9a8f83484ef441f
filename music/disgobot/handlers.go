package disgobot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/handler"

	"github.com/tunekit/tunekit/music"
)

// play loads what the user asked for, which may take seconds, so its
// answer is always deferred.
func (b *Bot) play(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	query, _ := optString(data, optQuery)
	at := music.PlaceEnd
	if next, _ := optBool(data, optNext); next {
		at = music.PlaceNext
	}
	return b.run(commandInteraction(e), true, func(ctx context.Context, c call) (answer, error) {
		res, err := b.m.Play(ctx, c.guild, c.actor, query, at, music.WithTextChannel(c.channel))
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.played(res, at)), nil
	})
}

// played is the answer to /play.
func (r renderer) played(res music.PlayResult, at music.Placement) discord.Embed {
	head := headQueued
	switch {
	case res.Started:
		head = headPlaying
	case at == music.PlaceNext:
		head = headQueuedNext
	}
	e := r.trackEmbed(head, res.Track, res.Position)
	if res.Playlist != "" {
		e.Author.Name = truncate(headPlaylist+": "+oneLine(res.Playlist), maxTitle)
		e.Description = plural(res.Added, "track", "tracks") + " added."
		if res.Dropped > 0 {
			e.Description += " " + plural(res.Dropped, "track", "tracks") + " did not fit in the queue."
		}
	}
	if res.TooLong > 0 {
		e.Description += " " + leftOut(res.TooLong) + " as too long for this server."
	}
	if res.OverShare > 0 {
		e.Description += " " + leftOut(res.OverShare) + ": you reached your share of the queue."
	}
	e.Description = strings.TrimSpace(e.Description)
	return e
}

// leftOut says how many tracks were left out.
func leftOut(n int) string {
	if n == 1 {
		return "1 track was left out"
	}
	return strconv.Itoa(n) + " tracks were left out"
}

func (b *Bot) pause(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if err := pauseError(b.m.Pause(ctx, c.guild, c.actor), true); err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice(emojiPause + " " + msgPaused)), nil
	})
}

func (b *Bot) resume(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if err := pauseError(b.m.Resume(ctx, c.guild, c.actor), false); err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice(emojiResume + " " + msgResumed)), nil
	})
}

func (b *Bot) skip(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	n := 1
	if v, ok := optInt(data, optCount); ok {
		n = v
	}
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if n < 1 || n > maxSkip {
			return answer{}, errBadOption
		}
		res, err := b.m.Skip(ctx, c.guild, c.actor, n)
		switch {
		case err != nil:
			return answer{}, err
		case res.Vote != nil && !res.Vote.Passed:
			return b.skipVoted(c, *res.Vote), nil
		case res.Vote != nil:
			return reply(b.render.skipped(headSkippedByVote, res)), nil
		}
		return reply(b.render.skipped(headSkipped, res)), nil
	})
}

// skipped is the answer to /skip and /skipto: the skipped track and
// what plays now.
func (r renderer) skipped(head string, res music.SkipResult) discord.Embed {
	e := r.trackEmbed(head, res.Skipped, 0)
	next := msgQueueEmptySkip
	if res.Started {
		next = trackLink(res.Next, maxLineTitle)
	}
	e.Fields = append(e.Fields, field(headNowPlaying, next))
	return e
}

func (b *Bot) previous(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		t, err := b.m.Previous(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.trackEmbed(headPrevious, t, 0)), nil
	})
}

func (b *Bot) stop(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if err := b.m.Stop(ctx, c.guild, c.actor); err != nil {
			return answer{}, err
		}
		return reply(b.render.notice(emojiStop + " " + msgStopped)), nil
	})
}

func (b *Bot) seek(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	pos, _ := optString(data, optTime)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		at, err := b.m.Seek(ctx, c.guild, c.actor, pos)
		if err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice("Jumped to `" + music.FormatDuration(at) + "`.")), nil
	})
}

func (b *Bot) volume(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	level, ok := optInt(data, optLevel)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !ok {
			return answer{}, errBadOption
		}
		if err := b.m.SetVolume(ctx, c.guild, c.actor, level); err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice("Volume set to " + strconv.Itoa(level) + "%.")), nil
	})
}

func (b *Bot) loop(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	raw, _ := optString(data, optMode)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		mode, err := music.ParseLoopMode(raw)
		if err != nil {
			return answer{}, errBadOption
		}
		if err := b.m.SetLoop(ctx, c.guild, c.actor, mode); err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice(emojiLoop + " Loop is now " + mode.String() + ".")), nil
	})
}

func (b *Bot) autoplay(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	raw, _ := optString(data, optMode)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if raw != "on" && raw != "off" {
			return answer{}, errBadOption
		}
		if err := b.m.SetAutoplay(ctx, c.guild, c.actor, raw == "on"); err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice("Autoplay is now " + raw + ".")), nil
	})
}

func (b *Bot) shuffle(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		n, err := b.m.Shuffle(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.notice(emojiShuffle + " Shuffled " + plural(n, "track", "tracks") + ".")), nil
	})
}

func (b *Bot) remove(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	pos, ok := optInt(data, optPosition)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !ok {
			return answer{}, errBadOption
		}
		t, err := b.m.Remove(ctx, c.guild, c.actor, pos)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.trackEmbed(headRemoved, t, 0)), nil
	})
}

func (b *Bot) move(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	from, okFrom := optInt(data, optFrom)
	to, okTo := optInt(data, optTo)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !okFrom || !okTo {
			return answer{}, errBadOption
		}
		t, err := b.m.Move(ctx, c.guild, c.actor, from, to)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.trackEmbed(headMoved, t, to)), nil
	})
}

func (b *Bot) clear(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		n, err := b.m.Clear(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.notice("Removed " + plural(n, "track", "tracks") + " from the queue.")), nil
	})
}

func (b *Bot) queue(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	page := 1
	if v, ok := optInt(data, optPage); ok {
		page = min(max(v, 1), maxPage)
	}
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		v, err := b.m.Queue(ctx, c.guild, c.actor, page)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.queue(v), b.render.queueButtons(v)...), nil
	})
}

func (b *Bot) nowPlaying(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		np, err := b.m.NowPlaying(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		line := ""
		if lm, ok := b.live.Peek(c.guild); ok && sameTrack(lm.track, np.Track) {
			line = lm.line(np.Position)
		}
		return reply(b.render.nowPlaying(np, false, line)), nil
	})
}

func (b *Bot) leave(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if err := b.m.Leave(ctx, c.guild, c.actor); err != nil {
			return answer{}, err
		}
		return reply(b.render.notice(msgLeft)), nil
	})
}

// settingsView shows the settings; like every /settings command it is
// for admins only, checked here because servers can change who sees a
// command.
func (b *Bot) settingsView(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !c.actor.Admin {
			return answer{}, errNotAdmin
		}
		s, err := b.m.Settings(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		return private(b.render.settings(s)), nil
	})
}

func (b *Bot) settingsDJRole(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	role, _ := optID(data, optRole)
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		return s.WithDJRoleID(role), nil
	})
}

func (b *Bot) settingsAnnounce(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	channel, ok := optID(data, optChannel)
	if ch, resolved := data.Resolved.Channels[channel]; ok && (!resolved || (ch.Type != discord.ChannelTypeGuildText && ch.Type != discord.ChannelTypeGuildNews)) {
		return b.refuse(e)
	}
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		return s.WithAnnounceChannelID(channel), nil
	})
}

func (b *Bot) settingsStayConnected(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	on, ok := optBool(data, optEnabled)
	if !ok {
		return b.refuse(e)
	}
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		return s.WithStayConnected(on), nil
	})
}

// changeSettings applies change for an admin and shows the new settings.
func (b *Bot) changeSettings(e *handler.CommandEvent, change func(music.Settings) (music.Settings, error)) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !c.actor.Admin {
			return answer{}, errNotAdmin
		}
		s, err := b.m.UpdateSettings(ctx, c.guild, c.actor, change)
		if err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		emb := b.render.settings(s)
		emb.Description = "Saved."
		return private(emb), nil
	})
}

// skipTo plays the track at a queue position now, keeping those before
// it queued.
func (b *Bot) skipTo(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	pos, ok := optInt(data, optPosition)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !ok {
			return answer{}, errBadOption
		}
		res, err := b.m.SkipTo(ctx, c.guild, c.actor, pos)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.skipped(headSkippedTo, res)), nil
	})
}

// swap exchanges two queued tracks.
func (b *Bot) swap(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	a, okA := optInt(data, optA)
	bPos, okB := optInt(data, optB)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !okA || !okB {
			return answer{}, errBadOption
		}
		ta, tb, err := b.m.Swap(ctx, c.guild, c.actor, a, bPos)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.notice(fmt.Sprintf("Swapped %s (now `%d.`) and %s (now `%d.`).",
			trackLink(ta, maxLineTitle), bPos, trackLink(tb, maxLineTitle), a))), nil
	})
}

// removeUser removes every queued track of a user.
func (b *Bot) removeUser(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	user, ok := optID(data, optUser)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !ok {
			return answer{}, errBadOption
		}
		n, err := b.m.RemoveUser(ctx, c.guild, c.actor, user)
		if err != nil {
			return answer{}, err
		}
		return reply(b.render.notice("Removed " + plural(n, "track", "tracks") + " requested by " + mention(user) + ".")), nil
	})
}

func (b *Bot) settingsFairQueue(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	on, ok := optBool(data, optEnabled)
	if !ok {
		return b.refuse(e)
	}
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		return s.WithFairQueue(on), nil
	})
}

// settingsMaxLength takes a length as /seek does ("10:00", "1h"), or 0,
// "off" or "none" for no limit.
func (b *Bot) settingsMaxLength(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	raw, ok := optString(data, optLength)
	if !ok {
		return b.refuse(e)
	}
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		d, err := parseLimit(raw)
		if err != nil {
			return s, err
		}
		return s.WithMaxTrackLength(d)
	})
}

// parseLimit reads a length limit: "off" or "none" is no limit (0),
// anything else a time as [music.ParseSeek] reads it.
func parseLimit(raw string) (time.Duration, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "off", "none", "no limit":
		return 0, nil
	}
	return music.ParseSeek(raw)
}

func (b *Bot) settingsMaxShare(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	percent, ok := optInt(data, optPercent)
	if !ok {
		return b.refuse(e)
	}
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		return s.WithMaxUserShare(percent)
	})
}

func (b *Bot) settingsVoteShare(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	percent, ok := optInt(data, optPercent)
	if !ok {
		return b.refuse(e)
	}
	return b.changeSettings(e, func(s music.Settings) (music.Settings, error) {
		return s.WithVoteSkipShare(percent)
	})
}

// refuse answers a command whose options a Discord client would not
// send.
func (b *Bot) refuse(e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(context.Context, call) (answer, error) { return answer{}, errBadOption })
}
