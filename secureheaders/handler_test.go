package secureheaders_test

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"

	"github.com/tunekit/tunekit/secureheaders"
)

// capture is a slog.Handler that keeps, for every record, each string a
// handler could print: message, group names, keys, and all renderings of
// values (error text, %+v, MarshalText, JSON).
type capture struct {
	mu      *sync.Mutex
	records *[][]string
	prefix  []string
}

func newCapture() *capture { return &capture{mu: new(sync.Mutex), records: new([][]string)} }

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }

func (c *capture) Handle(_ context.Context, r slog.Record) error {
	out := append([]string{r.Message}, c.prefix...)
	r.Attrs(func(a slog.Attr) bool { out = appendAttr(out, a); return true })
	c.mu.Lock()
	*c.records = append(*c.records, out)
	c.mu.Unlock()
	return nil
}

func (c *capture) WithAttrs(as []slog.Attr) slog.Handler {
	p := append([]string(nil), c.prefix...)
	for _, a := range as {
		p = appendAttr(p, a)
	}
	return &capture{mu: c.mu, records: c.records, prefix: p}
}

func (c *capture) WithGroup(name string) slog.Handler {
	return &capture{mu: c.mu, records: c.records, prefix: append(append([]string(nil), c.prefix...), name)}
}

func (c *capture) all() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]string(nil), *c.records...)
}

func appendAttr(out []string, a slog.Attr) []string {
	out = append(out, a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		for _, g := range v.Group() {
			out = appendAttr(out, g)
		}
		return out
	case slog.KindAny:
		x := v.Any()
		if err, ok := x.(error); ok {
			out = append(out, safeErrorText(err))
		}
		if tm, ok := x.(encoding.TextMarshaler); ok {
			b, _ := tm.MarshalText()
			out = append(out, string(b))
		}
		if b, ok := x.([]byte); ok {
			out = append(out, string(b))
		}
		out = append(out, safeJSON(x))
		return append(out, fmt.Sprintf("%+v", x))
	}
	return append(out, v.String())
}

func safeErrorText(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = "panic"
		}
	}()
	return err.Error()
}

func safeJSON(x any) (s string) {
	defer func() {
		if recover() != nil {
			s = "panic"
		}
	}()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return err.Error()
	}
	return buf.String()
}

// Types shaped like what real libraries log.

type nodeConfig struct { // like disgolink.NodeConfig
	Name     string `json:"name"`
	Address  string `json:"address"`
	Password string `json:"password"`
	Secure   bool   `json:"secure"`
}

type withPointer struct{ Node *nodeConfig }

type quietStringer struct{ Password string } // String hides it, JSON shows it

func (quietStringer) String() string { return "quiet" }

type stringer struct{ s string }

func (s stringer) String() string { return "stringer(" + s.s + ")" }

type textMarshaler struct{ s string }

func (t textMarshaler) MarshalText() ([]byte, error) { return []byte("text:" + t.s), nil }

type valuer struct{ s string }

func (v valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", v.s), slog.Int("n", 1))
}

// textValuer resolves to a group of strings only: numbers are outside what
// the handler checks.
type textValuer struct{ s string }

func (v textValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", v.s), slog.Group("deeper", slog.Any("any", v.s)))
}

type verboseError struct{ detail string } // %+v says more than Error()

func (e verboseError) Error() string { return "verbose error" }
func (e verboseError) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, e.Error())
	if f.Flag('+') {
		fmt.Fprint(f, ": "+e.detail)
	}
}

type jsonError struct{ detail string } // JSON handler marshals it

func (e jsonError) Error() string                { return "json error" }
func (e jsonError) MarshalJSON() ([]byte, error) { return json.Marshal(e.detail) }

type failingMarshaler struct{ s string }

func (f failingMarshaler) MarshalJSON() ([]byte, error) {
	return nil, errors.New("cannot marshal " + f.s)
}

type panickyMarshaler struct{}

func (panickyMarshaler) MarshalJSON() ([]byte, error) { panic("boom") }

const pw = `pa"ss<w@rd>/é`

