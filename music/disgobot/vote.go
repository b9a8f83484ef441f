package disgobot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// voteTTL bounds how long the Bot keeps a vote message: less than the
// 15 minutes an interaction token may edit its answer, and far more than
// a vote lasts (30 seconds by default).
const voteTTL = 14 * time.Minute

// voteMessage is the public answer of the /skip that started a skip
// vote: it shows the tally with a vote button and follows the vote's
// events until it ends.
type voteMessage struct {
	n              int // the vote's number, in its button's custom ID
	guild, channel snowflake.ID
	appID          snowflake.ID
	token          string // the interaction's, to edit its answer
	track          music.Track

	shown chan struct{} // closed once the message was posted, or could not be

	mu       sync.Mutex
	posted   bool
	tally    music.VoteTally
	ended    music.VoteEndReason // "" while the vote is open
	lastBody []byte
}

// isPosted reports whether the message is out, so it can be edited.
func (vm *voteMessage) isPosted() bool {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.posted
}

func (vm *voteMessage) ref() editRef { return editRef{token: vm.token} }

// state returns the tally and how the vote ended ("" while open).
func (vm *voteMessage) state() (music.VoteTally, music.VoteEndReason) {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	return vm.tally, vm.ended
}

// set records the vote's latest count; once the vote ended it changes
// nothing. It reports whether it changed the state.
func (vm *voteMessage) set(t music.VoteTally, ended music.VoteEndReason) bool {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if vm.ended != "" {
		return false
	}
	vm.tally, vm.ended = t, ended
	return true
}

// renderVote is the vote message's embed and, while the vote is open, its
// button, with the JSON of the edit by which unchanged edits are
// skipped.
func (b *Bot) renderVote(vm *voteMessage) (discord.MessageUpdate, []byte) {
	t, ended := vm.state()
	emb := b.render.trackEmbed(headVote, vm.track, 0)
	components := []discord.LayoutComponent{}
	switch ended {
	case "":
		emb.Description = emojiVote + " " + tally(t)
		components = append(components, discord.NewActionRow(button(discord.ButtonStylePrimary, btnVote, emojiVote, voteID(vm.n))))
	case music.VotePassed:
		emb.Description = fmt.Sprintf(msgVotePassed, t.Votes, t.Needed)
	case music.VoteExpired:
		emb.Description = fmt.Sprintf(msgVoteExpired, t.Votes, t.Needed)
		emb.Color = b.render.theme.IdleColor
	default:
		emb.Description = msgVoteOver
		emb.Color = b.render.theme.IdleColor
	}
	embeds := []discord.Embed{emb}
	update := discord.MessageUpdate{Embeds: &embeds, Components: &components}
	body, _ := json.Marshal(update)
	return update, body
}

// voteCounted tells a voter their vote counts and where the vote stands.
func voteCounted(v music.VoteTally) string { return emojiVote + " " + msgVoteCounted + tally(v) + "." }

// nextVote numbers a new vote message.
func (b *Bot) nextVote() int {
	b.voteMu.Lock()
	defer b.voteMu.Unlock()
	b.voteSeq = b.voteSeq%maxVote + 1
	return b.voteSeq
}

// skipVoted answers a /skip that went to a vote: the tally, publicly
// with a vote button when it starts a vote the Bot shows nowhere yet,
// or to the user alone when it joins one.
func (b *Bot) skipVoted(c call, v music.VoteTally) answer {
	np, ok := b.m.Status(c.guild)
	if !ok {
		return private(b.render.notice(msgVoteOver))
	}
	if cur, ok := b.votes.Peek(c.guild); ok && sameTrack(cur.track, np.Track) {
		if _, ended := cur.state(); ended == "" {
			return private(b.render.notice(voteCounted(v)))
		}
	}
	vm := &voteMessage{n: b.nextVote(), guild: c.guild, channel: c.channel, appID: c.appID, token: c.token,
		track: np.Track, tally: v, shown: make(chan struct{})}
	update, body := b.renderVote(vm)
	vm.lastBody = body
	// The message is the guild's vote message from now on, so that the
	// vote's events are kept, but edited only once it is posted.
	b.votes.SetWithTTL(c.guild, vm, voteTTL)
	a := reply((*update.Embeds)[0], *update.Components...)
	a.delivered = func(ok bool) { b.showVote(vm, ok) }
	return a
}

