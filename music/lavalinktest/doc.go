// Package lavalinktest provides a fake Lavalink v4 node for tests, as
// [net/http/httptest] provides a fake HTTP server: [NewNode] starts an HTTP
// and websocket server on a free 127.0.0.1 port that speaks the Lavalink v4
// protocol (REST under /v4, the websocket at /v4/websocket), so that
// disgolink/v3 or any other v4 client connects to it unchanged. The node
// holds sessions and players, plays tracks from a catalogue the test fills
// on a clock the test controls, and lets the test inject faults and
// inspect what happened.
//
//	node := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock))
//	track := lavalinktest.Must(node.AddTrack(lavalink.TrackInfo{
//		Identifier: "dQw4w9WgXcQ", Title: "Never Gonna Give You Up", Length: 212 * lavalink.Second,
//	}))
//	client.AddNode(ctx, node.NodeConfig("main")) // a disgolink client
//	// ... play track, then:
//	clock.Advance(212 * time.Second) // TrackEndEvent, reason "finished"
//
// # Protocol
//
// The node follows Lavalink 4.2.x by default ([DefaultVersion]). Every
// route exists with Lavalink's status codes and error body
// (timestamp, status, error, message, path, and trace with ?trace=true):
// /version, /v4/info, /v4/stats, /v4/loadtracks, /v4/decodetrack (with
// ?encodedTrack= or ?track=), /v4/decodetracks, the session and player
// routes and the route planner (disabled: status 204, free 500). Every
// route needs the Authorization header: missing is 401 and wrong is 403,
// both with an empty body; an unknown session is 404 "Session not found".
// Times and durations are JSON integers in milliseconds, snowflakes are
// strings, tracks always carry pluginInfo and userData, and encoded
// tracks are real lavaplayer messages (see [EncodeTrack] and
// [DecodeTrack]).
//
// The websocket checks Authorization (401), then User-Id (400 when
// missing, 0 or not a number); Client-Name is optional. ready is the first
// frame, stats follows at once and then every [DefaultStatsInterval].
// playerUpdate is sent periodically only while a player holds a track:
// twice when the track starts (as Lavalink does), then every
// [DefaultPlayerUpdateInterval] until it ends; one more follows a seek and
// a stuck track, and, with or without a track as in Lavalink, a filters
// change and a voice connect or close.
//
// A PATCH to a player applies its body in Lavalink's order: validation,
// voice, then paused, userData, volume (clamped to 0–1000), position and
// endTime for the current track, filters, and finally the new track
// (unless noReplace=true and a track plays). Events a request causes are
// written to the websocket before its answer, as Lavalink writes them.
//
// /v4/info lists the filters the node offers: all of Lavalink's unless
// [WithFilters] or [WithDisabledFilters] restrict them, in which case a
// player update using another is answered with 400. It lists the plugins
// the options give (see Plugins below) and no others.
//
// With [WithVersion] set to 4.2.0 or later a voice update without
// channelId, and a null in a field that is not nullable (such as
// track.userData, paused or volume), are answered with 400. Earlier 4.x
// versions accept both, taking the null as an absent key, and report
// voice without channelId; before 4.1.0 exceptions carry no
// causeStackTrace.
//
// # Types
//
// Inputs and snapshots use disgolink's lavalink types where they match the
// protocol (lavalink.TrackInfo, lavalink.Track, lavalink.Exception,
// lavalink.FrameStats), so tests built on disgolink need no
// conversions. The node writes its JSON with its own types, because
// disgolink's lack isSeekable, channelId and causeStackTrace, make
// nullable strings plain, and hold rotationHz in an int.
//
// # Playback
//
// A player plays on the node's [Clock]: real time by default, or a manual
// clock given with [WithClock] that only [Clock.Advance] (or
// [Node.Advance]) moves; timers that fall due during Advance run before it
// returns, in order. A track's position moves only while the player has a
// complete voice state and is not paused, at [WithPlaybackSpeed] times the
// clock. The track then ends by itself:
//
//	reason       mayStartNext  when
//	finished     true          the track reaches its length or endTime
//	replaced     false         a new track starts over it
//	stopped      false         a PATCH with track.encoded null, or the player is destroyed
//	loadFailed   true          [Node.FailTrack] before any audio was produced
//	finished     true          [Node.FailTrack] after audio was produced
//	cleanup      false         nothing pulled audio (no voice) for [DefaultCleanupThreshold]
//
// [Node.FailTrack] sends a TrackExceptionEvent before the TrackEndEvent,
// [Node.StickTrack] a TrackStuckEvent (the track plays on) and
// [Node.CloseVoice] a WebSocketClosedEvent, after which the track stops
// moving and is cleaned up unless a voice update reconnects it. Streams
// never finish.
//
// # Plugins
//
// [WithLyricsPlugin] gives the node the LavaLyrics plugin
// ("lavalyrics-plugin" in /v4/info) and its two routes,
// GET /v4/lyrics?track=&skipTrackSource= and
// GET /v4/sessions/{sessionId}/players/{guildId}/track/lyrics?skipTrackSource=,
// which answer from the lyrics [Node.AddLyrics] stores: 200 with the
// plugin's lyrics object (sourceName, provider, text, lines with
// timestamp, duration, line and plugin, and plugin), 204 with an empty
// body when no source has lyrics for the track, 404 "No track playing"
// for a player without a track, and 500 "No lyrics managers registered"
// while no lyrics source exists. A track's lyrics come from its own source
// unless skipTrackSource is true, otherwise from the first source, in the
// order lyrics of each were first added, that has some.
//
// [WithLavaSrcPlugin] gives the node the LavaSrc plugin ("lavasrc-plugin")
// with its source managers spotify, applemusic and deezer, and makes
// sprec: queries (Spotify recommendations, such as sprec:mix:track:{id})
// load the playlists [Node.AddRecommendations] stores.
//
// [WithPlugin] lists any other plugin, or changes the version listed for
// these. Without its option a plugin's routes answer 404 and sprec:
// queries load nothing, as on a node without the plugin.
//
// # Sessions and resuming
//
// A session enables resuming with PATCH /v4/sessions/{id} (resuming,
// timeout in seconds, default 60). When its websocket closes it waits for
// the timeout: its players keep playing, events and stats are kept in
// order, playerUpdates are skipped and REST calls for it answer 404. A
// client that connects with Session-Id within the timeout gets
// Session-Resumed: true, ready with resumed true, the kept frames in
// order and one playerUpdate per player. A session without resuming, or
// whose timeout expires, is shut down with its players.
//
// # Faults
//
//   - [Node.Kill] drops every websocket without a close frame (1006),
//     refuses connections and loses all state, as a crash does;
//     [Node.Restart] brings a fresh process back on the same address
//     (after a close with 1001 if it was running).
//   - [Node.Disconnect] closes the websockets, with a close code or
//     without a frame, while the node runs: the way to test resuming.
//   - [Node.FailRequests] and [Node.FailHandshakes] fail the next REST
//     calls or handshakes with a status; [Node.Latency] delays REST answers
//     on the node's clock.
//   - [Node.Pause] holds every frame, ready included, until
//     [Node.Unpause]: a node that stalls while its sockets stay open.
//   - [Node.SendRaw] writes any frame, for testing a client's defences.
//   - [Node.Silence] makes a player silent: its track plays on, its
//     position advances and playerUpdate still reports it connected (or,
//     with [ReportDisconnected], not connected), but its session's
//     frameStats count it as sending no frame at all, from the next stats
//     op on. The fault lasts until [Node.Unsilence] or the player's
//     destruction, or heals on a voice reconnect ([HealOnVoice]) or a
//     track start ([HealOnPlay]): the failure a silent-player watchdog
//     must detect and each of its healing steps must cure.
//
// # Load
//
// Stats report the node's players and playing players (those with a track
// that are not paused), fixed memory figures, and the CPU load and
// frame statistics [Node.SetLoad] sets, so that tests can drive load
// balancing apart; [Node.SendStats] sends a stats op at once. As in
// Lavalink, the first stats of a node process report CPU load 0, and
// frameStats is null until a player has played a full minute: then it is
// 3000 frames per minute while connected and a deficit without voice. A
// silent player ([Node.Silence]) counts at once with no frame sent.
//
// # Inspection
//
// [Node.Requests] lists every request with its answer, handshakes included;
// [Node.Players] and [Node.Sessions] return snapshots. A handshake has
// registered its session by the time the client reads the 101.
//
// # Concurrency and lifetime
//
// A [Node] and a [Clock] are safe for concurrent use. A Node owns every
// goroutine it starts; [Node.Close] (idempotent, registered on the test by
// [NewNodeT]) closes the websockets with 1001, stops the server and the
// timers and returns when they are gone. The methods of a closed node
// that return an error return [ErrClosed]. The node logs nothing unless given [WithLogger].
//
// # Using disgolink v3.0.0
//
// disgolink v3.0.0 connects unchanged, with a few defects a test must step
// around:
//
//   - It sends voice without channelId, which a 4.2 node refuses; its
//     players log that failure through a nil logger and panic. Use
//     WithVersion("4.1.0") for its voice path, or send the voice PATCH
//     yourself.
//   - Player.Update writes player state on the caller's goroutine while
//     the read loop writes it on its own, without a lock: under the race
//     detector, start tracks through Node.Rest().UpdatePlayer and read
//     player state only after the listener saw the last frame.
//   - Its Close races with its read loop, and a connection the node drops
//     makes it reconnect forever. Stop the read loop first: send a frame
//     it cannot parse with [Node.SendRaw], wait until a plugin's
//     OnNodeMessageIn has seen it, then close the client.
//   - A hand-built lavalink.Track has UserData nil, sent as null: 400 on
//     a 4.2 node.
//
// # Deviations from Lavalink
//
// The node is faithful where a client can tell; where it cannot be, it
// differs as follows.
//
//   - There is no audio and no voice gateway: a complete voice update
//     connects at once and never fails, the ping is always 20 ms, filters
//     do not change playback timing, and frame statistics are computed
//     from connection time alone (nulled is always 0).
//   - Order is deterministic where Lavalink's threads race: TrackStart
//     always precedes the first playerUpdate, stats always follows ready,
//     and a track that ends at the instant of a periodic update ends
//     first. The cleanup fires exactly at the threshold (lavaplayer checks
//     periodically).
//   - [Node.Disconnect] pauses or ends a session before the client sees
//     the close, so an instant reconnect always finds it.
//   - Numbers in filters are written as Go writes them (1 rather than
//     1.0), because disgolink v3.0.0 reads rotationHz into an int and
//     fails on 1.0. A fractional value, which only other clients can set,
//     is written as Lavalink writes it (0.2), and disgolink cannot read
//     it there either. Equalizer bands outside 0–14 are dropped from the
//     echo (lavaplayer ignores them; disgolink panics on them).
//   - Nulls in non-nullable fields are accepted before 4.2.0 to let old
//     clients run; Lavalink's own decoder rejects them in every 4.x.
//   - Messages of malformed bodies read "Failed to read request: " and
//     the reason; a partial voice state names the missing fields instead
//     of echoing the voice token. A failing identifier load in a PATCH is
//     500, as Lavalink's PlayerRestHandler answers it (not 400).
//   - [DecodeTrack] refuses message versions above 3, and skips the
//     details of sources it does not know by reading the position from
//     the end of the message; the node decodes tracks of its default
//     source managers and of every source its catalogue holds. For "http"
//     and "local" tracks [EncodeTrack] writes the probe "mp3". isSeekable
//     is the opposite of isStream.
//   - /v4/info reports fixed build, git, JVM and lavaplayer values and
//     only the plugins the options give; memory figures are fixed; the
//     route planner is disabled.
//   - Of LavaLyrics only the two lyrics routes are served: its live
//     lyrics subscription (POST and DELETE
//     .../players/{guildId}/lyrics/subscribe) answers 404 and no
//     LyricsFoundEvent, LyricsNotFoundEvent or LyricsLineEvent is sent.
//     A guild id that is not a number is 400 there as on Lavalink's own
//     player routes.
//   - LavaSrc is reduced to its catalogue: tracks of its sources carry an
//     empty pluginInfo and are encoded without LavaSrc's extra fields (album,
//     artist and preview), every stored recommendations playlist is named
//     "Spotify Recommendations:" (for a mix LavaSrc reports the name of the
//     Spotify playlist behind it), and the spsearch:, amsearch: and
//     dzsearch: prefixes search catalogue tracks of their source even
//     without [WithLavaSrcPlugin], as the source is known once a track of
//     it is added.
//   - A silent player's frame statistics change the moment the fault
//     starts or ends rather than over the following minute, and carry no
//     memory of it.
//   - [Node.Pause] holds frames rather than losing them.
package lavalinktest