func TestRedactingHandlerMasks(t *testing.T) {
	secret := secureheaders.NewSecret(pw)
	node := nodeConfig{Name: "main", Address: "localhost:2333", Password: pw}
	tests := []struct {
		name string
		log  func(l *slog.Logger)
	}{
		{"message", func(l *slog.Logger) { l.Info("connecting with " + pw) }},
		{"string attr", func(l *slog.Logger) { l.Info("m", "password", pw) }},
		{"key", func(l *slog.Logger) { l.Info("m", slog.String(pw, "v")) }},
		{"nested group", func(l *slog.Logger) { l.Info("m", slog.Group("a", slog.Group("b", "pw", "x"+pw+"y"))) }},
		{"WithAttrs", func(l *slog.Logger) { l.With("password", pw).Info("m") }},
		{"WithGroup name", func(l *slog.Logger) { l.WithGroup(pw).Info("m", "k", "v") }},
		{"WithGroup and attrs", func(l *slog.Logger) { l.WithGroup("node").With("cfg", node).WithGroup("g").Info("m", "pw", pw) }},
		{"wrapped error", func(l *slog.Logger) {
			l.Error("m", "err", fmt.Errorf("dial: %w", fmt.Errorf("auth %s failed: %w", pw, errors.ErrUnsupported)))
		}},
		{"joined error", func(l *slog.Logger) { l.Error("m", "err", errors.Join(errors.New("a"), errors.New(pw))) }},
		{"formatter error", func(l *slog.Logger) { l.Error("m", "err", verboseError{detail: pw}) }},
		{"json error", func(l *slog.Logger) { l.Error("m", "err", jsonError{detail: pw}) }},
		{"stringer", func(l *slog.Logger) { l.Info("m", "s", stringer{pw}) }},
		{"text marshaler", func(l *slog.Logger) { l.Info("m", "t", textMarshaler{pw}) }},
		{"bytes", func(l *slog.Logger) {
			l.Debug("received message", "data", []byte(`{"op":"ready","password":"`+pw+`"}`))
		}},
		{"log valuer", func(l *slog.Logger) { l.Info("m", "v", valuer{pw}) }},
		{"node config struct", func(l *slog.Logger) { l.Info("m", "config", node) }},
		{"node config pointer", func(l *slog.Logger) { l.Info("m", "config", &node) }},
		{"nested pointer only JSON follows", func(l *slog.Logger) { l.Info("m", "w", withPointer{&node}) }},
		{"stringer hiding a JSON field", func(l *slog.Logger) { l.Info("m", "q", quietStringer{pw}) }},
		{"map", func(l *slog.Logger) { l.Info("m", "map", map[string]any{"password": pw}) }},
		{"slice", func(l *slog.Logger) { l.Info("m", "list", []string{"a", pw}) }},
		{"json-escaped form", func(l *slog.Logger) {
			b, _ := json.Marshal(map[string]string{"password": pw})
			l.Info("m", "body", string(b))
		}},
		{"quoted form", func(l *slog.Logger) { l.Info(fmt.Sprintf("bad password %q", pw)) }},
		{"url form", func(l *slog.Logger) { l.Info("m", "url", "redis://u:"+url.QueryEscape(pw)+"@host/0") }},
		{"failing marshaler", func(l *slog.Logger) { l.Info("m", "f", failingMarshaler{pw}) }},
		{"any wrapping a string", func(l *slog.Logger) { l.Info("m", slog.Any("a", pw)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forms := []string{pw, strings.Trim(fmt.Sprintf("%q", pw), `"`), url.QueryEscape(pw), `pa\"ss<w@rd>/é`, `pa\"ss\u003cw@rd\u003e/é`}
			// Without the handler the case must leak, or it proves nothing.
			raw := newCapture()
			tt.log(slog.New(raw))
			if !containsAny(strings.Join(raw.all()[0], "|"), forms) && tt.name != "failing marshaler" {
				t.Fatalf("unredacted record %q does not hold the secret; the case tests nothing", raw.all()[0])
			}
			for _, kind := range []string{"text", "json"} {
				var buf bytes.Buffer
				opts := &slog.HandlerOptions{Level: slog.LevelDebug}
				var next slog.Handler = slog.NewTextHandler(&buf, opts)
				if kind == "json" {
					next = slog.NewJSONHandler(&buf, opts)
				}
				tt.log(slog.New(secureheaders.NewRedactingHandler(next, secret)))
				out := buf.String()
				if out == "" {
					t.Fatalf("%s: nothing logged", kind)
				}
				if containsAny(out, forms) {
					t.Errorf("%s output leaks the secret: %s", kind, out)
				}
				if !strings.Contains(out, secureheaders.Mask) {
					t.Errorf("%s output has no mask: %s", kind, out)
				}
			}
			c := newCapture()
			tt.log(slog.New(secureheaders.NewRedactingHandler(c, secret)))
			for _, rec := range c.all() {
				for _, s := range rec {
					if containsAny(s, forms) {
						t.Errorf("next handler received %q", s)
					}
				}
			}
		})
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestRedactingHandlerExactOutput(t *testing.T) {
	var buf bytes.Buffer
	h := secureheaders.NewRedactingHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}), secureheaders.NewSecret("fake"), secureheaders.NewSecret("fake-pw"))
	l := slog.New(h)
	l.Info("x fake-pw y fake", "err", errors.New("bad fake-pwg"), "n", 42, "ok", "clean")
	l.Info("nothing here", "k", "v")
	want := "level=INFO msg=\"x [REDACTED] y [REDACTED]\" err=\"bad [REDACTED]g\" n=42 ok=clean\n" +
		"level=INFO msg=\"nothing here\" k=v\n"
	if buf.String() != want {
		t.Errorf("output =\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestRedactingHandlerSecretInsideMask(t *testing.T) {
	// A secret that is part of the mask cannot be masked with it; the value
	// is dropped instead.
	c := newCapture()
	l := slog.New(secureheaders.NewRedactingHandler(c, secureheaders.NewSecret("DAC")))
	l.Info("REDACTED", "k", "xDACy")
	got := c.all()[0]
	want := []string{"", "k", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("record = %q, want %q", got, want)
	}
}

func TestRedactingHandlerAddSecretLater(t *testing.T) {
	var buf bytes.Buffer
	root := secureheaders.NewRedactingHandler(slog.NewJSONHandler(&buf, nil))
	derived := slog.New(root).With("password", "fake-late-secret").WithGroup("g").With("other", "fake-tok-later")
	derived.Info("before")
	if !strings.Contains(buf.String(), "fake-late-secret") {
		t.Fatalf("before AddSecret output %s lacks the value; test is void", buf.String())
	}
	buf.Reset()
	root.AddSecret(secureheaders.NewSecret("fake-late-secret"))
	derived.Info("after")
	if strings.Contains(buf.String(), "fake-late-secret") || !strings.Contains(buf.String(), `"password":"[REDACTED]"`) {
		t.Errorf("after AddSecret on root: %s", buf.String())
	}
	// AddSecret through a derived handler reaches the whole family.
	buf.Reset()
	derived.Handler().(*secureheaders.RedactingHandler).AddSecret(secureheaders.NewSecret("fake-tok-later"), secureheaders.Secret{})
	slog.New(root).Info("m", "k", "fake-tok-later")
	derived.Info("after2")
	if strings.Contains(buf.String(), "fake-tok-later") {
		t.Errorf("after AddSecret on derived: %s", buf.String())
	}
}

func TestRedactingHandlerPassesCleanRecordsUnchanged(t *testing.T) {
	c := newCapture()
	h := secureheaders.NewRedactingHandler(c, secureheaders.NewSecret("fake-secret"))
	l := slog.New(h)
	err := errors.New("plain")
	l.Info("msg", "a", 1, "b", "two", "err", err, "v", valuer{"clean"}, slog.Group("g", "x", true))
	got := strings.Join(c.all()[0], "|")
	want := "msg|a|1|b|two|err|plain|\"plain\"\n|plain|v|inner|clean|n|1|g|x|true"
	// errors.New has no JSON fields: it encodes as {}.
	want = strings.Replace(want, `"plain"`+"\n", "{}\n", 1)
	if got != want {
		t.Errorf("record = %q, want %q", got, want)
	}
	if !h.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("Enabled(Info) = false, want true")
	}
}

func TestRedactingHandlerResolvesLogValuerOnce(t *testing.T) {
	calls := 0
	c := newCapture()
	l := slog.New(secureheaders.NewRedactingHandler(c, secureheaders.NewSecret("x1")))
	l.Info("m", "v", countingValuer{&calls})
	if calls != 1 {
		t.Errorf("LogValue called %d times, want 1", calls)
	}
}

type countingValuer struct{ n *int }

func (c countingValuer) LogValue() slog.Value { *c.n++; return slog.IntValue(*c.n) }

func TestRedactingHandlerEdgeValues(t *testing.T) {
	c := newCapture()
	l := slog.New(secureheaders.NewRedactingHandler(c, secureheaders.NewSecret("zz9")))
	var nilErr *pointerError
	l.Info("m", "nil", nil, "nilerr", error(nilErr), "panicky", panickyMarshaler{}, "fn", func() {}, "ch", make(chan int))
	if len(c.all()) != 1 {
		t.Fatalf("got %d records, want 1", len(c.all()))
	}
	if l.Handler().WithAttrs(nil) != l.Handler() || l.Handler().WithGroup("") != l.Handler() {
		t.Error("WithAttrs(nil)/WithGroup(\"\") should return the handler itself")
	}
}

type pointerError struct{ msg string }

func (e *pointerError) Error() string { return e.msg } // panics on nil

func TestNewRedactingHandlerNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewRedactingHandler(nil) did not panic")
		}
	}()
	secureheaders.NewRedactingHandler(nil)
}

func TestRedactingHandlerSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(*testing.T) slog.Handler {
		buf.Reset()
		return secureheaders.NewRedactingHandler(slog.NewJSONHandler(&buf, nil), secureheaders.NewSecret("fake-unused-secret"))
	}
	result := func(t *testing.T) map[string]any {
		m := map[string]any{}
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	slogtest.Run(t, newHandler, result)
}

func TestRedactingHandlerConcurrent(t *testing.T) {
	c := newCapture()
	root := secureheaders.NewRedactingHandler(c)
	secrets := []string{"alpha-1", "bravo-2", "charlie-3", "delta-4"}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 4 {
		wg.Go(func() {
			<-start
			l := slog.New(root).With("w", i).WithGroup("g")
			for range 200 {
				l.Info("m", "k", "v")
			}
		})
	}
	wg.Go(func() {
		<-start
		for _, s := range secrets {
			root.AddSecret(secureheaders.NewSecret(s))
		}
	})
	close(start)
	wg.Wait()
	l := slog.New(root).With("all", strings.Join(secrets, ","))
	l.Info(strings.Join(secrets, " "))
	last := c.all()[len(c.all())-1]
	for _, s := range secrets {
		if containsAny(strings.Join(last, "|"), []string{s}) {
			t.Errorf("after concurrent AddSecret, %q leaked: %q", s, last)
		}
	}
	if n := len(c.all()); n != 801 {
		t.Errorf("got %d records, want 801", n)
	}
}

