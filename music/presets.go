package music

import (
	"strings"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

// Filter preset names, the values [LookupFilterPreset] accepts.
const (
	PresetBassBoostLow    = "bassboost-low"
	PresetBassBoostMedium = "bassboost-medium"
	PresetBassBoostHigh   = "bassboost-high"
	PresetNightcore       = "nightcore"
	PresetVaporwave       = "vaporwave"
	Preset8D              = "8d"
	PresetKaraoke         = "karaoke"
	PresetSoft            = "soft"
	PresetTrebleBass      = "treble-bass"
)

// FilterPreset is a named set of filters for users to pick from.
type FilterPreset struct {
	// Name is one of the Preset constants, such as [PresetNightcore]:
	// lower case, fit for a slash command choice.
	Name string
	// Description is a short sentence for users.
	Description string
	// Filters are the filters the preset turns on; every other filter
	// is off while it is applied.
	Filters Filters
}

// AllFilterPresets returns every preset, in a fixed order, each with its
// own copy of the filters:
//
//	bassboost-low     equalizer bands 0-3 +0.10 +0.08 +0.05 +0.02
//	bassboost-medium  equalizer bands 0-4 +0.20 +0.15 +0.10 +0.05 +0.02
//	bassboost-high    equalizer bands 0-5 +0.35 +0.28 +0.20 +0.12 +0.06 +0.02
//	nightcore         timescale speed 1.25, pitch 1.25, rate 1
//	vaporwave         timescale speed 0.85, pitch 0.8, rate 1; equalizer bands 0-1 +0.15
//	8d                rotation 0.2 Hz
//	karaoke           karaoke level 1, mono level 1, band 220 Hz, width 100 Hz
//	soft              low pass, smoothing 20
//	treble-bass       equalizer bands 0-2 +0.20 +0.15 +0.10, 5-8 -0.05, 11-14 +0.10 +0.15 +0.20 +0.20
//
// Every value is within [Filters.Validate]'s ranges, equalizer gains far
// from their limits so that loud tracks do not clip.
func AllFilterPresets() []FilterPreset {
	out := make([]FilterPreset, len(presets))
	for i, p := range presets {
		p.Filters = p.Filters.Clone()
		out[i] = p
	}
	return out
}

// presets are the presets, never handed out: AllFilterPresets and
// LookupFilterPreset return copies.
var presets = buildPresets()

// presetByJSON names the presets by the JSON form of their filters.
var presetByJSON = func() map[string]string {
	m := make(map[string]string, len(presets))
	for _, p := range presets {
		data, _ := p.Filters.MarshalJSON() // plain values: cannot fail
		m[string(data)] = p.Name
	}
	return m
}()

func buildPresets() []FilterPreset {
	eq := func(gains map[int]float32) []lavalink.EqBand {
		bands := make([]lavalink.EqBand, 0, len(gains))
		for band := range 15 {
			if g, ok := gains[band]; ok {
				bands = append(bands, lavalink.EqBand{Band: band, Gain: g})
			}
		}
		return bands
	}
	return []FilterPreset{
		{Name: PresetBassBoostLow, Description: "A little more bass.",
			Filters: Filters{Equalizer: eq(map[int]float32{0: 0.10, 1: 0.08, 2: 0.05, 3: 0.02})}},
		{Name: PresetBassBoostMedium, Description: "More bass.",
			Filters: Filters{Equalizer: eq(map[int]float32{0: 0.20, 1: 0.15, 2: 0.10, 3: 0.05, 4: 0.02})}},
		{Name: PresetBassBoostHigh, Description: "Lots of bass.",
			Filters: Filters{Equalizer: eq(map[int]float32{0: 0.35, 1: 0.28, 2: 0.20, 3: 0.12, 4: 0.06, 5: 0.02})}},
		{Name: PresetNightcore, Description: "Faster and higher.",
			Filters: Filters{Timescale: &lavalink.Timescale{Speed: 1.25, Pitch: 1.25, Rate: 1}}},
		{Name: PresetVaporwave, Description: "Slower, lower and warmer.",
			Filters: Filters{Timescale: &lavalink.Timescale{Speed: 0.85, Pitch: 0.8, Rate: 1}, Equalizer: eq(map[int]float32{0: 0.15, 1: 0.15})}},
		{Name: Preset8D, Description: "The sound circles around you.",
			Filters: Filters{Rotation: &Rotation{RotationHz: 0.2}}},
		{Name: PresetKaraoke, Description: "Removes most of the vocals.",
			Filters: Filters{Karaoke: &lavalink.Karaoke{Level: 1, MonoLevel: 1, FilterBand: 220, FilterWidth: 100}}},
		{Name: PresetSoft, Description: "Muffles the high notes.",
			Filters: Filters{LowPass: &lavalink.LowPass{Smoothing: 20}}},
		{Name: PresetTrebleBass, Description: "More bass and more treble.",
			Filters: Filters{Equalizer: eq(map[int]float32{0: 0.20, 1: 0.15, 2: 0.10, 5: -0.05, 6: -0.05, 7: -0.05, 8: -0.05, 11: 0.10, 12: 0.15, 13: 0.20, 14: 0.20})}},
	}
}

// LookupFilterPreset returns the preset named name (ignoring case and
// surrounding spaces); ok is false for a name no preset has.
func LookupFilterPreset(name string) (FilterPreset, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, p := range presets {
		if p.Name == name {
			p.Filters = p.Filters.Clone()
			return p, true
		}
	}
	return FilterPreset{}, false
}
