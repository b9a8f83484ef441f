package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/boltstore"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "tunekit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tunekit.db")
	ctx := context.Background()

	store, err := boltstore.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	settings, _ := music.Settings{}.WithVolume(70)
	_ = store.Put(ctx, 81384788765712384, settings)

	now := time.Date(2025, 1, 1, 20, 0, 0, 0, time.UTC)
	session, _ := music.NewSession(81384788765712384, now)
	_ = session.Connect(100, 200, now)
	session.Start(music.Track{Encoded: "QAAA…", Info: music.TrackInfo{Title: "First", Length: time.Minute}}, now)
	_ = store.Save(ctx, session.Snapshot())
	_ = store.Close()

	// The bot restarts.
	store, _ = boltstore.Open(path)
	defer store.Close()
	ids, _ := store.List(ctx)
	snap, _ := store.Load(ctx, ids[0])
	got, _ := store.Get(ctx, ids[0])
	fmt.Println(ids, snap.State, snap.Current.Info.Title, got.Volume())
	// Output:
	// [81384788765712384] playing First 70
}
