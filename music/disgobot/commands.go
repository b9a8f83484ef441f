package disgobot

import (
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/omit"

	"github.com/tunekit/tunekit/music"
)

// Command and option names, as users type them.
const (
	cmdPlay       = "play"
	cmdPause      = "pause"
	cmdResume     = "resume"
	cmdSkip       = "skip"
	cmdPrevious   = "previous"
	cmdStop       = "stop"
	cmdSeek       = "seek"
	cmdVolume     = "volume"
	cmdLoop       = "loop"
	cmdAutoplay   = "autoplay"
	cmdShuffle    = "shuffle"
	cmdRemove     = "remove"
	cmdMove       = "move"
	cmdClear      = "clear"
	cmdQueue      = "queue"
	cmdNowPlaying = "nowplaying"
	cmdLeave      = "leave"
	cmdSettings   = "settings"
	cmdSkipTo     = "skipto"
	cmdSwap       = "swap"
	cmdRemoveUser = "removeuser"
	cmdFilter     = "filter"
	cmdLyrics     = "lyrics"

	subView          = "view"
	subDJRole        = "dj-role"
	subAnnounce      = "announce-channel"
	subStayConnected = "stay-connected"
	subFairQueue     = "fair-queue"
	subMaxLength     = "max-track-length"
	subMaxShare      = "max-user-share"
	subVoteShare     = "vote-skip-share"
	subPreset        = "preset"
	subReset         = "reset"

	optQuery    = "query"
	optNext     = "next"
	optCount    = "count"
	optTime     = "time"
	optLevel    = "level"
	optMode     = "mode"
	optPosition = "position"
	optFrom     = "from"
	optTo       = "to"
	optPage     = "page"
	optRole     = "role"
	optChannel  = "channel"
	optEnabled  = "enabled"
	optA        = "a"
	optB        = "b"
	optUser     = "user"
	optLength   = "length"
	optPercent  = "percent"
	optName     = "name"
)

// maxPresetName bounds /filter preset's name option; preset names are
// short.
const maxPresetName = 32

// maxSkip bounds /skip's count; the queue's own length is the real
// limit, which the Manager checks.
const maxSkip = music.QueueLengthLimit

