package music_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

func TestDefaultSettings(t *testing.T) {
	s := music.DefaultSettings()
	if s != (music.Settings{}) {
		t.Errorf("DefaultSettings() = %v, want the zero Settings", s)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Volume", s.Volume(), 50},
		{"Loop", s.Loop(), music.LoopOff},
		{"Autoplay", s.Autoplay(), false},
		{"DJRoleID", uint64(s.DJRoleID()), uint64(0)},
		{"AnnounceChannelID", uint64(s.AnnounceChannelID()), uint64(0)},
		{"StayConnected", s.StayConnected(), false},
		{"MaxQueueLength", s.MaxQueueLength(), 1000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("DefaultSettings().%s() = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSettingsWithValidates(t *testing.T) {
	for _, v := range []int{0, 1, 50, 200} {
		s, err := music.Settings{}.WithVolume(v)
		if err != nil || s.Volume() != v {
			t.Errorf("WithVolume(%d) = %v, %v; want volume %d", v, s.Volume(), err, v)
		}
	}
	for _, v := range []int{-1, 201, 1000} {
		s, err := music.Settings{}.WithVolume(v)
		var re *music.RangeError
		if !errors.As(err, &re) || !errors.Is(err, music.ErrInvalidSetting) || re.Min != 0 || re.Max != 200 || re.Value != v {
			t.Errorf("WithVolume(%d) error = %#v; want a *RangeError{volume, %d, 0, 200}", v, err, v)
		}
		if s != (music.Settings{}) {
			t.Errorf("WithVolume(%d) changed the settings on error: %v", v, s)
		}
	}
	if err := (&music.RangeError{Setting: "volume", Value: 300, Min: 0, Max: 200}).Error(); err != "music: volume must be between 0 and 200, not 300" {
		t.Errorf("RangeError text = %q", err)
	}
	for _, n := range []int{1, 1000, 100_000} {
		if s, err := (music.Settings{}).WithMaxQueueLength(n); err != nil || s.MaxQueueLength() != n {
			t.Errorf("WithMaxQueueLength(%d) = %d, %v", n, s.MaxQueueLength(), err)
		}
	}
	for _, n := range []int{0, -5, 100_001} {
		if _, err := (music.Settings{}).WithMaxQueueLength(n); !errors.Is(err, music.ErrInvalidSetting) {
			t.Errorf("WithMaxQueueLength(%d) error = %v, want ErrInvalidSetting", n, err)
		}
	}
	if _, err := (music.Settings{}).WithLoop(music.LoopMode(7)); !errors.Is(err, music.ErrInvalidSetting) {
		t.Errorf("WithLoop(7) error = %v, want ErrInvalidSetting", err)
	}
	s := music.Settings{}.WithDJRoleID(5).WithAnnounceChannelID(6).WithStayConnected(true)
	if s.DJRoleID() != 5 || s.AnnounceChannelID() != 6 || !s.StayConnected() {
		t.Errorf("With DJ role, announce channel, stay connected = %v", s)
	}
}

func TestLoopAndAutoplayConflict(t *testing.T) {
	loop, err := music.Settings{}.WithLoop(music.LoopTrack)
	if err != nil {
		t.Fatal(err)
	}
	got, err := loop.WithAutoplay(true)
	var ce *music.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, music.ErrConflictingSettings) || got != loop {
		t.Fatalf("WithAutoplay(true) with loop on = %v, %v; want unchanged and a *ConflictError", got, err)
	}
	if want := "music: cannot enable autoplay while loop is active; turn loop off first"; err.Error() != want {
		t.Errorf("error text = %q, want %q", err.Error(), want)
	}
	auto, _ := music.Settings{}.WithAutoplay(true)
	for _, m := range []music.LoopMode{music.LoopTrack, music.LoopQueue} {
		_, err := auto.WithLoop(m)
		if !errors.Is(err, music.ErrConflictingSettings) || !strings.Contains(err.Error(), "cannot enable loop while autoplay is active") {
			t.Errorf("WithLoop(%v) with autoplay on = %v; want a conflict error", m, err)
		}
	}
	// Turning the other off first works, and turning off never conflicts.
	if s, err := auto.WithLoop(music.LoopOff); err != nil || !s.Autoplay() {
		t.Errorf("WithLoop(off) with autoplay on = %v, %v; want allowed", s, err)
	}
	if s, err := loop.WithAutoplay(false); err != nil || s.Loop() != music.LoopTrack {
		t.Errorf("WithAutoplay(false) with loop on = %v, %v; want allowed", s, err)
	}
	off, _ := auto.WithAutoplay(false)
	if s, err := off.WithLoop(music.LoopQueue); err != nil || s.Loop() != music.LoopQueue {
		t.Errorf("loop after autoplay off = %v, %v", s, err)
	}
}

func TestSettingsWithDefaults(t *testing.T) {
	botDefaults, _ := music.Settings{}.WithVolume(30)
	botDefaults = botDefaults.WithStayConnected(true)
	botDefaults, _ = botDefaults.WithAutoplay(true)

	guild, _ := music.Settings{}.WithVolume(80)
	got := guild.WithDefaults(botDefaults)
	if got.Volume() != 80 || !got.StayConnected() || !got.Autoplay() {
		t.Errorf("WithDefaults = %v; want the guild's volume 80 and the bot's 24/7 and autoplay", got)
	}
	if got := (music.Settings{}).WithDefaults(botDefaults); got.Volume() != 30 {
		t.Errorf("nothing chosen WithDefaults = %v; want volume 30", got)
	}
	// A guild's explicit default-valued choice beats the bot's default.
	fifty, _ := music.Settings{}.WithVolume(50)
	if got := fifty.WithDefaults(botDefaults); got.Volume() != 50 {
		t.Errorf("explicit 50 WithDefaults = %v; want 50", got.Volume())
	}
	// Loop chosen by the guild wins over the bot's autoplay.
	loop, _ := music.Settings{}.WithLoop(music.LoopQueue)
	if got := loop.WithDefaults(botDefaults); got.Loop() != music.LoopQueue || got.Autoplay() {
		t.Errorf("guild loop + bot autoplay = %v; want loop on, autoplay off", got)
	}
	// Autoplay chosen by the guild wins over the bot's loop.
	botLoop, _ := music.Settings{}.WithLoop(music.LoopTrack)
	auto, _ := music.Settings{}.WithAutoplay(true)
	if got := auto.WithDefaults(botLoop); got.Loop() != music.LoopOff || !got.Autoplay() {
		t.Errorf("guild autoplay + bot loop = %v; want autoplay on, loop off", got)
	}
	if got := storetest.Settings(3).WithDefaults(botDefaults); got != storetest.Settings(3) {
		t.Errorf("WithDefaults of settings with every field chosen = %v; want unchanged", got)
	}
}

// WithDefaults gives effective values but keeps recording only the
// guild's choices: they alone are encoded and stored, and other defaults
// applied later replace everything the guild did not choose.
func TestSettingsWithDefaultsKeepsOnlyChoices(t *testing.T) {
	botDefaults := mustSettings(mustSettings(music.Settings{}.WithVolume(30)).WithMaxQueueLength(200)).WithStayConnected(true)
	guild := mustSettings(music.Settings{}.WithVolume(80)).WithDJRoleID(42)

	eff := guild.WithDefaults(botDefaults)
	if eff.Volume() != 80 || eff.DJRoleID() != 42 || !eff.StayConnected() || eff.MaxQueueLength() != 200 {
		t.Fatalf("guild.WithDefaults(bot) = %v; want volume 80, DJ role 42, 24/7, queue 200", eff)
	}
	if data, err := json.Marshal(eff); err != nil || string(data) != `{"volume":80,"djRoleId":"42"}` {
		t.Errorf("Marshal(effective settings) = %s, %v; want only the guild's choices", data, err)
	}

	// A change through a With method adds that choice and nothing else.
	changed := mustSettings(eff.WithLoop(music.LoopQueue))
	if data, err := json.Marshal(changed); err != nil || string(data) != `{"volume":80,"loop":"queue","djRoleId":"42"}` {
		t.Errorf("Marshal(effective settings with loop) = %s, %v; want the choices and loop", data, err)
	}

	// New bot defaults replace what the guild never chose, even on a value
	// that carries the old defaults.
	newDefaults := mustSettings(music.Settings{}.WithVolume(10)).WithAnnounceChannelID(7)
	again := changed.WithDefaults(newDefaults)
	if again.Volume() != 80 || again.StayConnected() || again.MaxQueueLength() != music.DefaultMaxQueueLength ||
		again.AnnounceChannelID() != 7 || again.Loop() != music.LoopQueue || again.DJRoleID() != 42 {
		t.Errorf("WithDefaults(new defaults) = %v; want the guild's volume, loop and DJ role, the rest from the new defaults", again)
	}
	if tunekit := changed.WithDefaults(music.Settings{}); tunekit.StayConnected() || tunekit.MaxQueueLength() != music.DefaultMaxQueueLength {
		t.Errorf("WithDefaults(zero) = %v; want tunekit's defaults for what the guild did not choose", tunekit)
	}

	// A store keeps only the choices, like the JSON form.
	store := music.NewMemoryStore()
	ctx := t.Context()
	if err := store.Put(ctx, 1, eff); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, 1); err != nil || got != guild {
		t.Errorf("MemoryStore round trip of effective settings = %v, %v; want the guild's choices %v", got, err, guild)
	}
}

func TestSettingsJSON(t *testing.T) {
	cases := []struct {
		s    music.Settings
		json string
	}{
		{music.Settings{}, `{}`},
		{mustSettings(music.Settings{}.WithVolume(0)), `{"volume":0}`},
		{music.Settings{}.WithDJRoleID(0), `{"djRoleId":"0"}`},
		{mustSettings(mustSettings(music.Settings{}.WithLoop(music.LoopQueue)).WithMaxQueueLength(20)), `{"loop":"queue","maxQueueLength":20}`},
	}
	for _, c := range cases {
		data, err := json.Marshal(c.s)
		if err != nil || string(data) != c.json {
			t.Errorf("Marshal(%v) = %s, %v; want %s", c.s, data, err, c.json)
		}
		var got music.Settings
		if err := json.Unmarshal([]byte(c.json), &got); err != nil || got != c.s {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", c.json, got, err, c.s)
		}
	}
	for i := range 10 {
		want := storetest.Settings(i)
		data, _ := json.Marshal(want)
		var got music.Settings
		if err := json.Unmarshal(data, &got); err != nil || got != want {
			t.Errorf("round trip of %s = %v, %v; want %v", data, got, err, want)
		}
	}
	bad := map[string]error{
		`{"volume":201}`:                   music.ErrInvalidSetting,
		`{"volume":-1}`:                    music.ErrInvalidSetting,
		`{"maxQueueLength":0}`:             music.ErrInvalidSetting,
		`{"loop":"forever"}`:               music.ErrInvalidSetting,
		`{"loop":"track","autoplay":true}`: music.ErrConflictingSettings,
		`{"volume":"loud"}`:                nil,
		`[]`:                               nil,
	}
	for in, want := range bad {
		s := storetest.Settings(1)
		err := json.Unmarshal([]byte(in), &s)
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Errorf("Unmarshal(%s) error = %v, want one matching %v", in, err, want)
		}
		if s != storetest.Settings(1) {
			t.Errorf("Unmarshal(%s) changed the settings on error", in)
		}
	}
}

