package discordtest_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/omit"
	"github.com/disgoorg/snowflake/v2"
	"go.uber.org/goleak"

	"github.com/tunekit/tunekit/music/discordtest"
)

func TestMain(m *testing.M) {
	// disgo's REST rate limiter starts a cleanup goroutine that never stops
	// (rest.NewRateLimiter), and after Close it blocks on the bucket map Close
	// leaves locked; everything else must be gone after the tests.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/disgoorg/disgo/rest.(*rateLimiterImpl).cleanup"))
}

// testCtx bounds a whole test.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var quiet = slog.New(slog.DiscardHandler)

const testIntents = gateway.IntentGuilds | gateway.IntentGuildVoiceStates | gateway.IntentGuildMessages

// newClient builds a disgo client pointed at srv by the REST URL alone, as a
// bot author would: disgo learns the gateway URL from GET /gateway (or GET
// /gateway/bot when sharding). Without gateway or shard options it is a
// REST-only client. CloseClient shuts it down at cleanup, which fails the
// test if CloseClient reports an error.
func newClient(t *testing.T, srv *discordtest.Server, opts ...bot.ConfigOpt) *bot.Client {
	t.Helper()
	client := buildClient(t, srv, opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := discordtest.CloseClient(ctx, srv, client); err != nil {
			t.Errorf("CloseClient: %v", err)
		}
	})
	return client
}

// buildClient is newClient for tests that close the client themselves and
// check what CloseClient returns; its cleanup only makes sure the client is
// closed.
func buildClient(t *testing.T, srv *discordtest.Server, opts ...bot.ConfigOpt) *bot.Client {
	t.Helper()
	base := []bot.ConfigOpt{
		bot.WithLogger(quiet),
		bot.WithRestClientConfigOpts(rest.WithURL(srv.RestURL())),
		bot.WithCacheConfigOpts(cache.WithCaches(cache.FlagsAll)),
	}
	client, err := disgo.New(srv.Token(), append(base, opts...)...)
	if err != nil {
		t.Fatalf("disgo.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = discordtest.CloseClient(ctx, srv, client)
	})
	return client
}

// world is a guild with a text channel, a voice channel, a DJ role, alice
// (a DJ) and bob.
type world struct {
	srv   *discordtest.Server
	guild *discordtest.Guild
	text  snowflake.ID
	voice snowflake.ID
	dj    snowflake.ID
	alice snowflake.ID
	bob   snowflake.ID
}

func newWorld(t *testing.T, opts ...discordtest.Option) *world {
	t.Helper()
	srv := discordtest.Start(t, opts...)
	g := srv.AddGuild("Music Lovers")
	w := &world{srv: srv, guild: g}
	w.text = g.AddTextChannel("general")
	w.voice = g.AddVoiceChannel("Lounge")
	w.dj = g.AddRole("DJ", discord.PermissionConnect)
	w.alice = g.AddMember("alice", w.dj)
	w.bob = g.AddMember("bob")
	return w
}

// testCommands are the commands the tests register.
var testCommands = []discord.ApplicationCommandCreate{
	discord.SlashCommandCreate{Name: "ping", Description: "Replies pong"},
	discord.SlashCommandCreate{Name: "play", Description: "Plays a track", Options: []discord.ApplicationCommandOption{
		discord.ApplicationCommandOptionString{Name: "query", Description: "What to play", Required: true, Autocomplete: true},
		discord.ApplicationCommandOptionBool{Name: "next", Description: "Play it next"},
	}},
	discord.SlashCommandCreate{Name: "volume", Description: "Sets the volume", Options: []discord.ApplicationCommandOption{
		discord.ApplicationCommandOptionInt{Name: "level", Description: "0 to 200", Required: true, MinValue: omit.Ptr(0), MaxValue: omit.Ptr(200)},
	}},
	discord.SlashCommandCreate{Name: "loop", Description: "Sets the loop mode", Options: []discord.ApplicationCommandOption{
		discord.ApplicationCommandOptionString{Name: "mode", Description: "Mode", Required: true, Choices: []discord.ApplicationCommandOptionChoiceString{
			{Name: "off", Value: "off"}, {Name: "track", Value: "track"}, {Name: "queue", Value: "queue"},
		}},
	}},
	discord.SlashCommandCreate{
		Name: "settings", Description: "Bot settings",
		DefaultMemberPermissions: omit.NewPtr(discord.PermissionManageGuild),
		Options: []discord.ApplicationCommandOption{
			discord.ApplicationCommandOptionSubCommand{Name: "view", Description: "Shows the settings"},
			discord.ApplicationCommandOptionSubCommand{Name: "dj-role", Description: "Sets the DJ role", Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionRole{Name: "role", Description: "The DJ role"},
			}},
			discord.ApplicationCommandOptionSubCommand{Name: "announce-channel", Description: "Sets the channel", Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionChannel{Name: "channel", Description: "Text channel", Required: true, ChannelTypes: []discord.ChannelType{discord.ChannelTypeGuildText}},
			}},
		},
	},
}

// restClient is a bare disgo REST client for srv.
func restClient(t testing.TB, srv *discordtest.Server, opts ...rest.ClientConfigOpt) rest.Rest {
	t.Helper()
	c := rest.New(rest.NewClient(srv.Token(), append([]rest.ClientConfigOpt{rest.WithURL(srv.RestURL()), rest.WithLogger(quiet), rest.WithRateLimiterConfigOpts(rest.WithRateLimiterLogger(quiet))}, opts...)...))
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
