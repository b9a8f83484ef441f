package resilience

import (
	"context"
	"testing"
	"time"
)

func noop(context.Context) error { return nil }

// BenchmarkDo measures a closed breaker with a no-op call.
func BenchmarkDo(b *testing.B) {
	ctx := context.Background()
	br := New("bench", Settings{})
	b.ReportAllocs()
	for b.Loop() {
		if err := br.Do(ctx, noop); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoTimeout is BenchmarkDo with Settings.Timeout, which costs a
// context.WithTimeout per call.
func BenchmarkDoTimeout(b *testing.B) {
	ctx := context.Background()
	br := New("bench", Settings{Timeout: time.Second})
	b.ReportAllocs()
	for b.Loop() {
		if err := br.Do(ctx, noop); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoParallel is BenchmarkDo from GOMAXPROCS goroutines on one breaker.
func BenchmarkDoParallel(b *testing.B) {
	ctx := context.Background()
	br := New("bench", Settings{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := br.Do(ctx, noop); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkExecute measures the generic variant in the closed state.
func BenchmarkExecute(b *testing.B) {
	ctx := context.Background()
	br := New("bench", Settings{})
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Execute(ctx, br, fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoOpen measures a refused call (the fast-fail path).
func BenchmarkDoOpen(b *testing.B) {
	ctx := context.Background()
	br := New("bench", Settings{MinimumRequests: 1, ResetTimeout: time.Hour})
	_ = br.Do(ctx, func(context.Context) error { return context.DeadlineExceeded })
	if br.State() != StateOpen {
		b.Fatalf("State() = %v, want open", br.State())
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := br.Do(ctx, noop); err == nil {
			b.Fatal("Do on an open breaker returned nil")
		}
	}
}

// TestHotPathAllocs pins the closed-state fast path at zero allocations.
func TestHotPathAllocs(t *testing.T) {
	ctx := context.Background()
	b := New("svc", Settings{})
	fn := func(context.Context) (int, error) { return 1, nil }
	tests := []struct {
		name string
		call func()
	}{
		{"Do", func() { _ = b.Do(ctx, noop) }},
		{"Execute", func() { _, _ = Execute(ctx, b, fn) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(1000, tt.call); n != 0 {
			t.Errorf("%s on a closed breaker: %v allocs/op, want 0", tt.name, n)
		}
	}
}
