package music

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestFilterPresetsAreValid(t *testing.T) {
	want := []string{PresetBassBoostLow, PresetBassBoostMedium, PresetBassBoostHigh, PresetNightcore,
		PresetVaporwave, Preset8D, PresetKaraoke, PresetSoft, PresetTrebleBass}
	var names []string
	for _, p := range AllFilterPresets() {
		names = append(names, p.Name)
		if err := p.Filters.Validate(); err != nil {
			t.Errorf("preset %s: Validate() = %v", p.Name, err)
		}
		if p.Filters.IsZero() || p.Description == "" {
			t.Errorf("preset %s has no filters or no description", p.Name)
		}
		if got := p.Filters.Preset(); got != p.Name {
			t.Errorf("preset %s: Filters.Preset() = %q", p.Name, got)
		}
		data, err := json.Marshal(p.Filters)
		if err != nil {
			t.Fatalf("preset %s: Marshal: %v", p.Name, err)
		}
		var back Filters
		if err := json.Unmarshal(data, &back); err != nil || !back.Equal(p.Filters) {
			t.Errorf("preset %s: JSON round trip = %+v, %v", p.Name, back, err)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("preset names = %v, want %v", names, want)
	}
	// Each call returns its own copy.
	a := AllFilterPresets()
	a[3].Filters.Timescale.Speed = 3
	if b := AllFilterPresets(); b[3].Filters.Timescale.Speed != 1.25 {
		t.Errorf("changing a returned preset changed the next call: speed %v", b[3].Filters.Timescale.Speed)
	}
}

func TestLookupFilterPreset(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"nightcore", PresetNightcore, true},
		{"  NightCore ", PresetNightcore, true},
		{"8D", Preset8D, true},
		{"bassboost", "", false},
		{"", "", false},
	} {
		p, ok := LookupFilterPreset(tc.in)
		if ok != tc.ok || p.Name != tc.want {
			t.Errorf("LookupFilterPreset(%q) = %q, %v; want %q, %v", tc.in, p.Name, ok, tc.want, tc.ok)
		}
	}
}

func TestFiltersJSONForm(t *testing.T) {
	f := Filters{
		Equalizer: []lavalink.EqBand{{Band: 3, Gain: 0.5}, {Band: 0, Gain: -0.25}},
		Rotation:  &Rotation{RotationHz: 0.2},
		LowPass:   &lavalink.LowPass{Smoothing: 20},
	}
	got, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"equalizer":[{"band":0,"gain":-0.25},{"band":3,"gain":0.5}],"rotation":{"rotationHz":0.2},"lowPass":{"smoothing":20}}`
	if string(got) != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	if names := f.Names(); !slices.Equal(names, []string{FilterEqualizer, FilterRotation, FilterLowPass}) {
		t.Errorf("Names() = %v", names)
	}
	if b, _ := json.Marshal(Filters{}); string(b) != "{}" {
		t.Errorf("Marshal(zero) = %s, want {}", b)
	}
	// Keys Filters does not hold are ignored.
	var back Filters
	if err := json.Unmarshal([]byte(`{"volume":2,"pluginFilters":{"x":{}},"timescale":{"speed":1.25,"pitch":1.25,"rate":1}}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Preset() != PresetNightcore {
		t.Errorf("decoded filters = %+v, want nightcore", back)
	}
	if err := json.Unmarshal([]byte(`{"timescale":1}`), &back); err == nil {
		t.Error("Unmarshal of a number as timescale succeeded")
	}
	if got := filtersFromRaw(json.RawMessage(`{"rotation":"fast"}`)); !got.IsZero() {
		t.Errorf("filtersFromRaw(bad) = %+v, want none", got)
	}
	// Equal ignores band order; Clone is deep.
	c := f.Clone()
	slices.Reverse(c.Equalizer)
	if !c.Equal(f) {
		t.Error("Equal depends on band order")
	}
	c.Rotation.RotationHz = 1
	c.Equalizer[0].Gain = 0
	if f.Rotation.RotationHz != 0.2 || f.Equalizer[0].Gain != 0.5 {
		t.Error("changing a clone changed the original")
	}
	if c.Equal(f) || c.Preset() != "" {
		t.Error("different filters compare equal, or match a preset")
	}
}