// Commands returns the slash commands a [Bot] answers, to register with
// Discord (for example with handler.SyncCommands, globally or, while
// developing, in one guild). Each call returns a fresh slice.
//
// The commands are guild-only. /settings and its subcommands need the
// Manage Server permission by default (a server can change that in its
// integration settings, which is why the Bot checks it again).
func Commands() []discord.ApplicationCommandCreate {
	guildOnly := []discord.InteractionContextType{discord.InteractionContextTypeGuild}
	cmd := func(name, desc string, opts ...discord.ApplicationCommandOption) discord.SlashCommandCreate {
		return discord.SlashCommandCreate{Name: name, Description: desc, Options: opts, Contexts: guildOnly}
	}
	zero, one, hundred, maxLen := 0, 1, 100, music.MaxQueryLength
	minVolume, maxVolume := music.MinVolume, music.MaxVolume
	skipMax, pageMax := maxSkip, maxPage
	position := func(name, desc string) discord.ApplicationCommandOptionInt {
		return discord.ApplicationCommandOptionInt{Name: name, Description: desc, Required: true, MinValue: &one}
	}
	manageGuild := discord.PermissionManageGuild
	settings := cmd(cmdSettings, "View or change the music settings of this server",
		discord.ApplicationCommandOptionSubCommand{Name: subView, Description: "Show the music settings"},
		discord.ApplicationCommandOptionSubCommand{Name: subDJRole, Description: "Set the role that controls playback, or clear it",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionRole{Name: optRole, Description: "The DJ role; leave empty so everyone listening may control"},
			}},
		discord.ApplicationCommandOptionSubCommand{Name: subAnnounce, Description: "Set the channel for now-playing messages, or clear it",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionChannel{Name: optChannel, Description: "The channel; leave empty to post where /play was used",
					ChannelTypes: []discord.ChannelType{discord.ChannelTypeGuildText, discord.ChannelTypeGuildNews}},
			}},
		discord.ApplicationCommandOptionSubCommand{Name: subStayConnected, Description: "Stay in the voice channel when idle (24/7 mode)",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionBool{Name: optEnabled, Description: "Whether to stay connected", Required: true},
			}},
		discord.ApplicationCommandOptionSubCommand{Name: subFairQueue, Description: "Play the queue in turns by who asked, so no one buries the others",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionBool{Name: optEnabled, Description: "Whether the queue is fair", Required: true},
			}},
		discord.ApplicationCommandOptionSubCommand{Name: subMaxLength, Description: "Set the longest track /play accepts",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionString{Name: optLength, Description: "Like 10:00 or 1h; 0 or off for no limit", Required: true,
					MinLength: &one, MaxLength: intPtr(32)},
			}},
		discord.ApplicationCommandOptionSubCommand{Name: subMaxShare, Description: "Set how much of the queue one user's tracks may fill",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionInt{Name: optPercent, Description: "Percent of the queue limit; 0 for no limit", Required: true,
					MinValue: &zero, MaxValue: &hundred},
			}},
		discord.ApplicationCommandOptionSubCommand{Name: subVoteShare, Description: "Set the share of listeners whose votes skip a track",
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionInt{Name: optPercent, Description: "Percent of the listeners", Required: true,
					MinValue: &one, MaxValue: &hundred},
			}},
	)
	settings.DefaultMemberPermissions = omit.NewPtr(manageGuild)

	return []discord.ApplicationCommandCreate{
		cmd(cmdPlay, "Play a song or playlist, or add it to the queue",
			discord.ApplicationCommandOptionString{Name: optQuery, Description: "A song name or a link", Required: true,
				Autocomplete: true, MinLength: &one, MaxLength: &maxLen},
			discord.ApplicationCommandOptionBool{Name: optNext, Description: "Play it next instead of at the end of the queue"},
		),
		cmd(cmdPause, "Pause the music"),
		cmd(cmdResume, "Resume the music"),
		cmd(cmdSkip, "Skip the current track",
			discord.ApplicationCommandOptionInt{Name: optCount, Description: "How many tracks to skip (default 1)", MinValue: &one, MaxValue: &skipMax},
		),
		cmd(cmdPrevious, "Play the previous track again"),
		cmd(cmdStop, "Stop the music and clear the queue"),
		cmd(cmdSeek, "Jump to a time in the current track",
			discord.ApplicationCommandOptionString{Name: optTime, Description: "Like 83, 1:23, 01:02:03 or 1h2m3s", Required: true,
				MinLength: &one, MaxLength: intPtr(32)},
		),
		cmd(cmdVolume, "Set the volume",
			discord.ApplicationCommandOptionInt{Name: optLevel, Description: "Volume in percent, 0 to 200", Required: true,
				MinValue: &minVolume, MaxValue: &maxVolume},
		),
		cmd(cmdLoop, "Repeat the track or the queue",
			discord.ApplicationCommandOptionString{Name: optMode, Description: "What to repeat", Required: true,
				Choices: []discord.ApplicationCommandOptionChoiceString{
					{Name: "off", Value: music.LoopOff.String()},
					{Name: "track", Value: music.LoopTrack.String()},
					{Name: "queue", Value: music.LoopQueue.String()},
				}},
		),
		cmd(cmdAutoplay, "Play related tracks when the queue runs out",
			discord.ApplicationCommandOptionString{Name: optMode, Description: "Turn autoplay on or off", Required: true,
				Choices: []discord.ApplicationCommandOptionChoiceString{{Name: "on", Value: "on"}, {Name: "off", Value: "off"}}},
		),
		cmd(cmdShuffle, "Shuffle the queue"),
		cmd(cmdRemove, "Remove a track from the queue", position(optPosition, "Its position in the queue")),
		cmd(cmdMove, "Move a track in the queue",
			position(optFrom, "The position of the track to move"),
			position(optTo, "The position to move it to"),
		),
		cmd(cmdClear, "Remove every track from the queue"),
		cmd(cmdQueue, "Show the queue",
			discord.ApplicationCommandOptionInt{Name: optPage, Description: "The page to show (default 1)", MinValue: &one, MaxValue: &pageMax},
		),
		cmd(cmdNowPlaying, "Show what is playing"),
		cmd(cmdLeave, "Stop the music and leave the voice channel"),
		cmd(cmdSkipTo, "Play a queued track now, keeping the tracks before it",
			position(optPosition, "Its position in the queue"),
		),
		cmd(cmdSwap, "Swap two tracks in the queue",
			position(optA, "The position of one track"),
			position(optB, "The position of the other"),
		),
		cmd(cmdRemoveUser, "Remove every queued track of a user",
			discord.ApplicationCommandOptionUser{Name: optUser, Description: "Whose tracks to remove", Required: true},
		),
		cmd(cmdFilter, "Change how the music sounds",
			discord.ApplicationCommandOptionSubCommand{Name: subPreset, Description: "Apply an effect such as bass boost or nightcore",
				Options: []discord.ApplicationCommandOption{
					discord.ApplicationCommandOptionString{Name: optName, Description: "The effect", Required: true,
						Autocomplete: true, MinLength: &one, MaxLength: intPtr(maxPresetName)},
				}},
			discord.ApplicationCommandOptionSubCommand{Name: subReset, Description: "Turn every effect off"},
		),
		cmd(cmdLyrics, "Show the lyrics of the current track"),
		settings,
	}
}

func intPtr(n int) *int { return &n }
