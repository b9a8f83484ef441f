package music

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
)

// DefaultLeaseTTL is how long a guild's lease lasts unless renewed; the
// Manager renews its leases every third of it. After a crash another
// process takes the guild over within about twice this time.
const DefaultLeaseTTL = 15 * time.Second

// ErrNotServed is matched by a [*NotServedError]: another instance of the
// bot serves the guild, so this one does not play there.
var ErrNotServed = errors.New("music: guild served by another instance")

// NotServedError is returned by a command for a guild this Manager does
// not serve: Config.Owns says another process serves it (Owner empty),
// or another process holds the guild's lease (Owner names it). It
// matches [ErrNotServed] and unwraps to the store's error, such as a
// [*LeaseHeldError] or a [*FencedError].
type NotServedError struct {
	Guild snowflake.ID
	// Owner is the lease's holder; "" when Config.Owns refused the guild
	// or the holder is not known.
	Owner string
	// ExpiresIn is how long the holder's lease has left unless renewed;
	// 0 when not known.
	ExpiresIn time.Duration
	// Err is the cause; nil when Config.Owns refused the guild.
	Err error
}

// Error implements the error interface.
func (e *NotServedError) Error() string {
	s := "music: guild " + e.Guild.String() + " is served by another instance"
	if e.Owner != "" {
		s += " (" + strconv.Quote(e.Owner) + ")"
	}
	if e.Err != nil && e.Owner == "" {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is [ErrNotServed].
func (e *NotServedError) Is(target error) bool { return target == ErrNotServed }

// Unwrap returns the cause.
func (e *NotServedError) Unwrap() error { return e.Err }

// WithOwnerID names this Manager as the owner of the guild leases it
// takes when its session store is a [Leaser]. Each process must have its
// own name: two Managers with one name would both drive the guilds
// leased to it. A name that stays with a process slot across restarts (a
// pod or shard name, say) lets a restarted process take its guilds back
// at once instead of waiting for its old leases to expire. Default: the
// host name, the process ID and a random suffix.
func WithOwnerID(id string) Option { return func(o *options) { o.ownerID = id } }

// WithLeaseTTL sets how long a guild's lease lasts unless renewed; the
// Manager renews every third of it and looks for guilds to take over
// once per d. Shorter means a faster takeover after a crash and more
// store traffic. Default: [DefaultLeaseTTL].
func WithLeaseTTL(d time.Duration) Option { return func(o *options) { o.leaseTTL = d } }

// OwnerID is the name under which the Manager holds guild leases (see
// [WithOwnerID]).
func (m *Manager) OwnerID() string { return m.opt.ownerID }

// defaultOwnerID is the host name, the process ID and a random suffix.
func defaultOwnerID() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "tunekit"
	}
	if len(host) > 200 {
		host = host[:200]
	}
	return fmt.Sprintf("%s/%d/%012x", host, os.Getpid(), rand.Uint64()&(1<<48-1))
}

// serves reports whether Config.Owns leaves the guild to this Manager.
func (m *Manager) serves(guild snowflake.ID) bool {
	return m.cfg.Owns == nil || m.cfg.Owns(guild)
}

