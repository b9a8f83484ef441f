package fakeclock_test

import (
	"fmt"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
)

// A clock starts where the test says and moves only by hand; code under
// test reads it through the method value clk.Now.
func Example() {
	clk := fakeclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	now := clk.Now // what a WithClock option takes

	start := now()
	clk.Advance(90 * time.Second)
	fmt.Println(now().Sub(start))
	fmt.Println(now().Sub(start)) // no time passes between reads

	clk.Set(start.Add(time.Hour))
	fmt.Println(now().Format(time.TimeOnly))
	// Output:
	// 1m30s
	// 1m30s
	// 13:00:00
}
