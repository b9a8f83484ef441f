package lavalinktest

import (
	"strings"
	"testing"
)

func FuzzParsePlayerUpdate(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"track":{"encoded":"QAAA","userData":{"a":[1,{"b":null}]}},"position":5,"endTime":null,"volume":50,"paused":false}`,
		`{"track":{"encoded":null},"encodedTrack":"x","identifier":"y"}`,
		`{"voice":{"token":"t","endpoint":"e","sessionId":"s","channelId":"1"}}`,
		`{"voice":{"token":"","endpoint":"e","sessionId":"s"}}`,
		`{"filters":{"volume":1.0,"equalizer":[{"band":0,"gain":0.2},{"band":99,"gain":1}],"karaoke":{},"timescale":{"speed":2},` +
			`"tremolo":{},"vibrato":{},"distortion":{},"rotation":{"rotationHz":0.2},"channelMix":{},"lowPass":{},"pluginFilters":{"x":1}}}`,
		`{"paused":null,"track":null,"filters":null}`,
		`{"position":1e3}`, `[]`, `null`, ``, `{"endTime":-1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		strict, errStrict := parsePlayerUpdate(body, true)
		lenient, errLenient := parsePlayerUpdate(body, false)
		if errStrict == nil && errLenient != nil {
			t.Fatalf("parsePlayerUpdate(%q) strict ok but lenient failed: %v", body, errLenient)
		}
		if errStrict == nil && strict.voice != nil && len(strict.voiceMissing) < len(lenient.voiceMissing) {
			t.Fatalf("parsePlayerUpdate(%q) strict misses %v, lenient %v", body, strict.voiceMissing, lenient.voiceMissing)
		}
		if errLenient == nil && lenient.filters != nil {
			mustJSON(lenient.filters)
			for _, b := range *nilSafe(lenient.filters.Equalizer) {
				if b.Band < 0 || b.Band > 14 {
					t.Fatalf("parsePlayerUpdate(%q) kept band %d", body, b.Band)
				}
			}
		}
		if errLenient == nil && lenient.userData != nil {
			mustJSON(lenient.userData)
		}
	})
}

func nilSafe(b *[]eqBandJSON) *[]eqBandJSON {
	if b == nil {
		return &[]eqBandJSON{}
	}
	return b
}

// FuzzParseSpringBool checks the boolean query parameters (noReplace,
// skipTrackSource): a value is accepted exactly when Spring would, and
// then read as the same boolean as its lower-case form.
func FuzzParseSpringBool(f *testing.F) {
	for _, s := range []string{"true", "FALSE", " on ", "yes", "0", "", "maybe", "tru\x00e", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, herr := parseSpringBool(s)
		norm := strings.ToLower(strings.TrimSpace(s))
		valid := map[string]bool{"true": true, "on": true, "yes": true, "1": true, "false": false, "off": false, "no": false, "0": false, "": false}
		want, ok := valid[norm]
		if ok != (herr == nil) || (ok && got != want) {
			t.Fatalf("parseSpringBool(%q) = %v, %v; want %v, accepted %v", s, got, herr, want, ok)
		}
		if herr != nil && herr.status != 400 {
			t.Fatalf("parseSpringBool(%q) status %d, want 400", s, herr.status)
		}
	})
}
