package music

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music/internal/node"
)

func TestUserMessage(t *testing.T) {
	secret := errors.New("node eu-1: PATCH /v4/sessions/abc/players/1: 500: password=hunter2")
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&RateLimitedError{Command: "play", RetryAfter: 1500 * time.Millisecond}, "Slow down! Try again in 2 seconds."},
		{&RateLimitedError{Command: "play", RetryAfter: time.Millisecond}, "Slow down! Try again in 1 second."},
		{&PermissionError{Action: ActionSkip, Reason: ErrNoPermission, Role: 1}, "You need the DJ role to do that."},
		{&PermissionError{Action: ActionSkip, Reason: ErrNotInVoice}, "Join my voice channel first."},
		{&QueryError{Reason: QueryEmpty}, "Tell me what to play: a song name or a link."},
		{&QueryError{Reason: QueryTooLong}, "That is too long; keep it under 500 characters."},
		{&QueryError{Reason: QueryHost}, "I can't play links from that site."},
		{&QueryError{Reason: QueryPath}, "I can only play web links and searches."},
		{&QueryError{Reason: QueryControlChars}, "That doesn't look like a song name or a link I can play."},
		{ErrTrackNotFound, "I couldn't find anything to play for that."},
		{&LoadError{Message: "blocked", Severity: "common"}, "I couldn't find anything to play for that."},
		{&QueueFullError{Max: 10, Dropped: 2}, "The queue is full (10 tracks)."},
		{ErrQueueFull, "The queue is full."},
		{ErrNotSeekable, "This track can't be seeked."},
		{&SeekError{Position: time.Hour, Length: 3*time.Minute + 5*time.Second}, "That position is outside the track (3:05 long)."},
		{&SeekError{Position: 5 * time.Hour, Length: 2*time.Hour + 3*time.Second}, "That position is outside the track (2:00:03 long)."},
		{&SeekParseError{Input: "x"}, "Give a time like 83, 1:23, 01:02:03 or 1h2m3s."},
		{ErrHistoryEmpty, "There is no previous track."},
		{&TransitionError{Action: "pause", From: StateIdle}, "Nothing is playing."},
		{&PositionError{Position: 4, Len: 3}, "Pick a position from 1 to 3."},
		{&PositionError{Position: 1, Len: 0}, "The queue is empty."},
		{&ConflictError{Enabling: "loop", Active: "autoplay"}, "Loop and autoplay can't both be on; turn one off first."},
		{&RangeError{Setting: "volume", Value: 300, Min: 0, Max: 200}, "The volume must be between 0 and 200."},
		{&UnsupportedError{Kind: "source", Name: "spotify"}, "That music source isn't available right now."},
		{&UnsupportedError{Kind: "filter", Name: "karaoke"}, "That effect isn't available right now."},
		{ErrVoiceTimeout, "I couldn't join your voice channel. Check my permissions and try again."},
		{unavailable(secret), "The audio service is unavailable right now. Please try again in a moment."},
		{ErrManagerClosed, "The music player is restarting. Please try again in a moment."},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), "That took too long. Please try again."},
		{secret, "Something went wrong. Please try again."},
	}
	for _, tt := range tests {
		got := UserMessage(tt.err)
		if got != tt.want {
			t.Errorf("UserMessage(%v) = %q, want %q", tt.err, got, tt.want)
		}
		if strings.Contains(got, "hunter2") || strings.Contains(got, "eu-1") || strings.Contains(got, "/v4/") {
			t.Errorf("UserMessage(%v) = %q leaks internals", tt.err, got)
		}
	}
	for _, r := range []LeaveReason{LeaveCommand, LeaveIdle, LeaveAlone, LeaveDisconnected, LeaveFailed, "other"} {
		if LeaveMessage(r) == "" {
			t.Errorf("LeaveMessage(%v) is empty", r)
		}
	}
}

func TestErrorTexts(t *testing.T) {
	tests := []struct {
		err    error
		target error
		text   string
	}{
		{&RateLimitedError{Command: "skip", RetryAfter: time.Second}, ErrRateLimited, "music: skip rate limited; retry after 1s"},
		{&QueryError{Reason: QueryScheme}, ErrInvalidQuery, "music: invalid query: scheme not allowed"},
		{&LoadError{Message: "m", Severity: "fault"}, ErrTrackNotFound, "music: load failed (fault): m"},
		{&UnsupportedError{Kind: "source", Name: "spotify"}, ErrUnsupported, `music: no connected node offers the source "spotify"`},
		{&SeekParseError{Input: "x"}, ErrInvalidSeek, `music: invalid seek position "x": use 83, 1:23, 01:02:03 or 1h2m3s`},
		{&ConfigError{Field: "UserID", Reason: "zero"}, ErrInvalidConfig, "music: invalid manager config: UserID: zero"},
		{unavailable(nil), ErrServiceUnavailable, "music: audio service unavailable"},
		{unavailable(unavailable(errors.New("x"))), ErrServiceUnavailable, "music: audio service unavailable: x"},
	}
	for _, tt := range tests {
		if tt.err.Error() != tt.text || !errors.Is(tt.err, tt.target) {
			t.Errorf("%#v: text %q, Is(%v) = %v", tt.err, tt.err.Error(), tt.target, errors.Is(tt.err, tt.target))
		}
	}
	// Node errors: refusals stay as they are, failures are unavailable.
	refused := &node.Error{Node: "n", Status: 400}
	if err := nodeErr(refused); errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("nodeErr(400) = %v, want no ErrServiceUnavailable", err)
	}
	if err := nodeErr(&node.Error{Node: "n", Status: 503}); !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("nodeErr(503) = %v", err)
	}
	if err := nodeErr(context.Canceled); err != context.Canceled {
		t.Errorf("nodeErr(Canceled) = %v", err)
	}
	if nodeErr(nil) != nil {
		t.Error("nodeErr(nil) != nil")
	}
}

func TestFiltersOf(t *testing.T) {
	f, names := filtersOf([]byte(`{"timescale":{"speed":1.2,"pitch":1,"rate":1},"volume":0.5,"rotation":{"rotationHz":0.2}}`))
	if f == nil || f.Timescale == nil || f.Timescale.Speed != 1.2 || f.Rotation == nil || f.Rotation.RotationHz != 0.2 {
		t.Fatalf("filtersOf = %+v", f)
	}
	if len(names) != 2 {
		t.Errorf("filter names = %v, want timescale and rotation", names)
	}
	if f, _ := filtersOf(nil); f != nil {
		t.Errorf("filtersOf(nil) = %+v", f)
	}
	if f, _ := filtersOf([]byte(`[1]`)); f != nil {
		t.Errorf("filtersOf([1]) = %+v", f)
	}
}