// showVote makes vm editable once it was posted and catches up with what
// the vote did meanwhile; a message that could not be posted is
// forgotten.
func (b *Bot) showVote(vm *voteMessage, posted bool) {
	defer close(vm.shown)
	if !posted {
		b.forgetVote(vm)
		return
	}
	vm.mu.Lock()
	vm.posted = true
	vm.mu.Unlock()
	np, ok := b.m.Status(vm.guild)
	t, _ := vm.state()
	switch {
	case !ok || !sameTrack(np.Track, vm.track):
		vm.set(t, music.VoteTrackChanged)
	case np.Vote == nil:
		vm.set(t, music.VoteExpired)
	default:
		vm.set(*np.Vote, "")
	}
	b.touchVote(vm)
}

// touchVote queues an edit of vm within its channel's budget; an ended
// vote is forgotten once its last edit is made.
func (b *Bot) touchVote(vm *voteMessage) {
	b.pacer.submit(vm.guild, vm.channel, vm.ref(), func(ctx context.Context) bool { return b.editVote(ctx, vm) })
}

// editVote edits vm to show the vote now, unless it shows that already.
func (b *Bot) editVote(ctx context.Context, vm *voteMessage) bool {
	update, body := b.renderVote(vm)
	_, ended := vm.state()
	if ended != "" {
		b.forgetVote(vm)
	}
	vm.mu.Lock()
	same := bytes.Equal(body, vm.lastBody)
	vm.mu.Unlock()
	if same {
		return false
	}
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	_, err := b.client.Rest.UpdateInteractionResponse(vm.appID, vm.token, update, rest.WithCtx(rctx))
	switch {
	case isGone(err):
		b.forgetVote(vm)
	case err != nil:
		b.log.WarnContext(ctx, "update skip vote message", "guild", vm.guild, "error", err)
	default:
		vm.mu.Lock()
		vm.lastBody = body
		vm.mu.Unlock()
	}
	return true
}

// forgetVote drops vm as the guild's vote message, if it still is.
func (b *Bot) forgetVote(vm *voteMessage) {
	if cur, ok := b.votes.Peek(vm.guild); ok && cur == vm {
		b.votes.Delete(vm.guild)
	}
}

// voteUpdated follows a vote's count on its message and on the
// now-playing message.
func (b *Bot) voteUpdated(e music.SkipVoteUpdated) {
	if vm, ok := b.votes.Peek(e.GuildID); ok && sameTrack(vm.track, e.Track) {
		if vm.set(music.VoteTally{Votes: e.Votes, Needed: e.Needed, Expires: e.Expires}, "") && vm.isPosted() {
			b.touchVote(vm)
		}
	}
	b.touch(e.GuildID)
}

// voteEnded shows how a vote ended on its message, which loses its
// button, and drops it from the now-playing message.
func (b *Bot) voteEnded(e music.SkipVoteEnded) {
	if vm, ok := b.votes.Peek(e.GuildID); ok && sameTrack(vm.track, e.Track) {
		t, _ := vm.state()
		t.Votes, t.Needed, t.Passed = e.Votes, e.Needed, e.Reason == music.VotePassed
		switch {
		case !vm.set(t, e.Reason):
			b.forgetVote(vm)
		case vm.isPosted():
			b.touchVote(vm) // forgets it once edited
		}
	}
	b.touch(e.GuildID)
}

// voteButton casts the clicker's vote on the vote message's vote. The
// click is acknowledged and the message shows the new count through an
// edit within the channel's budget, so that the message has one writer
// and a burst of clicks makes one edit.
func (b *Bot) voteButton(ctx context.Context, c call, n int) (answer, error) {
	vm, ok := b.votes.Peek(c.guild)
	if !ok || vm.n != n {
		return answer{}, errVoteOver
	}
	select {
	case <-vm.shown:
	case <-ctx.Done():
		return answer{}, ctx.Err()
	}
	if _, ended := vm.state(); ended != "" || !vm.isPosted() {
		return answer{}, errVoteOver
	}
	if np, ok := b.m.Status(c.guild); !ok || !sameTrack(np.Track, vm.track) {
		return answer{}, errVoteOver // the track changed; a vote now would be on the next one
	}
	res, err := b.m.VoteSkip(ctx, c.guild, c.actor)
	if err != nil {
		return answer{}, err
	}
	if res.Vote != nil {
		ended := music.VoteEndReason("")
		if res.Vote.Passed {
			ended = music.VotePassed
		}
		vm.set(*res.Vote, ended)
	}
	b.touchVote(vm)
	return answer{}, nil
}
