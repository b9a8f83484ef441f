package secureheaders_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tunekit/tunekit/secureheaders"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestManagerHeader(t *testing.T) {
	m := secureheaders.NewManager(secureheaders.WithUserAgent("bot/1.0"))
	m.Set("lavalink", secureheaders.NewSecret("youshallnotpass"))
	m.SetScheme("discord", "Bot", secureheaders.NewSecret("fake.token"))
	tests := []struct {
		service string
		auth    string
	}{
		{"lavalink", "youshallnotpass"},
		{"discord", "Bot fake.token"},
	}
	for _, tt := range tests {
		h, err := m.Header(tt.service)
		if err != nil {
			t.Fatalf("Header(%q): %v", tt.service, err)
		}
		if got := h.Get("Authorization"); got != tt.auth {
			t.Errorf("Header(%q) Authorization = %q, want %q", tt.service, got, tt.auth)
		}
		if got := h.Get("User-Agent"); got != "bot/1.0" {
			t.Errorf("Header(%q) User-Agent = %q, want bot/1.0", tt.service, got)
		}
		if id := h.Get("X-Request-Id"); !uuidV4.MatchString(id) {
			t.Errorf("Header(%q) X-Request-Id = %q, want a v4 UUID", tt.service, id)
		}
	}
	h1, _ := m.Header("lavalink")
	h2, _ := m.Header("lavalink")
	if h1.Get("X-Request-Id") == h2.Get("X-Request-Id") {
		t.Error("two Header calls returned the same X-Request-Id")
	}
	if got := strings.Join(m.Services(), ","); got != "discord,lavalink" {
		t.Errorf("Services() = %q, want discord,lavalink", got)
	}
}

func TestManagerZeroValueAndDelete(t *testing.T) {
	var m secureheaders.Manager
	m.Set("a", secureheaders.NewSecret("x"))
	h, err := m.Header("a")
	if err != nil || h.Get("User-Agent") != secureheaders.DefaultUserAgent {
		t.Fatalf("zero Manager Header = %v, %v; want default User-Agent", h, err)
	}
	m.Delete("a")
	if _, err := m.Header("a"); !errors.Is(err, secureheaders.ErrNoCredential) {
		t.Errorf("Header after Delete = %v, want ErrNoCredential", err)
	}
	m.SetScheme("b", "Bearer", secureheaders.Secret{})
	if len(m.Services()) != 0 {
		t.Errorf("SetScheme with zero Secret stored %v", m.Services())
	}
}

func TestManagerErrors(t *testing.T) {
	m := secureheaders.NewManager()
	m.Set("bad", secureheaders.NewSecret("pass\r\nX-Injected: 1"))
	tests := []struct {
		service string
		want    error
		text    string
	}{
		{"missing", secureheaders.ErrNoCredential, `secureheaders: no credential for service "missing"`},
		{"bad", secureheaders.ErrInvalidCredential, `secureheaders: credential is not a valid header value for service "bad"`},
	}
	for _, tt := range tests {
		_, err := m.Header(tt.service)
		if !errors.Is(err, tt.want) {
			t.Fatalf("Header(%q) = %v, want %v", tt.service, err, tt.want)
		}
		var ce *secureheaders.CredentialError
		if !errors.As(err, &ce) || ce.Service != tt.service {
			t.Errorf("Header(%q) error = %#v, want CredentialError for the service", tt.service, err)
		}
		if err.Error() != tt.text {
			t.Errorf("Header(%q) error = %q, want %q", tt.service, err.Error(), tt.text)
		}
	}
}

func TestManagerPrintsRedacted(t *testing.T) {
	m := secureheaders.NewManager()
	m.Set("lavalink", secureheaders.NewSecret(password))
	holder := struct{ M *secureheaders.Manager }{m}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "manager", m)
	outs := []string{
		fmt.Sprintf("%v", m), fmt.Sprintf("%+v", m), fmt.Sprintf("%#v", m), fmt.Sprintf("%s", m),
		fmt.Sprintf("%+v", holder), fmt.Sprintf("%#v", holder), buf.String(),
	}
	for _, out := range outs {
		if strings.Contains(out, password) {
			t.Errorf("Manager printed as %q, leaks the value", out)
		}
	}
	if want := "secureheaders.Manager{lavalink:[REDACTED]}"; outs[0] != want {
		t.Errorf("Sprint(manager) = %q, want %q", outs[0], want)
	}
	if !strings.Contains(buf.String(), `"manager":{"services":["lavalink"]}`) {
		t.Errorf("slog output = %s, want the service list", buf.String())
	}
}

