package disgobot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// restTimeout bounds each REST call the Bot makes.
const restTimeout = 10 * time.Second

// interaction is what the Bot needs of any interaction event to answer it.
type interaction struct {
	ctx       context.Context
	i         discord.Interaction
	respond   events.InteractionResponderFunc
	client    *bot.Client
	component bool // a button: answers may update the message it is on
}

func commandInteraction(e *handler.CommandEvent) interaction {
	return interaction{ctx: e.Ctx, i: e.ApplicationCommandInteraction, respond: e.Respond, client: e.Client()}
}

func componentInteraction(e *handler.ComponentEvent) interaction {
	return interaction{ctx: e.Ctx, i: e.ComponentInteraction, respond: e.Respond, client: e.Client(), component: true}
}

// answer is what a command or button answers.
type answer struct {
	// embed is the message; nil answers a button without a message.
	embed      *discord.Embed
	components []discord.LayoutComponent
	// ephemeral shows a new message to the user alone.
	ephemeral bool
	// update replaces the message a button is on.
	update bool
	// followups are sent as further messages once the answer is
	// delivered, in order (long lyrics).
	followups []discord.Embed
	// delivered runs once the answer was delivered (ok) or could not be.
	delivered func(ok bool)
}

func reply(e discord.Embed, components ...discord.LayoutComponent) answer {
	return answer{embed: &e, components: components}
}

func private(e discord.Embed) answer { return answer{embed: &e, ephemeral: true} }

// fail is the ephemeral answer to err.
func (b *Bot) fail(err error) answer { return private(b.render.failure(userMessage(err))) }

// call is who runs a command where, and the interaction's token, by
// which its answer can be edited later.
type call struct {
	guild   snowflake.ID
	channel snowflake.ID
	actor   music.Actor
	appID   snowflake.ID
	token   string
}

// call builds the actor from the interaction (user, roles, permissions)
// and the voice-state cache (the member's voice channel).
func (b *Bot) call(i discord.Interaction) (call, error) {
	gid, m := i.GuildID(), i.Member()
	if gid == nil || m == nil || m.User.ID == 0 {
		return call{}, errNotInGuild
	}
	c := call{guild: *gid, actor: actorOf(*m), appID: i.ApplicationID(), token: i.Token()}
	if ch := i.Channel(); ch.ID() != 0 {
		c.channel = ch.ID()
	}
	if vs, ok := b.client.Caches.VoiceState(c.guild, c.actor.UserID); ok && vs.ChannelID != nil {
		c.actor.VoiceChannelID = *vs.ChannelID
	}
	return c, nil
}

// actorOf is the member as the Manager sees them. Admin means
// Administrator or Manage Server in the permissions Discord computed for
// the interaction's channel.
func actorOf(m discord.ResolvedMember) music.Actor {
	return music.Actor{
		UserID:  m.User.ID,
		RoleIDs: m.RoleIDs,
		Admin:   m.Permissions.Has(discord.PermissionAdministrator) || m.Permissions.Has(discord.PermissionManageGuild),
	}
}

// run answers an interaction with what work returns, within Discord's
// three-second window: when deferNow is set, or when work takes longer
// than the defer delay, the answer is deferred first and delivered when
// work is done. work's context ends after the command timeout.
func (b *Bot) run(x interaction, deferNow bool, work func(ctx context.Context, c call) (answer, error)) error {
	c, err := b.call(x.i)
	if err != nil {
		b.deliver(x, b.fail(err), false)
		return nil
	}
	ctx, cancel := context.WithTimeout(x.ctx, b.cfg.commandTimeout)
	defer cancel()
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("command panicked", "panic", r)
				done <- b.fail(fmt.Errorf("panic: %v", r))
			}
		}()
		a, err := work(ctx, c)
		if err != nil {
			if errors.Is(err, music.ErrServiceUnavailable) {
				b.trouble(c.guild, troubleUnavailable, c.channel)
			}
			a = b.fail(err)
		}
		done <- a
	}()
	if !deferNow {
		slow := make(chan struct{})
		t := b.cfg.clock.AfterFunc(b.cfg.deferAfter, func() { close(slow) })
		select {
		case a := <-done:
			t.Stop()
			b.complete(x, a, false)
			return nil
		case <-slow:
		}
	}
	deferred := b.deferAnswer(x)
	b.complete(x, <-done, deferred)
	return nil
}

