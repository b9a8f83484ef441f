// Fullbot is tunekit's complete music bot, built only from tunekit's public
// packages: the one to run, and the one to read to see how they fit.
//
// # Running
//
// It needs a Discord bot token and at least one Lavalink v4 node:
//
//	DISCORD_TOKEN=... LAVALINK_ADDRESS=localhost:2333 LAVALINK_PASSWORD=youshallnotpass \
//		go run ./examples/fullbot
//
// It connects to Discord, registers the slash commands (globally, or in
// DEV_GUILD_ID at once) and plays what /play asks for in the caller's
// voice channel. Everything is configured by environment variables;
// fullbot -h prints each with its default and -env-markdown prints the
// same table in Markdown (the variables are one table in vars.go). A
// missing or invalid value stops it before it touches the network, with
// one message listing every problem (naming variables, never showing a
// secret) and exit status 2. A failure after that is exit status 1.
//
// # What it wires
//
// main.go is the composition root; run(ctx, cfg) builds, in order:
//
//   - a log/slog logger (LOG_LEVEL, LOG_FORMAT) behind
//     secureheaders.NewRedactingHandler holding every secret of the
//     configuration (token, node passwords, REDIS_URL, webhook, SMTP
//     password, OTLP headers), so no log line of any part (disgo included)
//     shows one;
//   - tracing.Setup from the OTEL_* variables, flushed at shutdown;
//   - the metrics package's business metrics on a registry of its own,
//     served on METRICS_ADDR with the Go and process collectors at
//     /metrics, beside /healthz (the process answers) and /readyz (the
//     gateway, or every shard, has received READY and a Lavalink node is
//     connected, by music.Manager.Ready; 503 while starting and from the
//     start of shutdown; the body has a line per check and per node,
//     saying which nodes drain);
//   - with ADMIN_TOKEN, the admin routes on the same server (see Node
//     drain below);
//   - with REDIS_URL, one go-redis client for music/redisstore (settings
//     and sessions) and for ratelimit.NewFailSafe over ratelimit.NewRedis
//     with an in-memory fallback; its commands are traced
//     (tracing.Tracer.InstrumentRedis) and its failures counted
//     (metrics.Business.InstrumentRedis), and go-redis's own log goes
//     through the same logger. Without it,
//     music/boltstore in DATA_DIR/tunekit.db and ratelimit.NewMemory;
//   - the disgo client, the music.Manager and the music/disgobot frontend,
//     in the order disgobot documents;
//   - the alerting engine with alerting.DefaultRules over the registry
//     (plus a process collector for the memory rule), notifying Slack and
//     email when configured; a rule whose channels are not configured is
//     still evaluated and exported (tunekit_alerts) but tells no one. The
//     auto_restart action of the Lavalink rule is left out: restarting
//     Lavalink is the deployment's business.
//
// Events stay in the process (the Manager's own bus): each guild lives on
// one shard, so the process that runs its shard is the only one that needs
// them.
//
// # Sharding
//
// SHARDS=1 (the default) is one gateway connection, which Discord allows
// up to 2,500 guilds. SHARDS=auto runs disgo's shard manager with the
// shard count and identify concurrency Discord recommends (GET
// /gateway/bot); SHARDS=N runs N shards. To spread a bot over several
// processes give each the same SHARDS=N, its own SHARD_IDS (such as 0-7 and
// 8-15) and one REDIS_URL: a guild is served by the process that runs its
// shard (music.Config.Owns), and Redis holds the settings, sessions,
// queues, guild leases and rate limits they share.
//
// # Node drain
//
// For a rolling Lavalink upgrade, an operator drains one node at a time
// through music.Manager.DrainNode: its players move to the other nodes at
// the migration limits and play on, and no new player goes there until
// it is undrained. With ADMIN_TOKEN set, METRICS_ADDR serves
//
//	POST /admin/nodes/{name}/drain[?wait=DURATION]
//	POST /admin/nodes/{name}/undrain
//
// to requests carrying "Authorization: Bearer <ADMIN_TOKEN>" (compared in
// constant time; any other request gets 401 and a warning in the log,
// never the header's value). drain waits up to wait (at most 15m; none
// by default) and answers 200 once the node holds no player, 202 while
// some remain (they move when another node can take them); an unknown
// node is 404. /readyz marks the node "draining" meanwhile. Without
// ADMIN_TOKEN the routes do not exist. The token is a secret like the
// others: masked in every log line. Draining is not stored: a restarted
// bot places players on every node again.
//
//	curl -X POST -H "Authorization: Bearer $ADMIN_TOKEN" 'localhost:9090/admin/nodes/eu-1/drain?wait=10m'
//
// # Shutting down
//
// SIGINT or SIGTERM starts a shutdown bounded by 10 seconds: /readyz
// turns 503, the alert engine stops, the frontend stops taking commands
// and waits for those in progress, the Manager saves every session and
// closes the nodes (Lavalink keeps playing for the resume timeout), the
// Discord client closes, then the store, the HTTP server and the trace
// exporter, which flushes. A restarted bot loads the sessions from the
// store and continues each track where it was.
//
// # Testing
//
// The end-to-end tests drive the real run against music/discordtest (a
// stand-in Discord), music/lavalinktest (fake Lavalink nodes) and a real
// redis-server. DISCORD_API_URL and DISCORD_GATEWAY_URL point the bot at
// such a stand-in; they exist for tests and stay unset in production.
package main
