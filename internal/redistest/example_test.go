package redistest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
)

// A test takes a server of its own with Start; Stop and Restart simulate
// an outage. This example shows the calls a test makes, so it is compiled
// but not run.
func ExampleStart() {
	var t *testing.T // the test's *testing.T

	srv := redistest.Start(t) // skipped or failed when there is no redis-server
	c := srv.Client()         // closed when the test ends
	ctx := t.Context()

	c.Set(ctx, "queue:{42}", "lofi", 0)
	srv.Stop()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Error("PING while Redis is down succeeded")
	}
	srv.Restart() // same address, empty data
}

// Run gives a server to code without a testing.TB, such as TestMain or
// this example; the caller closes it.
func ExampleRun() {
	srv, err := redistest.Run()
	if err != nil {
		fmt.Println(err) // redis-server is not installed
		return
	}
	defer srv.Close()

	ctx := context.Background()
	c := srv.Client() // closed by srv.Close
	if err := c.Set(ctx, "queue:{42}", "lofi", 0).Err(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Get(ctx, "queue:{42}").Val())
	_, err = c.Get(ctx, "queue:{43}").Result()
	fmt.Println(errors.Is(err, redis.Nil))
	// Output:
	// lofi
	// true
}
