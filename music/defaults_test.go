package music_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/music/redisstore"
)

// A guild's stored settings hold only what the guild chose; the bot's
// defaults apply on every read, so changing them later reaches every
// guild that never chose otherwise.
func TestUpdateSettingsStoresOnlyTheGuildsChoices(t *testing.T) {
	srv := redistest.Start(t)
	clock := music.NewFakeClock()
	node := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock.Lavalink()))
	admin := music.Actor{UserID: rUser, Admin: true}
	const dj, announce = 555, 777

	botDefaults := mustSettings(mustSettings(music.Settings{}.WithVolume(30)).WithMaxQueueLength(200)).WithStayConnected(true)
	r1 := newRedisRig(t, clock, node, srv.Client(), func(c *music.Config) { c.DefaultSettings = botDefaults })
	ctx := r1.ctx()
	if got, err := r1.m.Settings(ctx, rGuild, admin); err != nil || got.Volume() != 30 || got.MaxQueueLength() != 200 || !got.StayConnected() {
		t.Fatalf("Settings of a new guild = %v, %v; want the bot's defaults", got, err)
	}
	got, err := r1.m.UpdateSettings(ctx, rGuild, admin, func(s music.Settings) (music.Settings, error) {
		return s.WithDJRoleID(dj).WithAnnounceChannelID(announce), nil
	})
	if err != nil || got.DJRoleID() != dj || got.Volume() != 30 || got.MaxQueueLength() != 200 || !got.StayConnected() {
		t.Fatalf("UpdateSettings = %v, %v; want the new DJ role over the bot's defaults", got, err)
	}
	if err := <-r1.puts; err != nil {
		t.Fatalf("settings write = %v", err)
	}
	wantStored := `{"djRoleId":"555","announceChannelId":"777"}`
	if stored := storedSettings(t, srv.Client(), rGuild); stored != wantStored {
		t.Errorf("stored settings = %s, want only the guild's choices %s", stored, wantStored)
	}
	// The next change adds its choice, and nothing of the defaults.
	if _, err := r1.m.UpdateSettings(ctx, rGuild, admin, func(s music.Settings) (music.Settings, error) {
		return s.WithAutoplay(true)
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-r1.puts; err != nil {
		t.Fatalf("settings write = %v", err)
	}
	wantStored = `{"autoplay":true,"djRoleId":"555","announceChannelId":"777"}`
	if stored := storedSettings(t, srv.Client(), rGuild); stored != wantStored {
		t.Errorf("stored settings = %s, want %s", stored, wantStored)
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := r1.m.Close(closeCtx); err != nil {
		t.Fatal(err)
	}

	// The bot changes its defaults: the guild keeps its choices and
	// follows the new defaults in everything else.
	newDefaults := mustSettings(music.Settings{}.WithVolume(40)).WithAnnounceChannelID(1)
	r2 := newRedisRig(t, clock, node, srv.Client(), func(c *music.Config) { c.DefaultSettings = newDefaults })
	got, err = r2.m.Settings(r2.ctx(), rGuild, admin)
	if err != nil || got.Volume() != 40 || got.StayConnected() || got.MaxQueueLength() != music.DefaultMaxQueueLength ||
		got.DJRoleID() != dj || got.AnnounceChannelID() != announce || !got.Autoplay() {
		t.Errorf("Settings under new defaults = %v, %v; want volume 40, no 24/7, queue %d, and the guild's DJ role, announce channel and autoplay",
			got, err, music.DefaultMaxQueueLength)
	}
	// Another guild, which chose nothing, has the new defaults only.
	other, err := r2.m.Settings(r2.ctx(), rGuild+1, admin)
	if err != nil || other.Volume() != 40 || other.AnnounceChannelID() != 1 || other.DJRoleID() != 0 {
		t.Errorf("Settings of a guild that chose nothing = %v, %v; want the new defaults", other, err)
	}
}

// storedSettings reads the guild's settings through a store of its own
// and returns their JSON form, which holds what the store keeps.
func storedSettings(t *testing.T, rdb redis.UniversalClient, guild snowflake.ID) string {
	t.Helper()
	store, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Get(t.Context(), guild)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
