// Package disgobot puts a [music.Manager] behind a Discord bot built with
// disgo (github.com/disgoorg/disgo v0.19): the slash commands and their
// answers, the buttons, the live now-playing message, and the voice
// events the Manager needs. Its name keeps it clear of disgo's own
// discord package in the same file.
//
// # Wiring
//
// The Manager needs a [music.VoiceGateway] when it is built and the
// [Bot] needs the Manager, so the gateway comes from the client alone
// ([Voice]) and everything is built in this order:
//
//	client, _ := disgo.New(token,
//		bot.WithGatewayConfigOpts(gateway.WithIntents(disgobot.Intents)),
//		bot.WithCacheConfigOpts(cache.WithCaches(disgobot.CacheFlags)),
//	)
//	m, _ := music.NewManager(music.Config{Voice: disgobot.Voice(client), UserID: client.ApplicationID, ...})
//	b, _ := disgobot.New(client, m)
//	_ = handler.SyncCommands(client, disgobot.Commands(), nil)
//	_ = m.Start(ctx)
//	_ = client.OpenGateway(ctx)
//
// and shut down in the opposite order: [Bot.Close] (no new commands),
// the Manager's Close (sessions saved), the client's Close. [New] must
// run before the gateway opens, so that the voice states of GUILD_CREATE
// reach the Manager. The client needs [Intents] and the voice-state
// cache ([CacheFlags]); New refuses a client without that cache, since
// the cache is where a command's author is found in voice. A
// [VoiceGateway] request made while the guild's shard is not ready
// waits for it (at most [DefaultReadyWait]), so the Manager may start
// before or after the gateway opens.
//
// With disgo's sharding, give the intents to each shard
// (bot.WithShardManagerConfigOpts(sharding.WithGatewayConfigOpts(
// gateway.WithIntents(disgobot.Intents)))): the VoiceGateway sends on
// the shard that owns the guild, and the Bot listens to every shard.
//
// # Commands
//
// [Commands] returns the slash commands to register: /play query [next]
// (with autocomplete), /pause, /resume, /skip [count], /skipto position,
// /previous, /stop, /seek time, /volume level, /loop mode, /autoplay
// mode, /shuffle, /remove position, /move from to, /swap a b,
// /removeuser user, /clear, /queue [page], /nowplaying, /filter preset
// name (with autocomplete) and /filter reset, /lyrics, /leave and
// /settings with the subcommands view, dj-role [role], announce-channel
// [channel], stay-connected enabled, fair-queue enabled,
// max-track-length length, max-user-share percent and vote-skip-share
// percent. They are guild-only. /settings needs the Manage Server
// permission by default, and the Bot checks again that its user is an
// admin (Administrator or Manage Server), because a server can change
// who may use a command. max-track-length takes a time as /seek does
// ("10:00", "1h30m"), or 0 or "off" for no limit.
//
// Each command becomes one Manager call with an actor built from the
// interaction (user, roles, the permissions Discord computed) and the
// voice-state cache (the user's voice channel), so permissions and rate
// limits are the Manager's. Answers are embeds with one look, set by a
// [Theme]: a heading, the track's title linked to it, its duration, who
// asked for it, its position in the queue and its artwork. Errors are
// answered with [music.UserMessage] (or a sentence of this package for
// its own errors) as an ephemeral message, so only the user sees them.
//
// Discord wants an answer within three seconds. /play, which loads
// tracks and may join a voice channel, is always deferred ("thinking…")
// and then completed; an error then replaces the deferred message with
// an ephemeral one. Other commands answer directly, unless the Manager
// takes longer than [WithDeferAfter] (two seconds by default), in which
// case they are deferred too. Every command's work is bounded by
// [WithCommandTimeout].
//
// # Autocomplete
//
// /play's query suggests tracks from a [Searcher]: the Manager's
// [music.Manager.Search] unless [WithSearcher] gives another.
// Suggestions are cached by query text (a ttlcache, [WithSuggestionCache])
// and concurrent identical queries share one search. Searches, but not
// cache hits, count against a per-user limit ([WithAutocompleteLimit],
// 10 per 10 seconds by default). A search is bounded by [SearchTimeout];
// when it fails, is slow or is limited, the answer has no suggestions,
// and the user can still send what they typed. Links get no suggestions.
//
// /filter preset's name suggests the presets the guild's node can apply
// ([music.Manager.FilterPresets], no I/O), each with its description,
// matching what the user typed in either.
//
// # The now-playing message
//
// The Bot subscribes to the Manager's events. On [music.TrackStarted] it
// posts a message in the session's text channel (the guild's announce
// channel, or where /play was used) with the track, who asked for it
// ([music.AutoplayRequester] for what autoplay picked), a progress bar,
// what comes next, an open skip vote's count and the modes (loop,
// autoplay, volume, the fair queue and the filter preset), and five
// buttons: pause or resume, skip, stop, loop (off, track, queue in turn)
// and shuffle. The buttons run the same Manager commands as the slash
// commands, with the clicking member as the actor. The progress bar
// moves every [WithProgressInterval] (10 s by default); changes the Bot
// makes or hears of (a command such as /pause, /volume or /filter, a
// skip vote's count) show at once; an update whose message would not
// change is not sent, and updates stop when the track ends. When the
// track ends the message loses its buttons and shows the track as
// played, or is deleted ([WithCleanup]); when the session ends for a
// reason other than /leave, a notice says why ([music.LeaveMessage]).
//
// When the track has synced lyrics, the message shows the line being
// sung: the Bot asks [music.Manager.Lyrics] once per track, as its own
// user, and picks the line for each update with [music.Lyrics.LineAt]
// ([WithSyncedLyrics] turns this off). /lyrics shows the whole text,
// split over as many messages as Discord's limits need (at most five)
// and credited to the lyrics' source and provider; a track without
// lyrics, or a bot whose nodes cannot look them up, gets the Manager's
// sentence for [music.ErrNoLyrics] or [music.ErrLyricsUnavailable].
//
// The state shown is read with [music.Manager.Status], which checks no
// permission, has no rate limit and records no command metric, so the
// message never competes with users for their limits.
//
// The live messages, one per guild, are kept in a ttlcache bounded by
// [WithLiveMessages]. A message that leaves it (evicted, expired, or
// deleted by someone) is no longer updated. Work for the messages runs
// on one queue per guild, in event order, off the event bus's goroutine.
//
// # Skip votes
//
// When a listener who may not skip the track runs /skip, the Manager
// counts it as a vote ([music.Manager.Skip]). The answer then shows the
// tally (votes and votes needed) and when the vote closes, with a vote
// button that calls [music.Manager.VoteSkip]; the message follows the
// vote through [music.SkipVoteUpdated] and [music.SkipVoteEnded] and
// says how it ended: skipped, closed without enough votes, or over
// because the track changed, without its button. The vote message is
// edited only by the Bot's paced edits (see Discord's rate limits), so
// a burst of votes makes one edit. A /skip that joins a
// vote already shown, and a click of the now-playing skip button that
// votes, are answered with the count privately; the now-playing message
// shows the count too. The vote button's custom ID names its vote, so a
// button of an earlier vote is answered as out of date.
//
// # Discord's rate limits
//
// Discord allows five message edits per five seconds in a channel.
// Every edit the Bot makes on its own (the now-playing message, the one
// it replaces, a vote message, an outage notice) goes through the
// channel's edit budget, a token bucket ([WithEditBudget]; by default
// two at once, then one every 2.5 seconds, so at most four in any five
// seconds) shared by all those messages. Each message waits with only
// its latest edit, which renders the state when it is sent: when
// changes come faster than the budget, older pending edits are dropped
// and the latest state wins. Answers to interactions (a button updating
// its message, say) do not go through it, as Discord counts them apart.
//
// # Outages
//
// When the audio service is in trouble, a guild gets one notice, not one
// per event: the first sign (a command failing with
// [music.ErrServiceUnavailable], a progress update finding the guild's
// node down, a [music.PlayerMoved] or a [music.HealAttempted]) posts a
// notice in its channel; later signs post nothing. The outage is over
// when the service has run for [WithOutageNotices]' calm (a minute by
// default) with no sign of trouble and the guild's node can serve; the
// notice is then edited to say so, and the next trouble posts a new
// notice. Users whose commands fail still get their own ephemeral
// answer.
//
// # Buttons
//
// Button custom IDs are versioned paths, /tk1/np/{action},
// /tk1/queue/{prev|next}/{page} and /tk1/vote/{n}, validated in full
// before use. A custom ID the Bot did not make, one from another
// version, a now-playing button on a message that is no longer the
// guild's live one (after a restart, say) or a vote button of a vote
// that is over is answered with a short ephemeral message, never a
// failure. Pause, resume and loop answer by updating the message; skip
// and stop let the next events update it; shuffle answers the clicker.
// The queue's previous and next buttons page the /queue message in place.
//
// # Your own routes
//
// [Bot.Handler] is the disgo handler.Mux the Bot routes through; add
// routes of your own to it before the gateway opens. The Bot runs every
// interaction on a goroutine it tracks, so handlers may take their time;
// do not add the Mux to the client as a listener too. Interactions no
// route handles are answered with an ephemeral message; set the Mux's
// NotFound handler to change that.
//
// # Voice events
//
// Every VOICE_STATE_UPDATE (members and the bot, with the member's bot
// flag, so the Manager counts listeners), the voice states in
// GUILD_CREATE, and every VOICE_SERVER_UPDATE (including Discord's first
// one without an endpoint, which the Manager holds back) are forwarded
// to the Manager as they arrive.
//
// # Failures
//
// Nothing Discord or the Manager does makes the Bot panic or stop
// answering. Each REST call is bounded by ten seconds, within which
// disgo waits out Discord's rate limits (429). A command whose answer
// cannot be delivered, a now-playing message that cannot be posted or
// edited, and a handler that panics are logged (at Warn, or Error for a
// panic, which is also answered when it can be); a failed progress
// update is tried again at the next interval, and an outage notice that
// cannot be posted is not tried again during that outage. A message or channel that
// is gone (deleted, or no longer visible to the bot) is forgotten. The
// answers' text never holds an error's own message, only
// [music.UserMessage]'s sentences and this package's.
//
// # Concurrency and lifecycle
//
// A Bot and a VoiceGateway are safe for concurrent use. The Bot starts a
// goroutine per interaction and one per guild with now-playing work;
// its timers (progress, edit budgets, outage calms) only queue work.
// [Bot.Close] stops taking interactions and events, stops the timers,
// drops queued now-playing work and pending edits, and waits for
// commands and jobs in progress, or cancels them when its context ends
// first. It leaves
// the client and the Manager to their owner.
package disgobot
