package redisstore

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/music"
)

// replyError is an error reply from Redis, as go-redis reports one.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

func TestFailedClassifies(t *testing.T) {
	cases := []struct {
		err         error
		unavailable bool
	}{
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{io.EOF, true},
		{replyError("LOADING Redis is loading the dataset in memory"), true},
		{replyError("READONLY You can't write against a read only replica."), true},
		{replyError("BUSY Redis is busy running a script."), true},
		{replyError("CLUSTERDOWN The cluster is down"), true},
		{replyError("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{replyError("ERR Error running script"), false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
	}
	for _, c := range cases {
		err := failed("edit queue of guild 1", c.err)
		if got := errors.Is(err, ErrUnavailable); got != c.unavailable {
			t.Errorf("failed(%v) matches ErrUnavailable = %t, want %t", c.err, got, c.unavailable)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("failed(%v) = %v does not wrap the cause", c.err, err)
		}
		if !strings.HasPrefix(err.Error(), "redisstore: edit queue of guild 1: ") || !strings.Contains(err.Error(), c.err.Error()) {
			t.Errorf("failed(%v) = %q", c.err, err)
		}
	}
}

// FuzzParseQueueChange feeds the queue channel's messages, which any
// client of the Redis can publish: parsing never panics, and what it
// accepts names a valid guild and survives a round trip.
func FuzzParseQueueChange(f *testing.F) {
	for _, s := range []string{
		`{"guildId":"81384788765712384","version":1795727528160934}`,
		`{"guildId":"1","version":0}`,
		`{"guildId":"0","version":1}`,
		`{"guildId":"18446744073709551616","version":1}`,
		`{"guildId":5,"version":1}`,
		`{"version":1}`,
		`not json`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseQueueChange([]byte(s))
		if err != nil {
			return
		}
		if c.GuildID == 0 {
			t.Fatalf("parseQueueChange(%q) accepted guild 0", s)
		}
		again, err := parseQueueChange([]byte(`{"guildId":"` + c.GuildID.String() + `","version":` + strconv.FormatUint(c.Version, 10) + `}`))
		if err != nil || again != c {
			t.Fatalf("round trip of %+v = %+v, %v", c, again, err)
		}
	})
}

// FuzzDecodeElement feeds queue list elements, which anything with access
// to the Redis can write: decoding never panics, and an element it
// accepts encodes back to one that decodes to the same track.
func FuzzDecodeElement(f *testing.F) {
	tr := music.Track{Encoded: "QAAA", Info: music.TrackInfo{Identifier: "x", Title: "a\nb", SourceName: "youtube"}, Requester: 42}
	good, _ := appendElements(nil, []music.Track{tr})
	f.Add(string(good[0].([]byte)))
	f.Add(`0 {"encoded":"e","info":{}}`)
	f.Add(`42 {"encoded":"e","info":{},"requester":"43"}`)
	f.Add(`x {}`)
	f.Add(`nospace`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeElement(s)
		if err != nil {
			if !errors.Is(err, music.ErrInvalidSnapshot) {
				t.Fatalf("decodeElement(%q) error %v does not match ErrInvalidSnapshot", s, err)
			}
			return
		}
		args, err := appendElements(nil, []music.Track{got})
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", got, err)
		}
		again, err := decodeElement(string(args[0].([]byte)))
		if err != nil || !again.Equal(got) {
			t.Fatalf("round trip of %q = %+v, %v; want %+v", s, again, err, got)
		}
	})
}
