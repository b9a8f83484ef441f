package disgobot

// Theme is the look of every message a Bot sends: the colours of its
// embeds and the symbols of its progress bar. All user-facing wording
// lives in this file too, so a bot keeps one consistent voice.
type Theme struct {
	// Color is the colour of ordinary answers and the now-playing
	// message, as 0xRRGGBB.
	Color int
	// ErrorColor is the colour of error answers.
	ErrorColor int
	// IdleColor is the colour of a now-playing message whose track has
	// ended, and of notices about the bot leaving.
	IdleColor int
	// BarFilled, BarEmpty and BarKnob draw the progress bar:
	// BarFilled for the part played, BarKnob at the position and
	// BarEmpty for the rest.
	BarFilled, BarEmpty, BarKnob string
	// BarWidth is how many symbols the bar is wide, knob included.
	BarWidth int
}

// DefaultTheme returns the theme a Bot uses unless [WithTheme] says
// otherwise: a violet accent, red errors, grey for ended tracks and a
// 14-symbol bar.
func DefaultTheme() Theme {
	return Theme{
		Color:      0x7C5CFF,
		ErrorColor: 0xE5484D,
		IdleColor:  0x8B8D98,
		BarFilled:  "▰",
		BarEmpty:   "▱",
		BarKnob:    "◉",
		BarWidth:   14,
	}
}

// withDefaults fills what a caller left empty from DefaultTheme.
func (t Theme) withDefaults() Theme {
	d := DefaultTheme()
	if t.Color == 0 {
		t.Color = d.Color
	}
	if t.ErrorColor == 0 {
		t.ErrorColor = d.ErrorColor
	}
	if t.IdleColor == 0 {
		t.IdleColor = d.IdleColor
	}
	if t.BarFilled == "" {
		t.BarFilled = d.BarFilled
	}
	if t.BarEmpty == "" {
		t.BarEmpty = d.BarEmpty
	}
	if t.BarKnob == "" {
		t.BarKnob = d.BarKnob
	}
	if t.BarWidth < 2 || t.BarWidth > 40 {
		t.BarWidth = d.BarWidth
	}
	return t
}

// Headings (the author line of track embeds) and fixed sentences.
const (
	headNowPlaying    = "Now playing"
	headPaused        = "Paused"
	headPlayed        = "Played"
	headPlaying       = "Playing"
	headQueued        = "Added to the queue"
	headQueuedNext    = "Added to play next"
	headPlaylist      = "Added a playlist"
	headSkipped       = "Skipped"
	headPrevious      = "Playing the previous track"
	headRemoved       = "Removed from the queue"
	headMoved         = "Moved in the queue"
	headQueue         = "Queue"
	headSettings      = "Music settings"
	headLeft          = "Left the voice channel"
	headError         = "Sorry"
	labelDuration     = "Duration"
	labelRequester    = "Requested by"
	labelPosition     = "Position in queue"
	labelUpNext       = "Up next"
	labelLive         = "LIVE"
	labelAutoplay     = "Autoplay"
	labelNoTracks     = "Nothing queued."
	labelUpNextEmpty  = "Nothing. Use /play to add more."
	msgNotInGuild     = "Use this command in a server."
	msgNotAdmin       = "You need the Manage Server permission to change the music settings."
	msgStaleButton    = "This message is out of date. Use /nowplaying to see what is playing."
	msgOldButton      = "This button is from an older version of the bot. Use the command instead."
	msgInvalidButton  = "This button is not valid."
	msgUnknown        = "I don't know that command. It may have been removed; try again in a moment."
	msgAlreadyPaused  = "The track is already paused."
	msgNotPaused      = "The track is not paused."
	msgStopped        = "Stopped the music and cleared the queue."
	msgLeft           = "Left the voice channel."
	msgPaused         = "Paused the music."
	msgResumed        = "Resumed the music."
	msgQueueEmptySkip = "That was the last track; the queue is empty now."

	headVote          = "Vote to skip"
	headSkippedByVote = "Skipped by vote"
	headSkippedTo     = "Skipped ahead"
	headLyrics        = "Lyrics"
	headOutage        = "Audio trouble"
	headRecovered     = "Audio back to normal"
	labelSkipVote     = "Skip vote"
	labelFairQueue    = "Fair queue"
	labelFilter       = "Filter"
	labelCustomFilter = "custom"
	labelNoLimit      = "No limit"
	lyricsGap         = "♪"
	msgVotePassed     = "✅ Skipped by vote (%d of %d)."
	msgVoteExpired    = "⌛ The vote closed with %d of %d votes."
	msgVoteOver       = "This vote is over."
	msgVoteCounted    = "Your vote counts: "
	msgFiltersOff     = "Filters are off."
	msgNoLyricsText   = "These lyrics are empty."
	msgOutageDown     = "⚠️ The audio service is unavailable right now. The music picks up again when it is back."
	msgOutageMoved    = "⚠️ The audio server had a problem, so playback moved to another one."
	msgOutageHeal     = "⚠️ The audio dropped out; I'm restoring it."
	msgOutageOver     = "✅ The audio service is working normally again."
)

// Button labels and emoji of the now-playing message and the queue.
const (
	btnPause    = "Pause"
	btnResume   = "Resume"
	btnSkip     = "Skip"
	btnStop     = "Stop"
	btnLoop     = "Loop"
	btnShuffle  = "Shuffle"
	btnPrevPage = "Previous"
	btnNextPage = "Next"

	emojiPause   = "⏸️"
	emojiResume  = "▶️"
	emojiSkip    = "⏭️"
	emojiStop    = "⏹️"
	emojiLoop    = "🔁"
	emojiShuffle = "🔀"
	emojiPrev    = "◀️"
	emojiNext    = "▶️"

	btnVote     = "Vote skip"
	emojiVote   = "🗳️"
	emojiLyrics = "🎤"
	emojiFilter = "🎛️"
)
