package music

import (
	"errors"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// voteHarness has a guild with a DJ role, four listeners (user, other,
// third, fourth) and a bot in the channel, and "one" playing, requested
// by user, with "two" and "three" queued by fourth.
func voteHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	return voteHarnessWith(t, harnessConfig{opts: opts})
}

// voteHarnessWith is voteHarness on a harness made from hc.
func voteHarnessWith(t *testing.T, hc harnessConfig) *harness {
	t.Helper()
	h := newHarness(t, hc)
	h.addTracks("one", "two", "three")
	for _, u := range []snowflake.ID{userID, otherID, thirdID, fourthID} {
		h.listen(guildID, u, voiceID)
	}
	h.m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guildID, UserID: 900000000000000099, ChannelID: voiceID, Bot: true})
	h.settle(func(s Settings) (Settings, error) { return s.WithDJRoleID(djRoleID), nil })
	h.playAs(listener, "one", PlaceEnd)
	h.playAs(fourthListener, "two", PlaceEnd)
	h.playAs(fourthListener, "three", PlaceEnd)
	h.waitEvent(isStarted("one"))
	h.sync(guildID)
	return h
}

func isVote(votes, needed int) func(Event) bool {
	return func(e Event) bool {
		u, ok := e.(SkipVoteUpdated)
		return ok && u.Votes == votes && u.Needed == needed
	}
}

func isVoteEnd(reason VoteEndReason) func(Event) bool {
	return func(e Event) bool {
		u, ok := e.(SkipVoteEnded)
		return ok && u.Reason == reason
	}
}

// TestVoteSkip proves that a non-DJ's skip of someone else's track
// starts a vote, that each listener counts once (bots not at all), and
// that the vote passes at half the listeners and skips the track.
func TestVoteSkip(t *testing.T) {
	h := voteHarness(t)
	ctx := h.ctx()
	res, err := h.m.Skip(ctx, guildID, otherListener, 1)
	if err != nil || res.Vote == nil || res.Vote.Votes != 1 || res.Vote.Needed != 2 || res.Vote.Passed || res.Started {
		t.Fatalf("Skip by a non-DJ = %+v (vote %+v), %v; want a vote at 1 of 2", res, res.Vote, err)
	}
	if want := h.clock.Now().Add(DefaultVoteSkipTimeout); !res.Vote.Expires.Equal(want) {
		t.Errorf("vote expires %v, want %v", res.Vote.Expires, want)
	}
	up := h.waitEvent(isType(TypeSkipVoteUpdated)).(SkipVoteUpdated)
	if up.Voter != otherID || up.Track.Info.Title != "one" || up.Votes != 1 || up.Needed != 2 {
		t.Errorf("SkipVoteUpdated = %+v", up)
	}
	if np, ok := h.m.Status(guildID); !ok || np.Vote == nil || np.Vote.Votes != 1 {
		t.Errorf("Status during the vote = %+v, want the tally", np.Vote)
	}
	again, err := h.m.Skip(ctx, guildID, otherListener, 1)
	if err != nil || again.Vote.Votes != 1 {
		t.Errorf("second vote by the same user = %+v, %v; want still 1", again.Vote, err)
	}
	res, err = h.m.VoteSkip(ctx, guildID, thirdListener)
	if err != nil || res.Vote == nil || !res.Vote.Passed || res.Vote.Votes != 2 || !res.Started ||
		res.Skipped.Info.Title != "one" || res.Next.Info.Title != "two" {
		t.Fatalf("VoteSkip that passes = %+v (vote %+v), %v; want one skipped for two", res, res.Vote, err)
	}
	h.waitEvent(isVoteEnd(VotePassed))
	h.waitEvent(isStarted("two"))
	if np, _ := h.m.Status(guildID); np.Vote != nil {
		t.Errorf("Status after the vote = %+v, want no vote", np.Vote)
	}
}

// TestVoteSkipRequesterCountsDouble proves the track's requester's vote
// weighs two.
func TestVoteSkipRequesterCountsDouble(t *testing.T) {
	h := voteHarness(t)
	h.settle(func(s Settings) (Settings, error) { return s.WithVoteSkipShare(75) }) // 3 of 4
	ctx := h.ctx()
	if res, err := h.m.Skip(ctx, guildID, otherListener, 1); err != nil || res.Vote.Votes != 1 || res.Vote.Needed != 3 {
		t.Fatalf("first vote = %+v, %v; want 1 of 3", res.Vote, err)
	}
	res, err := h.m.VoteSkip(ctx, guildID, listener) // requested "one"
	if err != nil || !res.Vote.Passed || res.Vote.Votes != 3 || res.Next.Info.Title != "two" {
		t.Fatalf("requester's vote = %+v (vote %+v), %v; want 3 of 3, passed", res, res.Vote, err)
	}
}

