package secureheaders

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
)

// Mask is the text every printed form of a non-empty [Secret] shows instead of
// the credential, and what [RedactingHandler] and [Redact] put in its place.
const Mask = "[REDACTED]"

// ErrMaskInput is returned when JSON or text input holding exactly [Mask] is
// decoded into a [Secret]. Such input is a redacted dump of a configuration
// written back by mistake; loading it would silently replace the real
// credential with the mask.
var ErrMaskInput = errors.New("secureheaders: input is the redaction mask, not a credential")

// ErrMissingEnv is matched (with errors.Is) by the [*EnvError] that [FromEnv]
// returns when a variable is unset or empty.
var ErrMissingEnv = errors.New("secureheaders: environment variable unset or empty")

// Secret holds a credential that cannot leak by printing. Every printed,
// logged or encoded form shows [Mask] (or nothing, for the zero Secret);
// only [Secret.Reveal] returns the value.
//
// The value sits behind a pointer to an unexported struct, so fmt's %#v and
// %+v on a containing struct, and reflection-based encoders, see at most an
// address. The bytes behind that pointer are also XOR-ed with a per-process
// key, so tools that read unexported memory through package unsafe (go-spew,
// and with it the failure diffs of testify) show noise instead of the value.
// This is not encryption: it keeps credentials out of dumps, not out of a
// debugger.
//
// The zero Secret is empty and valid. Secrets are immutable and safe for
// concurrent use; copies share the value.
type Secret struct {
	v *sealed
}

// sealed holds a credential XOR-ed with sealKey.
type sealed struct {
	b []byte
}

// sealKey is drawn once per process; it never changes after package init.
var sealKey = func() (k [32]byte) {
	_, _ = rand.Read(k[:]) // crypto/rand.Read never fails since Go 1.24.
	return k
}()

func xorKey(dst, src []byte) {
	for i, c := range src {
		dst[i] = c ^ sealKey[i%len(sealKey)]
	}
}

// NewSecret returns a Secret holding s. NewSecret("") is the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	b := make([]byte, len(s))
	xorKey(b, []byte(s))
	return Secret{v: &sealed{b: b}}
}

// Reveal returns the credential. Call it only where the value is handed to
// the party that needs it (a header, a dialer), never for logging.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	b := make([]byte, len(s.v.b))
	xorKey(b, s.v.b)
	return string(b)
}

// IsZero reports whether s holds no credential.
func (s Secret) IsZero() bool { return s.v == nil }

// Equal reports whether s and o hold the same credential, in time that
// depends on neither value nor their lengths (it compares SHA-256 digests).
func (s Secret) Equal(o Secret) bool {
	a, b := s.digest(), o.digest()
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (s Secret) digest() [sha256.Size]byte {
	if s.v == nil {
		return sha256.Sum256(nil)
	}
	// Both sides are sealed with the same key, so equal digests of the
	// sealed bytes mean equal credentials.
	return sha256.Sum256(s.v.b)
}

// String returns [Mask], or "" for the zero Secret.
func (s Secret) String() string {
	if s.v == nil {
		return ""
	}
	return Mask
}

// GoString returns a Go expression that reveals nothing:
// secureheaders.Secret{/* redacted */}, or secureheaders.Secret{} when empty.
func (s Secret) GoString() string {
	if s.v == nil {
		return "secureheaders.Secret{}"
	}
	return "secureheaders.Secret{/* redacted */}"
}

// Format implements [fmt.Formatter] so that every verb and flag prints the
// mask: %#v prints [Secret.GoString], %q a quoted mask, and every other verb
// (%v %+v %s %x %X %d ...) the mask itself, padded to any width given.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(s.GoString()))
	case verb == 'q':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 'q'), s.String())
	default:
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 's'), s.String())
	}
}

// LogValue implements [slog.LogValuer]: a Secret logs as [Mask].
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes s as the JSON string "[REDACTED]", or "" when empty.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s.v == nil {
		return []byte(`""`), nil
	}
	return []byte(strconv.Quote(Mask)), nil
}

// MarshalText encodes s as [Mask], or as empty text when s is empty. YAML,
// XML, gob and other encoders that honour [encoding.TextMarshaler] use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON accepts a JSON string (or null, which leaves s unchanged) as
// the credential, so configuration files can fill a Secret. Input equal to
// [Mask] fails with [ErrMaskInput]. Errors never quote the input.
func (s *Secret) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return errors.New("secureheaders: secret must be a JSON string")
	}
	return s.UnmarshalText([]byte(v))
}

// UnmarshalText accepts text as the credential, so environment-driven
// configuration loaders can fill a Secret. Text equal to [Mask] fails with
// [ErrMaskInput].
func (s *Secret) UnmarshalText(text []byte) error {
	if string(text) == Mask {
		return ErrMaskInput
	}
	*s = NewSecret(string(text))
	return nil
}

// EnvError reports an environment variable that [FromEnv] could not use. It
// names the variable, never its value, and matches [ErrMissingEnv].
type EnvError struct {
	Name  string // the variable's name
	Empty bool   // set but empty (false: not set at all)
}

// Error implements the error interface.
func (e *EnvError) Error() string {
	if e.Empty {
		return "secureheaders: environment variable " + strconv.Quote(e.Name) + " is empty"
	}
	return "secureheaders: environment variable " + strconv.Quote(e.Name) + " is not set"
}

// Is reports whether target is [ErrMissingEnv].
func (e *EnvError) Is(target error) bool { return target == ErrMissingEnv }

// FromEnv returns the value of the environment variable name as a Secret.
// An unset or empty variable is an [*EnvError] matching [ErrMissingEnv].
func FromEnv(name string) (Secret, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return Secret{}, &EnvError{Name: name, Empty: ok}
	}
	return NewSecret(v), nil
}
