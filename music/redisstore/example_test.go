package redisstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/redisstore"
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
