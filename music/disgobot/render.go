package disgobot

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// Discord's limits on embeds, in characters, and ours on what goes in.
const (
	maxTitle       = 256
	maxDescription = 4000 // of Discord's 4096, with room to spare
	maxFieldValue  = 1024
	maxURL         = 512 // longer links are left out rather than cut
	maxLineTitle   = 60  // a track title in a list line
	maxChoiceName  = 100 // autocomplete choice names and values
	maxLyricsLine  = 200 // the lyrics line on the now-playing message
)

// renderer builds every embed and button row the Bot sends, so they
// share one look.
type renderer struct {
	theme Theme
}

// trackEmbed is the embed of an answer about one track: the heading,
// the title linked to the track, its duration, who asked for it, its
// position in the queue (when pos > 0) and its artwork.
func (r renderer) trackEmbed(head string, t music.Track, pos int) discord.Embed {
	e := discord.Embed{
		Author: &discord.EmbedAuthor{Name: head},
		Title:  truncate(trackTitle(t), maxTitle),
		URL:    safeURL(t.Info.URI),
		Color:  r.theme.Color,
		Fields: []discord.EmbedField{
			field(labelDuration, trackLength(t)),
			field(labelRequester, requester(t)),
		},
	}
	if pos > 0 {
		e.Fields = append(e.Fields, field(labelPosition, strconv.Itoa(pos)))
	}
	if art := safeURL(t.Info.ArtworkURL); art != "" {
		e.Thumbnail = &discord.EmbedResource{URL: art}
	}
	return e
}

// notice is the embed of an answer that is a sentence.
func (r renderer) notice(text string) discord.Embed {
	return discord.Embed{Description: text, Color: r.theme.Color}
}

// failure is the embed of an error answer.
func (r renderer) failure(text string) discord.Embed {
	return discord.Embed{Author: &discord.EmbedAuthor{Name: headError}, Description: text, Color: r.theme.ErrorColor}
}

// nowPlaying is the embed of the now-playing message and of /nowplaying:
// the track, a progress bar with the lyrics line being sung (if any),
// the queue, an open skip vote and the player's modes. An ended message
// keeps the track and drops the live parts.
func (r renderer) nowPlaying(np music.NowPlaying, ended bool, line string) discord.Embed {
	head := headNowPlaying
	switch {
	case ended:
		head = headPlayed
	case np.Paused:
		head = headPaused
	}
	e := r.trackEmbed(head, np.Track, 0)
	if ended {
		e.Color = r.theme.IdleColor
		return e
	}
	e.Description = r.progress(np.Position, np.Track)
	if line != "" {
		e.Description += "\n" + emojiLyrics + " " + escapeMarkdown(truncate(line, maxLyricsLine))
	}
	next := labelUpNextEmpty
	if np.QueueLength > 0 {
		next = plural(np.QueueLength, "track", "tracks")
		if np.QueueDuration > 0 {
			next += " · " + music.FormatDuration(np.QueueDuration)
		}
	}
	e.Fields = append(e.Fields, field(labelUpNext, next))
	if np.Vote != nil {
		e.Fields = append(e.Fields, field(labelSkipVote, tally(*np.Vote)))
	}
	e.Footer = &discord.EmbedFooter{Text: npFooter(np)}
	return e
}

// npFooter is the now-playing footer: loop, autoplay, volume, and the
// fair queue and filter when on.
func npFooter(np music.NowPlaying) string {
	s := modes(np.Loop, np.Autoplay, np.Volume)
	if np.FairQueue {
		s += " · " + labelFairQueue
	}
	if !np.Filters.IsZero() {
		name := np.Filters.Preset()
		if name == "" {
			name = labelCustomFilter
		}
		s += " · " + labelFilter + ": " + name
	}
	return s
}

// tally is a vote's count and when it closes, as a Discord timestamp
// that counts down by itself.
func tally(v music.VoteTally) string {
	s := fmt.Sprintf("%d of %d votes", v.Votes, v.Needed)
	if !v.Expires.IsZero() {
		s += " · closes " + relativeTime(v.Expires)
	}
	return s
}

// relativeTime is a Discord timestamp shown relative to now ("in 30
// seconds"), which clients keep up to date without edits.
func relativeTime(t time.Time) string { return "<t:" + strconv.FormatInt(t.Unix(), 10) + ":R>" }

