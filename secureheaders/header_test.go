package secureheaders_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/tunekit/tunekit/secureheaders"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		val  string
		want string
	}{
		{"bearer keeps scheme", "Authorization", "Bearer abc.def", "Bearer [REDACTED]"},
		{"bot keeps scheme", "Authorization", "bot abc", "bot [REDACTED]"},
		{"raw password", "Authorization", "youshallnotpass", "[REDACTED]"},
		{"scheme-like word", "Authorization", "Bearerish abc", "[REDACTED]"},
		{"scheme alone", "Authorization", "Bearer", "[REDACTED]"},
		{"proxy", "Proxy-Authorization", "Basic dXNlcjpwYXNz", "Basic [REDACTED]"},
		{"cookie pairs", "Cookie", "sid=abc; theme=dark", "sid=[REDACTED]; theme=[REDACTED]"},
		{"cookie garbage", "Cookie", "justvalue", "[REDACTED]"},
		{"set-cookie attrs", "Set-Cookie", "sid=abc; Path=/; HttpOnly", "sid=[REDACTED]; Path=/; HttpOnly"},
		{"set-cookie bare", "Set-Cookie", "sid=abc", "sid=[REDACTED]"},
		{"api key", "X-Api-Key", "k", "[REDACTED]"},
		{"auth token", "X-Auth-Token", "k", "[REDACTED]"},
		{"lavalink session", "Session-Id", "k", "[REDACTED]"},
		{"signature", "X-Hub-Signature-256", "sha256=k", "[REDACTED]"},
		{"client secret", "X-Client-Secret", "k", "[REDACTED]"},
		{"lower-case name", "x-api-key", "k", "[REDACTED]"},
		{"content type kept", "Content-Type", "application/json", "application/json"},
		{"request id kept", "X-Request-Id", "abc", "abc"},
		{"user agent kept", "User-Agent", "bot/1", "bot/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{tt.in: {tt.val}}
			got := secureheaders.Redact(h)
			if g := got[tt.in]; len(g) != 1 || g[0] != tt.want {
				t.Errorf("Redact(%s: %q) = %q, want %q", tt.in, tt.val, g, tt.want)
			}
			if h[tt.in][0] != tt.val {
				t.Errorf("Redact modified its input: %q", h[tt.in])
			}
		})
	}
}

func TestRedactCopies(t *testing.T) {
	if secureheaders.Redact(nil) != nil {
		t.Error("Redact(nil) != nil")
	}
	h := http.Header{"Accept": {"a", "b"}, "Authorization": {"x", "Bearer y"}}
	got := secureheaders.Redact(h)
	want := http.Header{"Accept": {"a", "b"}, "Authorization": {"[REDACTED]", "Bearer [REDACTED]"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Redact(%v) = %v, want %v", h, got, want)
	}
	got["Accept"][0] = "changed"
	if h["Accept"][0] != "a" {
		t.Error("Redact shares value slices with its input")
	}
}
