package lavalinktest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a node, or a client the tests drive against
// it, leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
