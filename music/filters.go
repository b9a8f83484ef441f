package music

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/internal/node"
)

// Filter names, as Lavalink lists them in /v4/info and keys them in a
// player's filters object.
const (
	FilterEqualizer  = "equalizer"
	FilterKaraoke    = "karaoke"
	FilterTimescale  = "timescale"
	FilterTremolo    = "tremolo"
	FilterVibrato    = "vibrato"
	FilterRotation   = "rotation"
	FilterDistortion = "distortion"
	FilterChannelMix = "channelMix"
	FilterLowPass    = "lowPass"
)

// Filters is a player's audio filters: Lavalink's filters object with
// typed values. A nil field (an empty Equalizer) is a filter that is off,
// so the zero value plays tracks unchanged. The volume filter is not here:
// a player's volume is [Manager.SetVolume]'s. Values are checked by
// [Filters.Validate] against the ranges Lavalink's filters accept.
//
// Filters is a value with pointer fields; copy it with [Filters.Clone]
// before changing a shared one. Its JSON form is Lavalink's filters
// object, which is how sessions store it.
type Filters struct {
	// Equalizer sets the gain of some of the 15 bands (0 = 25 Hz to 14
	// = 16 kHz), from -0.25 (muted) to 1 (doubled); 0 leaves a band as
	// it is. Bands not listed stay at 0.
	Equalizer []lavalink.EqBand
	// Karaoke removes the voice: Level and MonoLevel from 0 to 1, around
	// FilterBand Hz over FilterWidth Hz.
	Karaoke *lavalink.Karaoke
	// Timescale changes Speed, Pitch and Rate; 1 leaves each as it is,
	// each above 0 and at most 5.
	Timescale *lavalink.Timescale
	// Tremolo wobbles the volume: Frequency above 0 (Hz), Depth above 0
	// and at most 1.
	Tremolo *lavalink.Tremolo
	// Vibrato wobbles the pitch: Frequency above 0 and at most 14 (Hz),
	// Depth above 0 and at most 1.
	Vibrato *lavalink.Vibrato
	// Rotation pans the audio around the listener (the "8D" effect).
	Rotation *Rotation
	// Distortion applies sine, cosine and tangent distortion.
	Distortion *lavalink.Distortion
	// ChannelMix mixes the left and right channels, each factor from 0
	// to 1 (mono is all four at 0.5).
	ChannelMix *lavalink.ChannelMix
	// LowPass lets through low frequencies only; Smoothing above 1 (the
	// higher, the fewer high frequencies).
	LowPass *lavalink.LowPass
}

// Rotation is the rotation filter: the audio circles the listener
// RotationHz times a second (0.2 is a slow circle). Lavalink's value is a
// float, which disgolink's own type cannot hold.
type Rotation struct {
	RotationHz float64 `json:"rotationHz"`
}

// ErrUnknownPreset is matched by the error for a filter preset name
// [LookupFilterPreset] does not know.
var ErrUnknownPreset = errors.New("music: unknown filter preset")

// FilterError is returned for filter values Lavalink would refuse or that
// would break playback. It matches [ErrInvalidFilters].
type FilterError struct {
	// Filter is the filter's name, such as [FilterTimescale].
	Filter string
	// Reason says what is wrong.
	Reason string
}

// Error implements the error interface.
func (e *FilterError) Error() string { return "music: invalid " + e.Filter + " filter: " + e.Reason }

// Is reports whether target is [ErrInvalidFilters].
func (e *FilterError) Is(target error) bool { return target == ErrInvalidFilters }

// Names returns the names of the filters that are on, in the order
// Lavalink lists them: what a node must offer to apply f.
func (f Filters) Names() []string {
	var names []string
	add := func(on bool, name string) {
		if on {
			names = append(names, name)
		}
	}
	add(len(f.Equalizer) > 0, FilterEqualizer)
	add(f.Karaoke != nil, FilterKaraoke)
	add(f.Timescale != nil, FilterTimescale)
	add(f.Tremolo != nil, FilterTremolo)
	add(f.Vibrato != nil, FilterVibrato)
	add(f.Distortion != nil, FilterDistortion)
	add(f.Rotation != nil, FilterRotation)
	add(f.ChannelMix != nil, FilterChannelMix)
	add(f.LowPass != nil, FilterLowPass)
	return names
}

// IsZero reports whether no filter is on.
func (f Filters) IsZero() bool { return len(f.Names()) == 0 }

