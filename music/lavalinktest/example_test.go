package lavalinktest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// A node on a manual clock: load a track, connect, play it and let it
// finish.
func Example() {
	clock := lavalinktest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	node, err := lavalinktest.NewNode(lavalinktest.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer node.Close()
	track := lavalinktest.Must(node.AddTrack(lavalink.TrackInfo{
		Identifier: "dQw4w9WgXcQ",
		Title:      "Never Gonna Give You Up",
		Author:     "Rick Astley",
		Length:     212 * lavalink.Second,
	}))

	header := http.Header{"Authorization": {node.Password()}, "User-Id": {"170000000000000001"}}
	ws, _, err := websocket.DefaultDialer.Dial(node.WebSocketURL(), header)
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	var ready struct {
		Op        string `json:"op"`
		SessionID string `json:"sessionId"`
	}
	if err := ws.ReadJSON(&ready); err != nil {
		panic(err)
	}

	body := fmt.Sprintf(`{"voice":{"token":"t","endpoint":"e","sessionId":"s","channelId":"1"},"track":{"encoded":%q}}`, track.Encoded)
	patch(node, "/v4/sessions/"+ready.SessionID+"/players/300000000000000001", body)
	clock.Advance(212 * time.Second)

	for {
		var frame struct {
			Op     string `json:"op"`
			Type   string `json:"type"`
			Reason string `json:"reason"`
		}
		if err := ws.ReadJSON(&frame); err != nil {
			panic(err)
		}
		if frame.Op == "event" {
			fmt.Println(strings.TrimSpace(frame.Type + " " + frame.Reason))
		}
		if frame.Type == "TrackEndEvent" {
			break
		}
	}
	// Output:
	// TrackStartEvent
	// TrackEndEvent finished
}

func patch(node *lavalinktest.Node, path, body string) {
	req, err := http.NewRequest(http.MethodPatch, node.URL()+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", node.Password())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
}

// Tracks from the catalogue load as Lavalink loads them, search prefixes
// included.
func ExampleNode_AddTrack() {
	node, err := lavalinktest.NewNode()
	if err != nil {
		panic(err)
	}
	defer node.Close()
	lavalinktest.Must(node.AddTrack(lavalink.TrackInfo{Identifier: "abc", Title: "Lofi Beats", Length: 3 * lavalink.Minute}))

	for _, q := range []string{"abc", "ytsearch:lofi", "scsearch:lofi"} {
		req, _ := http.NewRequest(http.MethodGet, node.URL()+"/v4/loadtracks?identifier="+q, nil)
		req.Header.Set("Authorization", node.Password())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var res struct {
			LoadType string `json:"loadType"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		fmt.Println(q, res.LoadType)
	}
	// Output:
	// abc track
	// ytsearch:lofi search
	// scsearch:lofi empty
}

// Encoded tracks are lavaplayer messages that round-trip.
func ExampleEncodeTrack() {
	uri := "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
	encoded, err := lavalinktest.EncodeTrack(lavalink.TrackInfo{
		Identifier: "dQw4w9WgXcQ", Title: "Never Gonna Give You Up 🎵", Author: "Rick Astley",
		Length: 212000, URI: &uri, SourceName: "youtube",
	})
	if err != nil {
		panic(err)
	}
	info, err := lavalinktest.DecodeTrack(encoded)
	if err != nil {
		panic(err)
	}
	fmt.Println(encoded[:4], info.Title, info.Length, *info.URI)
	// Output: QAAA Never Gonna Give You Up 🎵 3m32s https://www.youtube.com/watch?v=dQw4w9WgXcQ
}

// A node with the LavaLyrics plugin serves synced lyrics from the lyrics
// catalogue; a track without lyrics gets 204.
func ExampleWithLyricsPlugin() {
	node, err := lavalinktest.NewNode(lavalinktest.WithLyricsPlugin())
	if err != nil {
		panic(err)
	}
	defer node.Close()
	song := lavalinktest.Must(node.AddTrack(lavalink.TrackInfo{Identifier: "abc", Title: "Lofi Beats", Length: 3 * lavalink.Minute}))
	quiet := lavalinktest.Must(node.AddTrack(lavalink.TrackInfo{Identifier: "xyz", Title: "Silence", Length: lavalink.Minute}))
	err = node.AddLyrics("abc", lavalinktest.Lyrics{SourceName: "youtube", Provider: "YouTube Music", Lines: []lavalinktest.LyricsLine{
		{Timestamp: 0, Duration: 4 * time.Second, Line: "Rain on the window"},
		{Timestamp: 4 * time.Second, Duration: 5 * time.Second, Line: "Coffee gone cold"},
	}})
	if err != nil {
		panic(err)
	}

	for _, track := range []lavalink.Track{song, quiet} {
		req, _ := http.NewRequest(http.MethodGet, node.URL()+"/v4/lyrics?track="+url.QueryEscape(track.Encoded), nil)
		req.Header.Set("Authorization", node.Password())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var lyrics struct {
			Provider string `json:"provider"`
			Lines    []struct {
				Timestamp int64  `json:"timestamp"`
				Line      string `json:"line"`
			} `json:"lines"`
		}
		if resp.StatusCode == http.StatusOK {
			_ = json.NewDecoder(resp.Body).Decode(&lyrics)
		}
		resp.Body.Close()
		fmt.Println(track.Info.Title, resp.StatusCode, lyrics.Provider)
		for _, l := range lyrics.Lines {
			fmt.Printf("  %5d ms %s\n", l.Timestamp, l.Line)
		}
	}
	// Output:
	// Lofi Beats 200 YouTube Music
	//       0 ms Rain on the window
	//    4000 ms Coffee gone cold
	// Silence 204
}
