package secureheaders_test

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/secureheaders"
)

const password = "fake-secret-value"

func TestSecretFormatVerbs(t *testing.T) {
	s := secureheaders.NewSecret(password)
	tests := []struct {
		format string
		want   string
	}{
		{"%v", "[REDACTED]"},
		{"%+v", "[REDACTED]"},
		{"%#v", "secureheaders.Secret{/* redacted */}"},
		{"%s", "[REDACTED]"},
		{"%q", `"[REDACTED]"`},
		{"%#q", "`[REDACTED]`"},
		{"%x", "[REDACTED]"},
		{"%X", "[REDACTED]"},
		{"% x", "[REDACTED]"},
		{"%d", "[REDACTED]"},
		{"%t", "[REDACTED]"},
		{"%12s", "  [REDACTED]"},
		{"%-12v|", "[REDACTED]  |"},
		{"%.3s", "[RE"},
		{"%T", "secureheaders.Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := fmt.Sprintf(tt.format, s)
			if got != tt.want {
				t.Errorf("Sprintf(%q, secret) = %q, want %q", tt.format, got, tt.want)
			}
			if strings.Contains(got, password) {
				t.Errorf("Sprintf(%q, secret) = %q, leaks the value", tt.format, got)
			}
		})
	}
	for _, m := range []string{s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(s)} {
		if strings.Contains(m, password) {
			t.Errorf("printed form %q leaks the value", m)
		}
	}
}

func TestZeroSecretPrintsEmpty(t *testing.T) {
	var z secureheaders.Secret
	if got := fmt.Sprintf("%v|%s|%q|%#v", z, z, z, z); got != `||""|secureheaders.Secret{}` {
		t.Errorf("zero Secret prints %q", got)
	}
	if got, _ := json.Marshal(z); string(got) != `""` {
		t.Errorf("json.Marshal(zero) = %s, want \"\"", got)
	}
	if !secureheaders.NewSecret("").IsZero() || !z.IsZero() {
		t.Error(`NewSecret("").IsZero() = false, want true`)
	}
	if secureheaders.NewSecret("x").IsZero() {
		t.Error(`NewSecret("x").IsZero() = true, want false`)
	}
	if z.Reveal() != "" {
		t.Errorf("zero Reveal() = %q, want empty", z.Reveal())
	}
}

// config is shaped like a typical bot configuration: exported and
// unexported Secrets, by value, by pointer, in slices and maps.
type config struct {
	Name     string
	Password secureheaders.Secret            `json:"password" xml:"password"`
	Token    *secureheaders.Secret           `json:"token,omitempty" xml:"token"`
	Hooks    []secureheaders.Secret          `json:"hooks" xml:"hook"`
	ByName   map[string]secureheaders.Secret `json:"by_name" xml:"-"`
	Nested   struct {
		Key secureheaders.Secret `json:"key" xml:"key"`
	} `json:"nested" xml:"nested"`
	hidden secureheaders.Secret
}

func newConfig() *config {
	s := secureheaders.NewSecret(password)
	c := &config{Name: "bot", Password: s, Token: &s, Hooks: []secureheaders.Secret{s, s},
		ByName: map[string]secureheaders.Secret{"lavalink": s}, hidden: s}
	c.Nested.Key = s
	return c
}

func TestSecretInsideContainers(t *testing.T) {
	c := newConfig()
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for name, v := range map[string]any{"pointer": c, "value": *c, "slice": []*config{c}, "map": map[string]config{"a": *c}} {
			got := fmt.Sprintf(format, v)
			if strings.Contains(got, password) {
				t.Errorf("Sprintf(%q, %s) = %q, leaks the value", format, name, got)
			}
		}
	}
	if got := fmt.Sprintf("%+v", *c); !strings.Contains(got, "Password:[REDACTED]") {
		t.Errorf("Sprintf(%%+v, config) = %q, want Password:[REDACTED]", got)
	}
}

