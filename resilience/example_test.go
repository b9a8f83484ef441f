package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tunekit/tunekit/resilience"
)

var errUnreachable = errors.New("connection refused")

func ExampleNew() {
	b := resilience.New("lavalink-1", resilience.Settings{
		FailureRateThreshold: 50,
		MinimumRequests:      4,
		ResetTimeout:         30 * time.Second,
		OnStateChange: func(name string, from, to resilience.State) {
			fmt.Printf("%s: %s -> %s\n", name, from, to)
		},
	})
	ctx := context.Background()
	for range 4 {
		_ = b.Do(ctx, func(context.Context) error { return errUnreachable })
	}
	err := b.Do(ctx, func(context.Context) error { return nil })
	fmt.Println(errors.Is(err, resilience.ErrOpen), b.State(), b.Counts().Failures)

	var unavailable *resilience.UnavailableError
	if errors.As(err, &unavailable) {
		fmt.Println(unavailable.Service, "retry after", unavailable.RetryAfter.Round(time.Second))
	}
	// Output:
	// lavalink-1: closed -> open
	// true open 4
	// lavalink-1 retry after 30s
}

// The Redis preset degrades instead of failing: callers get ErrDegraded
// and serve from a cache.
func Example_preset() {
	s := resilience.Redis()
	s.MinimumRequests = 1 // trip at once for the example
	b := resilience.New("redis", s)
	cache := map[string]string{"guild:1:volume": "80"}

	get := func(ctx context.Context, key string) string {
		v, err := resilience.Execute(ctx, b, func(ctx context.Context) (string, error) {
			return "", errUnreachable // Redis is down
		})
		if errors.Is(err, resilience.ErrDegraded) {
			return cache[key]
		}
		return v
	}
	fmt.Println(get(context.Background(), "guild:1:volume"), b.State())
	fmt.Println(get(context.Background(), "guild:1:volume"), b.State())
	// Output:
	// 80 open
	// 80 open
}

func ExampleWithFallback() {
	b := resilience.New("lavalink", resilience.Lavalink())
	search := resilience.WithFallback(b, func(ctx context.Context, err error) ([]string, error) {
		return []string{"(recently played)"}, nil
	})
	tracks, err := search.Execute(context.Background(), func(ctx context.Context) ([]string, error) {
		return nil, errUnreachable
	})
	fmt.Println(tracks, err)
	// Output: [(recently played)] <nil>
}

func ExampleExecute() {
	b := resilience.New("database", resilience.Database())
	n, err := resilience.Execute(context.Background(), b, func(ctx context.Context) (int, error) {
		return 42, nil // e.g. a query honouring ctx's 5 s deadline
	})
	fmt.Println(n, err)
	// Output: 42 <nil>
}

func ExampleRetry() {
	attempts := 0
	err := resilience.Retry(context.Background(), resilience.RetryPolicy{
		MaxAttempts:     5,
		InitialInterval: time.Millisecond,
		OnRetry: func(attempt int, err error, wait time.Duration) {
			fmt.Printf("attempt %d failed: %v\n", attempt, err)
		},
	}, func(ctx context.Context) error {
		attempts++
		if attempts < 3 {
			return errUnreachable
		}
		return nil
	})
	fmt.Println("done after", attempts, "attempts:", err)
	// Output:
	// attempt 1 failed: connection refused
	// attempt 2 failed: connection refused
	// done after 3 attempts: <nil>
}

// An error can carry the delay the server asked for; Retry waits exactly
// that long instead of its backoff.
func ExampleRetryAfter() {
	calls := 0
	_ = resilience.Retry(context.Background(), resilience.RetryPolicy{
		OnRetry: func(_ int, err error, wait time.Duration) { fmt.Println(err, "- waiting", wait) },
	}, func(ctx context.Context) error {
		calls++
		if calls == 1 {
			return resilience.RetryAfter(errors.New("429 too many requests"), 5*time.Millisecond)
		}
		return nil
	})
	// Output: 429 too many requests (retry after 5ms) - waiting 5ms
}

func ExampleParseRetryAfter() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, header := range []string{"120", "Sun, 01 Jun 2025 12:00:30 GMT", "soon"} {
		d, ok := resilience.ParseRetryAfter(header, now)
		fmt.Println(d, ok)
	}
	// Output:
	// 2m0s true
	// 30s true
	// 0s false
}

func ExampleTransport() {
	// A Lavalink node behind a broken proxy.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()

	b := resilience.New("lavalink-1", resilience.Settings{MinimumRequests: 2})
	client := &http.Client{Transport: resilience.Transport(b, srv.Client().Transport)}
	for range 3 {
		resp, err := client.Get(srv.URL + "/v4/info")
		if err != nil {
			fmt.Println("error:", errors.Is(err, resilience.ErrOpen))
			continue
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// 502
	// 502
	// error: true
}
