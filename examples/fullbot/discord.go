package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/disgo/sharding"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/disgobot"
)

// discordOptions configures the disgo client: the intents and caches
// disgobot needs, one gateway connection or disgo's shard manager as
// SHARDS says, and the test-only URLs.
func discordOptions(cfg config, logger *slog.Logger) []bot.ConfigOpt {
	gw := []gateway.ConfigOpt{
		gateway.WithIntents(disgobot.Intents),
		gateway.WithPresenceOpts(gateway.WithListeningActivity("/play")),
	}
	if cfg.gatewayURL != "" {
		gw = append(gw, gateway.WithURL(cfg.gatewayURL))
	}
	opts := []bot.ConfigOpt{
		bot.WithLogger(logger.With("component", "disgo")),
		bot.WithCacheConfigOpts(cache.WithCaches(disgobot.CacheFlags)),
	}
	if cfg.apiURL != "" {
		opts = append(opts, bot.WithRestClientConfigOpts(rest.WithURL(cfg.apiURL)))
	}
	if cfg.shards.sharded() {
		// disgo reads the recommended count and the identify concurrency
		// from GET /gateway/bot; a fixed SHARDS overrides the count.
		sh := []sharding.ConfigOpt{sharding.WithGatewayConfigOpts(gw...)}
		if !cfg.shards.auto {
			sh = append(sh, sharding.WithShardCount(cfg.shards.count), sharding.WithShardIDs(cfg.shards.run()...))
		}
		opts = append(opts, bot.WithShardManagerConfigOpts(sh...))
	} else {
		opts = append(opts, bot.WithGatewayConfigOpts(gw...))
	}
	return opts
}

// sharded reports whether the plan needs disgo's shard manager.
func (p shardPlan) sharded() bool { return p.auto || p.count > 1 }

// owns is the music.Config.Owns of a process that runs some of the
// shards (SHARD_IDS): it serves the guilds on its shards, found by
// Discord's formula (guild_id >> 22) % shard_count. It is nil, every
// guild, for a process that runs them all.
func (p shardPlan) owns() func(snowflake.ID) bool {
	if p.ids == nil || p.auto {
		return nil
	}
	mine := make(map[int]bool, len(p.ids))
	for _, id := range p.ids {
		mine[id] = true
	}
	count := uint64(p.count)
	return func(g snowflake.ID) bool { return mine[int(uint64(g)>>22%count)] }
}

// run returns the shard IDs this process runs.
func (p shardPlan) run() []int {
	if p.ids != nil {
		return p.ids
	}
	ids := make([]int, p.count)
	for i := range ids {
		ids[i] = i
	}
	return ids
}

// String describes the plan for logs.
func (p shardPlan) String() string {
	switch {
	case p.auto:
		return "auto"
	case p.ids != nil:
		return fmt.Sprintf("%v of %d", p.ids, p.count)
	}
	return strconv.Itoa(p.count)
}

// openGateway connects to Discord: one gateway, or every shard of the
// shard manager (which logs shards that fail and retries them itself).
func openGateway(ctx context.Context, client *bot.Client) error {
	if client.ShardManager != nil {
		return client.OpenShardManager(ctx)
	}
	if err := client.OpenGateway(ctx); err != nil {
		return fmt.Errorf("discord gateway: %w", err)
	}
	return nil
}

// gatewayReady reports whether the gateway, or every shard, is connected
// and has received READY.
func gatewayReady(client *bot.Client) bool {
	if client.Gateway != nil {
		return client.Gateway.Status() == gateway.StatusReady
	}
	if client.ShardManager == nil {
		return false
	}
	n := 0
	for shard := range client.ShardManager.Shards() {
		if shard.Status() != gateway.StatusReady {
			return false
		}
		n++
	}
	return n > 0
}

// closeClient closes the disgo client, through the test hook when set.
func closeClient(ctx context.Context, cfg config, client *bot.Client) error {
	if cfg.hooks.closeClient != nil {
		return cfg.hooks.closeClient(ctx, client)
	}
	client.Close(ctx)
	return nil
}
