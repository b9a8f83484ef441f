package music

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// SessionState is where a guild's playback is.
type SessionState uint8

// Session states. A new session is idle.
const (
	StateIdle       SessionState = iota // in no voice channel, or in one with nothing playing
	StateConnecting                     // asked to join a voice channel, waiting for Discord
	StatePlaying                        // a track is playing
	StatePaused                         // a track is loaded and paused
)

var stateNames = [...]string{StateIdle: "idle", StateConnecting: "connecting", StatePlaying: "playing", StatePaused: "paused"}

// String returns "idle", "connecting", "playing" or "paused".
func (s SessionState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("SessionState(%d)", uint8(s))
}

func (s SessionState) valid() bool { return s <= StatePaused }

// MarshalText encodes s as its String form.
func (s SessionState) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("music: marshal %v: %w", s, ErrInvalidSnapshot)
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes the String form.
func (s *SessionState) UnmarshalText(b []byte) error {
	for i, name := range stateNames {
		if string(b) == name {
			*s = SessionState(i)
			return nil
		}
	}
	return fmt.Errorf("music: unknown session state %.32q: %w", b, ErrInvalidSnapshot)
}

var (
	// ErrInvalidTransition is matched by the error of a session method
	// called in a state that does not allow it.
	ErrInvalidTransition = errors.New("music: invalid session transition")
	// ErrNothingPlaying is matched by the error of a command that needs a
	// track when none is loaded. It also matches [ErrInvalidTransition].
	ErrNothingPlaying = errors.New("music: nothing is playing")
	// ErrNotSeekable is returned when seeking in a track that cannot seek,
	// such as a live stream.
	ErrNotSeekable = errors.New("music: this track cannot seek")
	// ErrSeekOutOfRange is matched by the error of a seek before the start
	// or past the end of the track.
	ErrSeekOutOfRange = errors.New("music: seek position out of range")
	// ErrInvalidFilters is returned for filters that are not a JSON object.
	ErrInvalidFilters = errors.New("music: filters must be a JSON object")
	// ErrAlreadyPaused is matched by the error of pausing a paused track.
	// It also matches [ErrInvalidTransition].
	ErrAlreadyPaused = errors.New("music: already paused")
	// ErrNotPaused is matched by the error of resuming a track that is
	// playing. It also matches [ErrInvalidTransition].
	ErrNotPaused = errors.New("music: not paused")
)

// TransitionError is returned when a [Session] method is called in a state
// that does not allow it. It matches [ErrInvalidTransition];
// [ErrNothingPlaying] when the action needs a track and none is loaded;
// [ErrAlreadyPaused] for a pause while paused and [ErrNotPaused] for a
// resume while playing.
type TransitionError struct {
	Action string       // the method: "pause", "resume", "seek", ...
	From   SessionState // the state it was called in
}

// Error implements the error interface.
func (e *TransitionError) Error() string {
	if e.nothingPlaying() {
		return "music: cannot " + e.Action + ": nothing is playing"
	}
	return "music: cannot " + e.Action + " while " + e.From.String()
}

func (e *TransitionError) nothingPlaying() bool {
	return (e.From == StateIdle || e.From == StateConnecting) && e.Action != "connect" && e.Action != "finish connecting"
}

// Is reports whether target is [ErrInvalidTransition], or
// [ErrNothingPlaying] when no track is loaded, or [ErrAlreadyPaused] or
// [ErrNotPaused] as the Action and From say.
func (e *TransitionError) Is(target error) bool {
	switch target {
	case ErrInvalidTransition:
		return true
	case ErrNothingPlaying:
		return e.nothingPlaying()
	case ErrAlreadyPaused:
		return e.Action == "pause" && e.From == StatePaused
	case ErrNotPaused:
		return e.Action == "resume" && e.From == StatePlaying
	}
	return false
}

// SeekError is returned for a seek outside the track. It matches
// [ErrSeekOutOfRange].
type SeekError struct {
	Position time.Duration // asked for
	Length   time.Duration // of the track
}

// Error implements the error interface.
func (e *SeekError) Error() string {
	return fmt.Sprintf("music: cannot seek to %v: the track is %v long", e.Position, e.Length)
}

// Is reports whether target is [ErrSeekOutOfRange].
func (e *SeekError) Is(target error) bool { return target == ErrSeekOutOfRange }