func TestSecretEncoders(t *testing.T) {
	c := newConfig()
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	xs, err := xml.Marshal(c)
	if err != nil {
		t.Fatalf("xml.Marshal: %v", err)
	}
	// gob has no hook a value-less type can use: it refuses the type.
	var gb bytes.Buffer
	if err := gob.NewEncoder(&gb).Encode(c); err == nil || bytes.Contains(gb.Bytes(), []byte(password)) {
		t.Errorf("gob.Encode(config) = %v, %q; want an error and no value", err, gb.Bytes())
	}
	if got := fmt.Sprintf("%p", c.Password); strings.Contains(got, password) {
		t.Errorf("Sprintf(%%p) = %q, leaks the value", got)
	}
	for name, out := range map[string][]byte{"json": js, "xml": xs} {
		if bytes.Contains(out, []byte(password)) {
			t.Errorf("%s output leaks the value: %q", name, out)
		}
		if !bytes.Contains(out, []byte(secureheaders.Mask)) {
			t.Errorf("%s output has no mask: %q", name, out)
		}
	}
	want := `{"Name":"bot","password":"[REDACTED]","token":"[REDACTED]","hooks":["[REDACTED]","[REDACTED]"],"by_name":{"lavalink":"[REDACTED]"},"nested":{"key":"[REDACTED]"}}`
	if string(js) != want {
		t.Errorf("json.Marshal(config) =\n%s\nwant\n%s", js, want)
	}
}

func TestSecretDecoding(t *testing.T) {
	var c struct {
		Password secureheaders.Secret  `json:"password"`
		Token    *secureheaders.Secret `json:"token"`
		Missing  secureheaders.Secret  `json:"missing"`
	}
	in := `{"password":"pa\"ss","token":"tok","missing":null}`
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", in, err)
	}
	if got := c.Password.Reveal(); got != `pa"ss` {
		t.Errorf("Password.Reveal() = %q, want %q", got, `pa"ss`)
	}
	if c.Token == nil || c.Token.Reveal() != "tok" {
		t.Errorf("Token = %v, want tok", c.Token)
	}
	if !c.Missing.IsZero() {
		t.Error("null decoded to a non-zero Secret")
	}

	tests := []struct {
		in   string
		want error
	}{
		{`{"password":"[REDACTED]"}`, secureheaders.ErrMaskInput},
		{`{"password":42}`, nil},
		{`{"password":["a"]}`, nil},
	}
	for _, tt := range tests {
		var c struct {
			Password secureheaders.Secret `json:"password"`
		}
		err := json.Unmarshal([]byte(tt.in), &c)
		if err == nil {
			t.Errorf("json.Unmarshal(%s) = nil error, want failure", tt.in)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("json.Unmarshal(%s) = %v, want %v", tt.in, err, tt.want)
		}
		if strings.Contains(err.Error(), "42") {
			t.Errorf("json.Unmarshal(%s) error %q quotes the input", tt.in, err)
		}
	}

	var s secureheaders.Secret
	if err := s.UnmarshalText([]byte("from-env")); err != nil || s.Reveal() != "from-env" {
		t.Errorf("UnmarshalText(from-env) = %v, Reveal() = %q", err, s.Reveal())
	}
	if err := s.UnmarshalText([]byte(secureheaders.Mask)); !errors.Is(err, secureheaders.ErrMaskInput) {
		t.Errorf("UnmarshalText(mask) = %v, want ErrMaskInput", err)
	}
	if got, _ := s.MarshalText(); string(got) != secureheaders.Mask {
		t.Errorf("MarshalText() = %q, want mask", got)
	}
}

func TestSecretInSlog(t *testing.T) {
	c := newConfig()
	for _, name := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if name == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		slog.New(h).Info("config loaded", "password", c.Password, "config", c, "value", *c,
			slog.Group("g", "token", c.Token))
		if strings.Contains(buf.String(), password) {
			t.Errorf("%s handler output leaks the value: %s", name, buf.String())
		}
		if !strings.Contains(buf.String(), "password=[REDACTED]") && !strings.Contains(buf.String(), `"password":"[REDACTED]"`) {
			t.Errorf("%s handler output has no masked password: %s", name, buf.String())
		}
	}
}

