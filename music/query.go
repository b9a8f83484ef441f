package music

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// searchSources maps the search prefixes Play passes through to Lavalink
// to the source manager that serves them.
var searchSources = map[string]string{
	"ytsearch:":  "youtube",
	"ytmsearch:": "youtube",
	"scsearch:":  "soundcloud",
	"spsearch:":  "spotify",
	"sprec:":     "spotify",
	"amsearch:":  "applemusic",
	"dzsearch:":  "deezer",
	"dzisrc:":    "deezer",
	"dzrec:":     "deezer",
	"ymsearch:":  "yandexmusic",
	"ymrec:":     "yandexmusic",
	"vksearch:":  "vkmusic",
	"vkrec:":     "vkmusic",
	"tdsearch:":  "tidal",
	"tdrec:":     "tidal",
	"qbsearch:":  "qobuz",
	"bcsearch:":  "bandcamp",
}

// hostSources maps link hosts (and their subdomains) to source managers;
// other links need the "http" source.
var hostSources = map[string]string{
	"youtube.com":      "youtube",
	"youtu.be":         "youtube",
	"soundcloud.com":   "soundcloud",
	"spotify.com":      "spotify",
	"music.apple.com":  "applemusic",
	"deezer.com":       "deezer",
	"deezer.page.link": "deezer",
	"bandcamp.com":     "bandcamp",
	"twitch.tv":        "twitch",
	"vimeo.com":        "vimeo",
}

// deniedSchemes are schemes that are refused even when what follows the
// colon does not look like a path.
var deniedSchemes = map[string]bool{
	"file": true, "local": true, "jar": true, "data": true, "javascript": true, "vbscript": true,
	"ftp": true, "ftps": true, "sftp": true, "tftp": true, "smb": true, "nfs": true, "gopher": true,
	"ldap": true, "dict": true, "mailto": true, "tel": true, "ssh": true, "git": true, "ws": true,
	"wss": true, "rtmp": true, "rtsp": true, "udp": true, "tcp": true, "about": true, "blob": true,
	"chrome": true, "content": true, "resource": true, "intent": true, "unix": true, "netdoc": true,
}

func isSearchPrefix(p string) bool { _, ok := searchSources[p]; return ok }

// normalizeHost lowercases a host name and drops a trailing dot.
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// ParseQuery turns what a user asked to play into a Lavalink identifier,
// refusing anything that is not a web link or a search. The rules:
//
//   - Text is trimmed; empty text, text over [MaxQueryLength]
//     characters, invalid UTF-8, and control or bidirectional-override
//     characters are refused.
//   - An http or https link is passed on as typed, if it has a host, no
//     user info and no spaces, its host is not a loopback, private,
//     link-local or local-only name or address (so Lavalink cannot be
//     made to fetch from the bot's network), and, when allowedHosts is
//     not empty, its host is one of them or a subdomain of one.
//   - Text starting with a recognised search prefix (ytsearch:,
//     ytmsearch:, scsearch:, spsearch:, sprec:, amsearch:, dzsearch:,
//     bcsearch: and others) is passed on when something follows it.
//   - Other schemes are refused: file:, local: and the like by name, and
//     any scheme followed by a slash (ftp://, x:/). So is anything that
//     looks like a file path: starting with /, \, ./, ../, ~/ or a drive
//     letter (C:\), or holding ../ or ..\.
//   - Everything else is search text and gets searchPrefix. A colon
//     inside a title ("re:zero", "Queen: Live") is text, not a scheme.
//
// A refusal is a [*QueryError] matching [ErrInvalidQuery]. ParseQuery
// never panics.
func ParseQuery(query, searchPrefix string, allowedHosts []string) (string, error) {
	if len(query) > 4*MaxQueryLength+64 {
		return "", &QueryError{Reason: QueryTooLong}
	}
	if !utf8.ValidString(query) {
		return "", &QueryError{Reason: QueryBadEncoding}
	}
	q := strings.TrimSpace(query)
	if q == "" {
		return "", &QueryError{Reason: QueryEmpty}
	}
	if utf8.RuneCountInString(q) > MaxQueryLength {
		return "", &QueryError{Reason: QueryTooLong}
	}
	for _, r := range q {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029 {
			return "", &QueryError{Reason: QueryControlChars}
		}
	}
	if looksLikePath(q) {
		return "", &QueryError{Reason: QueryPath}
	}
	if i := strings.IndexByte(q, ':'); i > 0 && isScheme(q[:i]) {
		scheme, rest := strings.ToLower(q[:i]), q[i+1:]
		switch {
		case scheme == "http" || scheme == "https":
			return checkURL(q, allowedHosts)
		case isSearchPrefix(scheme + ":"):
			if strings.TrimSpace(rest) == "" {
				return "", &QueryError{Reason: QueryEmpty}
			}
			return scheme + ":" + strings.TrimSpace(rest), nil
		case deniedSchemes[scheme] || strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, `\`):
			return "", &QueryError{Reason: QueryScheme}
		}
	}
	if searchPrefix == "" {
		searchPrefix = DefaultSearchPrefix
	}
	return searchPrefix + q, nil
}

// isScheme reports whether s has the form of a URI scheme.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

func looksLikePath(q string) bool {
	for _, p := range []string{"/", `\`, "./", "../", `.\`, `..\`, "~/", `~\`} {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	if len(q) >= 3 && q[1] == ':' && (q[2] == '\\' || q[2] == '/') && isScheme(q[:1]) {
		return true // C:\ or C:/
	}
	return strings.Contains(q, "../") || strings.Contains(q, `..\`)
}

// checkURL validates an http(s) link.
func checkURL(q string, allowedHosts []string) (string, error) {
	if strings.ContainsFunc(q, unicode.IsSpace) {
		return "", &QueryError{Reason: QueryBadURL}
	}
	u, err := url.Parse(q)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", &QueryError{Reason: QueryBadURL}
	}
	if u.User != nil {
		return "", &QueryError{Reason: QueryBadURL}
	}
	host := normalizeHost(u.Hostname())
	if host == "" {
		return "", &QueryError{Reason: QueryBadURL}
	}
	if !publicHost(host) {
		return "", &QueryError{Reason: QueryHost}
	}
	if len(allowedHosts) > 0 && !hostIn(host, allowedHosts) {
		return "", &QueryError{Reason: QueryHost}
	}
	return q, nil
}

// publicHost refuses hosts that name the bot's own machine or network.
func publicHost(host string) bool {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addr = addr.Unmap()
		return !(addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
			addr.IsUnspecified() || addr.IsMulticast() || addr.IsInterfaceLocalMulticast())
	}
	if !strings.Contains(host, ".") {
		return false // "localhost", "router", single-label names
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp"} {
		if strings.HasSuffix(host, suffix) {
			return false
		}
	}
	return true
}

func hostIn(host string, hosts []string) bool {
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// sourceOf names the source manager an identifier from ParseQuery needs;
// "" when it cannot tell.
func sourceOf(ident string) string {
	i := strings.IndexByte(ident, ':')
	if i < 0 {
		return ""
	}
	if src, ok := searchSources[ident[:i+1]]; ok {
		return src
	}
	u, err := url.Parse(ident)
	if err != nil {
		return ""
	}
	host := normalizeHost(u.Hostname())
	for h, src := range hostSources {
		if host == h || strings.HasSuffix(host, "."+h) {
			return src
		}
	}
	return "http"
}
