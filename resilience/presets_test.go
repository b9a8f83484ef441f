package resilience

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
)

func TestPresets(t *testing.T) {
	tests := []struct {
		name           string
		s              Settings
		timeout, reset time.Duration
		threshold      float64
		minimum        int
		window         time.Duration
		probes         int
	}{
		{"Redis", Redis(), 3 * time.Second, 30 * time.Second, 50, 20, 30 * time.Second, 3},
		{"Database", Database(), 5 * time.Second, time.Minute, 30, 10, time.Minute, 2},
		{"Lavalink", Lavalink(), 10 * time.Second, 45 * time.Second, 40, 5, time.Minute, 1},
	}
	for _, tt := range tests {
		s := tt.s
		if s.Timeout != tt.timeout || s.ResetTimeout != tt.reset || s.FailureRateThreshold != tt.threshold ||
			s.MinimumRequests != tt.minimum || s.Window != tt.window || s.HalfOpenMaxCalls != tt.probes || s.Fallback == nil {
			t.Errorf("%s() = %+v, want timeout %v, %v%%, reset %v, minimum %d, window %v, %d probes, a fallback",
				tt.name, s, tt.timeout, tt.threshold, tt.reset, tt.minimum, tt.window, tt.probes)
		}
	}
}

func TestRedisPresetDegrades(t *testing.T) {
	s := Redis()
	s.MinimumRequests = 1
	b := New("redis", s)
	v, err := Execute(context.Background(), b, func(context.Context) (string, error) { return "", errBoom })
	if v != "" || !errors.Is(err, ErrDegraded) || !errors.Is(err, errBoom) {
		t.Errorf("Execute failing = (%q, %v), want zero value, ErrDegraded wrapping the cause", v, err)
	}
	v, err = Execute(context.Background(), b, func(context.Context) (string, error) { return "value", nil })
	if v != "" || !errors.Is(err, ErrDegraded) || !errors.Is(err, ErrOpen) {
		t.Errorf("Execute while open = (%q, %v), want zero value, ErrDegraded and ErrOpen", v, err)
	}
}

func TestUnavailablePresets(t *testing.T) {
	tests := []struct {
		name    string
		s       Settings
		service string
	}{
		{"Database", Database(), "database"},
		{"Lavalink", Lavalink(), "audio service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			s := tt.s
			s.MinimumRequests = 1
			s.Now = clk.Now
			b := New("node-1", s)
			err := b.Do(context.Background(), fail)
			ue, isUE := errors.AsType[*UnavailableError](err)
			if !isUE || ue.Service != tt.service || !errors.Is(err, errBoom) || errors.Is(err, ErrOpen) {
				t.Fatalf("Do failing = %#v, want *UnavailableError{%s} wrapping errBoom", err, tt.service)
			}
			if want := tt.service + " temporarily unavailable: boom"; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			clk.Advance(time.Second)
			err = b.Do(context.Background(), ok)
			ue, isUE = errors.AsType[*UnavailableError](err)
			if !isUE || ue.Service != tt.service || !errors.Is(err, ErrOpen) || ue.RetryAfter != s.ResetTimeout-time.Second {
				t.Fatalf("Do while open = %#v, want *UnavailableError{%s} matching ErrOpen, RetryAfter %v", err, tt.service, s.ResetTimeout-time.Second)
			}
			if !strings.HasPrefix(err.Error(), tt.service+" temporarily unavailable: node-1 temporarily unavailable") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}
