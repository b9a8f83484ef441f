package redisstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// leaseValue is what the lease key holds: the token, a colon and the
// owner.
func leaseValue(l music.Lease) string {
	return strconv.FormatInt(l.Token, 10) + ":" + l.Owner
}

// Acquire implements [music.Leaser]. One script reads the lease key; when
// it is free it takes the next token from the guild's counter (HINCRBY on
// the seq hash) and SETs the key to the token and owner with PX ttl. The
// lease's Expires is ttl after the clock was read, before the request.
func (s *Store) Acquire(ctx context.Context, guildID snowflake.ID, owner string, ttl time.Duration) (music.Lease, error) {
	const op = "acquire lease of"
	if err := check(ctx, op, guildID); err != nil {
		return music.Lease{}, err
	}
	if err := music.CheckLeaseRequest(owner, ttl); err != nil {
		return music.Lease{}, wrap(op, guildID, err)
	}
	start := s.now()
	reply, err := s.run(ctx, acquireScript, op, guildID, []any{owner, ttl.Milliseconds()})
	if err != nil {
		return music.Lease{}, err
	}
	if status, _ := reply[0].(int64); status == stHeld {
		_, holder, _ := strings.Cut(str(reply, 1), ":")
		return music.Lease{}, wrap(op, guildID, &music.LeaseHeldError{
			Owner:     holder,
			ExpiresIn: time.Duration(num(reply, 2)) * time.Millisecond,
		})
	}
	token, err := strconv.ParseInt(str(reply, 1), 10, 64)
	if err != nil {
		return music.Lease{}, wrap(op, guildID, err)
	}
	return music.Lease{Guild: guildID, Owner: owner, Token: token, Expires: start.Add(ttl)}, nil
}

// Renew implements [music.Leaser]: one script PEXPIREs the lease key
// while it holds this lease, or sets it again when it expired and the
// guild's newest token is still this lease's.
func (s *Store) Renew(ctx context.Context, l music.Lease, ttl time.Duration) (music.Lease, error) {
	const op = "renew lease of"
	if err := check(ctx, op, l.Guild); err != nil {
		return music.Lease{}, err
	}
	if err := music.CheckLeaseRequest(l.Owner, ttl); err != nil {
		return music.Lease{}, wrap(op, l.Guild, err)
	}
	start := s.now()
	if _, err := s.run(ctx, renewScript, op, l.Guild, []any{leaseValue(l), ttl.Milliseconds(), l.Token}); err != nil {
		return music.Lease{}, err
	}
	l.Expires = start.Add(ttl)
	return l, nil
}

// Release implements [music.Leaser]: one script DELetes the lease key
// while it holds this lease. The guild's token counter stays, so the next
// lease's token is larger.
func (s *Store) Release(ctx context.Context, l music.Lease) error {
	const op = "release lease of"
	if err := check(ctx, op, l.Guild); err != nil {
		return err
	}
	_, err := s.run(ctx, releaseScript, op, l.Guild, []any{leaseValue(l), l.Token})
	return err
}
