package resilience

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is where the tests' fake clocks, read through Settings.Now, start.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

var errBoom = errors.New("boom")

func fail(context.Context) error { return errBoom }
func ok(context.Context) error   { return nil }

// calls runs fn through b n times and returns the last error.
func calls(b *Breaker, n int, fn func(context.Context) error) error {
	var err error
	for range n {
		err = b.Do(context.Background(), fn)
	}
	return err
}

// trip opens b by failing until it refuses; it fails the test after 1000 calls.
func trip(t *testing.T, b *Breaker) {
	t.Helper()
	for range 1000 {
		if b.Do(context.Background(), fail) != nil && b.State() == StateOpen {
			return
		}
	}
	t.Fatalf("breaker %q did not open after 1000 failures", b.Name())
}

// within fails the test if fn does not return in a generous time: it turns
// a deadlock into a failure instead of a hung test run.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return: deadlock", what)
	}
}
