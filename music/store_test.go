package music_test

import (
	"testing"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

var (
	_ music.SettingsStore = (*music.MemoryStore)(nil)
	_ music.SessionStore  = (*music.MemoryStore)(nil)
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := music.NewMemoryStore()
		return storetest.Stores{Settings: s, Sessions: s}
	})
}

func BenchmarkMemoryStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) storetest.Stores {
		s := music.NewMemoryStore()
		return storetest.Stores{Settings: s, Sessions: s}
	})
}
