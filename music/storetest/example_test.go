package storetest_test

import (
	"fmt"
	"testing"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

// A store's conformance test, in a _test.go file of its package. The
// factory is called once per check and must return empty stores.
func ExampleRun() {
	testConformance := func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Stores {
			s := music.NewMemoryStore() // your store here
			return storetest.Stores{Settings: s, Sessions: s}
		})
	}
	_ = testConformance
}

func ExampleSnapshot() {
	snap := storetest.Snapshot(81384788765712384, 1, 3, 2)
	fmt.Println(snap.State, snap.Current.Info.Title)
	for _, t := range snap.Queue {
		fmt.Printf("%s (stream: %t)\n", t.Info.Title, t.Info.IsStream)
	}
	// Output:
	// paused Quote "this" \ and that #1
	// Tab	and
	// newline #2 (stream: true)
	// Emoji 🎵🔥 and 日本語 #3 (stream: false)
	// مرحبا بالعالم #4 (stream: false)
}
