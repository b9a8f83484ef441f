package ratelimit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/ratelimit"
)

func TestLimitValidate(t *testing.T) {
	tests := []struct {
		limit  ratelimit.Limit
		reason string // "" for valid
	}{
		{ratelimit.PerMinute(10), ""},
		{ratelimit.PerSecond(1), ""},
		{ratelimit.Limit{Rate: 5, Period: 10 * time.Second, Burst: 2}, ""},
		{ratelimit.Limit{Rate: 1, Period: ratelimit.MinPeriod}, ""},
		{ratelimit.Limit{Rate: ratelimit.MaxEvents - 5, Burst: 5, Period: ratelimit.MaxPeriod}, ""},
		{ratelimit.Limit{}, "rate must be at least 1"},
		{ratelimit.Limit{Rate: -1, Period: time.Second}, "rate must be at least 1"},
		{ratelimit.Limit{Rate: 1}, "period must be between"},
		{ratelimit.Limit{Rate: 1, Period: -time.Second}, "period must be between"},
		{ratelimit.Limit{Rate: 1, Period: time.Microsecond}, "period must be between"},
		{ratelimit.Limit{Rate: 1, Period: ratelimit.MaxPeriod + 1}, "period must be between"},
		{ratelimit.Limit{Rate: 1, Period: time.Second, Burst: -1}, "burst must not be negative"},
		{ratelimit.Limit{Rate: ratelimit.MaxEvents + 1, Period: time.Second}, "rate+burst must be at most"},
		{ratelimit.Limit{Rate: ratelimit.MaxEvents, Period: time.Second, Burst: 1}, "rate+burst must be at most"},
		{ratelimit.Limit{Rate: 1, Period: time.Second, Burst: int(^uint(0) >> 1)}, "rate+burst must be at most"},
	}
	for _, tt := range tests {
		err := tt.limit.Validate()
		if tt.reason == "" {
			if err != nil {
				t.Errorf("%#v.Validate() = %v, want nil", tt.limit, err)
			}
			continue
		}
		var ile *ratelimit.InvalidLimitError
		if !errors.As(err, &ile) || !errors.Is(err, ratelimit.ErrInvalidLimit) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%#v.Validate() = %v, want an *InvalidLimitError saying %q", tt.limit, err, tt.reason)
		}
	}
}

func TestLimitString(t *testing.T) {
	tests := []struct {
		limit ratelimit.Limit
		want  string
	}{
		{ratelimit.PerMinute(10), "10/1m0s"},
		{ratelimit.PerSecond(3), "3/1s"},
		{ratelimit.Limit{Rate: 5, Period: 10 * time.Second, Burst: 2}, "5/10s+2"},
	}
	for _, tt := range tests {
		if got := tt.limit.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.limit, got, tt.want)
		}
	}
}

func TestBackendString(t *testing.T) {
	tests := []struct {
		b    ratelimit.Backend
		want string
	}{
		{ratelimit.BackendRedis, "redis"},
		{ratelimit.BackendMemory, "memory"},
		{ratelimit.BackendFallback, "fallback"},
		{0, "none"},
		{9, "Backend(9)"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("Backend(%d).String() = %q, want %q", int(tt.b), got, tt.want)
		}
	}
}

// TestInvalidInputDenies runs every limiter with bad limits and counts:
// each must deny with an *InvalidLimitError, never panic or allow.
func TestInvalidInputDenies(t *testing.T) {
	limiters := map[string]ratelimit.Limiter{
		"memory":   ratelimit.NewMemory(),
		"redis":    ratelimit.NewRedis(nil),
		"failsafe": ratelimit.NewFailSafe(ratelimit.NewMemory(), ratelimit.NewMemory()),
	}
	tests := []struct {
		name  string
		limit ratelimit.Limit
		n     int
	}{
		{"zero limit", ratelimit.Limit{}, 1},
		{"negative rate", ratelimit.Limit{Rate: -5, Period: time.Second}, 1},
		{"zero n", ratelimit.PerSecond(5), 0},
		{"negative n", ratelimit.PerSecond(5), -1},
		{"n above rate+burst", ratelimit.Limit{Rate: 5, Burst: 1, Period: time.Second}, 7},
	}
	for name, l := range limiters {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				d, err := l.AllowN(context.Background(), "k", tt.limit, tt.n)
				if d.Allowed || !errors.Is(err, ratelimit.ErrInvalidLimit) {
					t.Errorf("AllowN(%v, %d) = %+v, %v; want a denial with ErrInvalidLimit", tt.limit, tt.n, d, err)
				}
				if tt.n != 1 && !strings.Contains(err.Error(), "AllowN") {
					t.Errorf("error %q does not name the AllowN count", err)
				}
			})
		}
	}
}
