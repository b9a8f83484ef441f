package storetest

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// base is a fixed instant at millisecond precision, in UTC.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

// titles exercise JSON escaping and Unicode: quotes, backslashes, control
// characters, emoji (outside the BMP), RTL text, and a newline, which a
// line-oriented encoding must not split on.
var titles = []string{
	"Never Gonna Give You Up",
	`Quote "this" \ and that`,
	"Tab\tand\nnewline",
	"Emoji 🎵🔥 and 日本語",
	"مرحبا بالعالم",
	"<html> & </script>",
	"\u2028line separator\u2029",
}

// Track returns the i-th track of a deterministic family in which every
// field is set and varies with i (which may be negative). Every third track is a stream, with
// Lavalink's unknown length; every fifth has no URI, artwork or ISRC.
func Track(i int) music.Track {
	t := music.Track{
		Encoded: fmt.Sprintf("QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAA%08d==", i),
		Info: music.TrackInfo{
			Identifier: fmt.Sprintf("id-%d", i),
			Title:      fmt.Sprintf("%s #%d", titles[mod(i, len(titles))], i),
			Author:     fmt.Sprintf("Artist %d", i%97),
			Length:     time.Duration(60_000+i*1_000) * time.Millisecond,
			IsSeekable: true,
			URI:        fmt.Sprintf("https://www.youtube.com/watch?v=%011d", i),
			ArtworkURL: fmt.Sprintf("https://i.ytimg.com/vi/%d/maxresdefault.jpg", i),
			ISRC:       fmt.Sprintf("USRC1%07d", i),
			SourceName: "youtube",
			Position:   time.Duration(i%7) * time.Second,
		},
		PluginInfo: json.RawMessage(fmt.Sprintf(`{"albumName":"Album %d","previewUrl":null}`, i%13)),
		UserData:   json.RawMessage(fmt.Sprintf(`{"n":%d,"tags":["a","b"]}`, i)),
		Requester:  snowflake.ID(100_000_000_000_000_000 + uint64(i)),
		AddedAt:    base.Add(time.Duration(i) * time.Millisecond),
	}
	if mod(i, 3) == 2 {
		t.Info.IsStream, t.Info.IsSeekable = true, false
		t.Info.Length = math.MaxInt64
		t.Info.SourceName = "http"
	}
	if mod(i, 5) == 4 {
		t.Info.URI, t.Info.ArtworkURL, t.Info.ISRC = "", "", ""
		t.PluginInfo = json.RawMessage(`{}`)
		t.UserData = nil
	}
	return t
}

func mod(i, n int) int { return ((i % n) + n) % n }

// Tracks returns Track(from) … Track(from+n-1).
func Tracks(from, n int) []music.Track {
	ts := make([]music.Track, n)
	for i := range ts {
		ts[i] = Track(from + i)
	}
	return ts
}

// Snapshot returns a snapshot of guild in which every field is set, with
// queued tracks and history tracks; seq varies the content so
// successive snapshots of one guild differ.
func Snapshot(guild snowflake.ID, seq, queued, history int) music.Snapshot {
	cur := Track(seq)
	return music.Snapshot{
		Version:        music.SnapshotVersion,
		GuildID:        guild,
		State:          music.StatePaused,
		Current:        &cur,
		Position:       time.Duration(seq%1000) * time.Millisecond,
		PositionAt:     base.Add(time.Duration(seq) * time.Second),
		Volume:         seq % (music.MaxVolume + 1),
		Filters:        json.RawMessage(`{"timescale":{"speed":1.25,"pitch":1,"rate":1},"equalizer":[{"band":0,"gain":0.2}]}`),
		VoiceChannelID: snowflake.ID(200_000_000_000_000_000 + uint64(seq)),
		TextChannelID:  snowflake.ID(300_000_000_000_000_000 + uint64(seq)),
		Node:           fmt.Sprintf("node-%d", seq%3),
		NodeSessionID:  fmt.Sprintf("session-%d", seq),
		LastActivity:   base.Add(time.Duration(seq) * time.Minute),
		Queue:          Tracks(seq+1, queued),
		History:        Tracks(seq+1+queued, history),
	}
}

// Settings returns settings in which every field is chosen and varies with
// i.
func Settings(i int) music.Settings {
	s := music.Settings{}.
		WithDJRoleID(snowflake.ID(400_000_000_000_000_000 + uint64(i))).
		WithAnnounceChannelID(snowflake.ID(500_000_000_000_000_000 + uint64(i))).
		WithStayConnected(i%2 == 0)
	s, _ = s.WithVolume(i % (music.MaxVolume + 1))
	s, _ = s.WithMaxQueueLength(1 + i%music.QueueLengthLimit)
	if i%2 == 0 {
		s, _ = s.WithAutoplay(true)
		s, _ = s.WithLoop(music.LoopOff)
	} else {
		s, _ = s.WithAutoplay(false)
		s, _ = s.WithLoop(music.LoopQueue)
	}
	return s
}
