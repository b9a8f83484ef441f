package disgobot_test

import (
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"

	"github.com/tunekit/tunekit/music/disgobot"
)

// Commands are registered with Discord once, globally or per guild; the
// Bot answers them.
func ExampleCommands() {
	var names []string
	for _, c := range disgobot.Commands() {
		names = append(names, "/"+c.CommandName())
		if s, ok := c.(discord.SlashCommandCreate); ok {
			for _, o := range s.Options {
				if sub, ok := o.(discord.ApplicationCommandOptionSubCommand); ok {
					names = append(names, "  "+sub.Name)
				}
			}
		}
	}
	fmt.Println(strings.Join(names, "\n"))
	// Output:
	// /play
	// /pause
	// /resume
	// /skip
	// /previous
	// /stop
	// /seek
	// /volume
	// /loop
	// /autoplay
	// /shuffle
	// /remove
	// /move
	// /clear
	// /queue
	// /nowplaying
	// /leave
	// /skipto
	// /swap
	// /removeuser
	// /filter
	//   preset
	//   reset
	// /lyrics
	// /settings
	//   view
	//   dj-role
	//   announce-channel
	//   stay-connected
	//   fair-queue
	//   max-track-length
	//   max-user-share
	//   vote-skip-share
}
