package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/music/storetest"
)

func ExampleStore_Key() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"}) // Key does no I/O
	defer client.Close()
	store, _ := redisstore.New(client, redisstore.WithPrefix("mybot:"))
	fmt.Println(store.Key(81384788765712384))
	// Output:
	// mybot:{81384788765712384}
}

// This example needs a Redis server, so it is compiled but not run.
func ExampleNew() {
	ctx := context.Background()
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"redis-1:6379", "redis-2:6379"}})
	defer client.Close()

	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	settings, err := store.Get(ctx, 81384788765712384) // the defaults until the guild changes them
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(settings.Volume())
}

// This example needs a Redis server, so it is compiled but not run.
func ExampleNewBus() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()

	bus, err := redisstore.NewBus(ctx, client)
	if err != nil {
		log.Fatal(err)
	}
	defer bus.Close(ctx)

	// Every instance of the bot sees every instance's events.
	cancel := bus.Subscribe(func(e music.Event) {
		if e, ok := e.(music.TrackStarted); ok {
			log.Printf("guild %v: now playing %s", e.GuildID, e.Track.Info.Title)
		}
	})
	defer cancel()
	_ = bus.Publish(ctx, music.QueueEnded{GuildID: 81384788765712384})
}

// Two bot processes and a dashboard share one guild. The process holding
// the guild's lease writes with its token; once another process takes the
// guild over, the first one's writes are refused. The dashboard edits the
// queue with a compare-and-set on its version.
func Example_sharedGuild() {
	srv, err := redistest.Run() // a throwaway redis-server on a loopback port
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	const guild = 81384788765712384
	procA, _ := redisstore.New(srv.Client())
	procB, _ := redisstore.New(srv.Client())
	dashboard, _ := redisstore.New(srv.Client())

	a, _ := procA.Acquire(ctx, guild, "bot-a", 10*time.Second)
	_, err = procA.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(1, 3), Token: a.Token})
	fmt.Println("a adds 3 tracks:", err)

	// The dashboard moves the last track to the front, if nobody edited
	// since it read the queue.
	q, _ := dashboard.LoadQueue(ctx, guild)
	r, err := dashboard.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueMove, Position: 3, To: 1, ExpectVersion: q.Version})
	fmt.Println("dashboard moves", r.Track.Info.Identifier, "to the front:", err)
	_, err = dashboard.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear, ExpectVersion: q.Version})
	fmt.Println("a second edit from the same version:", errors.Is(err, music.ErrVersionConflict))

	// Process a stalls; its lease runs out and process b takes over.
	_, err = procB.Acquire(ctx, guild, "bot-b", 10*time.Second)
	fmt.Println("b while a holds the guild:", errors.Is(err, music.ErrLeaseHeld))
	_ = procA.Release(ctx, a) // as if it had expired
	b, _ := procB.Acquire(ctx, guild, "bot-b", 10*time.Second)
	fmt.Println("b's token is newer:", b.Token > a.Token)

	_, err = procA.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear, Token: a.Token})
	fmt.Println("a writes with its old token:", errors.Is(err, music.ErrFenced))
	q, _ = procB.LoadQueue(ctx, guild)
	for _, t := range q.Tracks {
		fmt.Println(t.Info.Identifier)
	}
	// Output:
	// a adds 3 tracks: <nil>
	// dashboard moves id-3 to the front: <nil>
	// a second edit from the same version: true
	// b while a holds the guild: true
	// b's token is newer: true
	// a writes with its old token: true
	// id-3
	// id-1
	// id-2
}