// Session is the playback state of one guild: its state, the current
// track and where it is, the voice and text channels, the Lavalink node
// playing it, the player's volume and filters, the loop and autoplay modes
// taken from [Settings], and the [Queue].
//
// Methods are pure state transitions: they do no I/O and read no clock
// (the caller passes now). A method called in a state that does not allow
// it returns a [*TransitionError] and changes nothing.
//
// The transitions:
//
//	idle ──Connect──► connecting ──Connected──► idle
//	idle, connecting, playing, paused ──Start──► playing
//	playing ──Pause──► paused ──Resume──► playing
//	playing, paused ──Stop, or End/Skip with nothing next──► idle
//
// A Session is not safe for concurrent use.
type Session struct {
	guildID    snowflake.ID
	state      SessionState
	current    Track
	position   time.Duration // of current, at positionAt
	positionAt time.Time
	voiceID    snowflake.ID
	textID     snowflake.ID
	node       string
	nodeSID    string
	volume     int
	filters    json.RawMessage
	loop       LoopMode
	autoplay   bool
	activity   time.Time
	queue      *Queue
	plays      uint64 // tracks made current; see playCount
}

// NewSession returns an idle session for a guild with an empty queue
// configured by opts and the default volume. It returns an error matching
// [ErrInvalidID] for guild 0.
func NewSession(guildID snowflake.ID, now time.Time, opts ...QueueOption) (*Session, error) {
	if guildID == 0 {
		return nil, fmt.Errorf("music: new session for guild 0: %w", ErrInvalidID)
	}
	return &Session{guildID: guildID, volume: DefaultVolume, activity: now, queue: NewQueue(opts...)}, nil
}

// GuildID is the guild the session belongs to.
func (s *Session) GuildID() snowflake.ID { return s.guildID }

// State is the playback state.
func (s *Session) State() SessionState { return s.state }

// Queue is the guild's queue. It belongs to the session: change it only
// while holding whatever serializes access to the session.
func (s *Session) Queue() *Queue { return s.queue }

// Current returns the loaded track, or false when none is.
func (s *Session) Current() (Track, bool) {
	if s.state != StatePlaying && s.state != StatePaused {
		return Track{}, false
	}
	return s.current, true
}

// Paused reports whether a track is loaded and paused.
func (s *Session) Paused() bool { return s.state == StatePaused }

// Position estimates where the current track is at now: the last known
// position, plus the time since it was observed while playing, never past
// the end of the track. It is 0 when nothing is loaded.
func (s *Session) Position(now time.Time) time.Duration {
	switch s.state {
	case StatePaused:
		return s.position
	case StatePlaying:
		p := s.position
		if elapsed := now.Sub(s.positionAt); elapsed > 0 {
			p += elapsed
			if p < s.position { // overflow
				p = math.MaxInt64
			}
		}
		return min(p, s.current.Info.Length)
	}
	return 0
}

// LastPosition returns the last known position of the current track and
// when it was observed.
func (s *Session) LastPosition() (position time.Duration, at time.Time) {
	return s.position, s.positionAt
}

// VoiceChannelID is the voice channel the bot is in or joining; 0 when
// none.
func (s *Session) VoiceChannelID() snowflake.ID { return s.voiceID }

// TextChannelID is where the session's messages go; 0 when none.
func (s *Session) TextChannelID() snowflake.ID { return s.textID }

// Node is the name of the Lavalink node playing for the guild; "" when
// none has been chosen.
func (s *Session) Node() string { return s.node }

// NodeSessionID is the node's Lavalink session ID.
func (s *Session) NodeSessionID() string { return s.nodeSID }

// Volume is the player's volume in percent.
func (s *Session) Volume() int { return s.volume }

// Filters is the player's Lavalink filters object, as raw JSON; nil when
// none are set.
func (s *Session) Filters() json.RawMessage { return s.filters }

// Loop is the loop mode, from the guild's settings.
func (s *Session) Loop() LoopMode { return s.loop }

// Autoplay reports whether autoplay is on, from the guild's settings.
func (s *Session) Autoplay() bool { return s.autoplay }

// LastActivity is when the session last changed state or was touched.
func (s *Session) LastActivity() time.Time { return s.activity }

// Touch records activity at now, for idle timeouts.
func (s *Session) Touch(now time.Time) { s.activity = now }

// ApplySettings takes the loop mode, autoplay, queue cap and fair mode
// from settings.
func (s *Session) ApplySettings(st Settings) {
	s.loop = st.Loop()
	s.autoplay = st.Autoplay()
	s.queue.SetMaxLength(st.MaxQueueLength())
	s.queue.SetFair(st.FairQueue())
}

// SetVolume sets the player's volume in percent. Outside [MinVolume,
// [MaxVolume] it returns a [*RangeError].
func (s *Session) SetVolume(percent int) error {
	if percent < MinVolume || percent > MaxVolume {
		return &RangeError{Setting: "volume", Value: percent, Min: MinVolume, Max: MaxVolume}
	}
	s.volume = percent
	return nil
}

