package deploy

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The module has no YAML library, and the example files need none: they
// keep to a small block-style subset that parseYAML reads into maps,
// slices and strings. Anything outside the subset (flow collections,
// anchors, tags, block scalars, several documents, tabs) is an error, so
// an edit that leaves the subset is caught rather than misread.

// yamlLine is one meaningful line: its indentation and its text without
// the indentation and any comment.
type yamlLine struct {
	num    int
	indent int
	text   string
}

// parseYAML reads src, which must keep to the subset above. Scalars are
// strings, unquoted or quoted, whatever they look like.
func parseYAML(src string) (any, error) {
	var lines []yamlLine
	for i, raw := range strings.Split(src, "\n") {
		text := stripComment(strings.TrimRight(raw, " \r"))
		body := strings.TrimLeft(text, " ")
		if body == "" {
			continue
		}
		if strings.HasPrefix(body, "\t") {
			return nil, fmt.Errorf("line %d: tab in indentation", i+1)
		}
		if body == "---" || body == "..." || strings.HasPrefix(body, "%") {
			return nil, fmt.Errorf("line %d: document markers and directives are outside the subset", i+1)
		}
		lines = append(lines, yamlLine{num: i + 1, indent: len(text) - len(body), text: body})
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	p := &yamlParser{lines: lines}
	v, err := p.block(lines[0].indent)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.lines) {
		return nil, fmt.Errorf("line %d: unexpected indentation", p.lines[p.i].num)
	}
	return v, nil
}

// stripComment drops a comment: a # at the start or after a space,
// outside quotes.
func stripComment(s string) string {
	if i := indexUnquoted(s, func(i int) bool { return s[i] == '#' && (i == 0 || s[i-1] == ' ') }); i >= 0 {
		return strings.TrimRight(s[:i], " ")
	}
	return s
}

// indexUnquoted returns the first index i of s outside single or double
// quotes at which at(i) holds, or -1.
func indexUnquoted(s string, at func(i int) bool) int {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case at(i):
			return i
		}
	}
	return -1
}

type yamlParser struct {
	lines []yamlLine
	i     int
}

func isItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// block reads the mapping or sequence whose lines start at indent.
func (p *yamlParser) block(indent int) (any, error) {
	if isItem(p.lines[p.i].text) {
		return p.sequence(indent)
	}
	return p.mapping(indent)
}

func (p *yamlParser) mapping(indent int) (any, error) {
	m := map[string]any{}
	for p.i < len(p.lines) && p.lines[p.i].indent == indent && !isItem(p.lines[p.i].text) {
		l := p.lines[p.i]
		key, rest, err := splitKey(l.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.num, err)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", l.num, key)
		}
		p.i++
		if rest != "" {
			if m[key], err = scalar(rest); err != nil {
				return nil, fmt.Errorf("line %d: %w", l.num, err)
			}
			continue
		}
		switch {
		case p.i < len(p.lines) && p.lines[p.i].indent > indent:
			m[key], err = p.block(p.lines[p.i].indent)
		case p.i < len(p.lines) && p.lines[p.i].indent == indent && isItem(p.lines[p.i].text):
			m[key], err = p.sequence(indent) // "key:" then "- item" at the key's indentation
		default:
			m[key] = "" // an empty value
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (p *yamlParser) sequence(indent int) (any, error) {
	var s []any
	for p.i < len(p.lines) && p.lines[p.i].indent == indent && isItem(p.lines[p.i].text) {
		l := p.lines[p.i]
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		if rest == "" {
			p.i++
			if p.i >= len(p.lines) || p.lines[p.i].indent <= indent {
				return nil, fmt.Errorf("line %d: empty sequence item", l.num)
			}
			v, err := p.block(p.lines[p.i].indent)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
			continue
		}
		if _, _, err := splitKey(rest); err == nil {
			// "- key: value" opens a mapping at the key's column.
			p.lines[p.i] = yamlLine{num: l.num, indent: l.indent + len(l.text) - len(rest), text: rest}
			v, err := p.mapping(p.lines[p.i].indent)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
			continue
		}
		v, err := scalar(rest)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.num, err)
		}
		s = append(s, v)
		p.i++
	}
	return s, nil
}

// splitKey splits "key: value" or "key:" outside quotes.
func splitKey(text string) (key, rest string, err error) {
	i := indexUnquoted(text, func(i int) bool { return text[i] == ':' && (i == len(text)-1 || text[i+1] == ' ') })
	if i < 0 {
		return "", "", fmt.Errorf("no key in %q", text)
	}
	k, err := scalar(strings.TrimSpace(text[:i]))
	if err != nil || k == "" {
		return "", "", fmt.Errorf("bad key %q", text[:i])
	}
	return k, strings.TrimSpace(text[i+1:]), nil
}

// scalar reads a plain or quoted scalar.
func scalar(s string) (string, error) {
	switch {
	case s == "":
		return "", nil
	case strings.HasPrefix(s, `"`):
		v, err := strconv.Unquote(s)
		if err != nil {
			return "", fmt.Errorf("bad double-quoted scalar %s", s)
		}
		return v, nil
	case strings.HasPrefix(s, "'"):
		if len(s) < 2 || !strings.HasSuffix(s, "'") {
			return "", fmt.Errorf("bad single-quoted scalar %s", s)
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	case strings.ContainsAny(s[:1], "[{&*!|>@`"):
		return "", fmt.Errorf("%q is outside the subset (flow collections, anchors, tags, block scalars)", s)
	}
	return s, nil
}

// yamlPath follows keys (for maps) and indexes (for slices) into v.
func yamlPath(v any, path ...string) (any, bool) {
	for _, k := range path {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[k]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func TestParseYAML(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"mapping", "a: 1\nb: two words # comment\n", map[string]any{"a": "1", "b": "two words"}},
		{"nested", "a:\n  b:\n    c: x\n  d: y\n", map[string]any{"a": map[string]any{"b": map[string]any{"c": "x"}, "d": "y"}}},
		{"sequence", "a:\n  - x\n  - \"y z\"\n  - 'it''s'\n", map[string]any{"a": []any{"x", "y z", "it's"}}},
		{"sequence at key indent", "a:\n- x\n- y\nb: z\n", map[string]any{"a": []any{"x", "y"}, "b": "z"}},
		{"sequence of mappings", "s:\n  - k: v\n    l: w\n  - k: u\n", map[string]any{"s": []any{
			map[string]any{"k": "v", "l": "w"}, map[string]any{"k": "u"}}}},
		{"nested sequence item", "s:\n  -\n    k: v\n", map[string]any{"s": []any{map[string]any{"k": "v"}}}},
		{"quotes keep #", "a: \"x # y\"\n", map[string]any{"a": "x # y"}},
		{"colons in values", "a: redis://:${P:?set P}@redis:6379/0\n", map[string]any{"a": "redis://:${P:?set P}@redis:6379/0"}},
		{"empty value", "a:\nb: c\n", map[string]any{"a": "", "b": "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseYAML(tt.src)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseYAML(%q) = %#v, %v; want %#v", tt.src, got, err, tt.want)
			}
		})
	}
	for _, src := range []string{
		"", "# only a comment\n", "a: [1, 2]\n", "a: {b: c}\n", "a: &x 1\n", "a: |\n  text\n",
		"---\na: 1\n", "a: 1\na: 2\n", "a: 1\n    b: 2\n", "\ta: 1\n", "a: \"open\n", "just text\n",
		"s:\n  -\n", "a: 'open\n",
	} {
		if v, err := parseYAML(src); err == nil {
			t.Errorf("parseYAML(%q) = %#v, want an error", src, v)
		}
	}
}