func TestSecretInErrors(t *testing.T) {
	s := secureheaders.NewSecret(password)
	base := errors.New("auth failed")
	err := fmt.Errorf("connect: %w", fmt.Errorf("with password %v (%q, %+v, %#v): %w", s, s, s, s, base))
	err = errors.Join(err, fmt.Errorf("token %s", s))
	if strings.Contains(err.Error(), password) || strings.Contains(fmt.Sprintf("%+v", err), password) {
		t.Errorf("error chain leaks the value: %v", err)
	}
	if !errors.Is(err, base) {
		t.Error("errors.Is(chain, base) = false; wrapping broke")
	}
}

func TestSecretEqual(t *testing.T) {
	a := secureheaders.NewSecret("abc")
	tests := []struct {
		name string
		x, y secureheaders.Secret
		want bool
	}{
		{"same value", a, secureheaders.NewSecret("abc"), true},
		{"same copy", a, a, true},
		{"different value", a, secureheaders.NewSecret("abd"), false},
		{"prefix", a, secureheaders.NewSecret("abcd"), false},
		{"zero and zero", secureheaders.Secret{}, secureheaders.NewSecret(""), true},
		{"zero and value", secureheaders.Secret{}, a, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.x.Equal(tt.y); got != tt.want {
				t.Errorf("Equal() = %v, want %v", got, tt.want)
			}
			if got := tt.y.Equal(tt.x); got != tt.want {
				t.Errorf("Equal() reversed = %v, want %v", got, tt.want)
			}
		})
	}
	if !reflect.DeepEqual(a, secureheaders.NewSecret("abc")) {
		t.Error("reflect.DeepEqual of equal Secrets = false, want true")
	}
	if reflect.DeepEqual(a, secureheaders.NewSecret("abd")) {
		t.Error("reflect.DeepEqual of different Secrets = true, want false")
	}
}

func TestSecretReveal(t *testing.T) {
	for _, v := range []string{"a", password, strings.Repeat("long-secret-", 10), "ünïcode\x00\xff"} {
		if got := secureheaders.NewSecret(v).Reveal(); got != v {
			t.Errorf("NewSecret(%q).Reveal() = %q", v, got)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("TUNEKIT_TEST_SET", password)
	t.Setenv("TUNEKIT_TEST_EMPTY", "")
	s, err := secureheaders.FromEnv("TUNEKIT_TEST_SET")
	if err != nil || s.Reveal() != password {
		t.Errorf("FromEnv(set) = %v, %v; want the value", s, err)
	}
	tests := []struct {
		name      string
		wantEmpty bool
		wantText  string
	}{
		{"TUNEKIT_TEST_EMPTY", true, `secureheaders: environment variable "TUNEKIT_TEST_EMPTY" is empty`},
		{"TUNEKIT_TEST_UNSET_VARIABLE", false, `secureheaders: environment variable "TUNEKIT_TEST_UNSET_VARIABLE" is not set`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := secureheaders.FromEnv(tt.name)
			if !s.IsZero() {
				t.Errorf("FromEnv(%q) returned a non-zero Secret", tt.name)
			}
			if !errors.Is(err, secureheaders.ErrMissingEnv) {
				t.Fatalf("FromEnv(%q) error = %v, want ErrMissingEnv", tt.name, err)
			}
			var ee *secureheaders.EnvError
			if !errors.As(err, &ee) || ee.Name != tt.name || ee.Empty != tt.wantEmpty {
				t.Errorf("FromEnv(%q) error = %#v, want EnvError{Name: %q, Empty: %v}", tt.name, err, tt.name, tt.wantEmpty)
			}
			if err.Error() != tt.wantText {
				t.Errorf("FromEnv(%q) error text = %q, want %q", tt.name, err.Error(), tt.wantText)
			}
		})
	}
}
