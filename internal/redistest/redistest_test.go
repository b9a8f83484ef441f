package redistest_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
)

func TestStartStopRestart(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v, nil", got, err)
	}

	srv.Stop()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING after Stop succeeded; want an error")
	}
	srv.Stop() // idempotent

	srv.Restart()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Restart: %v", err)
	}
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS k after Restart = %d, %v; want 0 (no persistence)", n, err)
	}
}

func TestRunAndClose(t *testing.T) {
	if os.Getenv("TUNEKIT_REDIS_ADDR") != "" {
		t.Skip("checks a server redistest starts; TUNEKIT_REDIS_ADDR is set")
	}
	requireBinary(t)
	ctx := context.Background()
	srv, err := redistest.Run()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	c := srv.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	srv.Restart()
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS k after Restart = %d, %v; want 0", n, err)
	}
	srv.Close()
	if err := c.Ping(ctx).Err(); !errors.Is(err, redis.ErrClosed) {
		t.Errorf("PING on a Client after Close = %v, want redis.ErrClosed", err)
	}
	other := srv.NewClient()
	defer other.Close()
	if err := other.Ping(ctx).Err(); err == nil {
		t.Error("PING after Close succeeded; want the server gone")
	}
	srv.Close() // idempotent
}

func TestRunWithoutRedisServer(t *testing.T) {
	t.Setenv("TUNEKIT_REDIS_ADDR", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := redistest.Run(); !errors.Is(err, redistest.ErrNotFound) {
		t.Fatalf("Run without redis-server = %v, want ErrNotFound", err)
	}
	t.Setenv("TUNEKIT_REQUIRE_REDIS", "")
	if !skipped(t, func(t *testing.T) { redistest.Start(t) }) {
		t.Error("Start without redis-server did not skip the test")
	}
}

func TestExternalServer(t *testing.T) {
	if os.Getenv("TUNEKIT_REDIS_ADDR") == "" {
		requireBinary(t)
	}
	ctx := context.Background()
	backing := redistest.Start(t)
	seed := backing.Client()
	if err := seed.Do(ctx, "SELECT", 3).Err(); err != nil {
		t.Fatal(err)
	}

	t.Setenv("TUNEKIT_REDIS_ADDR", backing.Addr())
	t.Setenv("TUNEKIT_REDIS_DB", "3")
	srv := redistest.Start(t)
	if srv.Addr() != backing.Addr() || srv.DB() != 3 {
		t.Fatalf("external server = %s db %d, want %s db 3", srv.Addr(), srv.DB(), backing.Addr())
	}
	c := srv.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	// The next test's server starts with the database flushed.
	if _, err := redistest.Run(); err != nil {
		t.Fatalf("Run on an external server: %v", err)
	}
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Errorf("EXISTS k after a new external server = %d, %v; want 0 (flushed)", n, err)
	}
	for _, method := range []string{"Stop", "Restart"} {
		if !skipped(t, func(t *testing.T) {
			s := redistest.Start(t)
			if method == "Stop" {
				s.Stop()
			} else {
				s.Restart()
			}
		}) {
			t.Errorf("%s on an external server did not skip the test", method)
		}
	}

	run, err := redistest.Run()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	defer run.Close()
	for name, f := range map[string]func(){"Stop": run.Stop, "Restart": run.Restart} {
		if !panics(f) {
			t.Errorf("%s on an external server from Run did not panic", name)
		}
	}

	t.Setenv("TUNEKIT_REDIS_DB", "three")
	if _, err := redistest.Run(); err == nil || !strings.Contains(err.Error(), "TUNEKIT_REDIS_DB") {
		t.Errorf("Run with TUNEKIT_REDIS_DB=three = %v, want an error naming the variable", err)
	}
}

// requireBinary skips t when redis-server is missing and not required.
func requireBinary(t *testing.T) {
	t.Helper()
	redistest.Start(t).Close()
}

// skipped reports whether f skipped the subtest it ran in.
func skipped(t *testing.T, f func(t *testing.T)) bool {
	t.Helper()
	var was bool
	t.Run("sub", func(t *testing.T) {
		defer func() { was = t.Skipped() }()
		f(t)
	})
	return was
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}
