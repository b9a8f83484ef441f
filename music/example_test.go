package music_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

func song(id, title string, length time.Duration) music.Track {
	return music.Track{
		Encoded: "QAAA…" + id,
		Info:    music.TrackInfo{Identifier: id, Title: title, Length: length, IsSeekable: true, SourceName: "youtube"},
	}
}

func ExampleQueue() {
	q := music.NewQueue(music.WithMaxLength(5), music.WithShuffleSource(rand.NewPCG(1, 1)))
	_ = q.Add(song("a", "Intro", 2*time.Minute))
	_ = q.Add(song("b", "Verse", 3*time.Minute))
	_ = q.AddNext(song("c", "Overture", time.Minute))
	added, err := q.AddMany([]music.Track{
		song("d", "Bridge", time.Minute), song("e", "Chorus", time.Minute), song("f", "Outro", time.Minute),
	}, music.PlaceEnd)
	fmt.Println("added", added, "of 3:", err)

	_ = q.Move(5, 1) // positions are 1-based, as users count
	removed, _ := q.Remove(2)
	fmt.Println("removed", removed.Info.Title)

	page := q.Page(1, 3)
	for i, t := range page.Tracks {
		fmt.Printf("%d. %s\n", page.First+i, t.Info.Title)
	}
	total, _ := q.Duration()
	fmt.Printf("page %d/%d, %d tracks, %v\n", page.Number, page.Pages, page.Total, total)
	// Output:
	// added 2 of 3: music: queue is full (5 tracks)
	// removed Overture
	// 1. Chorus
	// 2. Intro
	// 3. Verse
	// page 1/2, 4 tracks, 7m0s
}

func ExampleSettings_WithAutoplay() {
	s, _ := music.DefaultSettings().WithVolume(80)
	s, _ = s.WithLoop(music.LoopQueue)
	_, err := s.WithAutoplay(true)
	fmt.Println(err)
	fmt.Println(errors.Is(err, music.ErrConflictingSettings))

	s, _ = s.WithLoop(music.LoopOff)
	s, err = s.WithAutoplay(true)
	fmt.Println(s.Volume(), s.Loop(), s.Autoplay(), err)
	// Output:
	// music: cannot enable autoplay while loop is active; turn loop off first
	// true
	// 80 off true <nil>
}

func ExampleSettings_WithDefaults() {
	// The bot's defaults: quieter than tunekit's, and 24/7.
	botDefaults, _ := music.Settings{}.WithVolume(30)
	botDefaults = botDefaults.WithStayConnected(true)

	var fresh music.Settings // a guild that chose nothing
	chosen, _ := music.Settings{}.WithVolume(90)

	fmt.Println(fresh.WithDefaults(botDefaults).Volume(), fresh.WithDefaults(botDefaults).StayConnected())
	fmt.Println(chosen.WithDefaults(botDefaults).Volume(), chosen.WithDefaults(botDefaults).StayConnected())
	// Output:
	// 30 true
	// 90 true
}

func ExampleAuthorize() {
	const botChannel, djRole snowflake.ID = 10, 20
	facts := music.Facts{BotVoiceChannelID: botChannel, Listeners: 3, DJRoleID: djRole}

	listener := music.Actor{UserID: 1, VoiceChannelID: botChannel}
	fmt.Println(music.Authorize(listener, music.ActionPlay, facts))
	fmt.Println(music.Authorize(listener, music.ActionSkip, facts))

	facts.Requester = listener.UserID // their own track
	fmt.Println(music.Authorize(listener, music.ActionSkip, facts))

	dj := music.Actor{UserID: 2, RoleIDs: []snowflake.ID{djRole}}
	err := music.Authorize(dj, music.ActionPause, facts)
	fmt.Println(err, errors.Is(err, music.ErrNotInVoice))
	// Output:
	// <nil>
	// music: skip denied: you need the DJ role for this
	// <nil>
	// music: pause denied: you must be in the bot's voice channel true
}

