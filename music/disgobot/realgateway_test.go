//go:build !race

// disgo v0.19.6's own gateway races with itself on Close (its heartbeat
// goroutine writes a field Close reads without a lock), so this test,
// the one that drives the Bot through disgo's real gateway, is left out
// of -race builds; the others use testGateway.

package disgobot_test

import (
	"testing"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"

	"github.com/tunekit/tunekit/music/disgobot"
)

// TestDisgoGateway: the whole flow over disgo's own gateway client.
func TestDisgoGateway(t *testing.T) {
	w := newWorld(t, worldConfig{gateway: func(*world) []bot.ConfigOpt {
		return []bot.ConfigOpt{bot.WithGatewayConfigOpts(gateway.WithIntents(disgobot.Intents), gateway.WithCompression(gateway.CompressionNone))}
	}})
	if _, ok := w.client.Gateway.(*testGateway); ok {
		t.Fatal("the client uses the test gateway")
	}
	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	if _, err := w.srv.WaitVoice(w.ctx, w.guild.ID(), w.srv.BotID(), w.voice); err != nil {
		t.Fatalf("bot never joined: %v", err)
	}
	first := w.nowPlaying("Song 1")
	if r := w.response(w.click(w.alice, first.ID, "/tk1/np/skip", false)); r.Type != discord.InteractionResponseTypeDeferredUpdateMessage {
		t.Errorf("skip response type = %d", r.Type)
	}
	w.nowPlaying("Song 2")
}