func mustSettings(s music.Settings, err error) music.Settings {
	if err != nil {
		panic(err)
	}
	return s
}

func TestLoopMode(t *testing.T) {
	for in, want := range map[string]music.LoopMode{"off": music.LoopOff, "Track": music.LoopTrack, " QUEUE ": music.LoopQueue} {
		got, err := music.ParseLoopMode(in)
		if err != nil || got != want {
			t.Errorf("ParseLoopMode(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "on", "tracks", strings.Repeat("x", 100)} {
		if _, err := music.ParseLoopMode(in); !errors.Is(err, music.ErrInvalidSetting) {
			t.Errorf("ParseLoopMode(%q) error = %v, want ErrInvalidSetting", in, err)
		}
	}
	if got := music.LoopMode(9).String(); got != "LoopMode(9)" {
		t.Errorf("LoopMode(9).String() = %q", got)
	}
	if _, err := music.LoopMode(9).MarshalText(); err == nil {
		t.Error("LoopMode(9).MarshalText succeeded")
	}
	if got := music.LoopQueue.String(); got != "queue" {
		t.Errorf("LoopQueue.String() = %q", got)
	}
}

func TestQueueAndVoteSettings(t *testing.T) {
	d := music.DefaultSettings()
	if d.FairQueue() || d.MaxTrackLength() != 0 || d.MaxUserShare() != 0 || d.MaxUserTracks() != 0 || d.VoteSkipShare() != music.DefaultVoteSkipShare {
		t.Errorf("defaults = %v; want fair off, no limits, vote share %d", d, music.DefaultVoteSkipShare)
	}
	s := d.WithFairQueue(true)
	s = mustSettings(s.WithMaxTrackLength(10*time.Minute + 999*time.Millisecond))
	s = mustSettings(s.WithMaxUserShare(25))
	s = mustSettings(s.WithVoteSkipShare(75))
	s = mustSettings(s.WithMaxQueueLength(10))
	if !s.FairQueue() || s.MaxTrackLength() != 10*time.Minute || s.MaxUserShare() != 25 || s.MaxUserTracks() != 2 || s.VoteSkipShare() != 75 {
		t.Errorf("after With = %v; want fair, 10m, 25%% (2 of 10 tracks), vote 75%%", s)
	}
	if one := mustSettings(s.WithMaxUserShare(1)); one.MaxUserTracks() != 1 {
		t.Errorf("1%% of 10 tracks = %d, want at least 1", one.MaxUserTracks())
	}
	bad := []struct {
		name string
		f    func() (music.Settings, error)
	}{
		{"track length -1s", func() (music.Settings, error) { return s.WithMaxTrackLength(-time.Second) }},
		{"track length 25h", func() (music.Settings, error) { return s.WithMaxTrackLength(25 * time.Hour) }},
		{"share -1", func() (music.Settings, error) { return s.WithMaxUserShare(-1) }},
		{"share 101", func() (music.Settings, error) { return s.WithMaxUserShare(101) }},
		{"vote 0", func() (music.Settings, error) { return s.WithVoteSkipShare(0) }},
		{"vote 101", func() (music.Settings, error) { return s.WithVoteSkipShare(101) }},
	}
	for _, b := range bad {
		got, err := b.f()
		var re *music.RangeError
		if !errors.As(err, &re) || got != s {
			t.Errorf("%s = %v, %v; want a *RangeError and no change", b.name, got, err)
		}
	}
	data, err := json.Marshal(s)
	want := `{"maxQueueLength":10,"fairQueue":true,"maxTrackLength":600000,"maxUserShare":25,"voteSkipShare":75}`
	if err != nil || string(data) != want {
		t.Errorf("Marshal = %s, %v; want %s", data, err, want)
	}
	var back music.Settings
	if err := json.Unmarshal(data, &back); err != nil || back != s {
		t.Errorf("Unmarshal(%s) = %v, %v; want %v", data, back, err, s)
	}
	for _, in := range []string{`{"maxTrackLength":-1}`, `{"maxTrackLength":86400001}`, `{"maxUserShare":101}`, `{"voteSkipShare":0}`} {
		var got music.Settings
		if err := json.Unmarshal([]byte(in), &got); !errors.Is(err, music.ErrInvalidSetting) {
			t.Errorf("Unmarshal(%s) = %v, want ErrInvalidSetting", in, err)
		}
	}
	// Bot defaults reach what the guild did not choose.
	bot := mustSettings(mustSettings(music.Settings{}.WithFairQueue(true).WithMaxUserShare(10)).WithVoteSkipShare(30))
	bot = mustSettings(bot.WithMaxTrackLength(time.Hour))
	guild := mustSettings(music.Settings{}.WithVoteSkipShare(60)).WithFairQueue(false)
	eff := guild.WithDefaults(bot)
	if eff.FairQueue() || eff.VoteSkipShare() != 60 || eff.MaxUserShare() != 10 || eff.MaxTrackLength() != time.Hour {
		t.Errorf("WithDefaults = %v; want the guild's fair off and vote 60, the bot's share 10 and 1h", eff)
	}
	if data, _ := json.Marshal(eff); string(data) != `{"fairQueue":false,"voteSkipShare":60}` {
		t.Errorf("Marshal(effective) = %s; want only the guild's choices", data)
	}
}

func TestSettingsString(t *testing.T) {
	want := "volume=50 loop=off autoplay=false dj_role=0 announce_channel=0 stay_connected=false max_queue_length=1000" +
		" fair_queue=false max_track_length=0s max_user_share=0 vote_skip_share=50"
	if got := music.DefaultSettings().String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// FuzzSettingsJSON checks that decoding never panics, that decoded
// settings are valid (they re-encode and decode to themselves), and that
// loop and autoplay are never both on.
func FuzzSettingsJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"volume":80,"loop":"queue"}`, `{"autoplay":true,"djRoleId":"5"}`, `{"maxQueueLength":100000}`, `{"loop":"track","autoplay":true}`,
		`{"fairQueue":true,"maxTrackLength":600500,"maxUserShare":25,"voteSkipShare":75}`, `{"voteSkipShare":0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s music.Settings
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		if s.Loop() != music.LoopOff && s.Autoplay() {
			t.Fatalf("Unmarshal(%s) = %v: loop and autoplay both on", data, s)
		}
		if v := s.Volume(); v < 0 || v > 200 {
			t.Fatalf("Unmarshal(%s) volume %d", data, v)
		}
		if v, u, d := s.VoteSkipShare(), s.MaxUserShare(), s.MaxTrackLength(); v < 1 || v > 100 || u < 0 || u > 100 || d < 0 || d > music.MaxTrackLengthLimit {
			t.Fatalf("Unmarshal(%s) = vote share %d, user share %d, max track length %v", data, v, u, d)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var again music.Settings
		if err := json.Unmarshal(out, &again); err != nil || again != s {
			t.Fatalf("re-decoding %s = %v, %v; want %v", out, again, err, s)
		}
	})
}