func TestFiltersValidate(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name   string
		f      Filters
		filter string
	}{
		{"band above 14", Filters{Equalizer: []lavalink.EqBand{{Band: 15, Gain: 0.1}}}, FilterEqualizer},
		{"negative band", Filters{Equalizer: []lavalink.EqBand{{Band: -1, Gain: 0.1}}}, FilterEqualizer},
		{"band twice", Filters{Equalizer: []lavalink.EqBand{{Band: 1, Gain: 0.1}, {Band: 1, Gain: 0.2}}}, FilterEqualizer},
		{"gain too low", Filters{Equalizer: []lavalink.EqBand{{Band: 1, Gain: -0.3}}}, FilterEqualizer},
		{"gain NaN", Filters{Equalizer: []lavalink.EqBand{{Band: 1, Gain: nan}}}, FilterEqualizer},
		{"karaoke level", Filters{Karaoke: &lavalink.Karaoke{Level: 2}}, FilterKaraoke},
		{"karaoke band", Filters{Karaoke: &lavalink.Karaoke{Level: 1, FilterBand: -1}}, FilterKaraoke},
		{"timescale zero", Filters{Timescale: &lavalink.Timescale{Speed: 0, Pitch: 1, Rate: 1}}, FilterTimescale},
		{"timescale huge", Filters{Timescale: &lavalink.Timescale{Speed: 1, Pitch: 6, Rate: 1}}, FilterTimescale},
		{"timescale infinite", Filters{Timescale: &lavalink.Timescale{Speed: 1, Pitch: 1, Rate: math.Inf(1)}}, FilterTimescale},
		{"tremolo depth", Filters{Tremolo: &lavalink.Tremolo{Frequency: 2, Depth: 0}}, FilterTremolo},
		{"vibrato frequency", Filters{Vibrato: &lavalink.Vibrato{Frequency: 15, Depth: 0.5}}, FilterVibrato},
		{"rotation NaN", Filters{Rotation: &Rotation{RotationHz: math.NaN()}}, FilterRotation},
		{"distortion", Filters{Distortion: &lavalink.Distortion{Scale: 1000}}, FilterDistortion},
		{"channel mix", Filters{ChannelMix: &lavalink.ChannelMix{LeftToLeft: 1.5}}, FilterChannelMix},
		{"low pass at 1", Filters{LowPass: &lavalink.LowPass{Smoothing: 1}}, FilterLowPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Filter != tt.filter || !errors.Is(err, ErrInvalidFilters) {
				t.Fatalf("Validate() = %v, want a *FilterError for %s", err, tt.filter)
			}
			if msg := UserMessage(err); msg != "Those "+tt.filter+" settings are out of range." {
				t.Errorf("UserMessage = %q", msg)
			}
			if !strings.HasPrefix(err.Error(), "music: invalid "+tt.filter+" filter: ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
	ok := Filters{
		Tremolo:    &lavalink.Tremolo{Frequency: 2, Depth: 0.5},
		Vibrato:    &lavalink.Vibrato{Frequency: 2, Depth: 0.5},
		Distortion: &lavalink.Distortion{SinScale: 1, CosScale: 1, TanScale: 1, Scale: 1},
		ChannelMix: &lavalink.ChannelMix{LeftToLeft: 0.5, LeftToRight: 0.5, RightToLeft: 0.5, RightToRight: 0.5},
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(in range) = %v", err)
	}
}

func FuzzFiltersJSON(f *testing.F) {
	for _, p := range AllFilterPresets() {
		data, _ := json.Marshal(p.Filters)
		f.Add(data)
	}
	f.Add([]byte(`{"equalizer":[{"band":99,"gain":5}],"rotation":{"rotationHz":1e308}}`))
	f.Add([]byte(`{"timescale":null,"karaoke":{}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fl Filters
		if json.Unmarshal(data, &fl) != nil {
			return
		}
		_ = fl.Validate() // never panics
		out, err := json.Marshal(fl)
		if err != nil {
			return // NaN cannot be written; Unmarshal never yields one
		}
		var back Filters
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !back.Equal(fl) {
			t.Fatalf("round trip of %s changed the filters: %s", data, out)
		}
	})
}

// nodeFilters decodes the filters the fake node reports for the guild.
func nodeFilters(t *testing.T, n *lavalinktest.Node) Filters {
	t.Helper()
	np, ok := n.Player(guildID)
	if !ok {
		t.Fatal("the node has no player for the guild")
	}
	var f Filters
	if err := json.Unmarshal(np.Filters, &f); err != nil {
		t.Fatalf("node filters %s: %v", np.Filters, err)
	}
	return f
}

func TestSetFilterPreset(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	if _, err := h.m.SetFilterPreset(ctx, guildID, listener, PresetNightcore); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("SetFilterPreset without a session = %v, want ErrNothingPlaying", err)
	}
	h.play(guildID, listener, "one")

	p, err := h.m.SetFilterPreset(ctx, guildID, listener, "Nightcore")
	if err != nil || p.Name != PresetNightcore {
		t.Fatalf("SetFilterPreset(Nightcore) = %+v, %v", p, err)
	}
	if got := nodeFilters(t, h.nodes[0]); got.Preset() != PresetNightcore {
		t.Errorf("node filters = %+v, want nightcore", got)
	}
	np, err := h.m.NowPlaying(ctx, guildID, listener)
	if err != nil || np.Filters.Preset() != PresetNightcore {
		t.Errorf("NowPlaying filters = %+v, %v; want nightcore", np.Filters, err)
	}
	if got := metricValue(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "filter", "status": "ok"}); got != 1 {
		t.Errorf("filter commands ok = %v, want 1", got)
	}

	custom := Filters{Tremolo: &lavalink.Tremolo{Frequency: 4, Depth: 0.5}, LowPass: &lavalink.LowPass{Smoothing: 5}}
	if err := h.m.SetFilters(ctx, guildID, listener, custom); err != nil {
		t.Fatalf("SetFilters: %v", err)
	}
	if got := nodeFilters(t, h.nodes[0]); !got.Equal(custom) || got.Timescale != nil {
		t.Errorf("node filters after SetFilters = %+v, want only the custom ones", got)
	}
	bad := Filters{Timescale: &lavalink.Timescale{Speed: -1, Pitch: 1, Rate: 1}}
	if err := h.m.SetFilters(ctx, guildID, listener, bad); !errors.Is(err, ErrInvalidFilters) {
		t.Errorf("SetFilters(out of range) = %v, want ErrInvalidFilters", err)
	}
	_, err = h.m.SetFilterPreset(ctx, guildID, listener, "chipmunk")
	if !errors.Is(err, ErrUnknownPreset) || UserMessage(err) != "I don't know that filter; pick one of the listed presets." {
		t.Errorf("SetFilterPreset(chipmunk) = %v (%q), want ErrUnknownPreset", err, UserMessage(err))
	}
	long := strings.Repeat("x", 100)
	if _, err := h.m.SetFilterPreset(ctx, guildID, listener, long); !errors.Is(err, ErrUnknownPreset) || strings.Contains(err.Error(), long) {
		t.Errorf("SetFilterPreset(100 bytes) = %v, want ErrUnknownPreset naming at most 32 bytes", err)
	}

	if err := h.m.ResetFilters(ctx, guildID, listener); err != nil {
		t.Fatalf("ResetFilters: %v", err)
	}
	if np, _ := h.nodes[0].Player(guildID); string(np.Filters) != "{}" {
		t.Errorf("node filters after reset = %s, want {}", np.Filters)
	}
	if np, _ := h.m.NowPlaying(ctx, guildID, listener); !np.Filters.IsZero() || np.Filters.Preset() != "" {
		t.Errorf("NowPlaying filters after reset = %+v", np.Filters)
	}
	h.clock.Advance(time.Second) // the coalesced save is due
	for {
		h.waitSave(func(d saveDone) bool { return d.guild == guildID && !d.settings })
		snap, err := h.store.Load(ctx, guildID)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Filters) == 0 {
			break // an earlier save may still have held filters
		}
	}
	// Controls need the voice channel.
	if _, err := h.m.SetFilterPreset(ctx, guildID, Actor{UserID: otherID}, PresetSoft); !errors.Is(err, ErrNotInVoice) {
		t.Errorf("SetFilterPreset from outside voice = %v, want ErrNotInVoice", err)
	}
}

func TestFilterPresetsOnlyOfferedFilters(t *testing.T) {
	h := newHarness(t, harnessConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithFilters("volume", "equalizer", "timescale")}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	want := []string{PresetBassBoostLow, PresetBassBoostMedium, PresetBassBoostHigh, PresetNightcore, PresetVaporwave, PresetTrebleBass}
	names := func() []string {
		var out []string
		for _, p := range h.m.FilterPresets(guildID) {
			out = append(out, p.Name)
		}
		return out
	}
	if got := names(); !slices.Equal(got, want) { // no player yet: the node a new one would use
		t.Errorf("FilterPresets before playing = %v, want %v", got, want)
	}
	h.play(guildID, listener, "one")
	if got := names(); !slices.Equal(got, want) {
		t.Errorf("FilterPresets while playing = %v, want %v", got, want)
	}
	_, err := h.m.SetFilterPreset(h.ctx(), guildID, listener, Preset8D)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Kind != "filter" || ue.Name != FilterRotation {
		t.Fatalf("SetFilterPreset(8d) = %v, want an unsupported rotation filter", err)
	}
	if msg := UserMessage(err); msg != "That effect isn't available right now." {
		t.Errorf("UserMessage = %q", msg)
	}
	if np, _ := h.nodes[0].Player(guildID); string(np.Filters) != "{}" {
		t.Errorf("node filters after a refused preset = %s, want {}", np.Filters)
	}
	h.nodes[0].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown })
	if got := h.m.FilterPresets(snowflakeID(9)); got != nil {
		t.Errorf("FilterPresets with no node = %v, want none", got)
	}
}

func TestFiltersSurviveFailover(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, opts: []Option{WithGracePeriod(time.Second)}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	first := h.waitEvent(isStarted("one")).(TrackStarted)
	from, to := 0, 1
	if first.Node == "node-2" {
		from, to = 1, 0
	}
	if _, err := h.m.SetFilterPreset(h.ctx(), guildID, listener, PresetVaporwave); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(10 * time.Second)
	h.nodes[from].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown })
	h.clock.Advance(time.Second)
	h.waitEvent(isType(TypePlayerMoved))
	if got := nodeFilters(t, h.nodes[to]); got.Preset() != PresetVaporwave {
		t.Errorf("filters on the new node = %+v, want vaporwave", got)
	}
}

func TestFiltersSurviveRestart(t *testing.T) {
	for _, resumed := range []bool{true, false} {
		name := "node kept the session"
		if !resumed {
			name = "node restarted"
		}
		t.Run(name, func(t *testing.T) {
			mem := NewMemoryStore()
			h1 := newHarness(t, harnessConfig{sessions: mem, settings: mem})
			h1.addTracks("one")
			h1.listen(guildID, userID, voiceID)
			h1.play(guildID, listener, "one")
			ctx := h1.ctx()
			if _, err := h1.m.SetFilterPreset(ctx, guildID, listener, PresetKaraoke); err != nil {
				t.Fatal(err)
			}
			h1.clock.Advance(20 * time.Second)
			if err := h1.m.Close(ctx); err != nil {
				t.Fatalf("Close = %v", err)
			}
			snap, err := mem.Load(ctx, guildID)
			if err != nil || filtersFromRaw(snap.Filters).Preset() != PresetKaraoke {
				t.Fatalf("stored filters = %s, %v; want karaoke", snap.Filters, err)
			}
			if !resumed {
				if err := h1.nodes[0].Restart(); err != nil {
					t.Fatal(err)
				}
			}
			h2 := newHarness(t, harnessConfig{sessions: mem, settings: mem, clock: h1.clock, llNodes: h1.nodes, noStart: true})
			h2.listen(guildID, userID, voiceID)
			h2.start()
			h2.waitEvent(isStarted("one"))
			if got := nodeFilters(t, h2.nodes[0]); got.Preset() != PresetKaraoke {
				t.Errorf("node filters after restart = %+v, want karaoke", got)
			}
			np, err := h2.m.NowPlaying(h2.ctx(), guildID, listener)
			if err != nil || np.Filters.Preset() != PresetKaraoke {
				t.Errorf("NowPlaying filters after restart = %+v, %v", np.Filters, err)
			}
		})
	}
}
