package music

import (
	"strings"
	"time"
)

// maxSeek is the largest position ParseSeek accepts: longer than any
// track, short of overflowing.
const maxSeek = 1000 * time.Hour

// ParseSeek parses a position in a track as users write it:
//
//	83         seconds
//	1:23       minutes and seconds
//	01:02:03   hours, minutes and seconds
//	1h2m3s     units h, m and s, each at most once, in that order (2m, 90s)
//
// Only ASCII digits count; minutes and seconds after a colon take one or
// two digits and stay below 60; a position may not exceed 1,000 hours.
// Surrounding space is ignored. Anything else is a [*SeekParseError]
// matching [ErrInvalidSeek]. Whether the position fits the track is for
// [Manager.Seek] to check. ParseSeek never panics.
func ParseSeek(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	bad := func() (time.Duration, error) {
		cut := s
		if len(cut) > 32 {
			cut = cut[:32]
		}
		return 0, &SeekParseError{Input: cut}
	}
	if in == "" || len(in) > 32 {
		return bad()
	}
	var d time.Duration
	var ok bool
	switch {
	case strings.Contains(in, ":"):
		d, ok = parseClock(in)
	case in[len(in)-1] >= '0' && in[len(in)-1] <= '9':
		var n int64
		n, ok = parseDigits(in)
		ok = ok && n <= int64(maxSeek/time.Second)
		d = time.Duration(n) * time.Second
	default:
		d, ok = parseUnits(in)
	}
	if !ok || d < 0 || d > maxSeek {
		return bad()
	}
	return d, nil
}

// parseDigits parses 1 to 9 ASCII digits.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseClock parses m:ss or h:mm:ss.
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var total int64
	for i, p := range parts {
		n, ok := parseDigits(p)
		if !ok || (i > 0 && (len(p) > 2 || n >= 60)) {
			return 0, false
		}
		total = total*60 + n
	}
	if total > int64(maxSeek/time.Second) {
		return 0, false
	}
	return time.Duration(total) * time.Second, true
}

// parseUnits parses 1h2m3s and its parts.
func parseUnits(s string) (time.Duration, bool) {
	var total time.Duration
	last := -1
	units := "hms"
	scales := [...]time.Duration{time.Hour, time.Minute, time.Second}
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, false
		}
		n, ok := parseDigits(s[:i])
		if !ok {
			return 0, false
		}
		u := strings.IndexByte(units, s[i]|0x20) // lower case
		if u <= last {
			return 0, false
		}
		last = u
		if n > int64(maxSeek/scales[u]) {
			return 0, false
		}
		total += time.Duration(n) * scales[u]
		s = s[i+1:]
	}
	return total, true
}
