package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/music"
)

// DefaultPrefix starts every key the store and bus use.
const DefaultPrefix = "tunekit:music:"

// Hash fields of a guild's key.
const (
	fieldSettings = "settings"
	fieldSession  = "session"
	fieldQueue    = "queue"
	fieldHistory  = "history"
)

// ErrNilClient is returned by New and NewBus without a client.
var ErrNilClient = errors.New("redisstore: nil Redis client")

// Option configures [New].
type Option func(*config)

type config struct{ prefix string }

// WithPrefix sets the prefix of every key. Default: [DefaultPrefix]. Use a
// different one per bot sharing a Redis.
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// Store is a [music.SettingsStore] and [music.SessionStore] in Redis. It
// does not own the client: close the client after you stop using the
// store. It is safe for concurrent use.
type Store struct {
	c      redis.UniversalClient
	prefix string
}

// New returns a store using c. It does no I/O.
func New(c redis.UniversalClient, opts ...Option) (*Store, error) {
	if c == nil {
		return nil, ErrNilClient
	}
	cfg := config{prefix: DefaultPrefix}
	for _, o := range opts {
		o(&cfg)
	}
	return &Store{c: c, prefix: cfg.prefix}, nil
}

// Key is the Redis key holding a guild's data: the prefix and the guild ID
// in braces, for example "tunekit:music:{81384788765712384}". The braces are
// a Redis Cluster hash tag, so every key a future version adds for the
// guild lands in the same slot and can change atomically with this one.
func (s *Store) Key(guildID snowflake.ID) string {
	b := make([]byte, 0, len(s.prefix)+22)
	b = append(b, s.prefix...)
	b = append(b, '{')
	b = strconv.AppendUint(b, uint64(guildID), 10)
	return string(append(b, '}'))
}

func check(ctx context.Context, op string, id snowflake.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if id == 0 {
		return fmt.Errorf("redisstore: %s guild 0: %w", op, music.ErrInvalidID)
	}
	return nil
}

func wrap(op string, id snowflake.ID, err error) error {
	return fmt.Errorf("redisstore: %s guild %v: %w", op, id, err)
}

// Get implements [music.SettingsStore].
func (s *Store) Get(ctx context.Context, guildID snowflake.ID) (music.Settings, error) {
	if err := check(ctx, "get settings of", guildID); err != nil {
		return music.Settings{}, err
	}
	v, err := s.c.HGet(ctx, s.Key(guildID), fieldSettings).Bytes()
	if errors.Is(err, redis.Nil) {
		return music.Settings{}, nil
	}
	if err != nil {
		return music.Settings{}, wrap("get settings of", guildID, err)
	}
	var st music.Settings
	if err := st.UnmarshalJSON(v); err != nil {
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
	if err := s.c.HSet(ctx, s.Key(guildID), fieldSettings, v).Err(); err != nil {
		return wrap("put settings of", guildID, err)
	}
	return nil
}

// Save implements [music.SessionStore]: one HSET of the session, queue and
// history fields, which Redis applies atomically.
func (s *Store) Save(ctx context.Context, snap music.Snapshot) error {
	if err := check(ctx, "save session of", snap.GuildID); err != nil {
		return err
	}
	queue, err := encodeLines(snap.Queue)
	if err != nil {
		return wrap("save session of", snap.GuildID, err)
	}
	history, err := encodeLines(snap.History)
	if err != nil {
		return wrap("save session of", snap.GuildID, err)
	}
	header := snap
	header.Queue, header.History = nil, nil
	hdr, err := header.MarshalJSON()
	if err != nil {
		return wrap("save session of", snap.GuildID, err)
	}
	err = s.c.HSet(ctx, s.Key(snap.GuildID), fieldSession, hdr, fieldQueue, queue, fieldHistory, history).Err()
	if err != nil {
		return wrap("save session of", snap.GuildID, err)
	}
	return nil
}

// encodeLines writes tracks as JSON objects separated by newlines; an
// empty list is the empty string.
func encodeLines(ts []music.Track) ([]byte, error) {
	var b []byte
	for i := range ts {
		line, err := ts[i].MarshalJSON()
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, line...)
	}
	return b, nil
}