// SetFilters sets the player's filters, a Lavalink filters JSON object
// kept as given (compacted). nil or empty clears them; anything but a JSON
// object returns [ErrInvalidFilters].
func (s *Session) SetFilters(raw json.RawMessage) error {
	f, err := normalizeFilters(raw)
	if err != nil {
		return err
	}
	s.filters = f
	return nil
}

func normalizeFilters(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil || buf.Bytes()[0] != '{' {
		return nil, ErrInvalidFilters
	}
	return json.RawMessage(buf.Bytes()), nil
}

// SetNode records the Lavalink node playing for the guild and the node's
// session ID, after the player was created or moved there.
func (s *Session) SetNode(name, sessionID string) { s.node, s.nodeSID = name, sessionID }

// SetTextChannel sets where the session's messages go.
func (s *Session) SetTextChannel(id snowflake.ID) { s.textID = id }

// SetVoiceChannel records the voice channel the bot is in, when Discord
// reports it moved.
func (s *Session) SetVoiceChannel(id snowflake.ID) { s.voiceID = id }

func (s *Session) deny(action string) error {
	return &TransitionError{Action: action, From: s.state}
}

// Connect records a request to join a voice channel, with the text channel
// for messages. Only an idle session can connect.
func (s *Session) Connect(voice, text snowflake.ID, now time.Time) error {
	if s.state != StateIdle {
		return s.deny("connect")
	}
	if voice == 0 {
		return fmt.Errorf("music: connect to voice channel 0: %w", ErrInvalidID)
	}
	s.state, s.voiceID, s.textID, s.activity = StateConnecting, voice, text, now
	return nil
}

// Connected records that the voice connection is up with nothing to play
// yet; to play at once, call [Session.Start] instead.
func (s *Session) Connected(now time.Time) error {
	if s.state != StateConnecting {
		return s.deny("finish connecting")
	}
	s.state, s.activity = StateIdle, now
	return nil
}

// Start records that t started playing at t.Info.Position. It is allowed
// in every state: a playing or paused track is replaced.
func (s *Session) Start(t Track, now time.Time) {
	s.setCurrent(t, now)
}

func (s *Session) setCurrent(t Track, now time.Time) {
	s.state = StatePlaying
	s.current = t
	s.position = max(t.Info.Position, 0)
	s.positionAt = now
	s.activity = now
	s.plays++
	s.queue.started(t.Requester)
}

// playCount counts the tracks made current, so that something tied to
// one play (a skip vote) can tell it apart from a later play of the
// same track.
func (s *Session) playCount() uint64 { return s.plays }

func (s *Session) clearCurrent(now time.Time) {
	s.state = StateIdle
	s.current = Track{}
	s.position, s.positionAt = 0, time.Time{}
	s.activity = now
}

// Pause pauses the current track.
func (s *Session) Pause(now time.Time) error {
	if s.state != StatePlaying {
		return s.deny("pause")
	}
	s.position = s.Position(now)
	s.state, s.positionAt, s.activity = StatePaused, now, now
	return nil
}

// Resume resumes a paused track.
func (s *Session) Resume(now time.Time) error {
	if s.state != StatePaused {
		return s.deny("resume")
	}
	s.state, s.positionAt, s.activity = StatePlaying, now, now
	return nil
}

// Seek moves the current track to pos. It returns [ErrNotSeekable] for a
// track that cannot seek and a [*SeekError] for a position outside it.
func (s *Session) Seek(pos time.Duration, now time.Time) error {
	if s.state != StatePlaying && s.state != StatePaused {
		return s.deny("seek")
	}
	if !s.current.Info.IsSeekable {
		return ErrNotSeekable
	}
	if pos < 0 || pos > s.current.Info.Length {
		return &SeekError{Position: pos, Length: s.current.Info.Length}
	}
	s.position, s.positionAt, s.activity = pos, now, now
	return nil
}

// Observe records a position the node reported at the given time (a
// Lavalink playerUpdate). A report no newer than the position already
// known is ignored, so events replayed after a resume cannot move the
// position back, nor can the update a node sends when the voice
// connection of a player without its track yet comes up (position 0)
// undo the start position set at that same moment. It does nothing when
// no track is loaded.
func (s *Session) Observe(pos time.Duration, at time.Time) {
	if s.state != StatePlaying && s.state != StatePaused {
		return
	}
	if !at.After(s.positionAt) {
		return
	}
	s.position, s.positionAt = max(pos, 0), at
}

// Stop unloads the current track; the session becomes idle and the queue
// stays.
func (s *Session) Stop(now time.Time) error {
	if s.state != StatePlaying && s.state != StatePaused {
		return s.deny("stop")
	}
	s.queue.PushHistory(s.current)
	s.clearCurrent(now)
	return nil
}

