package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/music"
)

// DefaultPrefix starts every key the store and bus use.
const DefaultPrefix = "tunekit:music:"

// DefaultQueueChannel is the pub/sub channel on which a [Store] announces
// queue changes and a [Bus] listens for them, unless [WithQueueChannel]
// and [WithBusQueueChannel] say otherwise.
const DefaultQueueChannel = DefaultPrefix + "queue"

// Hash fields of a guild's data key.
const (
	fieldSettings = "settings"
	fieldSession  = "session"
	fieldHistory  = "history"
)

var (
	// ErrNilClient is returned by New and NewBus without a client.
	ErrNilClient = errors.New("redisstore: nil Redis client")
	// ErrUnavailable is matched by the error of a call that did not get
	// an answer from Redis: the connection was refused, cut or timed
	// out, or the server said it cannot serve now (loading, read-only,
	// busy, cluster down). The error also wraps go-redis' own. A write
	// whose connection was cut after the request went out may or may not
	// have been applied; [Store.LoadQueue] tells which by the version.
	ErrUnavailable = errors.New("redisstore: Redis unavailable")
)

// Option configures [New].
type Option func(*config)

type config struct {
	prefix  string
	channel string
	now     func() time.Time
}

// WithPrefix sets the prefix of every key. Default: [DefaultPrefix]. Use a
// different one per bot sharing a Redis.
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithQueueChannel sets the pub/sub channel on which every change to a
// queue is announced, in the same script as the change; "" announces
// nothing. Default: [DefaultQueueChannel]. A [Bus] hears it with the same
// [WithBusQueueChannel].
func WithQueueChannel(name string) Option { return func(c *config) { c.channel = name } }

// WithClock sets the clock by which a [music.Lease]'s Expires is
// reckoned. Default: time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Store is a [music.SettingsStore], [music.SessionStore],
// [music.QueueEditor], [music.FencedStore] and [music.Leaser] in Redis.
// It does not own the client: close the client after you stop using the
// store. It is safe for concurrent use.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	channel string
	now     func() time.Time
}

var (
	_ music.SettingsStore = (*Store)(nil)
	_ music.SessionStore  = (*Store)(nil)
	_ music.QueueEditor   = (*Store)(nil)
	_ music.FencedStore   = (*Store)(nil)
	_ music.Leaser        = (*Store)(nil)
)

