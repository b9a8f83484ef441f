package disgobot

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCustomID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want customID
		err  error
	}{
		{"/tk1/np/pause", customID{kind: kindNowPlaying, action: actPause}, nil},
		{"/tk1/np/resume", customID{kind: kindNowPlaying, action: actResume}, nil},
		{"/tk1/np/skip", customID{kind: kindNowPlaying, action: actSkip}, nil},
		{"/tk1/np/stop", customID{kind: kindNowPlaying, action: actStop}, nil},
		{"/tk1/np/loop", customID{kind: kindNowPlaying, action: actLoop}, nil},
		{"/tk1/np/shuffle", customID{kind: kindNowPlaying, action: actShuffle}, nil},
		{"/tk1/queue/next/2", customID{kind: kindQueue, page: 2, next: true}, nil},
		{"/tk1/queue/prev/1", customID{kind: kindQueue, page: 1}, nil},
		{"/tk1/queue/next/10000", customID{kind: kindQueue, page: 10000, next: true}, nil},
		{"/tk1/vote/1", customID{kind: kindVote, vote: 1}, nil},
		{"/tk1/vote/999999999", customID{kind: kindVote, vote: maxVote}, nil},
		{"/tk1/vote/0", customID{}, errInvalidID},
		{"/tk1/vote/01", customID{}, errInvalidID},
		{"/tk1/vote/1000000000", customID{}, errInvalidID},
		{"/tk1/vote/", customID{}, errInvalidID},
		{"/tk1/vote", customID{}, errInvalidID},
		{"/tk1/vote/1/2", customID{}, errInvalidID},
		{"/tk2/np/skip", customID{}, errOldID},
		{"/tk9999/anything", customID{}, errOldID},
		{"/tk10000/np/skip", customID{}, errInvalidID},
		{"/tk0/np/skip", customID{}, errInvalidID},
		{"/tk/np/skip", customID{}, errInvalidID},
		{"/tkx/np/skip", customID{}, errInvalidID},
		{"", customID{}, errInvalidID},
		{"skip", customID{}, errInvalidID},
		{"/tk1", customID{}, errInvalidID},
		{"/tk1/", customID{}, errInvalidID},
		{"/tk1/np", customID{}, errInvalidID},
		{"/tk1/np/", customID{}, errInvalidID},
		{"/tk1/np/Skip", customID{}, errInvalidID},
		{"/tk1/np/skip/", customID{}, errInvalidID},
		{"/tk1/np/skip/extra", customID{}, errInvalidID},
		{"/tk1/np/unknown", customID{}, errInvalidID},
		{"/tk1/queue/next", customID{}, errInvalidID},
		{"/tk1/queue/next/", customID{}, errInvalidID},
		{"/tk1/queue/next/0", customID{}, errInvalidID},
		{"/tk1/queue/next/01", customID{}, errInvalidID},
		{"/tk1/queue/next/-1", customID{}, errInvalidID},
		{"/tk1/queue/next/+1", customID{}, errInvalidID},
		{"/tk1/queue/next/10001", customID{}, errInvalidID},
		{"/tk1/queue/next/99999999999999999999", customID{}, errInvalidID},
		{"/tk1/queue/next/2/3", customID{}, errInvalidID},
		{"/tk1/queue/up/2", customID{}, errInvalidID},
		{"/tk1/queue/next/２", customID{}, errInvalidID},
		{"/TK1/np/skip", customID{}, errInvalidID},
		{"/tk1/np/skip" + strings.Repeat(" ", 100), customID{}, errInvalidID},
	} {
		got, err := parseCustomID(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("parseCustomID(%q) = %+v, %v, want %+v, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCustomIDRoundTrip(t *testing.T) {
	var ids []customID
	for a := actPause; a <= actShuffle; a++ {
		ids = append(ids, customID{kind: kindNowPlaying, action: a})
	}
	for _, page := range []int{1, 2, 9, 10, 99, 1234, maxPage} {
		ids = append(ids, customID{kind: kindQueue, page: page}, customID{kind: kindQueue, page: page, next: true})
	}
	for _, n := range []int{1, 42, maxVote} {
		ids = append(ids, customID{kind: kindVote, vote: n})
	}
	for _, id := range ids {
		s := id.String()
		if len(s) > maxIDLen {
			t.Errorf("%+v.String() = %q, longer than %d", id, s, maxIDLen)
		}
		got, err := parseCustomID(s)
		if err != nil || got != id {
			t.Errorf("parseCustomID(%q) = %+v, %v, want %+v", s, got, err, id)
		}
	}
	if s := (customID{}).String(); s != "" {
		t.Errorf("zero customID String() = %q, want empty", s)
	}
	if s := npAction(0).String(); s != "unknown" {
		t.Errorf("npAction(0).String() = %q", s)
	}
}

func TestParseCustomIDAllocs(t *testing.T) {
	for _, id := range []string{"/tk1/np/skip", "/tk1/queue/next/42", "/tk1/vote/123456789"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = parseCustomID(id) }); n != 0 {
			t.Errorf("parseCustomID(%q) allocates %.0f times, want 0", id, n)
		}
	}
}

// FuzzParseCustomID: any string parses or is refused with one of the two
// errors, without panicking; whatever parses formats back to itself.
func FuzzParseCustomID(f *testing.F) {
	for _, s := range []string{
		"/tk1/np/pause", "/tk1/np/shuffle", "/tk1/queue/prev/1", "/tk1/queue/next/10000",
		"/tk2/np/skip", "/tk1/queue/next/0", "/tk1/queue/next/-1", "/tk", "", "skip", "/tk1/vote/7", "/tk1/vote/0",
		"/tk1/np/skip\x00", "/tk1/queue/next/1\n", "/tk\xff/np", "/tk1//np/skip",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseCustomID(s)
		if err != nil {
			if !errors.Is(err, errInvalidID) && !errors.Is(err, errOldID) {
				t.Fatalf("parseCustomID(%q) error %v is neither errInvalidID nor errOldID", s, err)
			}
			if id != (customID{}) {
				t.Fatalf("parseCustomID(%q) = %+v with error %v, want the zero value", s, id, err)
			}
			return
		}
		if back := id.String(); back != s {
			t.Fatalf("parseCustomID(%q) = %+v, which formats as %q", s, id, back)
		}
		if !utf8.ValidString(s) || len(s) > maxIDLen {
			t.Fatalf("parseCustomID accepted %q", s)
		}
	})
}