// complete delivers a, then its follow-up messages, and runs its
// delivered hook.
func (b *Bot) complete(x interaction, a answer, deferred bool) {
	err := b.deliver(x, a, deferred)
	if a.delivered != nil {
		defer func() { a.delivered(err == nil) }()
	}
	if err != nil {
		return
	}
	for _, e := range a.followups {
		ctx, cancel := context.WithTimeout(b.ctx, restTimeout)
		_, err := x.client.Rest.CreateFollowupMessage(x.i.ApplicationID(), x.i.Token(), answer{embed: &e, ephemeral: a.ephemeral}.messageCreate(), rest.WithCtx(ctx))
		cancel()
		if err != nil {
			b.log.WarnContext(ctx, "send follow-up", "error", err)
			return
		}
	}
}

// deferAnswer acknowledges the interaction so it may be answered later:
// "thinking…" for a command, nothing visible for a button.
func (b *Bot) deferAnswer(x interaction) bool {
	ctx, cancel := context.WithTimeout(b.ctx, restTimeout)
	defer cancel()
	t := discord.InteractionResponseTypeDeferredCreateMessage
	if x.component {
		t = discord.InteractionResponseTypeDeferredUpdateMessage
	}
	if err := x.respond(t, nil, rest.WithCtx(ctx)); err != nil {
		b.log.WarnContext(ctx, "defer interaction", "error", err)
		return false
	}
	return true
}

// deliver sends a as the interaction's answer: as its response, or
// after a deferral by editing (or, for an ephemeral answer to a command,
// replacing) the deferred response. A failure is logged and returned.
func (b *Bot) deliver(x interaction, a answer, deferred bool) error {
	ctx, cancel := context.WithTimeout(b.ctx, restTimeout)
	defer cancel()
	opt := rest.WithCtx(ctx)
	var err error
	switch {
	case !deferred && a.embed == nil:
		err = x.respond(discord.InteractionResponseTypeDeferredUpdateMessage, nil, opt)
	case !deferred && a.update:
		err = x.respond(discord.InteractionResponseTypeUpdateMessage, a.messageUpdate(), opt)
	case !deferred:
		err = x.respond(discord.InteractionResponseTypeCreateMessage, a.messageCreate(), opt)
	case a.embed == nil:
	case a.update || (!a.ephemeral && !x.component):
		_, err = x.client.Rest.UpdateInteractionResponse(x.i.ApplicationID(), x.i.Token(), a.messageUpdate(), opt)
	case x.component:
		_, err = x.client.Rest.CreateFollowupMessage(x.i.ApplicationID(), x.i.Token(), a.messageCreate(), opt)
	default:
		// A deferred command's "thinking…" message was public; an
		// ephemeral answer replaces it.
		if err = x.client.Rest.DeleteInteractionResponse(x.i.ApplicationID(), x.i.Token(), opt); err == nil {
			_, err = x.client.Rest.CreateFollowupMessage(x.i.ApplicationID(), x.i.Token(), a.messageCreate(), opt)
		}
	}
	if err != nil {
		b.log.WarnContext(ctx, "answer interaction", "error", err)
	}
	return err
}

func (a answer) messageCreate() discord.MessageCreate {
	mc := discord.MessageCreate{Components: a.components}
	if a.embed != nil {
		mc.Embeds = []discord.Embed{*a.embed}
	}
	if a.ephemeral {
		mc.Flags = discord.MessageFlagEphemeral
	}
	return mc
}

func (a answer) messageUpdate() discord.MessageUpdate {
	components := a.components
	if components == nil {
		components = []discord.LayoutComponent{}
	}
	mu := discord.MessageUpdate{Components: &components}
	if a.embed != nil {
		embeds := []discord.Embed{*a.embed}
		mu.Embeds = &embeds
	}
	return mu
}