// FuzzRedactingHandler checks that a registered secret never reaches the
// next handler, whatever text surrounds it and wherever it appears.
func FuzzRedactingHandler(f *testing.F) {
	f.Add("fake-pw", "prefix ", " suffix", "other")
	f.Add("a", "", "", "")
	f.Add("abc", "ab", "c", "abcabc")
	f.Add("RED", "[", "]", "ACTED")
	f.Add(`"q"`, `{"x":`, `}`, `\"`)
	f.Add("é/?&", "%", "=", "\xff")
	f.Add("ab", "a", "b", "[REDACTED")
	f.Fuzz(func(t *testing.T, secret, pre, post, extra string) {
		if secret == "" {
			return
		}
		c := newCapture()
		h := secureheaders.NewRedactingHandler(c, secureheaders.NewSecret(secret))
		text := pre + secret + post
		l := slog.New(h).With(extra, text).WithGroup(pre + secret)
		l.Info(text, extra, text, text, extra,
			slog.Group(extra, slog.String(post, text)),
			"err", fmt.Errorf("%s: %w", pre, errors.New(text+extra)),
			"bytes", []byte(extra+text),
			"struct", nodeConfig{Name: pre, Password: text},
			"stringer", stringer{text},
			"quiet", quietStringer{text},
			"valuer", textValuer{text},
			"map", map[string]string{extra: text})
		h.AddSecret(secureheaders.NewSecret(extra))
		l.Info(extra + secret)
		for _, rec := range c.all() {
			for _, s := range rec {
				if strings.Contains(s, secret) {
					t.Fatalf("secret %q reached the next handler in %q (record %q)", secret, s, rec)
				}
			}
		}
	})
}
