package disgobot

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/handler"

	"github.com/tunekit/tunekit/music"
)

// maxLyricsPages bounds the messages of one /lyrics answer: the answer
// and its follow-ups, each one embed of at most maxDescription
// characters. Longer lyrics end with an ellipsis.
const maxLyricsPages = 5

// lyrics shows the current track's lyrics, split into as many messages
// as Discord's limits need, credited to their source and provider.
func (b *Bot) lyrics(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		l, err := b.m.Lyrics(ctx, c.guild, c.actor)
		if err != nil {
			return answer{}, err
		}
		pages := b.render.lyrics(l)
		if len(pages) == 0 {
			return answer{}, errEmptyLyrics
		}
		a := reply(pages[0])
		a.followups = pages[1:]
		return a, nil
	})
}

// lyrics renders l as embeds of at most maxDescription characters each,
// split between lines, with the track on the first and the credit on
// every one. It returns none for lyrics without text.
func (r renderer) lyrics(l music.Lyrics) []discord.Embed {
	text := l.Text
	if strings.TrimSpace(text) == "" {
		lines := make([]string, len(l.Lines))
		for i, line := range l.Lines {
			lines[i] = line.Text
		}
		text = strings.Join(lines, "\n")
	}
	chunks := splitLyrics(text, maxDescription, maxLyricsPages)
	credit := lyricsCredit(l)
	out := make([]discord.Embed, len(chunks))
	for i, chunk := range chunks {
		e := discord.Embed{Description: chunk, Color: r.theme.Color}
		footer := credit
		if len(chunks) > 1 {
			footer = fmt.Sprintf("%d/%d · %s", i+1, len(chunks), credit)
		}
		e.Footer = &discord.EmbedFooter{Text: footer}
		if i == 0 {
			e.Author = &discord.EmbedAuthor{Name: headLyrics}
			e.Title = truncate(trackTitle(l.Track), maxTitle)
			e.URL = safeURL(l.Track.Info.URI)
		}
		out[i] = e
	}
	return out
}

// lyricsCredit names where the lyrics come from.
func lyricsCredit(l music.Lyrics) string {
	source, provider := truncate(oneLine(l.Source), 50), truncate(oneLine(l.Provider), 50)
	switch {
	case source == "" && provider == "":
		return "Lyrics"
	case source == "":
		return "Lyrics provided by " + provider
	case provider == "":
		return "Lyrics from " + source
	}
	return "Lyrics from " + source + ", provided by " + provider
}

// splitLyrics escapes text for Discord and cuts it into at most pages
// chunks of at most size characters, between lines where it can (a
// longer line is cut itself). Runs of blank lines become one; the last
// chunk ends with an ellipsis when text did not fit. Text without a
// visible character gives no chunks.
func splitLyrics(text string, size, pages int) []string {
	var (
		chunks []string
		cur    strings.Builder
		n      int  // characters in cur
		gap    bool // a blank line is due before the next line
	)
	flush := func() {
		if n > 0 {
			chunks = append(chunks, cur.String())
		}
		cur.Reset()
		n = 0
	}
	for raw := range strings.SplitSeq(strings.ToValidUTF8(text, "\uFFFD"), "\n") {
		line := escapeMarkdown(strings.TrimSpace(strings.Map(controlToSpace, raw)))
		if line == "" {
			gap = n > 0
			continue
		}
		sep := ""
		if n > 0 {
			sep = "\n"
			if gap {
				sep = "\n\n"
			}
		}
		gap = false
		k := utf8.RuneCountInString(line)
		if n > 0 && n+len(sep)+k > size {
			flush()
			sep = ""
		}
		for k > size {
			part, rest := cutRunes(line, size)
			cur.WriteString(part)
			n = utf8.RuneCountInString(part)
			flush()
			line, k = rest, utf8.RuneCountInString(rest)
		}
		if k > 0 {
			cur.WriteString(sep)
			cur.WriteString(line)
			n += len(sep) + k
		}
	}
	flush()
	if len(chunks) > pages {
		chunks = chunks[:pages]
		last := chunks[pages-1]
		if utf8.RuneCountInString(last) >= size {
			last, _ = cutRunes(last, size-1)
		}
		chunks[pages-1] = last + "…"
	}
	return chunks
}

func controlToSpace(r rune) rune {
	if isControl(r) {
		return ' '
	}
	return r
}

// cutRunes splits s after n runes (at least one), keeping an escaping
// backslash with the character it escapes where it can.
func cutRunes(s string, n int) (string, string) {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i > 1 && i < len(s) && s[i-1] == '\\' {
		i--
	}
	return s[:i], s[i:]
}
