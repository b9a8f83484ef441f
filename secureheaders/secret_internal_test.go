package secureheaders

import (
	"bytes"
	"testing"
)

// TestSecretMemoryIsSealed proves the bytes behind the pointer are not the
// credential, so dumpers that read unexported memory print noise.
func TestSecretMemoryIsSealed(t *testing.T) {
	const v = "a-long-enough-credential-value-0123456789"
	s := NewSecret(v)
	if bytes.Contains(s.v.b, []byte(v)) || bytes.Contains(s.v.b, []byte(v[:8])) {
		t.Errorf("sealed bytes %q contain the plaintext", s.v.b)
	}
	if len(s.v.b) != len(v) {
		t.Errorf("len(sealed) = %d, want %d", len(s.v.b), len(v))
	}
}
