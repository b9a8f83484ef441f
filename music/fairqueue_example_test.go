package music_test

import (
	"fmt"
	"strings"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// In fair mode three users' picks play in turns, whoever queued first.
func ExampleQueue_SetFair() {
	const alice, bob, carol = snowflake.ID(1), snowflake.ID(2), snowflake.ID(3)
	song := func(title string, by snowflake.ID) music.Track {
		return music.Track{Encoded: title, Info: music.TrackInfo{Identifier: title, Title: title}, Requester: by}
	}
	q := music.NewQueue(music.WithFair(true))
	_, _ = q.AddMany([]music.Track{song("a1", alice), song("a2", alice), song("a3", alice)}, music.PlaceEnd)
	_, _ = q.AddMany([]music.Track{song("b1", bob), song("b2", bob)}, music.PlaceEnd)
	_ = q.Add(song("c1", carol))

	var order []string
	for _, t := range q.All() {
		order = append(order, t.Info.Title)
	}
	fmt.Println(strings.Join(order, " "))
	// Output: a1 b1 c1 a2 b2 a3
}

// A skip vote passes at half the listeners, rounded up.
func ExampleSettings_VoteSkipShare() {
	s := music.DefaultSettings()
	fmt.Println(s.VoteSkipShare(), "percent")
	s, _ = s.WithVoteSkipShare(75)
	fmt.Println(s.VoteSkipShare(), "percent")
	// Output:
	// 50 percent
	// 75 percent
}
