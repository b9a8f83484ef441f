package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/music"
)

// appendElements appends the queue list elements of ts to args: each the
// requester's ID in decimal, a space and the track's JSON, so that a
// script finds a requester's tracks by prefix without decoding JSON. The
// elements share one buffer.
func appendElements(args []any, ts []music.Track) ([]any, error) {
	if len(ts) == 0 {
		return args, nil
	}
	ends := make([]int, len(ts))
	var buf []byte
	for i := range ts {
		line, err := ts[i].MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("track %d: %w", i+1, err)
		}
		if buf == nil {
			buf = make([]byte, 0, len(ts)*(len(line)+24))
		}
		buf = strconv.AppendUint(buf, uint64(ts[i].Requester), 10)
		buf = append(buf, ' ')
		buf = append(buf, line...)
		ends[i] = len(buf)
	}
	start := 0
	for _, end := range ends {
		args = append(args, buf[start:end:end])
		start = end
	}
	return args, nil
}

// decodeElement reads one queue list element.
func decodeElement(e string) (music.Track, error) {
	req, data, ok := strings.Cut(e, " ")
	if !ok {
		return music.Track{}, fmt.Errorf("no requester before the track: %w", music.ErrInvalidSnapshot)
	}
	id, err := strconv.ParseUint(req, 10, 64)
	if err != nil {
		return music.Track{}, fmt.Errorf("requester %q: %w", req, music.ErrInvalidSnapshot)
	}
	var t music.Track
	if err := t.UnmarshalJSON([]byte(data)); err != nil {
		return music.Track{}, fmt.Errorf("%v: %w", err, music.ErrInvalidSnapshot)
	}
	if t.Requester != snowflake.ID(id) {
		return music.Track{}, fmt.Errorf("requester %v before a track of %v: %w", id, t.Requester, music.ErrInvalidSnapshot)
	}
	return t, nil
}

func decodeElements(es []string) ([]music.Track, error) {
	if len(es) == 0 {
		return nil, nil
	}
	ts := make([]music.Track, len(es))
	for i, e := range es {
		t, err := decodeElement(e)
		if err != nil {
			return nil, fmt.Errorf("track %d: %w", i+1, err)
		}
		ts[i] = t
	}
	return ts, nil
}

// EditQueue implements [music.QueueEditor]. Each edit is one Lua script
// on the guild's keys that checks the token and version, applies the
// edit to the queue list, raises the version and PUBLISHes it on the
// queue channel, so the announcement goes out exactly when the edit is
// made.
//
// go-redis re-sends a command whose connection failed (unless the
// client's MaxRetries is -1), so an edit whose reply was lost may run
// twice; set ExpectVersion where that matters, and the second run fails
// with a [*music.VersionConflictError] instead.
func (s *Store) EditQueue(ctx context.Context, guildID snowflake.ID, e music.QueueEdit) (music.QueueEditResult, error) {
	const op = "edit queue of"
	if err := check(ctx, op, guildID); err != nil {
		return music.QueueEditResult{}, err
	}
	if err := e.Validate(); err != nil {
		return music.QueueEditResult{}, wrap(op, guildID, err)
	}
	args, err := s.editArgs(guildID, &e)
	if err != nil {
		return music.QueueEditResult{}, wrap(op, guildID, err)
	}
	reply, err := s.run(ctx, editScript, op, guildID, args)
	if err != nil {
		return music.QueueEditResult{}, err
	}
	if status, _ := reply[0].(int64); status == stFull {
		return music.QueueEditResult{}, wrap(op, guildID, &music.QueueFullError{Max: num(reply, 1), Dropped: len(e.Tracks)})
	}
	if len(reply) < 8 {
		return music.QueueEditResult{}, wrap(op, guildID, fmt.Errorf("short reply from script: %d values", len(reply)))
	}
	r := music.QueueEditResult{
		Len:      num(reply, 2),
		Position: num(reply, 4),
		Added:    num(reply, 5),
		Dropped:  num(reply, 6),
		Removed:  num(reply, 7),
	}
	if r.Version, err = parseVersion(op, guildID, reply, 1); err != nil {
		return music.QueueEditResult{}, err
	}
	if t := str(reply, 3); t != "" {
		if r.Track, err = decodeElement(t); err != nil {
			return r, wrap(op, guildID, err)
		}
	}
	return r, nil
}

// editArgs are the script's arguments for e.
func (s *Store) editArgs(guildID snowflake.ID, e *music.QueueEdit) ([]any, error) {
	args := s.header(guildID, e.Token, e.ExpectVersion, e.Op.String())
	maxLen := e.MaxLength
	if maxLen <= 0 || maxLen > music.QueueLengthLimit {
		maxLen = music.QueueLengthLimit
	}
	switch e.Op {
	case music.QueueAdd:
		return appendElements(append(args, maxLen), e.Tracks)
	case music.QueueInsert:
		return appendElements(append(args, maxLen, e.Position), e.Tracks)
	case music.QueueRemove, music.QueueSkipTo:
		return append(args, e.Position), nil
	case music.QueueMove, music.QueueSwap:
		return append(args, e.Position, e.To), nil
	case music.QueueShuffle:
		return append(args, music.ShuffleState(e.Seed)), nil
	case music.QueueRemoveRequester:
		return append(args, uint64(e.Requester)), nil
	}
	return args, nil // QueueClear
}

// LoadQueue implements [music.QueueEditor]: the queue list and its
// version, read in one MULTI.
func (s *Store) LoadQueue(ctx context.Context, guildID snowflake.ID) (music.QueueState, error) {
	const op = "load queue of"
	if err := check(ctx, op, guildID); err != nil {
		return music.QueueState{}, err
	}
	keys := s.keys(guildID)
	var (
		version *redis.StringCmd
		queue   *redis.StringSliceCmd
	)
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		version = p.HGet(ctx, keys[2], "queue")
		queue = p.LRange(ctx, keys[1], 0, -1)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		err = queue.Err() // a queue never edited has no version
	}
	if err != nil {
		return music.QueueState{}, failed(about(op, guildID), err)
	}
	var q music.QueueState
	if v := version.Val(); v != "" {
		if q.Version, err = strconv.ParseUint(v, 10, 64); err != nil {
			return music.QueueState{}, wrap(op, guildID, fmt.Errorf("version %q: %w", v, music.ErrInvalidSnapshot))
		}
	}
	if q.Tracks, err = decodeElements(queue.Val()); err != nil {
		return music.QueueState{}, wrap(op, guildID, err)
	}
	return q, nil
}