// End handles the end of the current track as Lavalink reports it and
// returns the track to play next, which it makes current; or it returns
// false, and the session is idle, when nothing is next (the caller may then
// autoplay or announce the end of the queue).
//
// Only the reasons that allow a next track ([TrackEndReason.MayStartNext])
// advance; for the others (stopped, replaced, cleanup) the caller already
// changed the track, and End does nothing and returns false.
//
// For a track that finished: loop track plays it again; loop queue puts it
// at the end of the queue and plays the first; otherwise it goes to the
// history and the first queued track plays. A track that failed to load
// is not repeated whatever the loop mode.
func (s *Session) End(reason TrackEndReason, now time.Time) (next Track, ok bool) {
	if !reason.MayStartNext() || (s.state != StatePlaying && s.state != StatePaused) {
		return Track{}, false
	}
	ended := s.current
	if reason == EndFinished {
		switch s.loop {
		case LoopTrack:
			ended.Info.Position = 0
			s.setCurrent(ended, now)
			return ended, true
		case LoopQueue:
			s.queue.PushHistory(ended)
			next, ok = s.queue.Next()
			ended.Info.Position = 0
			s.queue.pushBackForce(ended)
			if !ok {
				next, _ = s.queue.Next()
			}
			s.setCurrent(next, now)
			return next, true
		}
	}
	s.queue.PushHistory(ended)
	return s.advance(now)
}

// finish ends the current track as End, Skip and SkipTo do when the
// caller has already changed the queue as they would (a shared queue):
// the track goes to the history and next, taken from the queue, plays.
func (s *Session) finish(next Track, now time.Time) {
	s.queue.PushHistory(s.current)
	s.setCurrent(next, now)
}

func (s *Session) advance(now time.Time) (Track, bool) {
	next, ok := s.queue.Next()
	if !ok {
		s.clearCurrent(now)
		return Track{}, false
	}
	s.setCurrent(next, now)
	return next, true
}

// Skip ends the current track early and plays the one n positions ahead:
// n = 1 plays the next queued track, n = 3 also drops the two after it.
// Loop track does not hold a skip back; with loop queue the current and
// skipped tracks go to the end of the queue instead of being dropped. It
// returns false, and the session is idle, when the queue was empty.
//
// n must be between 1 and the queue length (1 also when the queue is
// empty); otherwise it returns a [*PositionError].
func (s *Session) Skip(n int, now time.Time) (next Track, ok bool, err error) {
	if s.state != StatePlaying && s.state != StatePaused {
		return Track{}, false, s.deny("skip")
	}
	if n < 1 || (n > 1 && n > s.queue.Len()) {
		return Track{}, false, &PositionError{Position: n, Len: s.queue.Len()}
	}
	ended := s.current
	s.queue.PushHistory(ended)
	if s.loop == LoopQueue {
		ended.Info.Position = 0
		s.queue.pushBackForce(ended)
		for range n - 1 {
			t, _ := s.queue.Next()
			s.queue.pushBackForce(t)
		}
	} else {
		for range n - 1 {
			s.queue.Next()
		}
	}
	next, ok = s.advance(now)
	return next, ok, nil
}

// SkipTo ends the current track early and plays the track at queue
// position n, which leaves the queue; the tracks before it stay queued,
// in order (unlike [Session.Skip], which drops them). With loop queue
// the current track goes to the end of the queue. n must be a queue
// position; otherwise it returns a [*PositionError].
func (s *Session) SkipTo(n int, now time.Time) (Track, error) {
	if s.state != StatePlaying && s.state != StatePaused {
		return Track{}, s.deny("skip")
	}
	next, err := s.queue.Remove(n)
	if err != nil {
		return Track{}, err
	}
	ended := s.current
	s.queue.PushHistory(ended)
	if s.loop == LoopQueue {
		ended.Info.Position = 0
		s.queue.pushBackForce(ended)
	}
	s.setCurrent(next, now)
	return next, nil
}

// Previous plays the most recent track of the history again and puts the
// current one, if any, back at position 1 of the queue (even when the
// queue is full, so no track is lost). It returns [ErrHistoryEmpty] when
// there is no earlier track.
func (s *Session) Previous(now time.Time) (Track, error) {
	return s.previous(now, true)
}

// previous is Previous; requeue false leaves the queue to the caller,
// who has already put the current track back (a shared queue).
func (s *Session) previous(now time.Time, requeue bool) (Track, error) {
	prev, ok := s.queue.PopHistory()
	if !ok {
		return Track{}, ErrHistoryEmpty
	}
	if cur, playing := s.Current(); playing && requeue {
		cur.Info.Position = 0
		s.queue.pushFrontForce(cur)
	}
	prev.Info.Position = 0
	s.setCurrent(prev, now)
	return prev, nil
}
