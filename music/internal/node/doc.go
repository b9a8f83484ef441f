// Package node is a client of one Lavalink v4 node: its websocket, kept
// connected by one goroutine that resumes the session after a drop, and
// its REST API. The music player manager runs one [Node] per configured
// Lavalink server and places players with [Best].
//
// # Why not disgolink's runtime
//
// disgolink/v3 v3.0.0 is the only release the module proxy serves, and its
// connection runtime cannot be made to meet tunekit's requirements: its
// players carry a nil logger, so a failed voice update or delete panics;
// its voice update has no channelId, which Lavalink 4.2 and later refuse
// with 400; BestNode picks the most loaded node; its read loop writes node
// stats and player fields without locks; a frame it cannot decode stops
// the read loop silently; and reconnects never resume. This package is a
// small replacement for that runtime.
//
// It keeps disgolink's wire types (package lavalink) wherever they match
// what Lavalink sends: tracks, load results, stats, info, sessions, player
// state and four of the five events. It replaces the ones that do not:
//
//   - [Player] and [Voice]: lavalink.VoiceState has no channelId, and
//     lavalink.Player cannot decode the filters Lavalink prints;
//   - [Filters] and [Rotation]: lavalink.Rotation's rotationHz is an int
//     while Lavalink prints floats, and lavalink.Equalizer panics on a band
//     number above 14 and loses band 0 when fewer than 15 bands arrive;
//   - [PlayerUpdate] and [TrackUpdate]: lavalink.PlayerUpdate sends voice
//     without channelId and "userData": null for a track without user data
//     (a 400 from Lavalink 4.2);
//   - [TrackEndEvent]: lavalink.TrackEndEvent.Type reports
//     TrackStartEvent.
//
// TestDisgolinkWireDefects pins each of these faults.
//
// # Connecting and resuming
//
// [Node.Start] starts the node's goroutine. It dials /v4/websocket with
// Authorization, User-Id, Client-Name and, when it has one, the Session-Id
// of the last session. The first frame must be a ready op within
// [Config.HandshakeTimeout]; anything else is a failed attempt. The node
// then enables resuming (PATCH /v4/sessions/{id} with resuming and
// [Config.ResumeTimeout]), reads /v4/info for [Node.Info], marks itself
// connected and calls [Handler.OnReady]. Neither REST call ends the
// connection when it fails: the failure is logged and both are made again
// at the next connect.
//
// A connection that fails, closes or stays silent for [Config.ReadTimeout]
// ends with [Handler.OnDisconnect]. The node then waits a jittered
// exponential [Backoff] (1 s doubling to 30 s by default, each wait less a
// random part of up to half) and dials again with the session's id. Within
// the resume timeout Lavalink resumes the session: OnReady reports
// resumed, the players have kept playing, and Lavalink replays the events
// it queued, which the Handler receives after OnReady. After the timeout,
// or after a node restart, the ready is not resumed: the node's players
// for this client are gone and the caller must recreate them.
// [Config.SessionID] resumes a session saved before the bot restarted.
// [Node.Close] sends a normal close frame, so Lavalink keeps the session
// for the resume timeout.
//
// # Frames
//
// Frames are decoded and handed to the [Handler] in arrival order, on the
// node's goroutine, outside its locks. A frame that is not valid JSON, has
// an unknown op or event type, lacks its guild id or has a field of the
// wrong type (an unquoted guildId, a float position) is logged at warn
// level and skipped; the connection lives on. So are binary frames and a
// second ready. Only a frame over 4 MiB ends the connection.
//
// # REST
//
// Every method takes a context first and sets Authorization per request.
// [Node.Version], [Node.FetchInfo], [Node.FetchStats], [Node.LoadTracks],
// [Node.DecodeTrack] and [Node.DecodeTracks] need no session and work
// before Start; [Node.Players], [Node.Player], [Node.UpdatePlayer],
// [Node.DestroyPlayer] and [Node.UpdateSession] need a ready connection
// and fail with [ErrNotReady] without one. An error status from the node
// is an [*Error] carrying Lavalink's error body, matching
// [ErrUnauthorized], [ErrBadRequest], [ErrSessionNotFound] or
// [ErrPlayerNotFound]; an undecodable body matches [ErrInvalidResponse].
// [PlayerUpdate.Validate] runs before every update, so a partial voice
// state ([ErrPartialVoice]) or another update Lavalink would refuse fails
// with an [*UpdateError] before anything is sent. After Close every method
// returns [ErrClosed].
//
// Two routes of the LavaLyrics plugin are served too: [Node.PlayerLyrics]
// (the lyrics of what a player plays) and [Node.TrackLyrics] (of any
// encoded track). No lyrics (the plugin's 204) is [ErrNoLyrics]; the
// plugin's 500 "No lyrics managers registered" matches
// [ErrNoLyricsSource] and its 404 "No track playing" [ErrNoTrack]; a node
// without the plugin answers 404. [Node.HasPlugin] reports whether the
// node's info lists a plugin.
//
// # Load balancing
//
// [Node.Penalty] is the penalty Lavalink clients have long shared: playing
// players, a CPU term 1.05^(100·systemLoad)·10 − 10, and frame deficit and
// nulled-frame terms when the stats carry frame stats. Because stats
// arrive once a minute, the players term is the larger of the node's count
// and the players this client saw start on the node since. A node that is
// not connected, or has no stats on its connection yet, has
// [UnavailablePenalty]. [Best] returns the connected node with the lowest
// penalty.
//
// # Secrets
//
// The password is a [secureheaders.Secret] and is revealed only while a
// handshake or request header is built. The logger is wrapped with
// [secureheaders.NewRedactingHandler], so the password is masked even if a
// server echoes it into a frame that ends up in a log line. Errors carry
// status, path and Lavalink's message, never headers.
//
// # Concurrency
//
// A Node is safe for concurrent use. It owns exactly one goroutine, from
// Start until Close returns; Close waits for it (bounded by its context)
// and is idempotent. Handler methods run on that goroutine and may call
// any method of the node except Close.
package node