// progress draws the progress bar and the times.
func (r renderer) progress(pos time.Duration, t music.Track) string {
	if t.Info.IsStream || t.Info.Length <= 0 {
		return strings.Repeat(r.theme.BarFilled, r.theme.BarWidth-1) + r.theme.BarKnob + " `" + labelLive + "`"
	}
	pos = min(max(pos, 0), t.Info.Length)
	slots := r.theme.BarWidth - 1
	knob := int(math.Round(float64(pos) / float64(t.Info.Length) * float64(slots)))
	knob = min(max(knob, 0), slots)
	var b strings.Builder
	b.WriteString(strings.Repeat(r.theme.BarFilled, knob))
	b.WriteString(r.theme.BarKnob)
	b.WriteString(strings.Repeat(r.theme.BarEmpty, slots-knob))
	b.WriteString(" `")
	b.WriteString(music.FormatDuration(pos))
	b.WriteString(" / ")
	b.WriteString(music.FormatDuration(t.Info.Length))
	b.WriteString("`")
	return b.String()
}

// queue is the embed of /queue: the current track, one page of the
// queue, and the totals.
func (r renderer) queue(v music.QueueView) discord.Embed {
	e := discord.Embed{
		Author: &discord.EmbedAuthor{Name: headQueue},
		Color:  r.theme.Color,
	}
	if v.Current != nil {
		e.Title = truncate(trackTitle(*v.Current), maxTitle)
		e.URL = safeURL(v.Current.Info.URI)
		if art := safeURL(v.Current.Info.ArtworkURL); art != "" {
			e.Thumbnail = &discord.EmbedResource{URL: art}
		}
		e.Fields = append(e.Fields, field(headNowPlaying, trackLength(*v.Current)+" · "+requester(*v.Current)))
	}
	if len(v.Tracks) == 0 {
		e.Description = labelNoTracks
	} else {
		e.Description = queueLines(v)
	}
	footer := fmt.Sprintf("Page %d of %d · %s", max(v.Number, 1), max(v.Pages, 1), plural(v.Total, "track", "tracks"))
	if v.Duration > 0 {
		footer += " · " + music.FormatDuration(v.Duration)
	}
	footer += " · " + modes(v.Loop, v.Autoplay, -1)
	if v.FairQueue {
		footer += " · " + labelFairQueue
	}
	e.Footer = &discord.EmbedFooter{Text: footer}
	return e
}