// sameStore reports whether a and b are one store, without panicking on
// values that cannot be compared.
func sameStore(a, b any) bool {
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

// ownership holds the guild leases of a Manager whose session store is a
// [Leaser] and a [FencedStore]. It is nil otherwise; its methods accept
// a nil receiver.
type ownership struct {
	leaser Leaser
	owner  string
	ttl    time.Duration

	mu     sync.Mutex
	seq    uint64 // the last lease generation handed out
	leases map[snowflake.ID]heldLease
	// notBefore holds, for guilds another owner leases, when to ask
	// again, so that a takeover scan does not ask about every guild.
	notBefore map[snowflake.ID]time.Time
}

// heldLease is a lease and when it ends by the Manager's clock (the
// store's Expires may come from another clock).
type heldLease struct {
	Lease
	expires time.Time
	// gen tells this acquisition from any other of the guild, even
	// one with the same token, as after the store lost its fencing
	// counters; a renewal keeps it.
	gen uint64
}

// leaseRef names the lease a write was made under: its fencing token for
// the store, and its generation to tell whether the Manager still holds
// that very lease when the write turns out to be fenced off.
type leaseRef struct {
	token int64
	gen   uint64
}

// hold records a newly acquired lease of the guild. It needs o.mu.
func (o *ownership) hold(l Lease, expires time.Time) {
	o.seq++
	o.leases[l.Guild] = heldLease{Lease: l, expires: expires, gen: o.seq}
}

func newOwnership(l Leaser, owner string, ttl time.Duration) *ownership {
	return &ownership{leaser: l, owner: owner, ttl: ttl,
		leases: make(map[snowflake.ID]heldLease), notBefore: make(map[snowflake.ID]time.Time)}
}

// ref names the guild's lease; its token is 0 when none is held.
func (o *ownership) ref(guild snowflake.ID) leaseRef {
	if o == nil {
		return leaseRef{}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	h := o.leases[guild]
	return leaseRef{token: h.Token, gen: h.gen}
}

func (o *ownership) held(guild snowflake.ID) (heldLease, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	h, ok := o.leases[guild]
	return h, ok
}

// forget drops the guild's lease when it is generation gen.
func (o *ownership) forget(guild snowflake.ID, gen uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if h, ok := o.leases[guild]; ok && h.gen == gen {
		delete(o.leases, guild)
		return true
	}
	return false
}

// takeLease returns the guild's lease, acquiring it when the Manager
// holds none that is still in time. Another owner's lease is a
// [*NotServedError]; a store that fails, ErrServiceUnavailable. Without
// ownership it returns the zero Lease. It runs with the guild's turn.
func (m *Manager) takeLease(ctx context.Context, guild snowflake.ID) (Lease, error) {
	o := m.own
	if o == nil {
		return Lease{}, nil
	}
	start := m.clock.Now()
	if h, ok := o.held(guild); ok && start.Before(h.expires) {
		return h.Lease, nil
	}
	l, err := o.leaser.Acquire(ctx, guild, o.owner, o.ttl)
	if err != nil {
		var held *LeaseHeldError
		if errors.As(err, &held) {
			o.mu.Lock()
			o.notBefore[guild] = start.Add(held.ExpiresIn)
			o.mu.Unlock()
			return Lease{}, &NotServedError{Guild: guild, Owner: held.Owner, ExpiresIn: held.ExpiresIn, Err: err}
		}
		if ctx.Err() == nil {
			m.storeFailed(ctx, "acquire lease", guild, err)
		}
		return Lease{}, unavailable(fmt.Errorf("music: lease of guild %d: %w", guild, err))
	}
	o.mu.Lock()
	o.hold(l, start.Add(o.ttl))
	delete(o.notBefore, guild)
	o.mu.Unlock()
	return l, nil
}

// releaseLease gives the guild's lease back. It needs the guild's turn,
// so that no command takes the lease meanwhile.
func (m *Manager) releaseLease(ctx context.Context, guild snowflake.ID) {
	o := m.own
	h, ok := o.held(guild)
	if !ok || !o.forget(guild, h.gen) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := o.leaser.Release(ctx, h.Lease); err != nil && !errors.Is(err, ErrLeaseLost) {
		m.log.WarnContext(ctx, "release guild lease", "guild", guild, "error", err)
	}
	if m.hooks.released != nil {
		m.hooks.released(guild)
	}
}

// releaseIfIdle gives back the lease of a guild that has neither a
// session nor a session write waiting. It runs with the guild's turn.
func (m *Manager) releaseIfIdle(ctx context.Context, p *player) {
	if m.own == nil {
		return
	}
	p.mu.Lock()
	idle := p.sess == nil
	p.mu.Unlock()
	if idle && !m.saver.hasSession(p.guild) {
		m.releaseLease(ctx, p.guild)
	}
}

// released runs after the saver deleted a guild's stored session: it
// gives the lease back unless the guild has a session again.
func (m *Manager) released(guild snowflake.ID) {
	if m.own == nil {
		return
	}
	m.goUnlessClosed(func() {
		p, err := m.acquire(m.ctx, guild, true)
		if err != nil {
			return
		}
		defer p.release()
		defer m.discardIfEmpty(p)
		m.releaseIfIdle(m.ctx, p)
	})
}

// goUnlessClosed runs f in a goroutine of the Manager's, unless the
// Manager is closed.
func (m *Manager) goUnlessClosed(f func()) {
	m.life.RLock()
	defer m.life.RUnlock()
	if !m.closed {
		m.wg.Go(f)
	}
}

// releaseAll gives back every lease, at Close after the last writes.
func (m *Manager) releaseAll(ctx context.Context) {
	o := m.own
	if o == nil {
		return
	}
	o.mu.Lock()
	held := make([]heldLease, 0, len(o.leases))
	for _, h := range o.leases {
		held = append(held, h)
	}
	clear(o.leases)
	o.mu.Unlock()
	for _, h := range held {
		if ctx.Err() != nil {
			return
		}
		rctx, cancel := context.WithTimeout(ctx, storeTimeout)
		if err := o.leaser.Release(rctx, h.Lease); err != nil && !errors.Is(err, ErrLeaseLost) {
			m.log.WarnContext(ctx, "release guild lease", "guild", h.Guild, "error", err)
		}
		cancel()
	}
}

// leaseKeeper returns the goroutine that keeps the Manager's leases:
// every third of the lease's time to live it renews them, and once per
// time to live it looks for stored sessions nobody leases (their owner
// crashed or shut down) and takes them over. Its first timer is armed
// before it returns, so it counts from Start.
func (m *Manager) leaseKeeper() func() {
	o, ctx := m.own, m.ctx
	wake := make(chan struct{}, 1)
	arm := func() Timer {
		return m.clock.AfterFunc(o.ttl/3, func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
	}
	nextScan := m.clock.Now().Add(o.ttl)
	t := arm()
	return func() {
		for {
			select {
			case <-wake:
			case <-ctx.Done():
				t.Stop()
				return
			}
			m.renewLeases(ctx)
			scanned := false
			if now := m.clock.Now(); !now.Before(nextScan) {
				m.adoptOrphans(ctx)
				nextScan, scanned = m.clock.Now().Add(o.ttl), true
			}
			t = arm() // before the hook, so a test's next clock move finds it
			if m.hooks.leases != nil {
				m.hooks.leases(scanned)
			}
		}
	}
}

// renewLeases renews every lease held. A lease another owner took is
// lost; so is one that could not be renewed before it ran out, since
// another process may take the guild from then on.
func (m *Manager) renewLeases(ctx context.Context) {
	o := m.own
	o.mu.Lock()
	held := make([]heldLease, 0, len(o.leases))
	for _, h := range o.leases {
		held = append(held, h)
	}
	o.mu.Unlock()
	for _, h := range held {
		if ctx.Err() != nil {
			return
		}
		start := m.clock.Now()
		rctx, cancel := context.WithTimeout(ctx, min(storeTimeout, o.ttl/3))
		l, err := o.leaser.Renew(rctx, h.Lease, o.ttl)
		cancel()
		switch {
		case err == nil:
			o.mu.Lock()
			if cur, ok := o.leases[h.Guild]; ok && cur.gen == h.gen {
				o.leases[h.Guild] = heldLease{Lease: l, expires: start.Add(o.ttl), gen: h.gen}
			}
			o.mu.Unlock()
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrLeaseLost):
			m.leaseLost(h.Guild, leaseRef{h.Token, h.gen}, err)
		default:
			m.storeFailed(ctx, "renew lease", h.Guild, err)
			if !m.clock.Now().Before(h.expires) {
				m.leaseLost(h.Guild, leaseRef{h.Token, h.gen}, fmt.Errorf("music: lease ran out unrenewed: %w", err))
			}
		}
	}
}

// leaseLost deals with a lease found lost (renewal refused, a write
// fenced off, or run out): unless the store lost its data, the guild is
// handed over at once, in a goroutine of the Manager's.
func (m *Manager) leaseLost(guild snowflake.ID, lease leaseRef, cause error) {
	if h, ok := m.own.held(guild); !ok || h.gen != lease.gen {
		return // dealt with already
	}
	m.goUnlessClosed(func() { m.handOver(guild, lease.gen, cause) })
}

// handOver stops driving a guild whose lease is lost: the node's player
// is destroyed and the session dropped here, without deleting anything
// stored, which is the new owner's now; waiting writes are dropped. When
// the store lost its data instead (nobody leases the guild and nothing
// of it is stored, as after a Redis restart without persistence), the
// guild is taken again and written whole.
func (m *Manager) handOver(guild snowflake.ID, gen uint64, cause error) {
	ctx := m.ctx
	p, err := m.acquire(ctx, guild, true)
	if err != nil {
		return
	}
	defer p.release()
	defer m.discardIfEmpty(p)
	if h, ok := m.own.held(guild); !ok || h.gen != gen {
		return
	}
	var fe *FencedError
	if (errors.Is(cause, ErrLeaseLost) || errors.As(cause, &fe) && fe.Current == 0) && m.reclaim(ctx, p, gen) {
		return
	}
	m.own.forget(guild, gen)
	m.saver.forget(guild)
	m.settings.Delete(guild) // may hold a change that was not stored
	p.mu.Lock()
	ln, had := p.node, p.sess != nil
	p.leaving = true
	p.mu.Unlock()
	if !had {
		return
	}
	m.log.WarnContext(ctx, "guild handed over to another instance", "guild", guild, "cause", cause)
	m.cfg.Metrics.TrackError(metrics.ComponentPlayer, metrics.KindUnavailable, metrics.SeverityMedium)
	if ln != nil && ln.client.Connected() {
		dctx, cancel := context.WithTimeout(ctx, storeTimeout)
		if err := ln.client.DestroyPlayer(dctx, guild); err != nil {
			m.log.WarnContext(ctx, "destroy the player of a guild handed over", "guild", guild, "node", ln.name, "error", err)
		}
		cancel()
	}
	p.mu.Lock()
	m.endSessionLocked(p)
	p.mu.Unlock()
	m.publish(SessionEnded{GuildID: guild, Reason: LeaveHandedOver, At: m.clock.Now()})
}

// reclaim takes the guild again when the store lost it: the lease is
// free and no session of the guild is stored. The session is then
// written whole with the new token. It runs with the guild's turn.
func (m *Manager) reclaim(ctx context.Context, p *player, old uint64) bool {
	o := m.own
	start := m.clock.Now()
	l, err := o.leaser.Acquire(ctx, p.guild, o.owner, o.ttl)
	if err != nil {
		return false
	}
	if _, err := m.cfg.Sessions.Load(ctx, p.guild); !errors.Is(err, ErrSnapshotNotFound) {
		// Stored by someone since: theirs is the guild's state.
		if err := o.leaser.Release(ctx, l); err != nil {
			m.log.WarnContext(ctx, "release guild lease", "guild", p.guild, "error", err)
		}
		return false
	}
	o.mu.Lock()
	if h, ok := o.leases[p.guild]; ok && h.gen == old {
		o.hold(l, start.Add(o.ttl))
	}
	o.mu.Unlock()
	p.mu.Lock()
	has := p.sess != nil
	if has {
		p.qlocal = true // the stored queue went too
		p.qgen++
	}
	p.mu.Unlock()
	m.log.InfoContext(ctx, "guild taken again after the store lost it", "guild", p.guild, "token", l.Token)
	if has {
		m.saver.dirty(p.guild, true)
	} else {
		m.releaseIfIdle(ctx, p)
	}
	return true
}

// adoptOrphans takes over the stored sessions of guilds this Manager
// serves, does not play, and nobody leases: their owner crashed, shut
// down, or lost the store. Each is restored as at Start and resumed at
// its saved position.
func (m *Manager) adoptOrphans(ctx context.Context) {
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	ids, err := m.cfg.Sessions.List(lctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			m.storeFailed(ctx, "list stored sessions", 0, err)
		}
		return
	}
	o := m.own
	now := m.clock.Now()
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		if !m.serves(id) || m.players.get(id) != nil {
			continue
		}
		o.mu.Lock()
		_, leased := o.leases[id] // a session ended, its deletion not written yet
		later := now.Before(o.notBefore[id])
		o.mu.Unlock()
		if later || leased {
			continue
		}
		m.adopt(ctx, id)
	}
}

// adopt restores a guild's stored session under a new lease and hands
// it to the supervisor, which joins voice and plays on at the saved
// position.
func (m *Manager) adopt(ctx context.Context, guild snowflake.ID) {
	p, err := m.acquire(ctx, guild, true)
	if err != nil {
		return
	}
	defer p.release()
	defer m.discardIfEmpty(p)
	p.mu.Lock()
	has := p.sess != nil
	p.mu.Unlock()
	if has {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	snap, err := m.restore(rctx, p)
	switch {
	case errors.Is(err, ErrNotServed), errors.Is(err, ErrSnapshotNotFound):
		return
	case err != nil:
		m.log.WarnContext(ctx, "take over stored session", "guild", guild, "error", err)
		return
	}
	m.log.InfoContext(ctx, "took over a guild", "guild", guild, "from_node", snap.Node)
	p.mu.Lock()
	p.setNode(m.byName[snap.Node])
	if !p.needSync {
		m.armIdle(p)
	}
	p.mu.Unlock()
	m.sup.needSync(guild)
}
