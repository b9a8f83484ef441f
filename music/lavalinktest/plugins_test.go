package lavalinktest_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// plugin is one entry of info.plugins.
type plugin struct{ name, version string }

func infoPlugins(t *testing.T, n *lavalinktest.Node) []plugin {
	t.Helper()
	info := call(t, n, http.MethodGet, "/v4/info", nil).json(t)
	raw, ok := info.get("plugins").([]any)
	if !ok {
		t.Fatalf("info.plugins = %v, want an array", info.get("plugins"))
	}
	out := []plugin{}
	for _, p := range raw {
		f := frame(p.(map[string]any))
		out = append(out, plugin{f.str("name"), f.str("version")})
	}
	return out
}

func TestInfoPlugins(t *testing.T) {
	tests := []struct {
		name string
		opts []lavalinktest.Option
		want []plugin
	}{
		{"none", nil, []plugin{}},
		{"lyrics", []lavalinktest.Option{lavalinktest.WithLyricsPlugin()}, []plugin{{"lavalyrics-plugin", "1.1.0"}}},
		{"lavasrc", []lavalinktest.Option{lavalinktest.WithLavaSrcPlugin()}, []plugin{{"lavasrc-plugin", "4.8.1"}}},
		{"advertised only", []lavalinktest.Option{lavalinktest.WithPlugin("youtube-plugin", "1.13.3")}, []plugin{{"youtube-plugin", "1.13.3"}}},
		{"version set after", []lavalinktest.Option{
			lavalinktest.WithLyricsPlugin(), lavalinktest.WithLavaSrcPlugin(), lavalinktest.WithPlugin("lavalyrics-plugin", "1.0.0"),
		}, []plugin{{"lavalyrics-plugin", "1.0.0"}, {"lavasrc-plugin", "4.8.1"}}},
		{"version set before", []lavalinktest.Option{
			lavalinktest.WithPlugin("lavasrc-plugin", "4.0.0"), lavalinktest.WithLavaSrcPlugin(), lavalinktest.WithLavaSrcPlugin(),
		}, []plugin{{"lavasrc-plugin", "4.0.0"}}},
		{"plugin listed twice", []lavalinktest.Option{
			lavalinktest.WithPlugin("a", "1"), lavalinktest.WithPlugin("b", "2"), lavalinktest.WithPlugin("a", "3"),
		}, []plugin{{"a", "3"}, {"b", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := newNode(t, tt.opts...)
			if got := infoPlugins(t, n); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("info.plugins = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLavaSrcSourceManagers(t *testing.T) {
	want := []string{"youtube", "soundcloud", "bandcamp", "twitch", "vimeo", "nico", "http", "local", "spotify", "applemusic", "deezer"}
	n, _ := newNode(t, lavalinktest.WithLavaSrcPlugin())
	info := call(t, n, http.MethodGet, "/v4/info", nil).json(t)
	if got := strs(info.get("sourceManagers").([]any)); !reflect.DeepEqual(got, want) {
		t.Errorf("info.sourceManagers = %v, want %v", got, want)
	}
	// The sources survive a restart, as the plugin is part of the
	// configuration.
	if err := n.Restart(); err != nil {
		t.Fatal(err)
	}
	info = call(t, n, http.MethodGet, "/v4/info", nil).json(t)
	if got := strs(info.get("sourceManagers").([]any)); !reflect.DeepEqual(got, want) {
		t.Errorf("info.sourceManagers after restart = %v, want %v", got, want)
	}
}

func TestWithFilters(t *testing.T) {
	tests := []struct {
		name string
		opts []lavalinktest.Option
		want []string
	}{
		{"all by default", nil, []string{"volume", "equalizer", "karaoke", "timescale", "tremolo", "vibrato", "distortion", "rotation", "channelMix", "lowPass"}},
		{"in Lavalink's order", []lavalinktest.Option{lavalinktest.WithFilters("timescale", "equalizer", "volume")}, []string{"volume", "equalizer", "timescale"}},
		{"none", []lavalinktest.Option{lavalinktest.WithFilters()}, []string{}},
		{"calls add up", []lavalinktest.Option{lavalinktest.WithFilters("lowPass"), lavalinktest.WithFilters("rotation")}, []string{"rotation", "lowPass"}},
		{"minus disabled", []lavalinktest.Option{
			lavalinktest.WithDisabledFilters("timescale"), lavalinktest.WithFilters("equalizer", "timescale"),
		}, []string{"equalizer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := newNode(t, tt.opts...)
			info := call(t, n, http.MethodGet, "/v4/info", nil).json(t)
			if got := strs(info.get("filters").([]any)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("info.filters = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWithFiltersRefusesOthers(t *testing.T) {
	f := newFixture(t, lavalinktest.WithFilters("equalizer", "timescale"))
	tests := []struct {
		name    string
		filters map[string]any
		status  int
		message string
	}{
		{"offered", map[string]any{"equalizer": []any{map[string]any{"band": 0, "gain": 0.2}}, "timescale": map[string]any{"speed": 1.2}}, http.StatusOK, ""},
		{"one not offered", map[string]any{"timescale": map[string]any{"speed": 1.2}, "karaoke": map[string]any{}}, http.StatusBadRequest, "Following filters are disabled in the config: karaoke"},
		{"several not offered", map[string]any{"rotation": map[string]any{"rotationHz": 1}, "volume": 0.5}, http.StatusBadRequest, "Following filters are disabled in the config: volume, rotation"},
		{"plugin filters are not configured here", map[string]any{"pluginFilters": map[string]any{"echo": map[string]any{"delay": 1}}}, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.patch(map[string]any{"filters": tt.filters})
			if tt.status != http.StatusOK {
				expectError(t, r, tt.status, tt.message)
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("PATCH filters %v = %d %s, want 200", tt.filters, r.status, r.body)
			}
			f.c.expect("playerUpdate")
		})
	}
}
