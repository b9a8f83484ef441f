package lavalinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// filterNames lists the filter keys in the order Lavalink reports them.
var filterNames = []string{"volume", "equalizer", "karaoke", "timescale", "tremolo", "vibrato", "distortion", "rotation", "channelMix", "lowPass"}

// filtersJSON is a player's filters as the node echoes them: every present
// filter with all its fields (Lavalink's defaults fill the absent ones).
// Numbers are written the way Go writes float64, so 1.0 reads 1: Lavalink
// itself writes 1.0, which disgolink v3.0.0 cannot read into its integer
// rotationHz.
type filtersJSON struct {
	Volume        *float64                   `json:"volume,omitempty"`
	Equalizer     *[]eqBandJSON              `json:"equalizer,omitempty"`
	Karaoke       *karaokeJSON               `json:"karaoke,omitempty"`
	Timescale     *timescaleJSON             `json:"timescale,omitempty"`
	Tremolo       *waveJSON                  `json:"tremolo,omitempty"`
	Vibrato       *waveJSON                  `json:"vibrato,omitempty"`
	Distortion    *distortionJSON            `json:"distortion,omitempty"`
	Rotation      *rotationJSON              `json:"rotation,omitempty"`
	ChannelMix    *channelMixJSON            `json:"channelMix,omitempty"`
	LowPass       *lowPassJSON               `json:"lowPass,omitempty"`
	PluginFilters map[string]json.RawMessage `json:"pluginFilters,omitempty"`
}

type eqBandJSON struct {
	Band int     `json:"band"`
	Gain float64 `json:"gain"`
}

type karaokeJSON struct {
	Level       float64 `json:"level"`
	MonoLevel   float64 `json:"monoLevel"`
	FilterBand  float64 `json:"filterBand"`
	FilterWidth float64 `json:"filterWidth"`
}

type timescaleJSON struct {
	Speed float64 `json:"speed"`
	Pitch float64 `json:"pitch"`
	Rate  float64 `json:"rate"`
}

type waveJSON struct {
	Frequency float64 `json:"frequency"`
	Depth     float64 `json:"depth"`
}

type distortionJSON struct {
	SinOffset float64 `json:"sinOffset"`
	SinScale  float64 `json:"sinScale"`
	CosOffset float64 `json:"cosOffset"`
	CosScale  float64 `json:"cosScale"`
	TanOffset float64 `json:"tanOffset"`
	TanScale  float64 `json:"tanScale"`
	Offset    float64 `json:"offset"`
	Scale     float64 `json:"scale"`
}

type rotationJSON struct {
	RotationHz float64 `json:"rotationHz"`
}

type channelMixJSON struct {
	LeftToLeft   float64 `json:"leftToLeft"`
	LeftToRight  float64 `json:"leftToRight"`
	RightToLeft  float64 `json:"rightToLeft"`
	RightToRight float64 `json:"rightToRight"`
}

type lowPassJSON struct {
	Smoothing float64 `json:"smoothing"`
}

// floats reads the listed keys of o into the given fields.
func (o object) floats(keys []string, dsts ...*float64) error {
	for i, k := range keys {
		if err := o.float(k, dsts[i]); err != nil {
			return err
		}
	}
	return nil
}

