package secureheaders

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultUserAgent is the User-Agent a [Manager] sends unless
// [WithUserAgent] says otherwise.
const DefaultUserAgent = "tunekit (+https://github.com/tunekit/tunekit)"

// ErrNoCredential is matched (with errors.Is) when a [Manager] has no
// credential for the service asked for.
var ErrNoCredential = errors.New("secureheaders: no credential")

// ErrInvalidCredential is matched (with errors.Is) when a stored credential
// cannot be sent as a header value (it holds a control character such as a
// newline).
var ErrInvalidCredential = errors.New("secureheaders: credential is not a valid header value")

// CredentialError reports a service whose credential could not be used. It
// names the service only, and unwraps to [ErrNoCredential] or
// [ErrInvalidCredential].
type CredentialError struct {
	Service string
	Err     error
}

// Error implements the error interface.
func (e *CredentialError) Error() string {
	return e.Err.Error() + " for service " + strconv.Quote(e.Service)
}

// Unwrap returns [ErrNoCredential] or [ErrInvalidCredential].
func (e *CredentialError) Unwrap() error { return e.Err }

// Option configures a [Manager].
type Option func(*Manager)

// WithUserAgent sets the User-Agent header. Default: [DefaultUserAgent].
func WithUserAgent(ua string) Option { return func(m *Manager) { m.userAgent = ua } }

// WithRequestID sets the function that makes X-Request-Id values. Default: a
// random version-4 UUID per request.
func WithRequestID(fn func() string) Option { return func(m *Manager) { m.requestID = fn } }

// Manager holds named credentials, one per service (for example "lavalink"
// or "discord"), and hands them out as headers or injects them into outgoing
// requests. It replaces passing raw passwords around: callers hold a service
// name, never the header value.
//
// A Manager prints (fmt, slog) as its service names with every credential
// masked. The zero Manager is ready to use. A Manager is safe for concurrent
// use; a credential may be replaced while requests are in flight.
type Manager struct {
	mu        sync.RWMutex
	creds     map[string]Secret // service -> full Authorization value
	userAgent string
	requestID func() string
}

// NewManager returns an empty Manager.
func NewManager(opts ...Option) *Manager {
	m := &Manager{}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Set stores s as the Authorization header value for service, replacing any
// earlier one. The value is sent as is (Lavalink expects the bare password);
// see [Manager.SetScheme] for "Bearer <token>" and similar. Setting the zero
// Secret removes the service.
func (m *Manager) Set(service string, s Secret) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.IsZero() {
		delete(m.creds, service)
		return
	}
	if m.creds == nil {
		m.creds = make(map[string]Secret)
	}
	m.creds[service] = s
}

// SetScheme stores "scheme s" as the Authorization value for service, for
// schemes such as "Bearer" or Discord's "Bot".
func (m *Manager) SetScheme(service, scheme string, s Secret) {
	if s.IsZero() {
		m.Set(service, s)
		return
	}
	m.Set(service, NewSecret(scheme+" "+s.Reveal()))
}

// Delete removes the credential for service.
func (m *Manager) Delete(service string) { m.Set(service, Secret{}) }

// Services returns the names of the services holding a credential, sorted.
func (m *Manager) Services() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Sorted(maps.Keys(m.creds))
}

// Header returns a fresh header set for a request to service: Authorization,
// User-Agent and a new X-Request-Id. A service without a credential is a
// [*CredentialError] matching [ErrNoCredential]. Prefer [Manager.Transport],
// which keeps the credential out of the caller's hands entirely.
func (m *Manager) Header(service string) (http.Header, error) {
	auth, err := m.authorization(service)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 3)
	h["Authorization"] = []string{auth}
	h["User-Agent"] = []string{m.agent()}
	h["X-Request-Id"] = []string{m.newRequestID()}
	return h, nil
}

func (m *Manager) authorization(service string) (string, error) {
	m.mu.RLock()
	s, ok := m.creds[service]
	m.mu.RUnlock()
	if !ok {
		return "", &CredentialError{Service: service, Err: ErrNoCredential}
	}
	v := s.Reveal()
	if !validHeaderValue(v) {
		return "", &CredentialError{Service: service, Err: ErrInvalidCredential}
	}
	return v, nil
}

func (m *Manager) agent() string {
	if m.userAgent == "" {
		return DefaultUserAgent
	}
	return m.userAgent
}

func (m *Manager) newRequestID() string {
	if m.requestID != nil {
		return m.requestID()
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// validHeaderValue rejects bytes net/http would refuse (RFC 9110 field-value:
// no control characters except horizontal tab).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// String lists the services with their credentials masked.
func (m *Manager) String() string {
	var b strings.Builder
	b.WriteString("secureheaders.Manager{")
	for i, s := range m.Services() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		b.WriteString(":" + Mask)
	}
	b.WriteByte('}')
	return b.String()
}

// GoString is [Manager.String]; %#v shows no credential either.
func (m *Manager) GoString() string { return m.String() }

// Format prints [Manager.String] for every verb, so %v, %+v and %#v of a
// Manager, or of a struct holding a *Manager, reveal nothing.
func (m *Manager) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue logs the service names only.
func (m *Manager) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("services", m.Services()))
}

// Transport returns a RoundTripper that sends each request through base (nil
// means [http.DefaultTransport]) with service's credential added at send
// time, on a clone of the request: the caller's *http.Request never holds the
// header. It also sets User-Agent and X-Request-Id when the request has none.
//
// The credential is looked up per request, so [Manager.Set] takes effect at
// once. A missing credential fails the request with a [*CredentialError]
// before anything is sent. After a redirect to another host (http.Client
// follows redirects by calling the transport again) the credential is not
// added, as net/http itself does for Authorization on cross-host redirects.
func (m *Manager) Transport(service string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{m: m, service: service, base: base}
}

type transport struct {
	m       *Manager
	service string
	base    http.RoundTripper
}

// RoundTrip implements [http.RoundTripper].
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	auth, err := t.m.authorization(t.service)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip must close the body, even on error.
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	if !crossHostRedirect(req) {
		r.Header.Set("Authorization", auth)
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.m.agent())
	}
	if r.Header.Get("X-Request-Id") == "" {
		r.Header.Set("X-Request-Id", t.m.newRequestID())
	}
	return t.base.RoundTrip(r)
}

// CloseIdleConnections forwards to base when it supports it, so
// http.Client.CloseIdleConnections keeps working through the wrapper.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// crossHostRedirect reports whether req is a redirect (made by http.Client)
// whose chain has left the host of the original request.
func crossHostRedirect(req *http.Request) bool {
	orig := req
	for orig.Response != nil && orig.Response.Request != nil {
		orig = orig.Response.Request
	}
	return orig != req && !strings.EqualFold(orig.URL.Host, req.URL.Host)
}
