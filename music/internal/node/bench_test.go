package node

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/secureheaders"
)

func BenchmarkDecodeFrame(b *testing.B) {
	for _, bc := range []struct{ name, frame string }{
		{"playerUpdate", updateFrame},
		{"stats", fullStatsFrame},
		{"TrackStartEvent", startFrame},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := []byte(bc.frame)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := decodeFrame(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDispatch(b *testing.B) {
	n, err := New(validConfig(), HandlerFuncs{})
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(updateFrame)
	b.ReportAllocs()
	for b.Loop() {
		n.dispatch(data)
	}
}

func BenchmarkPenalty(b *testing.B) {
	n, err := New(validConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	n.connected, n.hasStats = true, true
	n.stats = lavalink.Stats{PlayingPlayers: 12, CPU: lavalink.CPU{Cores: 4, SystemLoad: 0.4}, FrameStats: &lavalink.FrameStats{Sent: 2900, Nulled: 20, Deficit: 80}}
	b.ReportAllocs()
	for b.Loop() {
		_ = n.Penalty()
	}
}

func BenchmarkBest3(b *testing.B) {
	var nodes []*Node
	for i := range 3 {
		n, err := New(validConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		n.connected, n.hasStats = true, true
		n.stats = lavalink.Stats{PlayingPlayers: 10 * i, CPU: lavalink.CPU{SystemLoad: 0.1 * float64(i)}}
		nodes = append(nodes, n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Best(nodes); !ok {
			b.Fatal("no node")
		}
	}
}

func BenchmarkPlayerUpdateMarshal(b *testing.B) {
	vol := 80
	u := PlayerUpdate{
		Track:  &TrackUpdate{Encoded: "QAAAjQIAJVJpY2sgQXN0bGV5AAtSaWNrIEFzdGxleQAAAAAAAz8gAAtkUXc0dzlXZ1hjUQABAB1odHRwczovL3lvdXR1LmJlL2RRdzR3OVdnWGNRAAd5b3V0dWJlAAAAAAAAAAA=", UserData: json.RawMessage(`{"requester":"42"}`)},
		Volume: &vol,
		Voice:  &completeVoice,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdatePlayer is one player update round trip (validate, PATCH,
// decode) against an in-process fake node.
func BenchmarkUpdatePlayer(b *testing.B) {
	fake := lavalinktest.NewNodeT(b, lavalinktest.WithClock(lavalinktest.NewClock(testEpoch)))
	n, err := New(Config{
		Name: "bench", Address: fake.Addr(), Password: secureheaders.NewSecret(fake.Password()), UserID: testUser,
		Logger: (&logBuffer{}).logger(),
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Cleanup(func() { _ = n.Close(ctx) })
	if err := n.Start(ctx); err != nil {
		b.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := n.WaitReady(wctx); err != nil {
		b.Fatal(err)
	}
	vol := 100
	u := PlayerUpdate{Volume: &vol, Voice: &completeVoice}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.UpdatePlayer(ctx, testGuild, u, false); err != nil {
			b.Fatal(err)
		}
	}
}
