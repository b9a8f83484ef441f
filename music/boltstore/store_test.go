package boltstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/boltstore"
	"github.com/tunekit/tunekit/music/storetest"
)

var (
	_ music.SettingsStore = (*boltstore.Store)(nil)
	_ music.SessionStore  = (*boltstore.Store)(nil)
)

func open(t testing.TB, path string, opts ...boltstore.Option) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := open(t, filepath.Join(t.TempDir(), "tunekit.db"))
		return storetest.Stores{Settings: s, Sessions: s}
	})
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) storetest.Stores {
		s := open(b, filepath.Join(b.TempDir(), "tunekit.db"))
		return storetest.Stores{Settings: s, Sessions: s}
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "tunekit.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	want := storetest.Snapshot(42, 7, 100, 10)
	if err := s.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, 42, storetest.Settings(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}

	s = open(t, path)
	got, err := s.Load(ctx, 42)
	if err != nil || !got.Equal(want) {
		t.Errorf("Load after reopen = %v; want the saved snapshot", err)
	}
	if st, err := s.Get(ctx, 42); err != nil || st != storetest.Settings(3) {
		t.Errorf("Get after reopen = %v, %v; want %v", st, err, storetest.Settings(3))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %v, want 0600", perm)
	}
}

func TestClosed(t *testing.T) {
	ctx := t.Context()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "tunekit.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{
		"Save":   s.Save(ctx, storetest.Snapshot(1, 1, 1, 1)),
		"Put":    s.Put(ctx, 1, music.Settings{}),
		"Delete": s.Delete(ctx, 1),
	}
	_, calls["Load"] = s.Load(ctx, 1)
	_, calls["Get"] = s.Get(ctx, 1)
	_, calls["List"] = s.List(ctx)
	for name, err := range calls {
		if !errors.Is(err, boltstore.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func TestLockedByAnotherHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tunekit.db")
	open(t, path)
	// bbolt's flock is per open file description, so a second Open in the
	// same process contends like another process would.
	_, err := boltstore.Open(path, boltstore.WithLockTimeout(0))
	if err == nil || !strings.Contains(err.Error(), "locked by another process") || !strings.Contains(err.Error(), path) {
		t.Errorf("second Open = %v; want an error saying %s is locked", err, path)
	}
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tunekit.db")
	open(t, path, boltstore.WithFileMode(0o640))
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o640 {
		t.Errorf("file mode = %v, want 0640", perm)
	}
}

func TestUnsupportedFormat(t *testing.T) {
	cases := map[string]func(*bolt.Tx) error{
		"newer layout": func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("meta"))
			if err != nil {
				return err
			}
			return b.Put([]byte("format"), []byte("2"))
		},
		"garbage layout": func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("meta"))
			if err != nil {
				return err
			}
			return b.Put([]byte("format"), []byte("x"))
		},
		"foreign bolt file": func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket([]byte("sessions"))
			return err
		},
	}
	for name, prepare := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tunekit.db")
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(prepare); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s, err := boltstore.Open(path)
			if !errors.Is(err, boltstore.ErrUnsupportedFormat) {
				if s != nil {
					_ = s.Close()
				}
				t.Errorf("Open = %v, want ErrUnsupportedFormat", err)
			}
		})
	}
}

func TestNotABoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tunekit.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := boltstore.Open(path); err == nil {
		_ = s.Close()
		t.Error("Open(text file) succeeded; want an error")
	}
	if _, err := boltstore.Open(filepath.Join(t.TempDir(), "missing-dir", "tunekit.db")); err == nil {
		t.Error("Open in a missing directory succeeded; want an error")
	}
}

// TestCorruptValue checks that a value that is not a snapshot (as a bug or a
// foreign writer could leave) is an error from Load, not a panic or a
// silent empty snapshot, and that settings that fail validation are
// reported the same way.
func TestCorruptValue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tunekit.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte{0, 0, 0, 0, 0, 0, 0, 9}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte("sessions")).Put(key, []byte(`{"version":1,"guildId":`)); err != nil {
			return err
		}
		return tx.Bucket([]byte("settings")).Put(key, []byte(`{"volume":900}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	if _, err := s.Load(ctx, 9); !errors.Is(err, music.ErrInvalidSnapshot) {
		t.Errorf("Load(truncated value) = %v, want ErrInvalidSnapshot", err)
	}
	if _, err := s.Get(ctx, 9); !errors.Is(err, music.ErrInvalidSetting) {
		t.Errorf("Get(volume 900) = %v, want ErrInvalidSetting", err)
	}
}