func ExampleSession() {
	now := time.Date(2025, 1, 1, 20, 0, 0, 0, time.UTC)
	s, _ := music.NewSession(81384788765712384, now)
	loop, _ := music.Settings{}.WithLoop(music.LoopQueue)
	s.ApplySettings(loop)

	_ = s.Connect(100, 200, now)
	_ = s.Queue().Add(song("b", "Second", 3*time.Minute))
	s.Start(song("a", "First", 2*time.Minute), now)
	fmt.Println(s.State(), s.Position(now.Add(30*time.Second)))

	_ = s.Pause(now.Add(time.Minute))
	fmt.Println(s.State(), s.Position(now.Add(time.Hour)))
	_ = s.Resume(now.Add(2 * time.Minute))

	// Lavalink reports the end; with loop queue the track goes to the back.
	next, _ := s.End(music.EndFinished, now.Add(3*time.Minute))
	fmt.Println("now playing", next.Info.Title)
	for pos, t := range s.Queue().All() {
		fmt.Println(pos, t.Info.Title)
	}
	fmt.Println(s.Seek(10*time.Minute, now.Add(3*time.Minute)))
	// Output:
	// playing 30s
	// paused 1m0s
	// now playing Second
	// 1 First
	// music: cannot seek to 10m0s: the track is 3m0s long
}

func ExampleTrackFromLavalink() {
	uri := "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
	lt := lavalink.Track{
		Encoded: "QAAAjQIA…",
		Info: lavalink.TrackInfo{
			Identifier: "dQw4w9WgXcQ", Title: "Never Gonna Give You Up", Author: "Rick Astley",
			Length: 212_000, URI: &uri, SourceName: "youtube",
		},
		PluginInfo: lavalink.RawData(`{}`), UserData: lavalink.RawData(`{}`),
	}
	t := music.TrackFromLavalink(lt)
	t.Requester = 110373943822540800
	fmt.Println(t.Info.Title, t.Info.Length, t.Info.IsSeekable)
	fmt.Println(*t.Lavalink().Info.URI == uri)
	// Output:
	// Never Gonna Give You Up 3m32s true
	// true
}

func ExampleBus() {
	ctx := context.Background()
	bus := music.NewBus()
	done := make(chan struct{})
	cancel := bus.Subscribe(func(e music.Event) {
		switch e := e.(type) {
		case music.TrackStarted:
			fmt.Println("now playing:", e.Track.Info.Title)
		case music.QueueEnded:
			fmt.Println("queue ended in guild", e.GuildID)
			close(done)
		}
	})
	defer cancel()
	_ = bus.Publish(ctx, music.TrackStarted{GuildID: 1, Track: song("a", "Intro", time.Minute)})
	_ = bus.Publish(ctx, music.QueueEnded{GuildID: 1})
	<-done
	_ = bus.Close(ctx)
	// Output:
	// now playing: Intro
	// queue ended in guild 1
}

func ExampleMarshalEvent() {
	data, _ := music.MarshalEvent(music.SessionEnded{GuildID: 81384788765712384, Reason: music.LeaveIdle})
	fmt.Println(string(data))
	e, _ := music.UnmarshalEvent(data)
	fmt.Printf("%T %v\n", e, e.Guild())
	_, err := music.UnmarshalEvent([]byte(`{"type":"fromTheFuture","event":{}}`))
	fmt.Println(errors.Is(err, music.ErrUnknownEvent))
	// Output:
	// {"type":"sessionEnded","event":{"guildId":"81384788765712384","reason":"idle"}}
	// music.SessionEnded 81384788765712384
	// true
}

func ExampleMemoryStore() {
	ctx := context.Background()
	store := music.NewMemoryStore()
	now := time.Date(2025, 1, 1, 20, 0, 0, 0, time.UTC)

	s, _ := music.NewSession(81384788765712384, now)
	_ = s.Connect(100, 200, now)
	s.Start(song("a", "First", 2*time.Minute), now)
	_ = s.Queue().Add(song("b", "Second", 3*time.Minute))
	_ = store.Save(ctx, s.Snapshot())

	// After a restart: list the guilds, load and restore each.
	ids, _ := store.List(ctx)
	snap, _ := store.Load(ctx, ids[0])
	restored, _ := music.RestoreSession(snap)
	cur, _ := restored.Current()
	fmt.Println(ids, restored.State(), cur.Info.Title, restored.Queue().Len())
	fmt.Println(restored.Position(now.Add(45 * time.Second)))

	settings, _ := store.Get(ctx, 81384788765712384) // never stored: defaults
	fmt.Println(settings.Volume())
	// Output:
	// [81384788765712384] playing First 1
	// 45s
	// 50
}

func ExampleFormatDuration() {
	fmt.Println(music.FormatDuration(3*time.Minute + 32*time.Second + 900*time.Millisecond))
	fmt.Println(music.FormatDuration(time.Hour + 2*time.Minute + 5*time.Second))
	// Output:
	// 3:32
	// 1:02:05
}
