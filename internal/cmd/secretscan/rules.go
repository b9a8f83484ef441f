package main

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rule is one kind of credential and how to find it on a line.
type rule struct {
	name string // such as "Discord bot tokens"
	re   *regexp.Regexp
	// group is the submatch holding the value to judge; 0 is the whole
	// match.
	group int
	// judged rules pass obviously fake values; others report every match
	// unless it contains a fake-value marker.
	judged bool
	// assignment rules capture the name (group 1), the operator (2) and
	// the value, quoted (3 to 5) or not (6); a marker in the name makes
	// the value fake, and in Go files only a quoted value is a literal.
	assignment bool
	// quoted: the value is the inside of a double-quoted string.
	quoted bool
	// wholeMarker: a marker anywhere in the match makes the value fake,
	// as the host of a URL such as https://user:pw@radio.example.
	wholeMarker bool
}

// credentialName matches names that say they hold a credential, such as
// password, REDIS_PASSWORD, apiKey or client_secret.
const credentialName = `(?i:[a-z0-9_.-]*(?:passw(?:or)?d|\bpass\b|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[a-z0-9_]*)`

var rules = []rule{
	{
		name: "Discord bot tokens",
		re:   regexp.MustCompile(`\b[MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{5,7}\.[A-Za-z0-9_-]{25,}`),
	},
	{
		name: "Discord webhook URLs",
		re:   regexp.MustCompile(`https?://(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+`),
	},
	{
		name: "Slack webhook URLs",
		re:   regexp.MustCompile(`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]+`),
	},
	{
		name: "Slack tokens",
		re:   regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`),
	},
	{
		name: "private keys",
		re:   regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`),
	},
	{
		name: "AWS access keys",
		re:   regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b`),
	},
	{
		name:  "AWS secret keys",
		re:    regexp.MustCompile(`(?i:aws_?secret_?(?:access_?)?key)["']?\s*[:=]+\s*["']?([A-Za-z0-9/+=]{40})\b`),
		group: 1,
	},
	{
		name: "GitHub tokens",
		re:   regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`),
	},
	{
		name:       "secrets assigned to names",
		re:         regexp.MustCompile(`\b(` + credentialName + `)["']?[ \t]*(==|!=|:=|=|:)[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^'\n]*)'|` + "`([^`\n]*)`" + `|([^\s"'#,;]+))`),
		judged:     true,
		assignment: true,
	},
	{
		name:   "secret literals in code",
		re:     regexp.MustCompile(`secureheaders\.NewSecret\(\s*"((?:[^"\\]|\\.)*)"\s*\)`),
		group:  1,
		judged: true,
		quoted: true,
	},
	{
		name:        "passwords in URLs",
		re:          regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@"'<>]*:([^\s/@"'<>]+)@[^\s/@"'<>]+`),
		group:       1,
		judged:      true,
		wholeMarker: true,
	},
}

// markers make a value obviously fake, in any case.
var markers = []string{
	"fake", "test", "example", "dummy", "sample", "mock", "placeholder",
	"changeme", "redacted", "invalid", "wrong", "your", "xxxx",
	"youshallnotpass",
}

// genericWords are values that name what they stand for.
var genericWords = map[string]bool{
	"password": true, "passwd": true, "secret": true, "token": true, "apikey": true,
	"api_key": true, "none": true, "null": true, "nil": true, "true": true,
	"false": true, "empty": true, "string": true, "required": true, "optional": true,
}

// envName matches references to environment variables by name.
var envName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)

// minSecretLen is the length below which a value is not taken for a
// credential.
const minSecretLen = 6

// hasMarker reports whether v contains a fake-value marker.
func hasMarker(v string) bool {
	lower := strings.ToLower(v)
	for _, m := range markers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

// obvious reports whether v is obviously not a credential: see the
// package documentation.
func obvious(v string) bool {
	v = strings.TrimSpace(v)
	switch {
	case utf8.RuneCountInString(v) < minSecretLen, hasMarker(v), genericWords[strings.ToLower(v)], envName.MatchString(v):
		return true
	case strings.HasPrefix(v, "$"), strings.HasPrefix(v, "<"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "%"):
		return true
	}
	return repeated(v)
}

// repeated reports whether v is one character repeated, like "********".
func repeated(v string) bool {
	first, _ := utf8.DecodeRuneInString(v)
	return strings.Trim(v, string(first)) == ""
}

// match is a value found on a line: where it starts (0-based byte offset)
// and the value.
type match struct {
	col   int
	value string
}

// find returns the values of r on line that are not obviously fake. goFile
// says the line is Go source, where an unquoted assignment is an
// expression.
func (r rule) find(line string, goFile bool) []match {
	var out []match
	for _, m := range r.re.FindAllStringSubmatchIndex(line, -1) {
		start, value, ok := r.value(line, m, goFile)
		switch {
		case !ok:
		case r.judged && obvious(value), !r.judged && hasMarker(value):
		case r.assignment && hasMarker(line[m[2]:m[3]]):
		case r.wholeMarker && hasMarker(line[m[0]:m[1]]):
		default:
			out = append(out, match{start, value})
		}
	}
	return out
}

// value extracts the value of match m; ok is false when the match is not
// a literal value.
func (r rule) value(line string, m []int, goFile bool) (start int, value string, ok bool) {
	if !r.assignment {
		start, value = m[2*r.group], line[m[2*r.group]:m[2*r.group+1]]
		if r.quoted {
			value = unquote(value)
		}
		return start, value, literal(value)
	}
	if op := line[m[4]:m[5]]; op == "==" || op == "!=" {
		return 0, "", false
	}
	for g := 3; g <= 6; g++ {
		if m[2*g] < 0 {
			continue
		}
		v := line[m[2*g]:m[2*g+1]]
		switch {
		case g == 3:
			v = unquote(v)
		case g == 6 && (goFile || strings.ContainsAny(v, "()[]{}")):
			return 0, "", false // an expression, not a literal
		}
		return m[2*g], v, literal(v)
	}
	return 0, "", false
}

// unquote interprets the escapes of a double-quoted value, when it can.
func unquote(v string) string {
	if u, err := strconv.Unquote(`"` + v + `"`); err == nil {
		return u
	}
	return v
}

// literal reports whether v can be a credential written out: not a piece of
// a string concatenated in Go (`"a":"`+v+`"`), and free of control
// characters, which no credential has but injection tests do.
func literal(v string) bool {
	return !strings.Contains(v, "`") && !strings.ContainsFunc(v, unicode.IsControl)
}
