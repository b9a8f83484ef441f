package disgobot

import (
	"context"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/handler"

	"github.com/tunekit/tunekit/music"
)

// button serves every button under the Bot's custom-ID prefix. Each goes
// through the same Manager command (and so the same permission and rate
// limit checks) as the slash command it stands for.
func (b *Bot) button(data discord.ButtonInteractionData, e *handler.ComponentEvent) error {
	x := componentInteraction(e)
	id, err := parseCustomID(data.CustomID())
	if err != nil {
		b.deliver(x, b.fail(err), false)
		return nil
	}
	message := e.Message.ID
	return b.run(x, false, func(ctx context.Context, c call) (answer, error) {
		switch id.kind {
		case kindQueue:
			v, err := b.m.Queue(ctx, c.guild, c.actor, id.page)
			if err != nil {
				return answer{}, err
			}
			a := reply(b.render.queue(v), b.render.queueButtons(v)...)
			a.update = true
			return a, nil
		case kindVote:
			return b.voteButton(ctx, c, id.vote)
		}
		lm, ok := b.live.Peek(c.guild)
		if !ok || lm.message != message {
			// The message may be one whose posting is still being
			// recorded: let the guild's queued work finish and look again.
			b.work.barrier(ctx, c.guild)
			lm, ok = b.live.Peek(c.guild)
		}
		if !ok || lm.message != message || lm.isEnded() {
			return answer{}, errStale
		}
		return b.control(ctx, c, id.action, lm)
	})
}

// control runs a now-playing button's command. Buttons whose effect
// shows on the message (pause, resume, loop) answer by updating it;
// skip and stop change the track, and with it the message, through the
// Manager's events; shuffle answers the clicker alone.
func (b *Bot) control(ctx context.Context, c call, a npAction, lm *liveMessage) (answer, error) {
	switch a {
	case actPause, actResume:
		var err error
		if a == actPause {
			err = pauseError(b.m.Pause(ctx, c.guild, c.actor), true)
		} else {
			err = pauseError(b.m.Resume(ctx, c.guild, c.actor), false)
		}
		// Already in the state the button asked for: the message was
		// behind, which the refresh below fixes.
		if err != nil && err != errAlreadyPaused && err != errNotPaused {
			return answer{}, err
		}
	case actLoop:
		np, ok := b.m.Status(c.guild)
		if !ok {
			return answer{}, music.ErrNothingPlaying
		}
		if err := b.m.SetLoop(ctx, c.guild, c.actor, nextLoop(np.Loop)); err != nil {
			return answer{}, err
		}
	case actShuffle:
		n, err := b.m.Shuffle(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		return private(b.render.notice(emojiShuffle + " Shuffled " + plural(n, "track", "tracks") + ".")), nil
	case actSkip:
		res, err := b.m.Skip(ctx, c.guild, c.actor, 1)
		if err != nil {
			return answer{}, err
		}
		if res.Vote != nil && !res.Vote.Passed {
			// A listener who may not skip voted; the message shows the
			// count once the vote's event arrives.
			return private(b.render.notice(voteCounted(*res.Vote))), nil
		}
		return answer{}, nil
	case actStop:
		if err := b.m.Stop(ctx, c.guild, c.actor); err != nil {
			return answer{}, err
		}
		return answer{}, nil
	}
	np, ok := b.m.Status(c.guild)
	if !ok || !sameTrack(np.Track, lm.track) {
		return answer{}, nil // the track changed meanwhile; its own message follows
	}
	update, body := b.liveUpdate(np, lm.line(np.Position))
	lm.edited(body)
	a2 := reply((*update.Embeds)[0], *update.Components...)
	a2.update = true
	return a2, nil
}

// nextLoop is the mode the loop button switches to: off, track, queue,
// off again.
func nextLoop(m music.LoopMode) music.LoopMode {
	switch m {
	case music.LoopOff:
		return music.LoopTrack
	case music.LoopTrack:
		return music.LoopQueue
	}
	return music.LoopOff
}
