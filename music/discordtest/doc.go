// Package discordtest is a stand-in Discord for tests: a gateway websocket
// and a REST API on loopback that a real disgo client (or any Discord
// library) talks to as it would to Discord, with one application (the bot)
// and the guilds, channels, roles, members and voice states a test
// declares. It is to Discord what net/http/httptest is to an HTTP server.
//
// # Starting
//
// [Start] gives a test a [Server] closed in t.Cleanup; [New] is the form
// outside tests (close it with [Server.Close], which is safe to call twice).
// Both listen on 127.0.0.1 with free ports: one for the gateway, one for
// REST. Point disgo at the REST URL and it finds the gateway by itself, as
// it does on Discord (GET /gateway, or GET /gateway/bot when sharding):
//
//	srv := discordtest.Start(t)
//	g := srv.AddGuild("Music Lovers")
//	general := g.AddTextChannel("general")
//	lounge := g.AddVoiceChannel("Lounge")
//	dj := g.AddRole("DJ", discord.PermissionConnect)
//	alice := g.AddMember("alice", dj)
//	_ = g.JoinVoice(alice, lounge)
//
//	client, _ := disgo.New(srv.Token(),
//		bot.WithRestClientConfigOpts(rest.WithURL(srv.RestURL())),
//		bot.WithGatewayConfigOpts(gateway.WithIntents(gateway.IntentGuilds, gateway.IntentGuildVoiceStates)),
//		bot.WithEventListeners(mux),
//	)
//	_ = client.OpenGateway(ctx)
//
//	ix, _ := srv.Interact(ctx, discordtest.Command{Guild: g.ID(), Channel: general, User: alice,
//		Name: "play", Options: []discordtest.CommandOption{discordtest.String("query", "never gonna")}})
//	resp, _ := ix.Response(ctx)     // the callback: type, message, choices
//	msg, _ := ix.Original(ctx)      // what the user sees once a deferral is edited
//
// A test that opens disgo's gateway also starts the server with
// [WithReadyAfterHeartbeat] and ends with [CloseClient], so that it passes
// under -race and leaks nothing; see "Using with disgo" below.
//
// [Token] makes an obviously fake but well-formed bot token for any
// application ID (disgo decodes the ID from it); [Server.Token] is the one
// token the server accepts. The application ID, which is also the bot
// user's ID, defaults to [DefaultApplicationID] ([WithApplicationID]).
//
// # The world
//
// [Server.AddGuild] creates a guild with an owner (every permission), an
// @everyone role with [DefaultEveryonePermissions] and the bot as a member
// holding a managed role ([WithBotPermissions]). A [Guild] handle adds text
// and voice channels ([UserLimit] and [Overwrite] options), roles, members
// with roles, and moves users in and out of voice ([Guild.JoinVoice],
// [Guild.LeaveVoice]). Changes made while the bot is connected are
// dispatched as Discord would: GUILD_CREATE, CHANNEL_CREATE,
// GUILD_ROLE_CREATE and _UPDATE, GUILD_MEMBER_ADD and _UPDATE,
// VOICE_STATE_UPDATE. Permissions follow Discord's documented computation
// (owner, Administrator, @everyone and role permissions, then channel
// overwrites for @everyone, roles and the member, then the implicit rules
// for View Channel and Connect); they decide what the bot may do over REST
// and in voice, the member and app permissions of interactions, and whether
// a user may run a command.
//
// # Gateway
//
// HELLO, IDENTIFY then READY (the user and application derived from the
// token) and one GUILD_CREATE per guild on the session's shard; heartbeats
// are answered with ACKs; RESUME replays what the session missed and ends
// with RESUMED ([WithReadyAfterHeartbeat] holds READY or RESUMED until the
// connection's first heartbeat). Stream compression (zlib-stream, zstd-stream) is supported,
// as is plain JSON. The close codes a client earns are Discord's: 4001
// unknown opcode, 4002 decode error (also for payloads over 4096 bytes), 4003
// not authenticated, 4004 authentication failed, 4005 already
// authenticated, 4007 invalid seq, 4010 invalid shard, 4012 invalid API
// version, 4013 invalid intents, 4014 disallowed intents
// ([WithPrivilegedIntents]). Op 4 (voice state update) from the bot is
// answered with VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE, optionally
// preceded by one with a null endpoint ([WithNullVoiceEndpointFirst]);
// requests Discord would ignore (unknown channel, no Connect permission,
// full channel, guild on another shard) are ignored and recorded with the
// reason ([Server.VoiceRequests]). Op 8 (request guild members) is answered
// with one GUILD_MEMBERS_CHUNK. A test can make the server send RECONNECT
// ([Server.Reconnect]), INVALID_SESSION ([Server.InvalidateSession]) or
// close a connection with any code ([Server.Disconnect]).
//
// Sharding: GET /gateway/bot reports [WithShardCount] shards and
// [WithMaxConcurrency] (default [DefaultMaxConcurrency], so shards identify
// without disgo's five-second wait); guilds are spread over the shards
// round-robin and dispatched to the session whose shard owns them by
// Discord's formula ([ShardOf]).
//
// Intents shape what a session receives as on Discord: GUILD_CREATE and
// channel and role events need GUILDS; voice states and VOICE_STATE_UPDATE
// (the bot's own included) need GUILD_VOICE_STATES; without GUILD_PRESENCES
// the GUILD_CREATE member list holds only the bot and users in voice;
// member events need GUILD_MEMBERS (the bot's own member updates always
// arrive); MESSAGE_CREATE, _UPDATE and _DELETE need GUILD_MESSAGES.
// INTERACTION_CREATE and VOICE_SERVER_UPDATE need none.
//
// # Interactions
//
// [Server.Interact] makes a user run a slash command ([Command], with
// options and subcommands), click a button ([Button], with the message it
// is on) or type into an autocomplete option ([Autocomplete]). The server
// checks what a Discord client would (the command is registered, the user
// may use it and holds its default_member_permissions, options fit the
// registered ones, the button exists and is enabled) and reports misuse as
// a typed error ([ErrUnknownCommand], [ErrMissingPermissions],
// [ErrUnknownComponent], [*OptionError] matching [ErrInvalidOption]);
// Forge skips those checks to stand in for a modified client or a stale
// message. The returned [Interaction] awaits the bot's answer:
// [Interaction.Response] (failing with [ErrInteractionExpired] once the
// deadline passes), [Interaction.Original] and [Interaction.Followup].
//
// The bot answers over REST like on Discord. Callbacks of every type are
// accepted where Discord accepts them (message, deferred message, deferred
// update, update message, autocomplete result, modal, launch activity);
// late ones (after [WithInteractionDeadline], default 3 s) get 404 Unknown
// interaction and second ones 400 already acknowledged. Follow-ups and edits
// of the original response go through the webhook endpoints, whose token
// lives 15 minutes; the first follow-up after a deferral edits the loading
// message, as Discord documents.
//
// # REST
//
// Served under /api/v10: GET /gateway and /gateway/bot, GET /users/@me,
// global and guild command registration (bulk overwrite, create, get,
// delete; validated against Discord's rules for names, descriptions,
// options, choices and limits), interaction callbacks, the interaction
// webhook endpoints, channel messages (create with attachments, get, list,
// edit, delete; validated against Discord's content, embed and component
// limits), GET channel, guild, guild channels and guild member. Errors have
// Discord's JSON shape and codes (401, 403 50001/50013, 404 100xx, 400
// 50035 with the errors tree, 50006, 50109, 40060). Every response carries
// "Via: 1.1 google", which disgo relies on to tell route limits from
// Cloudflare bans. [Server.RateLimit] answers chosen requests with 429,
// retry_after and Discord's headers; [WithRESTRateLimit] adds per-bucket
// limits with X-RateLimit-* headers on every response.
//
// # Assertions and waiting
//
// [Server.Responses], [Server.Messages] (and [Server.Message], which also
// sees deleted ones), [Server.VoiceStates], [Server.VoiceState],
// [Server.Commands], [Server.Requests], [Server.Sessions] and
// [Server.VoiceRequests] report what happened. Tests never sleep:
// [Server.WaitMessage], [Server.WaitVoice], [Server.WaitCommands],
// [Server.WaitSession] and the [Interaction] methods block until the state
// they describe is reached, the context ends or the server closes
// ([ErrClosed]). A [Message] reads what a test checks most often:
// [Message.Ephemeral], [Message.EmbedAuthor], [Message.EmbedTitle],
// [Message.EmbedText] and [Message.Buttons]; [Describe] writes messages
// out for a failure.
//
// # Concurrency and lifecycle
//
// A [Server] and its [Guild] and [Interaction] handles are safe for
// concurrent use. One mutex guards the world; gateway events are queued per
// connection and written by that connection's writer goroutine, so a slow
// client never blocks the server. The server owns its goroutines (two
// serve loops, one reader and one writer per gateway connection, one per
// REST request in flight); [Server.Close] stops them and waits for them,
// or returns ctx.Err() if its context ends first. Logs go to [WithLogger]
// (default: discarded). Time comes from [WithClock] (default time.Now),
// which drives snowflakes, timestamps, interaction deadlines and rate-limit
// windows, so tests of deadlines need no sleeping. Everything the server
// records (requests, messages, interactions, sessions) is kept for its
// life: it is built for tests, not for long runs.
//
// # Deviations from Discord
//
//   - One application per server; any other token is rejected (4004, 401).
//   - Guilds only: no DMs, group DMs, threads, forums, categories or stage
//     channels from the builder; only bot-authored messages exist, so
//     MESSAGE_CONTENT makes no difference.
//   - IDs are generated by the server; guild IDs are chosen so guilds fall
//     on shards round-robin rather than at random.
//   - Gateway: JSON only (no ETF) and API version 10 only. With
//     zlib-payload (compress in IDENTIFY) payloads are still sent as plain
//     text, which clients accept. Missing heartbeats never time a session
//     out; the gateway send limit (120 per 60 s) and the identify limit are
//     not enforced (max_concurrency is only reported). Sessions stay
//     resumable until the client closes with 1000 or 1001, the test
//     invalidates them or the server closes; a session keeps its last 4096
//     dispatches for RESUME. Op 8 is answered in one chunk without intent
//     checks; op 31 is ignored; presences (op 3) are recorded
//     ([Session].Presence), not broadcast. No presences, typing, reactions,
//     invites, emojis, stickers or soundboard events.
//   - GUILD_CREATE lists users in voice as members even without
//     GUILD_VOICE_STATES.
//   - Voice: a join is answered at once; VOICE_SERVER_UPDATE follows every
//     join and move (Discord may skip it on a move within one voice
//     server); the endpoint ([WithVoiceEndpoint], default
//     [DefaultVoiceEndpoint]) does not exist, so no voice connection can be
//     made. Users moved by the test are not subject to permissions or limits.
//   - Permissions: no role hierarchy, timeouts or channel-specific implicit
//     rules beyond View Channel and Connect.
//   - Interactions: chat-input commands, buttons and autocomplete only (no
//     select menus, modal submits, user or message command invocations);
//     modal and activity callbacks are recorded, nothing is shown. Response
//     messages have type 20 for slash commands and 0 otherwise.
//   - REST: only the endpoints listed above; other paths, and other
//     methods on known paths, answer 404 (Discord would say 405 for the
//     latter). The codes inside the 50035 errors tree approximate Discord's.
//     allowed_mentions, message_reference, stickers and polls are accepted
//     and ignored; attachment URLs look like Discord's CDN but do not exist.
//   - Rate limits exist only when asked for ([Server.RateLimit],
//     [WithRESTRateLimit]), with one limit for every bucket and no global
//     limit unless injected.
//
// # Using with disgo
//
// disgo v0.19.6's gateway client shares state between its read loop and
// its heartbeat goroutine without synchronization: each heartbeat reads
// the last sequence number, which the read loop writes for every event,
// and from the second heartbeat on the time of the last ACK, which the
// read loop writes for every ACK; Close reads the cancel func the
// heartbeat goroutine stores when it starts. The race detector reports
// any such pair of accesses that no lock, channel or socket orders, so a
// test that merely connects disgo and waits for one heartbeat fails under
// -race. Two things make disgo's gateway race-free and leak-free in tests:
//
//	srv := discordtest.Start(t,
//		discordtest.WithReadyAfterHeartbeat(),
//		discordtest.WithHeartbeatInterval(time.Second), // > how long the client stays connected
//	)
//	client, _ := disgo.New(srv.Token(), ...)
//	t.Cleanup(func() { // registered after Start, so it runs before the server closes
//		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//		defer cancel()
//		if err := discordtest.CloseClient(ctx, srv, client); err != nil {
//			t.Error(err)
//		}
//	})
//	_ = client.OpenGateway(ctx) // or client.OpenShardManager(ctx)
//
// [WithReadyAfterHeartbeat] makes every connection heartbeat before its
// first event. That heartbeat reads no event's state, and since it passes
// through the gateway's connection lock and the socket before the server
// sends READY, everything the heartbeat goroutine did before it, storing
// its cancel func included, is ordered before the read loop handles
// READY, and so before the test's next step once OpenGateway (or
// OpenShardManager) has returned. It also proves that goroutine has stored
// the cancel func Close needs to stop it; closing earlier leaks it.
// Without the option CloseClient still closes a connected client but
// reports [ErrNoReadyAfterHeartbeat].
//
// [CloseClient] then sends a heartbeat through every ready gateway from
// the calling goroutine, taking the connection lock after the heartbeat
// goroutine released it, and waits until the client has handled the ACK.
// The server sends that ACK after every event it dispatched before, so the
// read loop's writes are ordered before Close, no read is in progress
// when Close stops the zstd decoder (which can crash disgo's decoder
// otherwise), and, with disgo's default synchronous events, every listener
// and interaction handler has returned, so no REST call is in flight when
// the REST client closes: disgo's rest.Client.Close deadlocks against one
// and leaves the client unusable. CloseClient closes the gateways and
// shards before the REST client (disgo's Client.Close closes REST before
// the shard manager, while shards can still deliver events).
//
// The heartbeat interval is the time budget: disgo heartbeats again one
// interval after its first heartbeat, and that heartbeat reads what the
// read loop wrote since, unsynchronized. The client must be closed before
// then: CloseClient reports [ErrLateClose] if it was not (under -race the
// detector also reports the race itself). The interval is also how much
// longer connecting takes, on top of the second disgo waits before its
// first connection. One second suits tests whose client stays connected
// for well under a second (this package's own take about 60 ms under
// -race); raise it for longer tests. Beside that:
//
//   - Reconnects race whatever the test does: the heartbeat goroutine
//     writes the time of its last heartbeat after releasing the connection
//     lock, and the goroutine that opens the next connection writes it
//     again. Keep tests of RECONNECT, INVALID_SESSION, [Server.Disconnect]
//     with a code after which disgo reconnects, or [Server.Close] while a
//     client is connected behind //go:build !race; this package's own are.
//   - With asynchronous events (bot.WithAsyncEventsEnabled) listeners run
//     on their own goroutines and the ACK no longer proves they have
//     returned: wait for them before CloseClient.
//   - disgo's REST rate limiter starts a cleanup goroutine that never
//     stops; goroutine-leak checks ignore it, for example with
//     goleak.IgnoreAnyFunction("github.com/disgoorg/disgo/rest.(*rateLimiterImpl).cleanup").
//   - Do not call client.Close as well: disgo's REST client blocks forever
//     when closed twice. CloseClient itself may be called again.
package discordtest