// queueLines lists a page of the queue, one line per track, within
// maxDescription characters: long links are dropped first, then lines.
func queueLines(v music.QueueView) string {
	var b strings.Builder
	size := 0
	for i, t := range v.Tracks {
		tail := fmt.Sprintf(" · %s · %s", trackLength(t), requester(t))
		head := fmt.Sprintf("`%d.` ", v.First+i)
		line := head + trackLink(t, maxLineTitle) + tail
		if size+utf8.RuneCountInString(line)+1 > maxDescription {
			line = head + escapeMarkdown(truncate(trackTitle(t), maxLineTitle)) + tail
		}
		n := utf8.RuneCountInString(line) + 1
		if size+n > maxDescription {
			b.WriteString("…")
			break
		}
		b.WriteString(line)
		b.WriteByte('\n')
		size += n
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// settings is the embed of /settings view.
func (r renderer) settings(s music.Settings) discord.Embed {
	dj, announce := "Everyone listening", "The channel /play was used in"
	if id := s.DJRoleID(); id != 0 {
		dj = "<@&" + id.String() + ">"
	}
	if id := s.AnnounceChannelID(); id != 0 {
		announce = "<#" + id.String() + ">"
	}
	maxLength, share := labelNoLimit, labelNoLimit
	if d := s.MaxTrackLength(); d > 0 {
		maxLength = music.FormatDuration(d)
	}
	if p := s.MaxUserShare(); p > 0 {
		share = strconv.Itoa(p) + "% (" + plural(s.MaxUserTracks(), "track", "tracks") + ")"
	}
	return discord.Embed{
		Author: &discord.EmbedAuthor{Name: headSettings},
		Color:  r.theme.Color,
		Fields: []discord.EmbedField{
			field("DJ role", dj),
			field("Announce channel", announce),
			field("Stay connected (24/7)", onOff(s.StayConnected())),
			field("Volume", strconv.Itoa(s.Volume())+"%"),
			field("Loop", s.Loop().String()),
			field(labelAutoplay, onOff(s.Autoplay())),
			field("Queue limit", plural(s.MaxQueueLength(), "track", "tracks")),
			field(labelFairQueue, onOff(s.FairQueue())),
			field("Max track length", maxLength),
			field("Max share per user", share),
			field("Votes to skip", strconv.Itoa(s.VoteSkipShare())+"% of listeners"),
		},
	}
}

// nowPlayingButtons are the controls under the now-playing message: the
// pause button says Resume while paused.
func (r renderer) nowPlayingButtons(np music.NowPlaying) []discord.LayoutComponent {
	toggle := button(discord.ButtonStyleSecondary, btnPause, emojiPause, npID(actPause))
	if np.Paused {
		toggle = button(discord.ButtonStyleSuccess, btnResume, emojiResume, npID(actResume))
	}
	loop := btnLoop + ": " + np.Loop.String()
	loopStyle := discord.ButtonStyleSecondary
	if np.Loop != music.LoopOff {
		loopStyle = discord.ButtonStylePrimary
	}
	return []discord.LayoutComponent{discord.NewActionRow(
		toggle,
		button(discord.ButtonStylePrimary, btnSkip, emojiSkip, npID(actSkip)),
		button(discord.ButtonStyleDanger, btnStop, emojiStop, npID(actStop)),
		button(loopStyle, loop, emojiLoop, npID(actLoop)),
		button(discord.ButtonStyleSecondary, btnShuffle, emojiShuffle, npID(actShuffle)),
	)}
}

// queueButtons page through the queue; none when it has one page.
func (r renderer) queueButtons(v music.QueueView) []discord.LayoutComponent {
	if v.Pages <= 1 {
		return nil
	}
	n := min(max(v.Number, 1), v.Pages)
	prev := button(discord.ButtonStyleSecondary, btnPrevPage, emojiPrev, queueID(max(n-1, 1), false))
	prev.Disabled = n <= 1
	next := button(discord.ButtonStyleSecondary, btnNextPage, emojiNext, queueID(min(n+1, maxPage), true))
	next.Disabled = n >= v.Pages
	return []discord.LayoutComponent{discord.NewActionRow(prev, next)}
}

func button(style discord.ButtonStyle, label, emoji, id string) discord.ButtonComponent {
	return discord.ButtonComponent{Style: style, Label: label, Emoji: &discord.ComponentEmoji{Name: emoji}, CustomID: id}
}

func field(name, value string) discord.EmbedField {
	inline := true
	return discord.EmbedField{Name: name, Value: truncate(value, maxFieldValue), Inline: &inline}
}

// modes is the footer line: loop, autoplay and, when volume >= 0, the
// volume.
func modes(loop music.LoopMode, autoplay bool, volume int) string {
	s := "Loop: " + loop.String() + " · Autoplay: " + onOff(autoplay)
	if volume >= 0 {
		s += " · Volume: " + strconv.Itoa(volume) + "%"
	}
	return s
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// mention is a user mention.
func mention(id snowflake.ID) string { return "<@" + id.String() + ">" }

// requester names who asked for a track: a mention, or
// [music.AutoplayRequester] for tracks autoplay picked (and any without
// a requester).
func requester(t music.Track) string {
	if t.Autoplay || t.Requester == 0 {
		return music.AutoplayRequester
	}
	return mention(t.Requester)
}

// trackTitle is the track's title with its author when it has one,
// on one line.
func trackTitle(t music.Track) string {
	title := oneLine(t.Info.Title)
	if title == "" {
		title = "Unknown title"
	}
	if a := oneLine(t.Info.Author); a != "" && !strings.Contains(title, a) {
		title += " — " + a
	}
	return title
}

// trackLink is the title (cut to n characters) as a markdown link to the
// track, escaped so that no title can break the line's markdown.
func trackLink(t music.Track, n int) string {
	title := escapeMarkdown(truncate(trackTitle(t), n))
	u := safeURL(t.Info.URI)
	if u == "" {
		return title
	}
	return "[" + title + "](" + u + ")"
}

// trackLength is the track's duration, or LIVE for a stream.
func trackLength(t music.Track) string {
	if t.Info.IsStream {
		return labelLive
	}
	return music.FormatDuration(t.Info.Length)
}

// safeURL returns u when it is an absolute http or https link short
// enough to show, with parentheses and spaces escaped so it can sit in
// a markdown link; otherwise "".
func safeURL(u string) string {
	if u == "" || len(u) > maxURL {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	s := p.String()
	if len(s) > maxURL {
		return ""
	}
	return urlEscaper.Replace(s)
}

// urlEscaper escapes what would end a markdown link early.
var urlEscaper = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20")

// markdownEscaper escapes every character Discord's markdown gives a
// meaning to.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`,
	">", `\>`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "#", `\#`,
	"-", `\-`, ":", `\:`, "<", `\<`, "@", `\@`,
)

// escapeMarkdown makes s show as typed in a Discord message.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// oneLine replaces line breaks and other control characters with spaces
// and trims the result.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// truncate cuts s to at most n characters (runes), ending with an
// ellipsis when it cut. Invalid UTF-8 becomes U+FFFD first, so the
// result is always valid.
func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}
