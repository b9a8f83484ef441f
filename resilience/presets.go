package resilience

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Redis returns settings for a Redis client: a 3 s timeout, opening at a
// 50 % failure rate over at least 20 calls in a 30 s window, half-open after
// 30 s with 3 probes. Redis is called often and answers fast, so a short
// window with a higher minimum reacts within seconds without tripping on a
// single blip, and three probes confirm recovery cheaply.
//
// Its Fallback degrades: it returns an error matching [ErrDegraded] (and
// the cause), so [Execute] yields the zero value and callers serve from a
// cache or go on without the value.
func Redis() Settings {
	return Settings{
		Timeout:              3 * time.Second,
		FailureRateThreshold: 50,
		MinimumRequests:      20,
		Window:               30 * time.Second,
		ResetTimeout:         30 * time.Second,
		HalfOpenMaxCalls:     3,
		Fallback:             degrade,
	}
}

// Database returns settings for a database: a 5 s timeout, opening at a
// 30 % failure rate over at least 10 calls in a 60 s window, half-open
// after 60 s with 2 probes. Queries are rarer and costlier than Redis
// calls, so the window is longer and the minimum lower; a failed write is
// worse than a slow one, so the threshold is strict.
//
// Its Fallback returns an [*UnavailableError] for "database".
func Database() Settings {
	return Settings{
		Timeout:              5 * time.Second,
		FailureRateThreshold: 30,
		MinimumRequests:      10,
		Window:               time.Minute,
		ResetTimeout:         time.Minute,
		HalfOpenMaxCalls:     2,
		Fallback:             unavailable("database"),
	}
}

// Lavalink returns settings for one Lavalink node's REST API: a 10 s
// timeout (track loading can search remote sources), opening at a 40 %
// failure rate over at least 5 calls in a 60 s window, half-open after
// 45 s with 1 probe. A small bot makes few REST calls per node, so the
// minimum is low enough to notice a dead node quickly; failing over to
// another node is cheap, so a false trip costs little.
//
// Its Fallback returns an [*UnavailableError] for "audio service", which
// reads "audio service temporarily unavailable: …".
func Lavalink() Settings {
	return Settings{
		Timeout:              10 * time.Second,
		FailureRateThreshold: 40,
		MinimumRequests:      5,
		Window:               time.Minute,
		ResetTimeout:         45 * time.Second,
		HalfOpenMaxCalls:     1,
		Fallback:             unavailable("audio service"),
	}
}

func degrade(_ context.Context, err error) error {
	return fmt.Errorf("%w: %w", ErrDegraded, err)
}

func unavailable(service string) func(context.Context, error) error {
	return func(_ context.Context, err error) error {
		ue := &UnavailableError{Service: service, Err: err}
		if open, ok := errors.AsType[*UnavailableError](err); ok {
			ue.RetryAfter = open.RetryAfter
		}
		return ue
	}
}
