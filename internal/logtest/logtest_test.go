package logtest_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/tunekit/tunekit/internal/logtest"
)

// TestConcurrent: writers and a reader at once lose nothing and, under
// -race, race with nothing.
func TestConcurrent(t *testing.T) {
	var b logtest.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if n, err := b.Write([]byte("x")); n != 1 || err != nil {
					t.Errorf("Write = %d, %v", n, err)
				}
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("x", 800) {
		t.Errorf("String() has %d bytes, want 800", len(got))
	}
}
