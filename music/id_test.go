package music_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

func TestParseID(t *testing.T) {
	valid := []struct {
		in   string
		want snowflake.ID
	}{
		{"81384788765712384", 81384788765712384},     // 17 digits, 2015
		{"110373943822540800", 110373943822540800},   // 18 digits
		{"1234567890123456789", 1234567890123456789}, // 19 digits
		{"18446744073709551615", 18446744073709551615},
		{"1", 1},
	}
	for _, c := range valid {
		got, err := music.ParseID(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseID(%q) = %v, %v; want %v, nil", c.in, got, err, c.want)
		}
	}
	invalid := []struct{ in, reason string }{
		{"", "empty"},
		{"0", "zero"},
		{"00000000000000000", "leading zero"},
		{"0123", "leading zero"},
		{"-1", "not a decimal number"},
		{"+1", "not a decimal number"},
		{" 123", "not a decimal number"},
		{"123 ", "not a decimal number"},
		{"12a4", "not a decimal number"},
		{"１２３", "not a decimal number"}, // full-width digits
		{"1e18", "not a decimal number"},
		{"18446744073709551616", "larger than 64 bits"},
		{"99999999999999999999", "larger than 64 bits"},
		{"123456789012345678901", "longer than 20 digits"},
		{strings.Repeat("9", 1000), "longer than 20 digits"},
		{"<@123>", "not a decimal number"},
	}
	for _, c := range invalid {
		got, err := music.ParseID(c.in)
		if !errors.Is(err, music.ErrInvalidID) || got != 0 {
			t.Errorf("ParseID(%q) = %v, %v; want 0 and an error matching ErrInvalidID", c.in, got, err)
			continue
		}
		var ie *music.InvalidIDError
		if !errors.As(err, &ie) || !strings.Contains(ie.Reason, c.reason) {
			t.Errorf("ParseID(%q) error = %v; want an *InvalidIDError saying %q", c.in, err, c.reason)
		}
		if len(ie.Input) > 32 {
			t.Errorf("ParseID(%d bytes) error keeps %d bytes of input; want at most 32", len(c.in), len(ie.Input))
		}
	}
}

func TestParseIDAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = music.ParseID("110373943822540800") }); n != 0 {
		t.Errorf("ParseID allocates %v times per call, want 0", n)
	}
}

// FuzzParseID checks that ParseID never panics, that what it accepts is
// exactly the canonical decimal form of a non-zero ID, and that what it
// rejects matches ErrInvalidID.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"", "0", "1", "81384788765712384", "18446744073709551615", "18446744073709551616", "-5", "01", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := music.ParseID(s)
		if err != nil {
			if !errors.Is(err, music.ErrInvalidID) || id != 0 {
				t.Fatalf("ParseID(%q) = %v, %v; a failure must be 0 and match ErrInvalidID", s, id, err)
			}
			return
		}
		if id == 0 || id.String() != s {
			t.Fatalf("ParseID(%q) = %v; accepted input must be the canonical form of a non-zero ID", s, id)
		}
	})
}