// TestVoteSkipEnds proves a vote expires after its time, resets when
// the track changes, and counts again when listeners come and go.
func TestVoteSkipEnds(t *testing.T) {
	business, reg := newMetrics(t)
	h := voteHarnessWith(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	ctx := h.ctx()
	if _, err := h.m.Skip(ctx, guildID, otherListener, 1); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(DefaultVoteSkipTimeout)
	end := h.waitEvent(isType(TypeSkipVoteEnded)).(SkipVoteEnded)
	if end.Reason != VoteExpired || end.Votes != 1 || end.Needed != 2 || end.Track.Info.Title != "one" {
		t.Errorf("SkipVoteEnded = %+v, want expired at 1 of 2", end)
	}
	res, err := h.m.Skip(ctx, guildID, otherListener, 1)
	if err != nil || res.Vote.Votes != 1 {
		t.Fatalf("a new vote after expiry = %+v, %v; want a fresh count of 1", res.Vote, err)
	}
	// A DJ skips: the vote ends with the track.
	if _, err := h.m.Skip(ctx, guildID, djListener, 1); err != nil {
		t.Fatal(err)
	}
	h.waitEvent(isStarted("two"))
	h.waitEvent(isVoteEnd(VoteTrackChanged)) // after TrackStarted
	res, err = h.m.Skip(ctx, guildID, thirdListener, 1)
	if err != nil || res.Vote.Votes != 1 || res.Vote.Passed {
		t.Fatalf("vote on the next track = %+v, %v; want 1, not passed", res.Vote, err)
	}
	// The voter leaves: the vote no longer counts.
	h.listen(guildID, thirdID, 0)
	h.sync(guildID)
	h.waitEvent(isVote(0, 2)) // 3 listeners: 2 needed
	// Others leave: 1 listener; it votes and passes alone.
	h.listen(guildID, otherID, 0)
	h.listen(guildID, userID, 0)
	h.sync(guildID)
	h.waitEvent(isVote(0, 1))
	res, err = h.m.VoteSkip(ctx, guildID, fourthListener) // fourth requested "two"
	if err != nil || !res.Vote.Passed || res.Next.Info.Title != "three" {
		t.Fatalf("last listener's vote = %+v (%+v), %v", res, res.Vote, err)
	}
	h.waitEvent(isVoteEnd(VotePassed))
	for outcome, want := range map[string]float64{"started": 3, "expired": 1, "track_changed": 1, "passed": 1} {
		if got := metricValue(t, reg, "tunekit_skip_votes_total", map[string]string{"outcome": outcome}); got != want {
			t.Errorf("skip_votes_total{outcome=%q} = %v, want %v", outcome, got, want)
		}
	}
}

// TestVoteSkipPassesWhenListenersLeave proves a vote is counted again
// when listeners leave, and passes without another vote.
func TestVoteSkipPassesWhenListenersLeave(t *testing.T) {
	h := voteHarness(t)
	ctx := h.ctx()
	if res, err := h.m.Skip(ctx, guildID, otherListener, 1); err != nil || res.Vote.Needed != 2 {
		t.Fatalf("vote = %+v, %v", res.Vote, err)
	}
	h.listen(guildID, thirdID, voice2ID)
	h.listen(guildID, fourthID, 0)
	h.sync(guildID)
	h.waitEvent(isVoteEnd(VotePassed))
	h.waitEvent(isStarted("two"))
}

func TestVoteSkipErrors(t *testing.T) {
	h := voteHarness(t, WithVoteSkipTimeout(5*time.Second))
	ctx := h.ctx()
	outside := Actor{UserID: thirdID, VoiceChannelID: voice2ID}
	if _, err := h.m.VoteSkip(ctx, guildID, outside); !errors.Is(err, ErrNotInVoice) {
		t.Errorf("VoteSkip from another channel = %v, want ErrNotInVoice", err)
	}
	if _, err := h.m.VoteSkip(ctx, snowflake.ID(42), listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("VoteSkip without a session = %v, want ErrNothingPlaying", err)
	}
	res, err := h.m.Skip(ctx, guildID, otherListener, 1)
	if err != nil || !res.Vote.Expires.Equal(h.clock.Now().Add(5*time.Second)) {
		t.Errorf("vote with WithVoteSkipTimeout(5s) = %+v, %v", res.Vote, err)
	}
	if err := h.m.Stop(ctx, guildID, djListener); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.VoteSkip(ctx, guildID, otherListener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("VoteSkip with nothing playing = %v, want ErrNothingPlaying", err)
	}
	h.clock.Advance(5 * time.Second)
	h.waitEvent(isVoteEnd(VoteTrackChanged))
	if _, err := NewManager(Config{Nodes: h.cfg.Nodes, UserID: botID, Voice: h.voice}, WithVoteSkipTimeout(0)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("WithVoteSkipTimeout(0) = %v, want ErrInvalidConfig", err)
	}
}

// TestStatusAndPauseErrors proves Status reads without a permission
// check or a command metric, and pause and resume say when there is
// nothing to do.
func TestStatusAndPauseErrors(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }, noStart: true})
	if _, ok := h.m.Status(guildID); ok {
		t.Error("Status before Start reported a track")
	}
	h.start()
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	if _, ok := h.m.Status(guildID); ok {
		t.Error("Status without a session reported a track")
	}
	h.play(guildID, listener, "one")
	np, ok := h.m.Status(guildID)
	if !ok || np.Track.Info.Title != "one" || np.State != StatePlaying || np.VoiceChannelID != voiceID || np.Vote != nil {
		t.Fatalf("Status = %+v, %t", np, ok)
	}
	viaCommand, err := h.m.NowPlaying(h.ctx(), guildID, listener)
	if err != nil || viaCommand.Track.Info.Title != np.Track.Info.Title || viaCommand.State != np.State {
		t.Errorf("NowPlaying = %+v, %v; want what Status says", viaCommand, err)
	}
	if got := metricValue(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "nowplaying"}); got != 1 {
		t.Errorf("nowplaying observations = %v, want 1 (Status records none)", got)
	}
	ctx := h.ctx()
	err = h.m.Resume(ctx, guildID, listener)
	if !errors.Is(err, ErrNotPaused) || UserMessage(err) != "It's already playing." {
		t.Errorf("Resume while playing = %v (%q), want ErrNotPaused", err, UserMessage(err))
	}
	if err := h.m.Pause(ctx, guildID, listener); err != nil {
		t.Fatal(err)
	}
	err = h.m.Pause(ctx, guildID, listener)
	if !errors.Is(err, ErrAlreadyPaused) || UserMessage(err) != "It's already paused." {
		t.Errorf("Pause while paused = %v (%q), want ErrAlreadyPaused", err, UserMessage(err))
	}
	if got := metricValue(t, reg, "tunekit_errors_total", map[string]string{"kind": "invalid_input"}); got != 2 {
		t.Errorf("invalid_input errors = %v, want 2 (not internal)", got)
	}
	_ = h.m.Close(ctx)
	if np, ok := h.m.Status(guildID); !ok || np.Track.Info.Title != "one" {
		t.Errorf("Status after Close = %+v, %t; want the last state", np, ok)
	}
}

