package disgobot_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must stop what it started: the Bot's goroutines, the
// Manager's, the client's, the stand-in Discord's and the node's. The one
// exception is disgo's own: its REST rate limiter starts a cleanup
// goroutine that nothing stops (disgo v0.19.6).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/disgoorg/disgo/rest.(*rateLimiterImpl).cleanup"))
}
