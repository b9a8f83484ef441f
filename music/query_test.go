package music

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	yt := []string{"youtube.com", "youtu.be"}
	tests := []struct {
		in      string
		allowed []string
		want    string
		reason  string // QueryError reason; "" when accepted
	}{
		{"never gonna give you up", nil, "ytsearch:never gonna give you up", ""},
		{"  padded  ", nil, "ytsearch:padded", ""},
		{"AC/DC Back in Black", nil, "ytsearch:AC/DC Back in Black", ""},
		{"re:zero opening", nil, "ytsearch:re:zero opening", ""},
		{"Queen: Live at Wembley", nil, "ytsearch:Queen: Live at Wembley", ""},
		{"ytsearch:lofi", nil, "ytsearch:lofi", ""},
		{"scsearch: chill", nil, "scsearch:chill", ""},
		{"SPSEARCH:daft punk", nil, "spsearch:daft punk", ""},
		{"ytmsearch:", nil, "", QueryEmpty},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", nil, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", ""},
		{"https://youtu.be/dQw4w9WgXcQ", yt, "https://youtu.be/dQw4w9WgXcQ", ""},
		{"https://music.youtube.com/watch?v=x", yt, "https://music.youtube.com/watch?v=x", ""},
		{"http://cdn.example.com/song.mp3", nil, "http://cdn.example.com/song.mp3", ""},
		{"https://soundcloud.com/a/b", yt, "", QueryHost},
		{"https://notyoutube.com/x", yt, "", QueryHost},
		{"http://localhost:8080/a.mp3", nil, "", QueryHost},
		{"http://127.0.0.1/a.mp3", nil, "", QueryHost},
		{"http://[::1]/a.mp3", nil, "", QueryHost},
		{"http://10.1.2.3/a.mp3", nil, "", QueryHost},
		{"http://169.254.169.254/latest/meta-data", nil, "", QueryHost},
		{"http://router/a.mp3", nil, "", QueryHost},
		{"http://nas.local/a.mp3", nil, "", QueryHost},
		{"https://user:pass@example.com/a.mp3", nil, "", QueryBadURL},
		{"https://example.com/a b.mp3", nil, "", QueryBadURL},
		{"https:///nohost", nil, "", QueryBadURL},
		{"file:///etc/passwd", nil, "", QueryScheme},
		{"local:music/song.mp3", nil, "", QueryScheme},
		{"FILE:C:/x", nil, "", QueryScheme},
		{"ftp://example.com/a.mp3", nil, "", QueryScheme},
		{"javascript:alert(1)", nil, "", QueryScheme},
		{"gopher://x", nil, "", QueryScheme},
		{"x-custom:/thing", nil, "", QueryScheme},
		{"/etc/passwd", nil, "", QueryPath},
		{"./song.mp3", nil, "", QueryPath},
		{"../../secret", nil, "", QueryPath},
		{`C:\Music\song.mp3`, nil, "", QueryPath},
		{"c:/music/song.mp3", nil, "", QueryPath},
		{`\\server\share\a.mp3`, nil, "", QueryPath},
		{"~/music/a.mp3", nil, "", QueryPath},
		{"songs/../../etc", nil, "", QueryPath},
		{"", nil, "", QueryEmpty},
		{"   \t ", nil, "", QueryEmpty},
		{"bad\x00byte", nil, "", QueryControlChars},
		{"line\nbreak", nil, "", QueryControlChars},
		{"bell\x07", nil, "", QueryControlChars},
		{"rtl \u202eoverride", nil, "", QueryControlChars},
		{"bad \xff utf8", nil, "", QueryBadEncoding},
		{strings.Repeat("a", MaxQueryLength), nil, "ytsearch:" + strings.Repeat("a", MaxQueryLength), ""},
		{strings.Repeat("a", MaxQueryLength+1), nil, "", QueryTooLong},
		{strings.Repeat("é", MaxQueryLength), nil, "ytsearch:" + strings.Repeat("é", MaxQueryLength), ""},
		{strings.Repeat("é", 5000), nil, "", QueryTooLong},
	}
	for _, tt := range tests {
		got, err := ParseQuery(tt.in, "", tt.allowed)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseQuery(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Reason != tt.reason || !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("ParseQuery(%q) = %q, %v; want reason %q", tt.in, got, err, tt.reason)
		}
		if qe != nil && strings.Contains(qe.Error(), tt.in) && tt.in != "" {
			t.Errorf("QueryError for %q repeats the query", tt.in)
		}
	}
	if got, err := ParseQuery("lofi", "scsearch:", nil); err != nil || got != "scsearch:lofi" {
		t.Errorf("ParseQuery with prefix scsearch: = %q, %v", got, err)
	}
}

