package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/disgoorg/snowflake/v2"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/tunekit/tunekit/music"
)

// formatVersion is the layout of the file (buckets and key encoding), not
// the schema of the snapshots in it, which music.SnapshotVersion tracks.
const formatVersion = 1

var (
	bucketSettings = []byte("settings")
	bucketSessions = []byte("sessions")
	bucketMeta     = []byte("meta")
	keyFormat      = []byte("format")
)

var (
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("boltstore: store closed")
	// ErrUnsupportedFormat is matched by Open's error for a file whose
	// layout is newer than this package understands, or that is not a
	// boltstore file.
	ErrUnsupportedFormat = errors.New("boltstore: unsupported file format")
)

// DefaultLockTimeout is how long Open waits for another process to release
// the file.
const DefaultLockTimeout = time.Second

// Option configures [Open].
type Option func(*config)

type config struct {
	lockTimeout time.Duration
	mode        os.FileMode
}

// WithLockTimeout sets how long Open waits for the file lock held by
// another process. Default: [DefaultLockTimeout]. d ≤ 0 fails at once.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) { c.lockTimeout = d }
}

// WithFileMode sets the permissions of a file Open creates. Default: 0600,
// as the file holds the bot's state and nothing else should read it.
func WithFileMode(m os.FileMode) Option {
	return func(c *config) { c.mode = m }
}

// Store is a [music.SettingsStore] and [music.SessionStore] in one bbolt
// file. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens the store in the file at path, creating it (and nothing
// else: the directory must exist) when missing.
func Open(path string, opts ...Option) (*Store, error) {
	c := config{lockTimeout: DefaultLockTimeout, mode: 0o600}
	for _, o := range opts {
		o(&c)
	}
	timeout := c.lockTimeout
	if timeout <= 0 {
		timeout = time.Nanosecond // bbolt waits forever on 0
	}
	db, err := bolt.Open(path, c.mode, &bolt.Options{
		Timeout:      timeout,
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: locked by another process (waited %v)", path, c.lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if err := db.Update(initFile); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

func initFile(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	switch v := meta.Get(keyFormat); {
	case v == nil:
		if tx.Bucket(bucketSettings) != nil || tx.Bucket(bucketSessions) != nil {
			return fmt.Errorf("%w: buckets without a format version", ErrUnsupportedFormat)
		}
		if err := meta.Put(keyFormat, []byte(strconv.Itoa(formatVersion))); err != nil {
			return err
		}
	default:
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 1 || n > formatVersion {
			return fmt.Errorf("%w: layout %.16q, this package reads %d", ErrUnsupportedFormat, v, formatVersion)
		}
	}
	for _, name := range [][]byte{bucketSettings, bucketSessions} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// Path is the file the store is in.
func (s *Store) Path() string { return s.path }

// Close closes the file, waiting for transactions in progress. Calling it
// again returns nil.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close %s: %w", s.path, err)
	}
	return nil
}

func key(id snowflake.ID) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(id))
}

// wrap turns bbolt's closed-database error into ErrClosed and names the
// operation.
func wrap(op string, id snowflake.ID, err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	if id == 0 {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	return fmt.Errorf("boltstore: %s guild %v: %w", op, id, err)
}

func check(ctx context.Context, op string, id snowflake.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if id == 0 {
		return fmt.Errorf("boltstore: %s guild 0: %w", op, music.ErrInvalidID)
	}
	return nil
}

// Get implements [music.SettingsStore].
func (s *Store) Get(ctx context.Context, guildID snowflake.ID) (music.Settings, error) {
	if err := check(ctx, "get settings of", guildID); err != nil {
		return music.Settings{}, err
	}
	var st music.Settings
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSettings).Get(key(guildID))
		if v == nil {
			return nil
		}
		return st.UnmarshalJSON(v)
	})
	if err != nil {
		return music.Settings{}, wrap("get settings of", guildID, err)
	}
	return st, nil
}

// Put implements [music.SettingsStore].
func (s *Store) Put(ctx context.Context, guildID snowflake.ID, st music.Settings) error {
	if err := check(ctx, "put settings of", guildID); err != nil {
		return err
	}
	v, err := st.MarshalJSON()
	if err != nil {
		return wrap("put settings of", guildID, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put(key(guildID), v)
	})
	if err != nil {
		return wrap("put settings of", guildID, err)
	}
	return nil
}

// Save implements [music.SessionStore].
func (s *Store) Save(ctx context.Context, snap music.Snapshot) error {
	if err := check(ctx, "save session of", snap.GuildID); err != nil {
		return err
	}
	v, err := snap.MarshalJSON()
	if err != nil {
		return wrap("save session of", snap.GuildID, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Put(key(snap.GuildID), v)
	})
	if err != nil {
		return wrap("save session of", snap.GuildID, err)
	}
	return nil
}

// Load implements [music.SessionStore].
func (s *Store) Load(ctx context.Context, guildID snowflake.ID) (music.Snapshot, error) {
	if err := check(ctx, "load session of", guildID); err != nil {
		return music.Snapshot{}, err
	}
	var snap music.Snapshot
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get(key(guildID))
		if v == nil {
			return music.ErrSnapshotNotFound
		}
		return snap.UnmarshalJSON(v) // copies what it keeps out of v
	})
	if errors.Is(err, music.ErrSnapshotNotFound) {
		return music.Snapshot{}, music.ErrSnapshotNotFound
	}
	if err != nil {
		return music.Snapshot{}, wrap("load session of", guildID, err)
	}
	return snap, nil
}

// Delete implements [music.SessionStore].
func (s *Store) Delete(ctx context.Context, guildID snowflake.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete(key(guildID))
	})
	if err != nil {
		return wrap("delete session of", guildID, err)
	}
	return nil
}

// List implements [music.SessionStore].
func (s *Store) List(ctx context.Context) ([]snowflake.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ids []snowflake.ID
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				ids = append(ids, snowflake.ID(binary.BigEndian.Uint64(k)))
			}
			return nil
		})
	})
	if err != nil {
		return nil, wrap("list sessions", 0, err)
	}
	return ids, nil
}