func TestTransportAddsCredential(t *testing.T) {
	type seen struct{ auth, ua, id string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("X-Request-Id")}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	m := secureheaders.NewManager(secureheaders.WithRequestID(func() string { return "req-1" }))
	m.Set("lavalink", secureheaders.NewSecret("youshallnotpass"))
	client := &http.Client{Transport: m.Transport("lavalink", srv.Client().Transport)}
	defer client.CloseIdleConnections()

	tests := []struct {
		name   string
		header http.Header
		want   seen
	}{
		{"defaults", nil, seen{"youshallnotpass", secureheaders.DefaultUserAgent, "req-1"}},
		{"caller values kept", http.Header{"User-Agent": {"mine"}, "X-Request-Id": {"abc"}}, seen{"youshallnotpass", "mine", "abc"}},
		{"caller Authorization replaced", http.Header{"Authorization": {"forged"}}, seen{"youshallnotpass", secureheaders.DefaultUserAgent, "req-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v4/info", nil)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			before := req.Header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			resp.Body.Close()
			if s := <-got; s != tt.want {
				t.Errorf("server saw %+v, want %+v", s, tt.want)
			}
			if fmt.Sprint(req.Header) != fmt.Sprint(before) {
				t.Errorf("caller's request header changed: %v, was %v", req.Header, before)
			}
		})
	}

	// Set takes effect for the next request.
	m.Set("lavalink", secureheaders.NewSecret("fake-rotated"))
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	resp.Body.Close()
	if s := <-got; s.auth != "fake-rotated" {
		t.Errorf("after rotation server saw Authorization %q, want fake-rotated", s.auth)
	}
}

type trackedBody struct {
	io.Reader
	closed bool
}

func (b *trackedBody) Close() error { b.closed = true; return nil }

func TestTransportMissingCredential(t *testing.T) {
	called := false
	base := roundTripFunc(func(*http.Request) (*http.Response, error) { called = true; return nil, errors.New("unreachable") })
	m := secureheaders.NewManager()
	body := &trackedBody{Reader: strings.NewReader("payload")}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
	_, err := m.Transport("lavalink", base).RoundTrip(req)
	if !errors.Is(err, secureheaders.ErrNoCredential) {
		t.Errorf("RoundTrip without credential = %v, want ErrNoCredential", err)
	}
	if called {
		t.Error("base transport was called without a credential")
	}
	if !body.closed {
		t.Error("request body not closed on error")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportCrossHostRedirect(t *testing.T) {
	auths := make(chan string, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auths <- "other:" + r.Header.Get("Authorization")
	}))
	defer other.Close()
	var self *httptest.Server
	self = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auths <- r.URL.Path + ":" + r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, self.URL+"/final", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		}
	}))
	defer self.Close()

	m := secureheaders.NewManager()
	m.Set("svc", secureheaders.NewSecret("pw"))
	client := &http.Client{Transport: m.Transport("svc", nil)}
	defer client.CloseIdleConnections()
	tests := []struct {
		path string
		want []string
	}{
		{"/same", []string{"/same:pw", "/final:pw"}},
		{"/away", []string{"/away:pw", "other:"}},
	}
	for _, tt := range tests {
		resp, err := client.Get(self.URL + tt.path)
		if err != nil {
			t.Fatalf("Get(%s): %v", tt.path, err)
		}
		resp.Body.Close()
		for _, want := range tt.want {
			if got := <-auths; got != want {
				t.Errorf("Get(%s): server saw %q, want %q", tt.path, got, want)
			}
		}
	}
}

func TestManagerConcurrentUse(t *testing.T) {
	m := secureheaders.NewManager()
	m.Set("svc", secureheaders.NewSecret("a"))
	rt := m.Transport("svc", roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if a := r.Header.Get("Authorization"); a != "a" && a != "b" {
			return nil, fmt.Errorf("unexpected Authorization %q", a)
		}
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	}))
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for i := range 4 {
		wg.Go(func() {
			for j := range 100 {
				if i == 0 {
					m.Set("svc", secureheaders.NewSecret(string(rune('a'+j%2))))
					continue
				}
				req, _ := http.NewRequest(http.MethodGet, "http://example.invalid/", nil)
				if _, err := rt.RoundTrip(req); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
