package music

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// This file holds what the player needs from a store shared by several
// bot processes: a queue edited in place by single atomic operations
// ([QueueEditor]), a lease per guild so one process at a time drives it
// ([Leaser]), and writes fenced by the lease's token ([FencedStore]).

// Errors of shared stores.
var (
	// ErrFenced is matched by a [*FencedError]: a write carried the
	// fencing token of a lease that is no longer the guild's newest.
	ErrFenced = errors.New("music: write fenced off by a newer lease")
	// ErrVersionConflict is matched by a [*VersionConflictError]: the
	// queue changed since the version the edit expected.
	ErrVersionConflict = errors.New("music: queue changed since the expected version")
	// ErrLeaseHeld is matched by a [*LeaseHeldError]: another owner holds
	// the guild's lease.
	ErrLeaseHeld = errors.New("music: guild leased by another owner")
	// ErrLeaseLost is returned when renewing or releasing a lease that
	// another owner has acquired since.
	ErrLeaseLost = errors.New("music: lease lost to another owner")
	// ErrInvalidEdit is matched by the error of a [QueueEdit] that is
	// malformed whatever the queue holds: an unknown operation, no tracks
	// to add, a negative cap or token.
	ErrInvalidEdit = errors.New("music: invalid queue edit")
	// ErrInvalidLease is matched by the error of a lease request with no
	// owner, an owner over [MaxOwnerLength] bytes, or a time to live
	// under a millisecond.
	ErrInvalidLease = errors.New("music: invalid lease request")
)

// FencedError is returned for a write whose fencing token is not the
// guild's newest: another process has acquired the guild since (or,
// with Current 0, none ever did). The write changed nothing. It matches
// [ErrFenced].
type FencedError struct {
	Token   int64 // the token the write carried
	Current int64 // the guild's newest token; 0 when there is none
}

// Error implements the error interface.
func (e *FencedError) Error() string {
	return fmt.Sprintf("music: write with fencing token %d refused: the guild's newest token is %d", e.Token, e.Current)
}

// Is reports whether target is [ErrFenced].
func (e *FencedError) Is(target error) bool { return target == ErrFenced }

// VersionConflictError is returned for an edit or save whose
// ExpectVersion is not the queue's version. It changed nothing. It
// matches [ErrVersionConflict].
type VersionConflictError struct {
	Expected uint64 // the version the caller expected
	Actual   uint64 // the queue's version
}

// Error implements the error interface.
func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("music: queue is at version %d, not the expected %d", e.Actual, e.Expected)
}

// Is reports whether target is [ErrVersionConflict].
func (e *VersionConflictError) Is(target error) bool { return target == ErrVersionConflict }

// LeaseHeldError is returned by [Leaser.Acquire] while another owner
// holds the lease. It matches [ErrLeaseHeld].
type LeaseHeldError struct {
	Owner string // the holder
	// ExpiresIn is how long the lease has left unless its holder renews
	// it.
	ExpiresIn time.Duration
}

// Error implements the error interface.
func (e *LeaseHeldError) Error() string {
	return "music: guild leased by " + strconv.Quote(e.Owner) + " for " + e.ExpiresIn.String()
}

// Is reports whether target is [ErrLeaseHeld].
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }

// MaxOwnerLength is the longest owner name a lease takes, in bytes.
const MaxOwnerLength = 256

// Lease is one owner's exclusive right to drive a guild until Expires,
// unless renewed.
type Lease struct {
	Guild snowflake.ID
	// Owner names the holder: one per bot process, unique among all of
	// them (a host name and process ID, say, plus a random suffix).
	Owner string
	// Token is the fencing token: it grows with every lease of the guild
	// and is passed to every write made under this lease.
	Token int64
	// Expires is when the lease ends by the holder's clock. It is
	// reckoned from before the request was sent, so it is never later
	// than the store's own expiry.
	Expires time.Time
}

// Held reports whether the lease is still within its time at now.
func (l Lease) Held(now time.Time) bool { return now.Before(l.Expires) }

// CheckLeaseRequest returns an error matching [ErrInvalidLease] for an
// empty owner, one over [MaxOwnerLength] bytes, or a time to live under a
// millisecond, the finest a store must keep.
func CheckLeaseRequest(owner string, ttl time.Duration) error {
	switch {
	case owner == "":
		return fmt.Errorf("%w: empty owner", ErrInvalidLease)
	case len(owner) > MaxOwnerLength:
		return fmt.Errorf("%w: owner is %d bytes, over %d", ErrInvalidLease, len(owner), MaxOwnerLength)
	case ttl < time.Millisecond:
		return fmt.Errorf("%w: time to live %v is under 1ms", ErrInvalidLease, ttl)
	}
	return nil
}