func TestSourceOf(t *testing.T) {
	tests := []struct{ ident, want string }{
		{"ytsearch:a", "youtube"},
		{"spsearch:a", "spotify"},
		{"https://www.youtube.com/watch?v=x", "youtube"},
		{"https://youtu.be/x", "youtube"},
		{"https://open.spotify.com/track/x", "spotify"},
		{"https://soundcloud.com/x/y", "soundcloud"},
		{"https://cdn.example.com/a.mp3", "http"},
		{"plain", ""},
	}
	for _, tt := range tests {
		if got := sourceOf(tt.ident); got != tt.want {
			t.Errorf("sourceOf(%q) = %q, want %q", tt.ident, got, tt.want)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"lofi", "https://youtu.be/x", "file:///etc/passwd", "local:a", "ytsearch:a",
		"/etc/passwd", `C:\a`, "re:zero", "http://127.0.0.1/", "a\x00b", "\xff", "https://u:p@h.com/", "x:/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := ParseQuery(q, "", nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("ParseQuery(%q) error %v does not match ErrInvalidQuery", q, err)
			}
			return
		}
		lower := strings.ToLower(got)
		i := strings.IndexByte(lower, ':')
		if i < 0 {
			t.Fatalf("ParseQuery(%q) = %q: no prefix or scheme", q, got)
		}
		head := lower[:i]
		if head != "http" && head != "https" && !isSearchPrefix(head+":") {
			t.Fatalf("ParseQuery(%q) = %q: neither a web link nor a search", q, got)
		}
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\x00\r\n\t") {
			t.Fatalf("ParseQuery(%q) = %q holds control characters", q, got)
		}
		if utf8.RuneCountInString(got) > MaxQueryLength+len("ytmsearch:") {
			t.Fatalf("ParseQuery(%q) = %q is too long", q, got)
		}
		if head == "http" || head == "https" {
			if _, err := checkURL(got, nil); err != nil {
				t.Fatalf("ParseQuery(%q) = %q, which checkURL refuses: %v", q, got, err)
			}
		}
	})
}

func TestParseSeek(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"83", 83 * time.Second, true},
		{"0", 0, true},
		{" 83 ", 83 * time.Second, true},
		{"1:23", 83 * time.Second, true},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"1:2:3", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"90:00", 90 * time.Minute, true},
		{"1h2m3s", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"1H2M3S", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"2m", 2 * time.Minute, true},
		{"90s", 90 * time.Second, true},
		{"1h", time.Hour, true},
		{"1000h", 1000 * time.Hour, true},
		{"1001h", 0, false},
		{"3600001", 0, false},
		{"999999999:00:00", 0, false},
		{"", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1:60", 0, false},
		{"1:123", 0, false},
		{"1:2:3:4", 0, false},
		{":30", 0, false},
		{"1:", 0, false},
		{"1m2h", 0, false},
		{"1s1s", 0, false},
		{"1.5", 0, false},
		{"1.5s", 0, false},
		{"1d", 0, false},
		{"m", 0, false},
		{"12345678901", 0, false},
		{"١٢", 0, false}, // Arabic-Indic digits
		{"soon", 0, false},
		{strings.Repeat("1", 40), 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSeek(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseSeek(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrInvalidSeek) {
			t.Errorf("ParseSeek(%q) = %v, %v; want ErrInvalidSeek", tt.in, got, err)
		}
	}
}

func FuzzParseSeek(f *testing.F) {
	for _, s := range []string{"83", "1:23", "01:02:03", "1h2m3s", "-1", "1:60", "999999999h", "1h1h", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSeek(s)
		if err != nil {
			var pe *SeekParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidSeek) || len(pe.Input) > 32 {
				t.Fatalf("ParseSeek(%q) error %v is not a short *SeekParseError", s, err)
			}
			return
		}
		if d < 0 || d > maxSeek || d%time.Second != 0 {
			t.Fatalf("ParseSeek(%q) = %v: out of range or not whole seconds", s, d)
		}
	})
}
