package disgobot_test

import (
	"context"
	"errors"
	"testing"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
)

var _ music.VoiceGateway = (*disgobot.VoiceGateway)(nil)

// TestVoiceWithoutGateway: a client that has no gateway, or none at
// all, fails at once.
func TestVoiceWithoutGateway(t *testing.T) {
	ch := snowflake.ID(2)
	if err := disgobot.Voice(nil).UpdateVoiceState(context.Background(), 1, &ch, false, true); !errors.Is(err, discord.ErrNoGatewayOrShardManager) {
		t.Errorf("UpdateVoiceState of Voice(nil) = %v, want ErrNoGatewayOrShardManager", err)
	}
	client, err := disgo.New(discordtest.Token(discordtest.DefaultApplicationID), bot.WithLogger(logger()))
	must(t, err)
	defer client.Close(context.Background())
	err = disgobot.Voice(client).UpdateVoiceState(context.Background(), 1, &ch, false, true)
	if !errors.Is(err, discord.ErrNoGatewayOrShardManager) {
		t.Errorf("UpdateVoiceState without a gateway = %v, want ErrNoGatewayOrShardManager", err)
	}
}

// TestVoiceWaitsForReady: a request made before the gateway is ready
// waits for it (or for its context) instead of failing.
func TestVoiceWaitsForReady(t *testing.T) {
	srv := discordtest.Start(t)
	g := srv.AddGuild("g")
	lounge := g.AddVoiceChannel("Lounge")
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	tg := &testGateway{url: srv.GatewayURL(), token: srv.Token(), intents: disgobot.Intents}
	client, err := disgo.New(srv.Token(), bot.WithLogger(logger()), bot.WithGateway(tg),
		bot.WithRestClientConfigOpts(rest.WithURL(srv.RestURL()), rest.WithLogger(logger())))
	must(t, err)
	tg.handle = client.EventManager.HandleGatewayEvent
	defer closeClient(context.Background(), client)
	v := disgobot.Voice(client)

	done, stop := context.WithCancel(ctx)
	stop()
	if err := v.UpdateVoiceState(done, g.ID(), &lounge, false, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("UpdateVoiceState before the gateway opened, context done = %v, want context.Canceled", err)
	}

	result := make(chan error, 1)
	go func() { result <- v.UpdateVoiceState(ctx, g.ID(), &lounge, false, true) }()
	must(t, client.OpenGateway(ctx))
	if err := <-result; err != nil {
		t.Fatalf("UpdateVoiceState = %v", err)
	}
	if _, err := srv.WaitVoice(ctx, g.ID(), srv.BotID(), lounge); err != nil {
		t.Fatalf("the bot never joined: %v", err)
	}
	if err := v.UpdateVoiceState(ctx, g.ID(), nil, false, false); err != nil {
		t.Fatalf("leave: %v", err)
	}
	if _, err := srv.WaitVoice(ctx, g.ID(), srv.BotID(), 0); err != nil {
		t.Fatalf("the bot never left: %v", err)
	}
}