// Load implements [music.SessionStore]. It reads the three fields in one
// HMGET, so it sees one Save whole, and checks the header's schema version
// before decoding the tracks.
func (s *Store) Load(ctx context.Context, guildID snowflake.ID) (music.Snapshot, error) {
	if err := check(ctx, "load session of", guildID); err != nil {
		return music.Snapshot{}, err
	}
	vals, err := s.c.HMGet(ctx, s.Key(guildID), fieldSession, fieldQueue, fieldHistory).Result()
	if err != nil {
		return music.Snapshot{}, wrap("load session of", guildID, err)
	}
	hdr, ok := vals[0].(string)
	if !ok {
		return music.Snapshot{}, music.ErrSnapshotNotFound
	}
	var snap music.Snapshot
	if err := snap.UnmarshalJSON([]byte(hdr)); err != nil {
		return music.Snapshot{}, wrap("load session of", guildID, err)
	}
	q, _ := vals[1].(string)
	if snap.Queue, err = decodeLines(q); err != nil {
		return music.Snapshot{}, wrap("load queue of", guildID, err)
	}
	h, _ := vals[2].(string)
	if snap.History, err = decodeLines(h); err != nil {
		return music.Snapshot{}, wrap("load history of", guildID, err)
	}
	return snap, nil
}

func decodeLines(s string) ([]music.Track, error) {
	if s == "" {
		return nil, nil
	}
	data := []byte(s)
	ts := make([]music.Track, 0, bytes.Count(data, []byte{'\n'})+1)
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		var t music.Track
		if err := t.UnmarshalJSON(line); err != nil {
			return nil, fmt.Errorf("track %d: %v: %w", len(ts)+1, err, music.ErrInvalidSnapshot)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// Delete implements [music.SessionStore]. The guild's settings stay; when
// there are none the key disappears.
func (s *Store) Delete(ctx context.Context, guildID snowflake.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.c.HDel(ctx, s.Key(guildID), fieldSession, fieldQueue, fieldHistory).Err(); err != nil {
		return wrap("delete session of", guildID, err)
	}
	return nil
}

// List implements [music.SessionStore]. It SCANs the keys with the
// store's prefix (on every master of a cluster, every shard of a ring) and
// keeps those holding a session, so its cost grows with the number of keys
// with the prefix. The player calls it once, at start.
func (s *Store) List(ctx context.Context) ([]snowflake.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		mu  sync.Mutex
		ids []snowflake.ID
	)
	scan := func(ctx context.Context, c redis.Cmdable) error {
		found, err := s.scan(ctx, c)
		mu.Lock()
		ids = append(ids, found...)
		mu.Unlock()
		return err
	}
	var err error
	switch c := s.c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	case *redis.Ring:
		err = c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	default:
		err = scan(ctx, c)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: list sessions: %w", err)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil // SCAN may return a key twice
}

// scanCount is the COUNT hint of each SCAN call.
const scanCount = 1000

func (s *Store) scan(ctx context.Context, c redis.Cmdable) ([]snowflake.ID, error) {
	pattern := escapeGlob(s.prefix) + "{*}"
	var (
		ids    []snowflake.ID
		cursor uint64
	)
	for {
		keys, next, err := c.Scan(ctx, cursor, pattern, scanCount).Result()
		if err != nil {
			return ids, err
		}
		found, err := s.withSession(ctx, c, keys)
		if err != nil {
			return ids, err
		}
		ids = append(ids, found...)
		if cursor = next; cursor == 0 {
			return ids, nil
		}
	}
}

// withSession returns the guilds among keys that have a session field.
func (s *Store) withSession(ctx context.Context, c redis.Cmdable, keys []string) ([]snowflake.ID, error) {
	type cand struct {
		id  snowflake.ID
		cmd *redis.BoolCmd
	}
	cands := make([]cand, 0, len(keys))
	pipe := c.Pipeline()
	for _, k := range keys {
		inner, ok := strings.CutPrefix(k, s.prefix+"{")
		inner, ok2 := strings.CutSuffix(inner, "}")
		if !ok || !ok2 {
			continue
		}
		id, err := music.ParseID(inner)
		if err != nil {
			continue // not a guild key of ours
		}
		cands = append(cands, cand{id, pipe.HExists(ctx, k, fieldSession)})
	}
	if len(cands) == 0 {
		return nil, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		// A key of another type under our prefix answers WRONGTYPE; it is
		// not a session, so look at the commands one by one.
		if !isWrongType(err) {
			return nil, err
		}
	}
	var ids []snowflake.ID
	for _, c := range cands {
		if ok, err := c.cmd.Result(); err == nil && ok {
			ids = append(ids, c.id)
		}
	}
	return ids, nil
}

func isWrongType(err error) bool {
	return strings.HasPrefix(err.Error(), "WRONGTYPE")
}

// escapeGlob escapes the characters Redis' glob-style MATCH treats
// specially.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
