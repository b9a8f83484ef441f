package logtest_test

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/tunekit/tunekit/internal/logtest"
)

func Example() {
	var out logtest.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { log.Info("played", "n", i) })
	}
	wg.Wait()
	fmt.Println(strings.Count(out.String(), "msg=played"))
	// Output: 3
}
