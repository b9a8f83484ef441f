package disgobot

import (
	"errors"
	"strconv"
	"strings"
)

// Custom IDs of the Bot's buttons. They are paths, as disgo's handler.Mux
// routes components by custom ID, under a version segment so that a
// future release can change the layout and still recognise (and answer)
// buttons on messages posted by this one:
//
//	/tk1/np/{pause|resume|skip|stop|loop|shuffle}   now-playing buttons
//	/tk1/queue/{prev|next}/{page}                   queue pages, page 1 to maxPage
//	/tk1/vote/{n}                                   the vote button of skip vote n, 1 to maxVote
//
// Anything else is refused by parseCustomID: Discord clients send back
// whatever custom ID a message carries, and a modified client can send
// any string at all.
const (
	idRoot     = "/tk"
	idVersion  = "1"
	idPrefix   = idRoot + idVersion // the route the Bot registers
	maxIDLen   = 100                // Discord's limit for custom IDs
	maxPage    = 10_000             // music.QueueLengthLimit / music.DefaultPageSize
	maxPageLen = 5                  // digits of maxPage
	maxVote    = 999_999_999        // vote numbers wrap around after this
	maxVoteLen = 9                  // digits of maxVote
)

var (
	// errInvalidID is a custom ID the Bot never made.
	errInvalidID = errors.New("disgobot: invalid button custom ID")
	// errOldID is a custom ID of another version of the Bot.
	errOldID = errors.New("disgobot: button custom ID from another version")
)

// buttonKind says what a button belongs to.
type buttonKind uint8

const (
	kindNowPlaying buttonKind = iota + 1
	kindQueue
	kindVote
)

// npAction is what a now-playing button does.
type npAction uint8

const (
	actPause npAction = iota + 1
	actResume
	actSkip
	actStop
	actLoop
	actShuffle
)

var actionNames = [...]string{
	actPause:   "pause",
	actResume:  "resume",
	actSkip:    "skip",
	actStop:    "stop",
	actLoop:    "loop",
	actShuffle: "shuffle",
}

func (a npAction) String() string {
	if a == 0 || int(a) >= len(actionNames) {
		return "unknown"
	}
	return actionNames[a]
}

// customID is a parsed button custom ID.
type customID struct {
	kind   buttonKind
	action npAction // kindNowPlaying
	page   int      // kindQueue: the page the button shows
	next   bool     // kindQueue: the "next" button (else "previous")
	vote   int      // kindVote: the vote's number
}

// npID returns the custom ID of a now-playing button.
func npID(a npAction) string { return customID{kind: kindNowPlaying, action: a}.String() }

// queueID returns the custom ID of a queue page button.
func queueID(page int, next bool) string {
	return customID{kind: kindQueue, page: page, next: next}.String()
}

// voteID returns the custom ID of the button of vote n.
func voteID(n int) string { return customID{kind: kindVote, vote: n}.String() }

// String formats the custom ID; parseCustomID(c.String()) gives c back
// for every valid c.
func (c customID) String() string {
	switch c.kind {
	case kindNowPlaying:
		return idPrefix + "/np/" + c.action.String()
	case kindQueue:
		dir := "prev"
		if c.next {
			dir = "next"
		}
		return idPrefix + "/queue/" + dir + "/" + strconv.Itoa(c.page)
	case kindVote:
		return idPrefix + "/vote/" + strconv.Itoa(c.vote)
	}
	return ""
}

// parseCustomID parses a button custom ID made by this version of the
// Bot. A custom ID of another version is errOldID; anything else the Bot
// would not make is errInvalidID. It never panics and does not allocate
// on success.
func parseCustomID(s string) (customID, error) {
	if len(s) > maxIDLen || !strings.HasPrefix(s, idRoot) {
		return customID{}, errInvalidID
	}
	rest := s[len(idRoot):]
	version, rest, _ := strings.Cut(rest, "/")
	if !isNumber(version, 4) {
		return customID{}, errInvalidID
	}
	if version != idVersion {
		return customID{}, errOldID
	}
	kind, rest, _ := strings.Cut(rest, "/")
	switch kind {
	case "np":
		for a := actPause; a <= actShuffle; a++ {
			if rest == actionNames[a] {
				return customID{kind: kindNowPlaying, action: a}, nil
			}
		}
	case "queue":
		dir, page, ok := strings.Cut(rest, "/")
		if !ok || (dir != "prev" && dir != "next") || !isNumber(page, maxPageLen) {
			break
		}
		n, err := strconv.Atoi(page)
		if err != nil || n < 1 || n > maxPage {
			break
		}
		return customID{kind: kindQueue, page: n, next: dir == "next"}, nil
	case "vote":
		if !isNumber(rest, maxVoteLen) {
			break
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || n > maxVote {
			break
		}
		return customID{kind: kindVote, vote: n}, nil
	}
	return customID{}, errInvalidID
}

// isNumber reports whether s is a decimal number of 1 to max ASCII
// digits without a leading zero.
func isNumber(s string, max int) bool {
	if s == "" || len(s) > max || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