// Leaser grants each guild to one owner at a time, so that of several
// bot processes sharing a store exactly one drives each guild's player.
//
// A lease alone cannot keep two processes apart: the holder may stall (a
// garbage-collection pause, a stopped container, a slow network) past
// its expiry while another takes over, then wake and write as if it
// still owned the guild. So every lease carries a fencing token that is
// larger than any token of the guild before it, the holder passes it with
// each write ([FencedStore], [QueueEdit.Token]), and the store refuses,
// in the same atomic step as the write, any token that is not the
// guild's newest ([*FencedError]). A woken holder's writes then fail and
// tell it to stop, whatever its clock says. Expiry only decides when
// another process may take over; the token decides whose writes count.
//
// Implementations must be safe for concurrent use by many processes and
// give out tokens that only grow.
type Leaser interface {
	// Acquire grants the guild to owner for ttl with a new token, or
	// returns a [*LeaseHeldError] while another owner holds it. When
	// owner already holds it, Acquire extends it and returns it with the
	// same token, so a retried Acquire is harmless.
	Acquire(ctx context.Context, guildID snowflake.ID, owner string, ttl time.Duration) (Lease, error)
	// Renew extends the lease to ttl from now and returns it with its new
	// expiry. It fails with [ErrLeaseLost] once another owner has
	// acquired the guild; a lease that expired with nobody taking over is
	// renewed with its token.
	Renew(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// Release gives the lease up so another owner need not wait for it
	// to expire. It fails with [ErrLeaseLost] when another owner has
	// acquired the guild since; releasing an expired lease nobody took is
	// not an error.
	Release(ctx context.Context, l Lease) error
}

// SaveOptions are the conditions and mode of [FencedStore.SaveFenced].
type SaveOptions struct {
	// Token is the writer's fencing token ([Lease.Token]); 0 writes
	// without fencing.
	Token int64
	// ExpectVersion, when not 0, refuses the save with a
	// [*VersionConflictError] unless the queue is at this version.
	ExpectVersion uint64
	// KeepQueue stores everything but the queue, which stays as it is
	// along with its version; the snapshot's Queue is ignored. A player
	// that keeps its queue with [QueueEditor.EditQueue] saves this way,
	// so a save never undoes another process's edit.
	KeepQueue bool
}

// FencedStore is a [SessionStore] and [SettingsStore] whose writes can be
// fenced by a lease's token: a write whose token is not the guild's
// newest ([Leaser]) changes nothing and returns a [*FencedError]. Token 0
// writes without fencing, as Save, Put and Delete do; a process that
// owns guilds through leases passes its token on every write.
type FencedStore interface {
	// SaveFenced stores the snapshot as [SessionStore.Save] does, under
	// the conditions of o, and returns the queue's version after it.
	// Unless o.KeepQueue, the stored queue is replaced and its version
	// grows.
	SaveFenced(ctx context.Context, s Snapshot, o SaveOptions) (version uint64, err error)
	// PutFenced stores settings as [SettingsStore.Put] does.
	PutFenced(ctx context.Context, guildID snowflake.ID, s Settings, token int64) error
	// DeleteFenced removes the session as [SessionStore.Delete] does,
	// queue included.
	DeleteFenced(ctx context.Context, guildID snowflake.ID, token int64) error
}

// QueueOp is the operation of a [QueueEdit].
type QueueOp uint8

// Queue operations. Positions are 1-based, as in [Queue].
const (
	// QueueAdd appends Tracks.
	QueueAdd QueueOp = iota + 1
	// QueueInsert puts Tracks at Position, from 1 (next) to the length
	// plus 1 (the end), in order.
	QueueInsert
	// QueueRemove takes out the track at Position.
	QueueRemove
	// QueueMove takes the track at Position and puts it at To.
	QueueMove
	// QueueSwap exchanges the tracks at Position and To.
	QueueSwap
	// QueueShuffle reorders the queue by Seed, the same way in every
	// store (see [QueueEdit.Apply]).
	QueueShuffle
	// QueueClear removes every track.
	QueueClear
	// QueueRemoveRequester removes every track Requester asked for (0:
	// the tracks nobody asked for, such as autoplay's).
	QueueRemoveRequester
	// QueueSkipTo removes the tracks up to and including Position and
	// returns the one at Position, for "skip to".
	QueueSkipTo
)

var queueOpNames = [...]string{
	QueueAdd: "add", QueueInsert: "insert", QueueRemove: "remove", QueueMove: "move", QueueSwap: "swap",
	QueueShuffle: "shuffle", QueueClear: "clear", QueueRemoveRequester: "removeRequester", QueueSkipTo: "skipTo",
}

// String returns the operation's name, such as "move".
func (o QueueOp) String() string {
	if o >= QueueAdd && int(o) < len(queueOpNames) {
		return queueOpNames[o]
	}
	return "QueueOp(" + strconv.Itoa(int(o)) + ")"
}

// QueueEdit is one change to a guild's stored queue, applied by a store
// as a single atomic step. Which fields count depends on Op; the others
// are ignored.
type QueueEdit struct {
	Op QueueOp
	// Position is the 1-based position of Insert, Remove, SkipTo, the
	// track to move or the first of a swap; To is where a move puts it
	// or the second of a swap.
	Position int
	To       int
	// Tracks are the tracks Add and Insert put in.
	Tracks []Track
	// MaxLength caps the queue for Add and Insert: when not all Tracks
	// fit, those that do are added, from the first, and the rest
	// dropped; when none fit the edit fails with a [*QueueFullError]. 0
	// or above [QueueLengthLimit] means QueueLengthLimit.
	MaxLength int
	// Seed orders a shuffle.
	Seed int64
	// Requester is whose tracks RemoveRequester removes.
	Requester snowflake.ID
	// ExpectVersion, when not 0, makes the edit fail with a
	// [*VersionConflictError] unless the queue is at this version.
	ExpectVersion uint64
	// Token is the editor's fencing token ([Lease.Token]); 0 edits
	// without fencing, as a dashboard does.
	Token int64
}

// QueueEditResult is what an edit did.
type QueueEditResult struct {
	// Version is the queue's version after the edit (see
	// [QueueState.Version]).
	Version uint64
	// Len is the queue's length after the edit.
	Len int
	// Track is the track Remove or SkipTo took out, or Move moved; the
	// zero Track otherwise.
	Track Track
	// Position is where Add or Insert put the first track.
	Position int
	// Added and Dropped count the tracks of Add or Insert that went in
	// and that did not fit.
	Added, Dropped int
	// Removed counts the tracks taken out.
	Removed int
}

// QueueState is a stored queue and its version.
type QueueState struct {
	Tracks []Track
	// Version is the queue's version: 0 for a queue never changed. The
	// first change sets it to a store's choice above 0; after that every
	// edit that succeeds adds exactly 1, even one that changed nothing,
	// such as clearing an empty queue, and every save or delete that
	// replaces the queue makes it larger. Versions never go back, even
	// across a delete.
	Version uint64
}

// QueueEditor edits a guild's stored queue in place, one atomic step per
// edit, so that several processes and a dashboard can change the same
// queue without losing each other's edits. Each edit either applies
// whole, exactly as [QueueEdit.Apply] describes, and raises the queue's
// version ([QueueState.Version]), or fails and changes nothing. The
// queue is the one [SessionStore.Load] returns.
//
// Implementations must be safe for concurrent use by many processes.
// music/storetest checks an implementation against this contract.
type QueueEditor interface {
	// EditQueue applies e to the guild's queue. It fails with a
	// [*FencedError], a [*VersionConflictError], a [*PositionError], a
	// [*QueueFullError] or an error matching [ErrInvalidEdit] or
	// [ErrInvalidID], and then changes nothing.
	EditQueue(ctx context.Context, guildID snowflake.ID, e QueueEdit) (QueueEditResult, error)
	// LoadQueue returns the guild's queue and its version, read at one
	// instant.
	LoadQueue(ctx context.Context, guildID snowflake.ID) (QueueState, error)
}

// QueueChange says a guild's queue changed and is now at Version.
type QueueChange struct {
	GuildID snowflake.ID
	Version uint64
}

// QueueWatcher tells of queue changes made by any process, so that a
// player can reload a queue another process edited.
type QueueWatcher interface {
	// WatchQueues calls f for queue changes until cancel is called.
	// Changes may coalesce: f may see only the latest version of a guild
	// that changed several times. f runs on a goroutine of the watcher's
	// and must not block for long.
	WatchQueues(f func(QueueChange)) (cancel func())
}

// maxLength is the cap Add and Insert apply.
func (e QueueEdit) maxLength() int {
	if e.MaxLength <= 0 || e.MaxLength > QueueLengthLimit {
		return QueueLengthLimit
	}
	return e.MaxLength
}

// Validate returns an error matching [ErrInvalidEdit] for an edit that
// cannot apply to any queue: an unknown operation, an Add or Insert
// without tracks, or a negative MaxLength or Token. Positions are checked
// against the queue when the edit applies.
func (e QueueEdit) Validate() error {
	switch {
	case e.Op < QueueAdd || e.Op > QueueSkipTo:
		return fmt.Errorf("%w: unknown operation %v", ErrInvalidEdit, e.Op)
	case (e.Op == QueueAdd || e.Op == QueueInsert) && len(e.Tracks) == 0:
		return fmt.Errorf("%w: %v without tracks", ErrInvalidEdit, e.Op)
	case e.MaxLength < 0:
		return fmt.Errorf("%w: negative MaxLength %d", ErrInvalidEdit, e.MaxLength)
	case e.Token < 0:
		return fmt.Errorf("%w: negative token %d", ErrInvalidEdit, e.Token)
	}
	return nil
}

// Shuffle's generator: the Lehmer ("minimal standard") generator with
// modulus 2³¹−1 and multiplier 48271. Its products stay below 2⁵³, so a
// script in a language whose numbers are doubles (Redis' Lua) computes
// it exactly.
const (
	shuffleModulus    = 1<<31 - 1
	shuffleMultiplier = 48271
)

// ShuffleState is the generator's first state for seed: the seed modulo
// 2³¹−1, taken as unsigned, or 1 when that is 0.
func ShuffleState(seed int64) uint64 {
	x := uint64(seed) % shuffleModulus
	if x == 0 {
		x = 1
	}
	return x
}

// Apply applies e to q, a queue's tracks in order, and returns the new
// queue and what the edit did (without a Version, which is the store's).
// It is the definition every [QueueEditor] follows, and a store that can
// run Go inside a transaction may simply call it. Apply may reorder q in
// place and reuse its memory, as append does; it does not copy tracks.
//
// Positions outside the queue are a [*PositionError]; an Add or Insert
// with no room a [*QueueFullError]. A shuffle of n tracks starts from
// x = [ShuffleState](Seed) and, for i from n−1 down to 1 (0-based), sets
// x to x·48271 mod (2³¹−1) and exchanges the tracks at i and x mod (i+1):
// Fisher–Yates driven by a generator every store can compute exactly, so
// that one seed gives one order everywhere.
func (e QueueEdit) Apply(q []Track) ([]Track, QueueEditResult, error) {
	if err := e.Validate(); err != nil {
		return q, QueueEditResult{}, err
	}
	n := len(q)
	var r QueueEditResult
	pos := func(p int) error {
		if p < 1 || p > n {
			return &PositionError{Position: p, Len: n}
		}
		return nil
	}
	switch e.Op {
	case QueueAdd, QueueInsert:
		at := n + 1
		if e.Op == QueueInsert {
			if e.Position < 1 || e.Position > n+1 {
				return q, r, &PositionError{Position: e.Position, Len: n}
			}
			at = e.Position
		}
		room := e.maxLength() - n
		if room <= 0 {
			return q, r, &QueueFullError{Max: e.maxLength(), Dropped: len(e.Tracks)}
		}
		r.Added = min(room, len(e.Tracks))
		r.Dropped = len(e.Tracks) - r.Added
		r.Position = at
		q = slices.Insert(q, at-1, e.Tracks[:r.Added]...)
	case QueueRemove:
		if err := pos(e.Position); err != nil {
			return q, r, err
		}
		r.Track, r.Removed = q[e.Position-1], 1
		q = slices.Delete(q, e.Position-1, e.Position)
	case QueueMove, QueueSwap:
		if err := pos(e.Position); err != nil {
			return q, r, err
		}
		if err := pos(e.To); err != nil {
			return q, r, err
		}
		i, j := e.Position-1, e.To-1
		if e.Op == QueueSwap {
			q[i], q[j] = q[j], q[i]
			break
		}
		r.Track = q[i]
		if i < j {
			copy(q[i:j], q[i+1:j+1])
		} else {
			copy(q[j+1:i+1], q[j:i])
		}
		q[j] = r.Track
	case QueueShuffle:
		shuffleBySeed(q, e.Seed)
	case QueueClear:
		r.Removed = n
		clear(q)
		q = q[:0]
	case QueueRemoveRequester:
		q = slices.DeleteFunc(q, func(t Track) bool { return t.Requester == e.Requester })
		r.Removed = n - len(q)
	case QueueSkipTo:
		if err := pos(e.Position); err != nil {
			return q, r, err
		}
		r.Track, r.Removed = q[e.Position-1], e.Position
		q = slices.Delete(q, 0, e.Position)
	}
	r.Len = len(q)
	return q, r, nil
}

// shuffleBySeed is QueueShuffle's Fisher–Yates: the order of q after a
// shuffle with seed, the same in every store.
func shuffleBySeed(q []Track, seed int64) {
	x := ShuffleState(seed)
	for i := len(q) - 1; i > 0; i-- {
		x = x * shuffleMultiplier % shuffleModulus
		j := int(x % uint64(i+1))
		q[i], q[j] = q[j], q[i]
	}
}
