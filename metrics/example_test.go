package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/metrics"
)

func ExampleNew() {
	reg := prometheus.NewRegistry()
	business, err := metrics.New(reg, metrics.WithCommands([]string{"play", "skip"}))
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	business.ObserveCommand(ctx, "play", metrics.StatusOK, 180*time.Millisecond)
	business.ObserveCommand(ctx, "guild-817327181659111454", metrics.StatusOK, time.Second) // not a command: "other"
	business.TrackSongPlayed("youtube")
	business.SetLavalinkNodes(1, 0)

	n, _ := testutil.GatherAndCount(reg, "tunekit_command_duration_seconds")
	fmt.Println("command series:", n) // (play, skip, other) x (ok, error, denied, rate_limited, other)
	// Output:
	// command series: 15
}

func ExampleHandler() {
	reg := prometheus.NewRegistry()
	business, _ := metrics.New(reg)
	business.SetActiveGuilds(42)

	srv := httptest.NewServer(metrics.Handler(reg))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "tunekit_active_guilds") {
			fmt.Println(line)
		}
	}
	// Output:
	// tunekit_active_guilds 42
}

func ExampleBusiness_BreakerObserver() {
	reg := prometheus.NewRegistry()
	business, _ := metrics.New(reg)

	// Plug this into a breaker's state-change hook.
	observe := business.BreakerObserver()
	observe("lavalink:main", metrics.BreakerClosed, metrics.BreakerOpen)

	text, _ := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "tunekit_breaker_state")
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "tunekit_") {
			fmt.Println(line)
		}
	}
	// Output:
	// tunekit_breaker_state{name="lavalink:main"} 2
}

func ExampleLavalinkOperation() {
	fmt.Println(metrics.LavalinkOperation("PATCH", "/v4/sessions/s1/players/817327181659111454?noReplace=false"))
	fmt.Println(metrics.LavalinkOperation("GET", "/v4/loadtracks?identifier=ytsearch:lofi"))
	// Output:
	// update_player
	// load_tracks
}

func ExampleBusiness_InstrumentRedis() {
	reg := prometheus.NewRegistry()
	business, _ := metrics.New(reg)

	// A Redis that is down: nothing listens at the address any more.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	_ = l.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	business.InstrumentRedis(rdb) // once, before the client is used

	ctx := context.Background()
	_ = rdb.Get(ctx, "settings:{817327181659111454}").Err()
	_ = rdb.Get(ctx, "settings:{817327181659111454}").Err()
	_ = rdb.Publish(ctx, "tunekit:events", "{}").Err()

	text, _ := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "tunekit_redis_failures_total")
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "tunekit_") && !strings.HasSuffix(line, " 0") {
			fmt.Println(line)
		}
	}
	// Output:
	// tunekit_redis_failures_total{operation="get"} 2
	// tunekit_redis_failures_total{operation="publish"} 1
}

func ExampleBusiness_TrackAutoplayProvider() {
	reg := prometheus.NewRegistry()
	business, _ := metrics.New(reg)

	// An autoplay chain's observer passes each provider's turn through;
	// the music package's provider names are understood.
	observe := func(provider, outcome string) { business.TrackAutoplayProvider(provider, outcome) }
	observe("youtube-mix", "failed")
	observe("lavasrc-mix", "ok")
	observe(metrics.ProviderYouTubeMix, metrics.ProviderCooling)

	text, _ := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "tunekit_autoplay_provider_requests_total")
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "tunekit_") && !strings.HasSuffix(line, " 0") {
			fmt.Println(line)
		}
	}
	// Output:
	// tunekit_autoplay_provider_requests_total{outcome="cooling",provider="youtube_mix"} 1
	// tunekit_autoplay_provider_requests_total{outcome="failed",provider="youtube_mix"} 1
	// tunekit_autoplay_provider_requests_total{outcome="ok",provider="lavasrc"} 1
}