// Clone returns a deep copy of f.
func (f Filters) Clone() Filters {
	c := f
	c.Equalizer = slices.Clone(f.Equalizer)
	c.Karaoke = clonePtr(f.Karaoke)
	c.Timescale = clonePtr(f.Timescale)
	c.Tremolo = clonePtr(f.Tremolo)
	c.Vibrato = clonePtr(f.Vibrato)
	c.Rotation = clonePtr(f.Rotation)
	c.Distortion = clonePtr(f.Distortion)
	c.ChannelMix = clonePtr(f.ChannelMix)
	c.LowPass = clonePtr(f.LowPass)
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Equal reports whether f and o turn on the same filters with the same
// values. The order of equalizer bands does not matter.
func (f Filters) Equal(o Filters) bool {
	a, errA := f.MarshalJSON()
	b, errB := o.MarshalJSON()
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// Preset returns the name of the preset whose filters f equals, or ""
// when it equals none (no filter, or filters set one by one).
func (f Filters) Preset() string {
	if f.IsZero() {
		return ""
	}
	data, err := f.MarshalJSON()
	if err != nil {
		return ""
	}
	return presetByJSON[string(data)]
}

// Validate returns a [*FilterError] for the first value outside what the
// filter accepts (see the fields of [Filters]); NaN and infinities are
// refused everywhere.
func (f Filters) Validate() error {
	bad := func(filter, format string, args ...any) error {
		return &FilterError{Filter: filter, Reason: fmt.Sprintf(format, args...)}
	}
	var seen [15]bool
	for _, b := range f.Equalizer {
		switch {
		case b.Band < 0 || b.Band > 14:
			return bad(FilterEqualizer, "band %d is outside 0-14", b.Band)
		case seen[b.Band]:
			return bad(FilterEqualizer, "band %d is set twice", b.Band)
		case !within(float64(b.Gain), -0.25, 1):
			return bad(FilterEqualizer, "gain of band %d is outside -0.25 to 1", b.Band)
		}
		seen[b.Band] = true
	}
	if k := f.Karaoke; k != nil {
		if !within(float64(k.Level), 0, 1) || !within(float64(k.MonoLevel), 0, 1) {
			return bad(FilterKaraoke, "level and mono level must be from 0 to 1")
		}
		if !within(float64(k.FilterBand), 0, 24000) || !within(float64(k.FilterWidth), 0, 24000) {
			return bad(FilterKaraoke, "filter band and width must be from 0 to 24000 Hz")
		}
	}
	if t := f.Timescale; t != nil {
		for _, v := range []float64{t.Speed, t.Pitch, t.Rate} {
			if !within(v, 0, 5) || v == 0 {
				return bad(FilterTimescale, "speed, pitch and rate must be above 0 and at most 5")
			}
		}
	}
	if t := f.Tremolo; t != nil && (!within(float64(t.Frequency), 0, 1000) || t.Frequency == 0 || !within(float64(t.Depth), 0, 1) || t.Depth == 0) {
		return bad(FilterTremolo, "frequency must be above 0 and depth above 0 and at most 1")
	}
	if v := f.Vibrato; v != nil && (!within(float64(v.Frequency), 0, 14) || v.Frequency == 0 || !within(float64(v.Depth), 0, 1) || v.Depth == 0) {
		return bad(FilterVibrato, "frequency must be above 0 and at most 14, depth above 0 and at most 1")
	}
	if r := f.Rotation; r != nil && !within(r.RotationHz, -100, 100) {
		return bad(FilterRotation, "rotation must be from -100 to 100 Hz")
	}
	if d := f.Distortion; d != nil {
		for _, v := range []float32{d.SinOffset, d.SinScale, d.CosOffset, d.CosScale, d.TanOffset, d.TanScale, d.Offset, d.Scale} {
			if !within(float64(v), -100, 100) {
				return bad(FilterDistortion, "values must be from -100 to 100")
			}
		}
	}
	if c := f.ChannelMix; c != nil {
		for _, v := range []float32{c.LeftToLeft, c.LeftToRight, c.RightToLeft, c.RightToRight} {
			if !within(float64(v), 0, 1) {
				return bad(FilterChannelMix, "factors must be from 0 to 1")
			}
		}
	}
	if l := f.LowPass; l != nil && (!within(l.Smoothing, 1, 1000) || l.Smoothing == 1) {
		return bad(FilterLowPass, "smoothing must be above 1 and at most 1000")
	}
	return nil
}

// within reports whether v is a number from lo to hi.
func within(v, lo, hi float64) bool { return v >= lo && v <= hi && !math.IsNaN(v) }

// node returns f in the node client's form.
func (f Filters) node() node.Filters {
	eq := slices.Clone(f.Equalizer)
	slices.SortFunc(eq, func(a, b lavalink.EqBand) int { return a.Band - b.Band })
	return node.Filters{
		Equalizer:  eq,
		Karaoke:    f.Karaoke,
		Timescale:  f.Timescale,
		Tremolo:    f.Tremolo,
		Vibrato:    f.Vibrato,
		Rotation:   (*node.Rotation)(f.Rotation),
		Distortion: f.Distortion,
		ChannelMix: f.ChannelMix,
		LowPass:    f.LowPass,
	}
}

// MarshalJSON writes Lavalink's filters object with the filters that are
// on ({} for none), equalizer bands in band order.
func (f Filters) MarshalJSON() ([]byte, error) {
	n := f.node()
	return json.Marshal(&n)
}

// UnmarshalJSON reads Lavalink's filters object. Keys Filters does not
// hold (volume, pluginFilters and unknown ones) are ignored; values are
// not validated.
func (f *Filters) UnmarshalJSON(data []byte) error {
	var n node.Filters
	if err := json.Unmarshal(data, &n); err != nil {
		return err
	}
	*f = Filters{
		Equalizer:  n.Equalizer,
		Karaoke:    n.Karaoke,
		Timescale:  n.Timescale,
		Tremolo:    n.Tremolo,
		Vibrato:    n.Vibrato,
		Rotation:   (*Rotation)(n.Rotation),
		Distortion: n.Distortion,
		ChannelMix: n.ChannelMix,
		LowPass:    n.LowPass,
	}
	return nil
}

// filtersFromRaw decodes a session's stored filters; what does not decode
// reads as no filters.
func filtersFromRaw(raw json.RawMessage) Filters {
	var f Filters
	if len(raw) == 0 || json.Unmarshal(raw, &f) != nil {
		return Filters{}
	}
	return f
}

// shownFilters keeps a session's filters decoded for views, so that
// NowPlaying and Status decode them once per change rather than on every
// call. It is guarded by the player's mu.
type shownFilters struct {
	raw json.RawMessage
	f   Filters
}

// of returns raw's filters, as a copy the caller may change.
func (s *shownFilters) of(raw json.RawMessage) Filters {
	if !bytes.Equal(raw, s.raw) {
		s.raw, s.f = raw, filtersFromRaw(raw)
	}
	return s.f.Clone()
}

// FilterPresets returns the presets the guild can use now: those whose
// filters are all offered (in /v4/info) by the node playing for the guild
// or, for a guild without one, by the node a new player would go to. It
// returns none while no node is healthy. It does no I/O and takes no
// turn, so a frontend may call it for autocomplete.
func (m *Manager) FilterPresets(guild snowflake.ID) []FilterPreset {
	var ln *lavaNode
	if p := m.players.get(guild); p != nil {
		p.mu.Lock()
		if p.node != nil && p.node.healthy() {
			ln = p.node
		}
		p.mu.Unlock()
	}
	if ln == nil {
		var err error
		if ln, err = m.pickNode("", nil); err != nil {
			return nil
		}
	}
	var out []FilterPreset
	for _, p := range presets {
		if _, ok := ln.hasFilters(p.Filters.Names()); ok {
			p.Filters = p.Filters.Clone()
			out = append(out, p)
		}
	}
	return out
}

// SetFilterPreset replaces the player's filters with the named preset
// (see [AllFilterPresets]) and returns it. A name no preset has is an
// error matching [ErrUnknownPreset]; a preset using a filter the guild's
// node does not offer is an [*UnsupportedError] with Kind "filter". The
// filters are kept in the session, so they follow the player to another
// node and survive a restart.
func (m *Manager) SetFilterPreset(ctx context.Context, guild snowflake.ID, actor Actor, name string) (FilterPreset, error) {
	var res FilterPreset
	err := m.run(ctx, "filter", guild, actor, ActionFilter, nil, func(ctx context.Context) error {
		p, ok := LookupFilterPreset(name)
		if !ok {
			return fmt.Errorf("music: filter preset %q: %w", clip(name, 32), ErrUnknownPreset)
		}
		if err := m.applyFilters(ctx, guild, p.Filters); err != nil {
			return err
		}
		res = p
		return nil
	})
	return res, err
}

// SetFilters replaces the player's filters with f, after [Filters.Validate]
// (a [*FilterError] for a value out of range). A filter the guild's node
// does not offer is an [*UnsupportedError] with Kind "filter".
func (m *Manager) SetFilters(ctx context.Context, guild snowflake.ID, actor Actor, f Filters) error {
	return m.run(ctx, "filter", guild, actor, ActionFilter, nil, func(ctx context.Context) error {
		if err := f.Validate(); err != nil {
			return err
		}
		return m.applyFilters(ctx, guild, f.Clone())
	})
}

// ResetFilters turns every filter off.
func (m *Manager) ResetFilters(ctx context.Context, guild snowflake.ID, actor Actor) error {
	return m.run(ctx, "filter", guild, actor, ActionFilter, nil, func(ctx context.Context) error {
		return m.applyFilters(ctx, guild, Filters{})
	})
}

// applyFilters sends f to the guild's node and keeps it in the session.
func (m *Manager) applyFilters(ctx context.Context, guild snowflake.ID, f Filters) error {
	return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
		p.mu.Lock()
		ln := p.node
		p.mu.Unlock()
		if ln != nil {
			if missing, ok := ln.hasFilters(f.Names()); !ok {
				return &UnsupportedError{Kind: "filter", Name: missing}
			}
		}
		nf := f.node()
		if err := m.update(ctx, p, node.PlayerUpdate{Filters: &nf}); err != nil {
			return err
		}
		var raw json.RawMessage
		if !f.IsZero() {
			raw, _ = f.MarshalJSON() // plain values: cannot fail
		}
		p.mu.Lock()
		err := sess.SetFilters(raw)
		p.mu.Unlock()
		m.saver.dirty(guild, false)
		return err
	})
}

// clip shortens user text for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
