package lavalinktest

import (
	"encoding/json"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

// The JSON the node writes. disgolink's lavalink types are used as inputs,
// but the wire format is written with these structs because it differs
// from them: isSeekable, channelId, causeStackTrace, nullable strings and
// the float filters.

var emptyObject = json.RawMessage(`{}`)

type trackJSON struct {
	Encoded    string          `json:"encoded"`
	Info       trackInfoJSON   `json:"info"`
	PluginInfo json.RawMessage `json:"pluginInfo"`
	UserData   json.RawMessage `json:"userData"`
}

type trackInfoJSON struct {
	Identifier string  `json:"identifier"`
	IsSeekable bool    `json:"isSeekable"`
	Author     string  `json:"author"`
	Length     int64   `json:"length"`
	IsStream   bool    `json:"isStream"`
	Position   int64   `json:"position"`
	Title      string  `json:"title"`
	URI        *string `json:"uri"`
	ArtworkURL *string `json:"artworkUrl"`
	ISRC       *string `json:"isrc"`
	SourceName string  `json:"sourceName"`
}

func newTrackJSON(encoded string, info lavalink.TrackInfo, position time.Duration, userData json.RawMessage) trackJSON {
	if userData == nil {
		userData = emptyObject
	}
	return trackJSON{
		Encoded: encoded,
		Info: trackInfoJSON{
			Identifier: info.Identifier,
			IsSeekable: !info.IsStream,
			Author:     info.Author,
			Length:     int64(info.Length),
			IsStream:   info.IsStream,
			Position:   position.Milliseconds(),
			Title:      info.Title,
			URI:        info.URI,
			ArtworkURL: info.ArtworkURL,
			ISRC:       info.ISRC,
			SourceName: info.SourceName,
		},
		PluginInfo: emptyObject,
		UserData:   userData,
	}
}

// lavalinkTrack converts a wire track into disgolink's type.
func (t trackJSON) lavalinkTrack() lavalink.Track {
	return lavalink.Track{
		Encoded: t.Encoded,
		Info: lavalink.TrackInfo{
			Identifier: t.Info.Identifier,
			Author:     t.Info.Author,
			Length:     lavalink.Duration(t.Info.Length),
			IsStream:   t.Info.IsStream,
			Title:      t.Info.Title,
			URI:        t.Info.URI,
			SourceName: t.Info.SourceName,
			Position:   lavalink.Duration(t.Info.Position),
			ArtworkURL: t.Info.ArtworkURL,
			ISRC:       t.Info.ISRC,
		},
		PluginInfo: lavalink.RawData(t.PluginInfo),
		UserData:   lavalink.RawData(t.UserData),
	}
}

type playerStateJSON struct {
	Time      int64 `json:"time"`
	Position  int64 `json:"position"`
	Connected bool  `json:"connected"`
	Ping      int64 `json:"ping"`
}

type voiceJSON struct {
	Token     string `json:"token"`
	Endpoint  string `json:"endpoint"`
	SessionID string `json:"sessionId"`
	// ChannelID is null or a string from 4.2 on and absent before.
	ChannelID json.RawMessage `json:"channelId,omitempty"`
}

type playerJSON struct {
	GuildID string          `json:"guildId"`
	Track   *trackJSON      `json:"track"`
	Volume  int             `json:"volume"`
	Paused  bool            `json:"paused"`
	State   playerStateJSON `json:"state"`
	Voice   voiceJSON       `json:"voice"`
	Filters *filtersJSON    `json:"filters"`
}

type readyJSON struct {
	Op        string `json:"op"`
	Resumed   bool   `json:"resumed"`
	SessionID string `json:"sessionId"`
}

type playerUpdateJSON struct {
	Op      string          `json:"op"`
	GuildID string          `json:"guildId"`
	State   playerStateJSON `json:"state"`
}

type memoryJSON struct {
	Free       int64 `json:"free"`
	Used       int64 `json:"used"`
	Allocated  int64 `json:"allocated"`
	Reservable int64 `json:"reservable"`
}

type cpuJSON struct {
	Cores        int     `json:"cores"`
	SystemLoad   float64 `json:"systemLoad"`
	LavalinkLoad float64 `json:"lavalinkLoad"`
}

type frameStatsJSON struct {
	Sent    int `json:"sent"`
	Nulled  int `json:"nulled"`
	Deficit int `json:"deficit"`
}

// statsJSON is the body of GET /v4/stats.
type statsJSON struct {
	Players        int        `json:"players"`
	PlayingPlayers int        `json:"playingPlayers"`
	Uptime         int64      `json:"uptime"`
	Memory         memoryJSON `json:"memory"`
	CPU            cpuJSON    `json:"cpu"`
}

// statsOpJSON is the stats op, whose frameStats key is always present.
type statsOpJSON struct {
	Op string `json:"op"`
	statsJSON
	FrameStats *frameStatsJSON `json:"frameStats"`
}

type exceptionJSON struct {
	Message         *string `json:"message"`
	Severity        string  `json:"severity"`
	Cause           string  `json:"cause"`
	CauseStackTrace *string `json:"causeStackTrace,omitempty"`
}

type trackStartJSON struct {
	Op      string    `json:"op"`
	Type    string    `json:"type"`
	GuildID string    `json:"guildId"`
	Track   trackJSON `json:"track"`
}

type trackEndJSON struct {
	Op      string    `json:"op"`
	Type    string    `json:"type"`
	GuildID string    `json:"guildId"`
	Track   trackJSON `json:"track"`
	Reason  string    `json:"reason"`
}

type trackExceptionJSON struct {
	Op        string        `json:"op"`
	Type      string        `json:"type"`
	GuildID   string        `json:"guildId"`
	Track     trackJSON     `json:"track"`
	Exception exceptionJSON `json:"exception"`
}

type trackStuckJSON struct {
	Op          string    `json:"op"`
	Type        string    `json:"type"`
	GuildID     string    `json:"guildId"`
	Track       trackJSON `json:"track"`
	ThresholdMs int64     `json:"thresholdMs"`
}

type webSocketClosedJSON struct {
	Op       string `json:"op"`
	Type     string `json:"type"`
	GuildID  string `json:"guildId"`
	Code     int    `json:"code"`
	Reason   string `json:"reason"`
	ByRemote bool   `json:"byRemote"`
}

type loadResultJSON struct {
	LoadType string `json:"loadType"`
	Data     any    `json:"data"`
}

type playlistJSON struct {
	Info       playlistInfoJSON `json:"info"`
	PluginInfo json.RawMessage  `json:"pluginInfo"`
	Tracks     []trackJSON      `json:"tracks"`
}

type playlistInfoJSON struct {
	Name          string `json:"name"`
	SelectedTrack int    `json:"selectedTrack"`
}

type errorJSON struct {
	Timestamp int64  `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Trace     string `json:"trace,omitempty"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

type sessionJSON struct {
	Resuming bool  `json:"resuming"`
	Timeout  int64 `json:"timeout"`
}

type infoJSON struct {
	Version        infoVersionJSON `json:"version"`
	BuildTime      int64           `json:"buildTime"`
	Git            gitJSON         `json:"git"`
	JVM            string          `json:"jvm"`
	Lavaplayer     string          `json:"lavaplayer"`
	SourceManagers []string        `json:"sourceManagers"`
	Filters        []string        `json:"filters"`
	Plugins        []pluginJSON    `json:"plugins"`
}

type infoVersionJSON struct {
	Semver     string  `json:"semver"`
	Major      int     `json:"major"`
	Minor      int     `json:"minor"`
	Patch      int     `json:"patch"`
	PreRelease *string `json:"preRelease"`
	Build      *string `json:"build"`
}

type gitJSON struct {
	Branch     string `json:"branch"`
	Commit     string `json:"commit"`
	CommitTime int64  `json:"commitTime"`
}

type lyricsJSON struct {
	SourceName string           `json:"sourceName"`
	Provider   string           `json:"provider"`
	Text       *string          `json:"text"`
	Lines      []lyricsLineJSON `json:"lines"`
	Plugin     json.RawMessage  `json:"plugin"`
}

type lyricsLineJSON struct {
	Timestamp int64           `json:"timestamp"`
	Duration  *int64          `json:"duration"`
	Line      string          `json:"line"`
	Plugin    json.RawMessage `json:"plugin"`
}

type pluginJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// mustJSON marshals values built from the types above, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("lavalinktest: marshal " + err.Error())
	}
	return b
}
