package lavalinktest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
