//go:build !race

// These tests drive disgo v0.19.6 into the flows in which its gateway has
// data races of its own, so they are left out of -race builds. The server
// side of each flow is also covered under -race by the raw-websocket tests.
//
//   - Reconnecting: the heartbeat goroutine writes gatewayImpl.lastHeartbeatSent
//     after each heartbeat, once it has released the connection lock
//     (sendHeartbeat, gateway.go:499), and open writes it again on the
//     goroutine that reconnects (gateway.go:249); nothing orders the two.
//     Every reconnect after a connection's first heartbeat races this way,
//     and with WithReadyAfterHeartbeat every connection has heartbeated
//     before its first event, so any RECONNECT, INVALID_SESSION or dropped
//     connection does.
//   - A heartbeat after the first event: from that heartbeat on, the
//     heartbeat goroutine reads gatewayImpl's last sequence number
//     (gateway.go:482) and last ACK time, which the read loop writes for
//     every event and ACK without synchronization. The tests of
//     ErrNoReadyAfterHeartbeat and ErrLateClose create exactly that.

package discordtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/gateway"

	"github.com/tunekit/tunekit/music/discordtest"
)

func TestDisgoResumesAfterReconnect(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	w := disgoWorld(t)
	client, log := connect(t, ctx, w, nil)

	if err := w.srv.Reconnect(0); err != nil {
		t.Fatal(err)
	}
	// Wait until disgo dropped the connection, then make an event it misses.
	if _, err := w.srv.WaitSession(ctx, func(s discordtest.Session) bool { return !s.Connected }); err != nil {
		t.Fatal(err)
	}
	queue := w.guild.AddTextChannel("queue")
	await(t, ctx, log, "RESUMED", anyEvent[*events.Resumed])
	await(t, ctx, log, "replayed CHANNEL_CREATE", func(e *events.GuildChannelCreate) bool { return e.ChannelID == queue })
	if _, ok := client.Caches.Channel(queue); !ok {
		t.Error("channel created during the reconnect missing from the cache")
	}
	s := w.srv.Sessions()
	// WithReadyAfterHeartbeat held the RESUME until the new connection's
	// first heartbeat.
	if len(s) != 1 || s[0].Resumes != 1 || !s[0].Connected || s[0].ConnHeartbeats != 1 || s[0].Heartbeats != 2 {
		t.Errorf("Sessions() = %+v, want one session resumed once, one heartbeat per connection", s)
	}
}

// openUnmanaged connects a plain-JSON disgo client that the test closes
// itself, and waits until it is ready.
func openUnmanaged(t *testing.T, ctx context.Context, srv *discordtest.Server) *bot.Client {
	t.Helper()
	client := buildClient(t, srv, bot.WithGatewayConfigOpts(gateway.WithIntents(testIntents), gateway.WithCompression(gateway.CompressionNone)))
	if err := client.OpenGateway(ctx); err != nil {
		t.Fatalf("OpenGateway: %v", err)
	}
	return client
}

func TestCloseClientNeedsReadyAfterHeartbeat(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	srv := discordtest.Start(t, discordtest.WithHeartbeatInterval(500*time.Millisecond))
	srv.AddGuild("g")
	client := openUnmanaged(t, ctx, srv)
	// Close after disgo's first heartbeat, so that its heartbeat goroutine
	// has stored the cancel func Close calls, and before its second.
	if _, err := srv.WaitSession(ctx, func(s discordtest.Session) bool { return s.ConnHeartbeats > 0 }); err != nil {
		t.Fatal(err)
	}
	if err := discordtest.CloseClient(ctx, srv, client); !errors.Is(err, discordtest.ErrNoReadyAfterHeartbeat) {
		t.Errorf("CloseClient() = %v, want ErrNoReadyAfterHeartbeat", err)
	}
	if st := client.Gateway.Status(); st != gateway.StatusDisconnected {
		t.Errorf("gateway status after CloseClient = %s, want Disconnected", st)
	}
	if _, err := srv.WaitSession(ctx, func(s discordtest.Session) bool { return !s.Connected && !s.Resumable }); err != nil {
		t.Errorf("session still open after CloseClient: %v", err)
	}
}

func TestCloseClientReportsLateClose(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	srv := discordtest.Start(t, discordtest.WithReadyAfterHeartbeat(), discordtest.WithHeartbeatInterval(300*time.Millisecond))
	srv.AddGuild("g")
	client := openUnmanaged(t, ctx, srv)
	if _, err := srv.WaitSession(ctx, func(s discordtest.Session) bool { return s.Connected && s.ConnHeartbeats >= 2 }); err != nil {
		t.Fatal(err)
	}
	if err := discordtest.CloseClient(ctx, srv, client); !errors.Is(err, discordtest.ErrLateClose) {
		t.Errorf("CloseClient() = %v, want ErrLateClose", err)
	}
	if st := client.Gateway.Status(); st != gateway.StatusDisconnected {
		t.Errorf("gateway status after CloseClient = %s, want Disconnected", st)
	}
}