// TestVoteAndLeaversEndWithSession proves an open vote and a pending
// removal have their timers stopped when the session ends.
func TestVoteAndLeaversEndWithSession(t *testing.T) {
	h := voteHarness(t)
	h.settle(func(s Settings) (Settings, error) { return s.WithFairQueue(true), nil })
	ctx := h.ctx()
	if _, err := h.m.Skip(ctx, guildID, otherListener, 1); err != nil {
		t.Fatal(err)
	}
	h.listen(guildID, fourthID, 0) // fourth's tracks would go after the grace period
	h.sync(guildID)
	p := h.m.players.get(guildID)
	p.mu.Lock()
	vote, leaver := p.vote, p.leavers[fourthID]
	p.mu.Unlock()
	if vote == nil || leaver == nil || vote.timer.t == nil || leaver.t == nil {
		t.Fatalf("vote %v, removal %v; want both pending", vote, leaver)
	}
	if err := h.m.Leave(ctx, guildID, djListener); err != nil {
		t.Fatal(err)
	}
	h.waitEvent(isType(TypeSessionEnded))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.vote != nil || len(p.leavers) != 0 || vote.timer.t != nil || leaver.t != nil {
		t.Errorf("after Leave: vote %v, %d removals, timers %v %v; want all stopped", p.vote, len(p.leavers), vote.timer.t, leaver.t)
	}
}

// TestVoteSkipConcurrent has ten of eleven listeners vote at once:
// votes are counted one at a time, so exactly the sixth (six of eleven
// needed) passes, and the four after it start a vote on the next track.
func TestVoteSkipConcurrent(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one", "two", "three")
	var voters []Actor
	for i := range 11 {
		id := snowflake.ID(910000000000000000 + i)
		h.listen(guildID, id, voiceID)
		voters = append(voters, Actor{UserID: id, VoiceChannelID: voiceID})
	}
	requester := voters[10] // does not vote: its vote would count double
	h.play(guildID, requester, "one")
	h.playAs(requester, "two", PlaceEnd)
	h.playAs(requester, "three", PlaceEnd)
	h.sync(guildID)
	ctx := h.ctx()
	type result struct {
		res SkipResult
		err error
	}
	results := make(chan result, 10)
	for _, v := range voters[:10] {
		go func() {
			res, err := h.m.VoteSkip(ctx, guildID, v)
			results <- result{res, err}
		}()
	}
	passed := map[string]int{}
	for range 10 {
		r := <-results
		if r.err != nil {
			t.Fatalf("VoteSkip = %v", r.err)
		}
		if r.res.Vote != nil && r.res.Vote.Passed {
			passed[r.res.Skipped.Info.Title]++
		}
	}
	if passed["one"] != 1 || len(passed) != 1 {
		t.Errorf("votes passed on %v, want once, on one", passed)
	}
	if np, ok := h.m.Status(guildID); !ok || np.Track.Info.Title != "two" || np.Vote == nil || np.Vote.Votes != 4 || np.Vote.Needed != 6 {
		t.Errorf("Status = %s with vote %+v; want two with 4 of 6 votes", np.Track.Info.Title, np.Vote)
	}
}
