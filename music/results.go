package music

import (
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// PlayResult says what [Manager.Play] did.
type PlayResult struct {
	// Track is the first track added.
	Track Track
	// Position is Track's queue position, from 1; 0 when it started
	// playing at once.
	Position int
	// Added is how many tracks were added: 1, or the tracks of a
	// playlist that fitted in the queue.
	Added int
	// Dropped is how many tracks of a playlist did not fit in the queue.
	Dropped int
	// TooLong is how many tracks of a playlist were left out for being
	// longer than the guild's [Settings.MaxTrackLength].
	TooLong int
	// OverShare is how many tracks of a playlist were left out for going
	// past the user's share of the queue ([Settings.MaxUserTracks]).
	OverShare int
	// Started reports that Track started playing at once.
	Started bool
	// Playlist is the playlist's name when the query loaded one.
	Playlist string
}

// SkipResult says what [Manager.Skip] did.
type SkipResult struct {
	// Skipped is the track that was playing.
	Skipped Track
	// Next is the track now playing, when Started.
	Next Track
	// Started reports that a track plays now: from the queue or, with
	// autoplay, a recommended one. False means the queue was empty and
	// playback stopped (or, with Vote set, that the vote has not passed).
	Started bool
	// Vote is the tally when the skip went to a vote ([Manager.VoteSkip],
	// or a [Manager.Skip] by a listener who may not skip the track); nil
	// when the track was skipped directly. Skipped, Next and Started are
	// set only once Vote.Passed.
	Vote *VoteTally
}

// NowPlaying is what [Manager.NowPlaying] reports.
type NowPlaying struct {
	// State is the session's playback state.
	State SessionState
	// Track is the current track; zero when State is neither playing nor
	// paused.
	Track Track
	// Position is where the track is now, estimated from the node's last
	// report.
	Position time.Duration
	Paused   bool
	Volume   int
	Loop     LoopMode
	Autoplay bool
	// QueueLength and QueueDuration describe the upcoming tracks
	// (streams excluded from the duration).
	QueueLength   int
	QueueDuration time.Duration
	// FairQueue reports that the queue plays in turns by requester
	// ([Settings.FairQueue]).
	FairQueue bool
	// Vote is the count of the open skip vote; nil when none is open.
	Vote *VoteTally
	// VoiceChannelID is the bot's voice channel, TextChannelID where the
	// session's messages go.
	VoiceChannelID snowflake.ID
	TextChannelID  snowflake.ID
	// Node is the Lavalink node playing.
	Node string
	// Filters are the player's filters; Filters.Preset names the preset
	// they are, if any.
	Filters Filters
}

// QueueView is one page of a guild's queue, as [Manager.Queue] shows it.
type QueueView struct {
	Page
	// Current is the track playing, if any.
	Current *Track
	// Duration is the total length of the queue, streams excluded.
	Duration time.Duration
	Loop     LoopMode
	Autoplay bool
	// FairQueue reports that the queue plays in turns by requester.
	FairQueue bool
}