// New returns a store using c. It does no I/O.
func New(c redis.UniversalClient, opts ...Option) (*Store, error) {
	if c == nil {
		return nil, ErrNilClient
	}
	cfg := config{prefix: DefaultPrefix, channel: DefaultQueueChannel, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &Store{c: c, prefix: cfg.prefix, channel: cfg.channel, now: cfg.now}, nil
}

// Key is the Redis key of the hash holding a guild's settings and session:
// the prefix and the guild ID in braces, for example
// "tunekit:music:{81384788765712384}". The guild's other keys add a
// suffix to it (":queue", ":seq", ":lease"). The braces are a Redis
// Cluster hash tag, so all of them land in the same slot and change
// together in one script.
func (s *Store) Key(guildID snowflake.ID) string {
	b := make([]byte, 0, len(s.prefix)+22)
	b = append(b, s.prefix...)
	b = append(b, '{')
	b = strconv.AppendUint(b, uint64(guildID), 10)
	return string(append(b, '}'))
}

// keys are a guild's keys in the order the scripts take them.
func (s *Store) keys(guildID snowflake.ID) []string {
	k := s.Key(guildID)
	return []string{k, k + ":queue", k + ":seq", k + ":lease"}
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

// wrap reports err, which is not Redis', of op on the guild.
func wrap(op string, id snowflake.ID, err error) error {
	return fmt.Errorf("redisstore: %s guild %v: %w", op, id, err)
}

// about names op on the guild in errors.
func about(op string, id snowflake.ID) string {
	return op + " guild " + strconv.FormatUint(uint64(id), 10)
}

// failed reports err, from a call to Redis, of what: an [ErrUnavailable]
// when Redis did not answer, the context's error as it is, Redis' error
// otherwise.
func failed(what string, err error) error {
	if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && unanswered(err) {
		return &unavailableError{msg: "redisstore: " + what + ": Redis unavailable: " + err.Error(), err: err}
	}
	return fmt.Errorf("redisstore: %s: %w", what, err)
}

// unanswered reports whether err means Redis did not serve the call:
// anything but an error reply, and the replies of a server that cannot
// serve now.
func unanswered(err error) bool {
	var reply redis.Error
	if !errors.As(err, &reply) {
		return true
	}
	for _, p := range [...]string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

type unavailableError struct {
	msg string
	err error
}

func (e *unavailableError) Error() string        { return e.msg }
func (e *unavailableError) Unwrap() error        { return e.err }
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

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
		return music.Settings{}, failed(about("get settings of", guildID), err)
	}
	var st music.Settings
	if err := st.UnmarshalJSON(v); err != nil {
		return music.Settings{}, wrap("get settings of", guildID, err)
	}
	return st, nil
}

// Put implements [music.SettingsStore] with one HSET.
func (s *Store) Put(ctx context.Context, guildID snowflake.ID, st music.Settings) error {
	if err := check(ctx, "put settings of", guildID); err != nil {
		return err
	}
	v, err := st.MarshalJSON()
	if err != nil {
		return wrap("put settings of", guildID, err)
	}
	if err := s.c.HSet(ctx, s.Key(guildID), fieldSettings, v).Err(); err != nil {
		return failed(about("put settings of", guildID), err)
	}
	return nil
}

// PutFenced implements [music.FencedStore]: Put, in one script that first
// checks the token.
func (s *Store) PutFenced(ctx context.Context, guildID snowflake.ID, st music.Settings, token int64) error {
	if err := check(ctx, "put settings of", guildID); err != nil {
		return err
	}
	if token < 0 {
		return wrap("put settings of", guildID, &music.FencedError{Token: token})
	}
	v, err := st.MarshalJSON()
	if err != nil {
		return wrap("put settings of", guildID, err)
	}
	_, err = s.run(ctx, putScript, "put settings of", guildID, s.header(guildID, token, 0, v))
	return err
}

// header returns the arguments every write script starts with.
func (s *Store) header(guildID snowflake.ID, token int64, expect uint64, more ...any) []any {
	args := make([]any, 0, 4+len(more))
	args = append(args, uint64(guildID), s.channel, token, expect)
	return append(args, more...)
}

// run runs a script on the guild's keys and turns a refusal into its
// typed error.
func (s *Store) run(ctx context.Context, script *redis.Script, op string, guildID snowflake.ID, args []any) ([]any, error) {
	reply, err := script.Run(ctx, s.c, s.keys(guildID), args...).Slice()
	if err != nil {
		return nil, failed(about(op, guildID), err)
	}
	if len(reply) == 0 {
		return nil, wrap(op, guildID, errors.New("empty reply from script"))
	}
	switch status, _ := reply[0].(int64); status {
	case stOK:
		return reply, nil
	case stFenced:
		cur, _ := strconv.ParseInt(str(reply, 1), 10, 64)
		return nil, wrap(op, guildID, &music.FencedError{Token: parseInt(args[2]), Current: cur})
	case stConflict:
		cur, _ := strconv.ParseUint(str(reply, 1), 10, 64)
		return nil, wrap(op, guildID, &music.VersionConflictError{Expected: uint64(parseInt(args[3])), Actual: cur})
	case stPosition:
		return nil, wrap(op, guildID, &music.PositionError{Position: num(reply, 2), Len: num(reply, 1)})
	case stLost:
		return nil, wrap(op, guildID, music.ErrLeaseLost)
	default:
		return reply, nil // for the caller to read
	}
}

// str is reply[i] as a string, "" when it is not one.
func str(reply []any, i int) string {
	if i < len(reply) {
		if v, ok := reply[i].(string); ok {
			return v
		}
	}
	return ""
}

// num is reply[i] as an int, from an integer or a decimal string.
func num(reply []any, i int) int {
	if i < len(reply) {
		switch v := reply[i].(type) {
		case int64:
			return int(v)
		case string:
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

func parseInt(a any) int64 {
	switch v := a.(type) {
	case int64:
		return v
	case uint64:
		return int64(v)
	}
	return 0
}

// Save implements [music.SessionStore]: SaveFenced without conditions.
func (s *Store) Save(ctx context.Context, snap music.Snapshot) error {
	_, err := s.SaveFenced(ctx, snap, music.SaveOptions{})
	return err
}

// SaveFenced implements [music.FencedStore]. One script checks the
// token and version, writes the session and history fields and, unless
// o.KeepQueue, replaces the queue list and raises its version, so a
// [Store.Load] sees all of it or none.
func (s *Store) SaveFenced(ctx context.Context, snap music.Snapshot, o music.SaveOptions) (uint64, error) {
	const op = "save session of"
	if err := check(ctx, op, snap.GuildID); err != nil {
		return 0, err
	}
	if o.Token < 0 {
		return 0, wrap(op, snap.GuildID, &music.FencedError{Token: o.Token})
	}
	history, err := encodeLines(snap.History)
	if err != nil {
		return 0, wrap(op, snap.GuildID, err)
	}
	header := snap
	header.Queue, header.History = nil, nil
	hdr, err := header.MarshalJSON()
	if err != nil {
		return 0, wrap(op, snap.GuildID, err)
	}
	keep := "0"
	var elems []any
	if o.KeepQueue {
		keep = "1"
	} else if elems, err = appendElements(nil, snap.Queue); err != nil {
		return 0, wrap(op, snap.GuildID, err)
	}
	args := s.header(snap.GuildID, o.Token, o.ExpectVersion, keep, hdr, history)
	reply, err := s.run(ctx, saveScript, op, snap.GuildID, append(args, elems...))
	if err != nil {
		return 0, err
	}
	return parseVersion(op, snap.GuildID, reply, 1)
}

func parseVersion(op string, id snowflake.ID, reply []any, i int) (uint64, error) {
	v, err := strconv.ParseUint(str(reply, i), 10, 64)
	if err != nil {
		return 0, wrap(op, id, fmt.Errorf("version %q in the reply: %w", str(reply, i), err))
	}
	return v, nil
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

// Load implements [music.SessionStore]. It reads the session and history
// fields and the queue list in one MULTI, so it sees one Save whole, and
// checks the header's schema version before decoding the tracks.
func (s *Store) Load(ctx context.Context, guildID snowflake.ID) (music.Snapshot, error) {
	const op = "load session of"
	if err := check(ctx, op, guildID); err != nil {
		return music.Snapshot{}, err
	}
	keys := s.keys(guildID)
	var (
		fields *redis.SliceCmd
		queue  *redis.StringSliceCmd
	)
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		fields = p.HMGet(ctx, keys[0], fieldSession, fieldHistory)
		queue = p.LRange(ctx, keys[1], 0, -1)
		return nil
	})
	if err != nil {
		return music.Snapshot{}, failed(about(op, guildID), err)
	}
	vals := fields.Val()
	hdr, ok := vals[0].(string)
	if !ok {
		return music.Snapshot{}, music.ErrSnapshotNotFound
	}
	var snap music.Snapshot
	if err := snap.UnmarshalJSON([]byte(hdr)); err != nil {
		return music.Snapshot{}, wrap(op, guildID, err)
	}
	if snap.Queue, err = decodeElements(queue.Val()); err != nil {
		return music.Snapshot{}, wrap("load queue of", guildID, err)
	}
	h, _ := vals[1].(string)
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

// Delete implements [music.SessionStore]: DeleteFenced without a token.
func (s *Store) Delete(ctx context.Context, guildID snowflake.ID) error {
	return s.DeleteFenced(ctx, guildID, 0)
}

// DeleteFenced implements [music.FencedStore]. One script removes the
// session and history fields and the queue list; the settings, the
// counters and the lease stay. Deleting a queue raises its version.
func (s *Store) DeleteFenced(ctx context.Context, guildID snowflake.ID, token int64) error {
	const op = "delete session of"
	if err := check(ctx, op, guildID); err != nil {
		return err
	}
	if token < 0 {
		return wrap(op, guildID, &music.FencedError{Token: token})
	}
	_, err := s.run(ctx, deleteScript, op, guildID, s.header(guildID, token, 0))
	return err
}