// parseFilters reads a filters object. Equalizer bands outside 0–14 are
// dropped, as lavaplayer ignores them (and disgolink cannot read them).
func parseFilters(raw json.RawMessage, strict bool) (*filtersJSON, error) {
	o, err := parseObject(raw, strict, "filters")
	if err != nil {
		return nil, err
	}
	f := &filtersJSON{}
	if _, ok, err := o.get("volume"); err != nil {
		return nil, err
	} else if ok {
		v := 1.0
		if err := o.float("volume", &v); err != nil {
			return nil, err
		}
		f.Volume = &v
	}
	if raw, ok, err := o.get("equalizer"); err != nil {
		return nil, err
	} else if ok {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("filters.equalizer: expected an array")
		}
		bands := make([]eqBandJSON, 0, len(items))
		for i, item := range items {
			b, err := parseObject(item, strict, fmt.Sprintf("filters.equalizer[%d]", i))
			if err != nil {
				return nil, err
			}
			var band *int64
			if err := b.integer("band", 32, &band); err != nil {
				return nil, err
			}
			if band == nil {
				return nil, fmt.Errorf("filters.equalizer[%d].band: missing", i)
			}
			gain := 0.0
			if err := b.float("gain", &gain); err != nil {
				return nil, err
			}
			if *band >= 0 && *band <= 14 {
				bands = append(bands, eqBandJSON{Band: int(*band), Gain: gain})
			}
		}
		f.Equalizer = &bands
	}
	if c, ok, err := o.child("karaoke"); err != nil {
		return nil, err
	} else if ok {
		k := karaokeJSON{Level: 1, MonoLevel: 1, FilterBand: 220, FilterWidth: 100}
		if err := c.floats([]string{"level", "monoLevel", "filterBand", "filterWidth"}, &k.Level, &k.MonoLevel, &k.FilterBand, &k.FilterWidth); err != nil {
			return nil, err
		}
		f.Karaoke = &k
	}
	if c, ok, err := o.child("timescale"); err != nil {
		return nil, err
	} else if ok {
		t := timescaleJSON{Speed: 1, Pitch: 1, Rate: 1}
		if err := c.floats([]string{"speed", "pitch", "rate"}, &t.Speed, &t.Pitch, &t.Rate); err != nil {
			return nil, err
		}
		f.Timescale = &t
	}
	for _, w := range []struct {
		key string
		dst **waveJSON
	}{{"tremolo", &f.Tremolo}, {"vibrato", &f.Vibrato}} {
		if c, ok, err := o.child(w.key); err != nil {
			return nil, err
		} else if ok {
			v := waveJSON{Frequency: 2, Depth: 0.5}
			if err := c.floats([]string{"frequency", "depth"}, &v.Frequency, &v.Depth); err != nil {
				return nil, err
			}
			*w.dst = &v
		}
	}
	if c, ok, err := o.child("distortion"); err != nil {
		return nil, err
	} else if ok {
		d := distortionJSON{SinScale: 1, CosScale: 1, TanScale: 1, Scale: 1}
		if err := c.floats([]string{"sinOffset", "sinScale", "cosOffset", "cosScale", "tanOffset", "tanScale", "offset", "scale"},
			&d.SinOffset, &d.SinScale, &d.CosOffset, &d.CosScale, &d.TanOffset, &d.TanScale, &d.Offset, &d.Scale); err != nil {
			return nil, err
		}
		f.Distortion = &d
	}
	if c, ok, err := o.child("rotation"); err != nil {
		return nil, err
	} else if ok {
		r := rotationJSON{}
		if err := c.float("rotationHz", &r.RotationHz); err != nil {
			return nil, err
		}
		f.Rotation = &r
	}
	if c, ok, err := o.child("channelMix"); err != nil {
		return nil, err
	} else if ok {
		m := channelMixJSON{LeftToLeft: 1, RightToRight: 1}
		if err := c.floats([]string{"leftToLeft", "leftToRight", "rightToLeft", "rightToRight"}, &m.LeftToLeft, &m.LeftToRight, &m.RightToLeft, &m.RightToRight); err != nil {
			return nil, err
		}
		f.ChannelMix = &m
	}
	if c, ok, err := o.child("lowPass"); err != nil {
		return nil, err
	} else if ok {
		l := lowPassJSON{Smoothing: 20}
		if err := c.float("smoothing", &l.Smoothing); err != nil {
			return nil, err
		}
		f.LowPass = &l
	}
	if c, ok, err := o.child("pluginFilters"); err != nil {
		return nil, err
	} else if ok {
		f.PluginFilters = make(map[string]json.RawMessage, len(c.fields))
		for k, v := range c.fields {
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return nil, fmt.Errorf("filters.pluginFilters.%s: %v", k, err)
			}
			f.PluginFilters[k] = buf.Bytes()
		}
	}
	return f, nil
}

// used returns the filter keys f sets, in Lavalink's order, plugin filters
// by name.
func (f *filtersJSON) used() []string {
	var names []string
	set := []bool{f.Volume != nil, f.Equalizer != nil, f.Karaoke != nil, f.Timescale != nil, f.Tremolo != nil,
		f.Vibrato != nil, f.Distortion != nil, f.Rotation != nil, f.ChannelMix != nil, f.LowPass != nil}
	for i, on := range set {
		if on {
			names = append(names, filterNames[i])
		}
	}
	plugin := make([]string, 0, len(f.PluginFilters))
	for k := range f.PluginFilters {
		plugin = append(plugin, k)
	}
	sort.Strings(plugin)
	return append(names, plugin...)
}

// disabled returns the filters of f that the node has disabled, joined as
// Lavalink lists them.
func (f *filtersJSON) disabled(off map[string]bool) string {
	var bad []string
	for _, name := range f.used() {
		if off[name] {
			bad = append(bad, name)
		}
	}
	return strings.Join(bad, ", ")
}
