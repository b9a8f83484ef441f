package resilience

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
)

func TestSettingsFallback(t *testing.T) {
	errFallback := errors.New("fallback")
	var got []error
	clk := fakeclock.New(t0)
	b := New("svc", Settings{
		MinimumRequests:      3,
		FailureRateThreshold: 30,
		Now:                  clk.Now,
		IsFailure:            func(err error) bool { return !errors.Is(err, errNotFound) },
		Fallback: func(_ context.Context, err error) error {
			got = append(got, err)
			return errFallback
		},
	})
	tests := []struct {
		name         string
		fn           func(context.Context) error
		wantFallback bool
	}{
		{"success", ok, false},
		{"not a failure", func(context.Context) error { return errNotFound }, false},
		{"failure", fail, true}, // 1 failure in 3 calls, 33 %: opens
		{"refused", ok, true},
	}
	for _, tt := range tests {
		got = nil
		err := b.Do(context.Background(), tt.fn)
		if tt.wantFallback != (err == errFallback) || tt.wantFallback != (len(got) == 1) {
			t.Errorf("%s: Do = %v (fallback saw %v), want fallback %v", tt.name, err, got, tt.wantFallback)
		}
	}
	got = nil
	v, err := Execute(context.Background(), b, func(context.Context) (int, error) { return 7, nil })
	if v != 0 || err != errFallback || len(got) != 1 || !errors.Is(got[0], ErrOpen) {
		t.Errorf("Execute while open = (%d, %v), fallback saw %v; want (0, fallback) after ErrOpen", v, err, got)
	}

	// The caller's cancellation never reaches the fallback.
	b2 := New("svc", Settings{Fallback: func(context.Context, error) error { return errFallback }})
	ctx, cancel := context.WithCancel(context.Background())
	err = b2.Do(ctx, func(context.Context) error { cancel(); return context.Canceled })
	if err != context.Canceled {
		t.Errorf("Do cancelled by caller = %v, want Canceled (no fallback)", err)
	}
}

var errNotFound = errors.New("not found")

func TestWithFallback(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("lavalink", Settings{MinimumRequests: 1, ResetTimeout: time.Second, Now: clk.Now,
		Fallback: func(context.Context, error) error {
			t.Error("Settings.Fallback used instead of the Guard's")
			return nil
		},
	})
	var seen []error
	g := WithFallback(b, func(_ context.Context, err error) ([]string, error) {
		seen = append(seen, err)
		return []string{"cached"}, nil
	})
	if g.Breaker() != b {
		t.Errorf("Guard.Breaker() = %p, want %p", g.Breaker(), b)
	}
	v, err := g.Execute(context.Background(), func(context.Context) ([]string, error) { return []string{"live"}, nil })
	if err != nil || len(v) != 1 || v[0] != "live" || len(seen) != 0 {
		t.Errorf("Execute succeeding = (%v, %v), want ([live], nil) without fallback", v, err)
	}
	v, err = g.Execute(context.Background(), func(context.Context) ([]string, error) { return nil, errBoom })
	if err != nil || len(v) != 1 || v[0] != "cached" || len(seen) != 1 || seen[0] != errBoom {
		t.Errorf("Execute failing = (%v, %v), fallback saw %v; want ([cached], nil) after errBoom", v, err, seen)
	}
	v, err = g.Execute(context.Background(), func(context.Context) ([]string, error) { return []string{"live"}, nil })
	if err != nil || v[0] != "cached" || len(seen) != 2 || !errors.Is(seen[1], ErrOpen) {
		t.Errorf("Execute while open = (%v, %v), fallback saw %v; want ([cached], nil) after ErrOpen", v, err, seen)
	}
}
