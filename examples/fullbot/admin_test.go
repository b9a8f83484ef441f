package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/secureheaders"
)

// TestAdminRoutes: without ADMIN_TOKEN there are no admin routes; with
// it, a request needs the token as a bearer token, a bad wait is
// refused before anything drains, and the routes answer 503 until run
// gives them the Manager. No answer or log line shows the token.
func TestAdminRoutes(t *testing.T) {
	const token = "fake-admin-token-for-unit-tests-7"
	serve := func(t *testing.T, admin secureheaders.Secret) (string, *logtest.Buffer) {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		log := &logtest.Buffer{}
		cfg := config{adminToken: admin, hooks: hooks{listener: ln}}
		s, err := serveOps(cfg, prometheus.NewRegistry(), &readiness{}, slog.New(slog.NewJSONHandler(log, nil)))
		must(t, err)
		// Not t.Context(): it is canceled before cleanups run.
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			must(t, s.shutdown(ctx))
		})
		return s.addr, log
	}
	do := func(t *testing.T, addr, method, path, auth string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, "http://"+addr+path, nil)
		must(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		must(t, err)
		return resp.StatusCode, resp.Header, string(body)
	}

	t.Run("no token: no routes", func(t *testing.T) {
		addr, _ := serve(t, secureheaders.Secret{})
		if code, _, _ := do(t, addr, http.MethodPost, "/admin/nodes/main/drain", "Bearer "+token); code != http.StatusNotFound {
			t.Errorf("drain without ADMIN_TOKEN = %d, want 404", code)
		}
	})

	addr, log := serve(t, secureheaders.NewSecret(token))
	for _, tc := range []struct {
		name, method, path, auth string
		code                     int
		body                     string
	}{
		{"no header", http.MethodPost, "/admin/nodes/main/drain", "", http.StatusUnauthorized, "unauthorized"},
		{"wrong token", http.MethodPost, "/admin/nodes/main/drain", "Bearer " + token + "x", http.StatusUnauthorized, "unauthorized"},
		{"token prefix", http.MethodPost, "/admin/nodes/main/undrain", "Bearer " + token[:20], http.StatusUnauthorized, "unauthorized"},
		{"basic scheme", http.MethodPost, "/admin/nodes/main/drain", "Basic " + token, http.StatusUnauthorized, "unauthorized"},
		{"bare token", http.MethodPost, "/admin/nodes/main/drain", token, http.StatusUnauthorized, "unauthorized"},
		{"GET", http.MethodGet, "/admin/nodes/main/drain", "Bearer " + token, http.StatusMethodNotAllowed, ""},
		{"no node name", http.MethodPost, "/admin/nodes//drain", "Bearer " + token, http.StatusNotFound, ""},
		{"bad wait", http.MethodPost, "/admin/nodes/main/drain?wait=soon", "Bearer " + token, http.StatusBadRequest, `wait="soon" is not a duration`},
		{"wait too long", http.MethodPost, "/admin/nodes/main/drain?wait=1h", "Bearer " + token, http.StatusBadRequest, "from 0s to 15m0s"},
		{"before the Manager", http.MethodPost, "/admin/nodes/main/drain", "Bearer " + token, http.StatusServiceUnavailable, "starting\n"},
		{"scheme in any case", http.MethodPost, "/admin/nodes/main/undrain", "bearer " + token, http.StatusServiceUnavailable, "starting\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, header, body := do(t, addr, tc.method, tc.path, tc.auth)
			if code != tc.code || !strings.Contains(body, tc.body) {
				t.Errorf("%s %s = %d %q, want %d and %q", tc.method, tc.path, code, body, tc.code, tc.body)
			}
			if got := header.Get("WWW-Authenticate"); (code == http.StatusUnauthorized) != (got == `Bearer realm="tunekit-admin"`) {
				t.Errorf("WWW-Authenticate = %q with status %d", got, code)
			}
			if strings.Contains(body, token[:16]) {
				t.Errorf("the answer shows the token: %q", body)
			}
		})
	}
	if strings.Contains(log.String(), token[:16]) {
		t.Errorf("the log shows the token:\n%s", log)
	}
	if n := strings.Count(log.String(), `"msg":"admin request refused: no valid token"`); n != 5 {
		t.Errorf("the log records %d refused requests, want 5:\n%s", n, log)
	}
}

func TestBearer(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"Bearer abc", "abc"},
		{"bearer  abc ", "abc"},
		{"BEARER abc", "abc"},
		{"Basic abc", ""},
		{"Bearer", ""},
		{"abc", ""},
		{"", ""},
	} {
		if got := bearer(tc.header); got != tc.want {
			t.Errorf("bearer(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestDrainWait(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true},
		{"0s", 0, true},
		{"90s", 90 * time.Second, true},
		{"15m", maxDrainWait, true},
		{"15m1s", 0, false},
		{"-1s", 0, false},
		{"5", 0, false},
		{strings.Repeat("9", 100), 0, false},
	} {
		got, err := drainWait(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("drainWait(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && len(err.Error()) > 160 {
			t.Errorf("drainWait(%q) error is %d bytes long; the value must be clipped", tc.in, len(err.Error()))
		}
	}
}
