package music

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

// decoder reads JSON with encoding/json's syntax rules, for the
// hand-written decoding of tracks and snapshots in decode.go.
type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{d.pos}, args...)...)
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, or 0 at the
// end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *decoder) literal(lit string) error {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
		return d.errorf("%w: expected %s", errSyntax, lit)
	}
	d.pos += len(lit)
	return nil
}

// null consumes a null literal if one is next.
func (d *decoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

// openObject consumes null, reporting false, or the '{' of an object
// nested depth levels deep.
func (d *decoder) openObject(depth int) (bool, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return false, err
	}
	if d.peek() != '{' {
		return false, d.errorf("%w: expected an object", errSyntax)
	}
	if depth > maxDepth {
		return false, d.errorf("%w: nesting too deep", errSyntax)
	}
	d.pos++
	return true, nil
}

// nextKey reads the next key of an object and the colon after it, leaving
// the decoder at the value; it reports false after the closing brace.
// first is true before the first key.
func (d *decoder) nextKey(first bool) ([]byte, bool, error) {
	c := d.peek()
	switch {
	case c == '}' && first:
		d.pos++
		return nil, false, nil
	case first:
	case c == ',':
		d.pos++
		c = d.peek()
	case c == '}':
		d.pos++
		return nil, false, nil
	default:
		return nil, false, d.errorf("%w: expected ',' or '}'", errSyntax)
	}
	if c != '"' {
		return nil, false, d.errorf("%w: expected a key", errSyntax)
	}
	k, err := d.key()
	if err != nil {
		return nil, false, err
	}
	if d.peek() != ':' {
		return nil, false, d.errorf("%w: expected ':'", errSyntax)
	}
	d.pos++
	d.ws()
	return k, true, nil
}

// key reads an object key. A plain ASCII key is returned as a slice of the
// input, without copying.
func (d *decoder) key() ([]byte, error) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			return d.data[start:i], nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	return d.rawString(nil)
}

// openArray consumes null, reporting false, or the '[' of an array nested
// depth levels deep.
func (d *decoder) openArray(depth int) (bool, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return false, err
	}
	if d.peek() != '[' {
		return false, d.errorf("%w: expected an array", errSyntax)
	}
	if depth > maxDepth {
		return false, d.errorf("%w: nesting too deep", errSyntax)
	}
	d.pos++
	return true, nil
}

// nextElem moves to the next element of an array; it reports false after
// the closing bracket. first is true before the first element.
func (d *decoder) nextElem(first bool) (bool, error) {
	switch c := d.peek(); {
	case c == ']' && first:
		d.pos++
		return false, nil
	case first:
	case c == ',':
		d.pos++
	case c == ']':
		d.pos++
		return false, nil
	default:
		return false, d.errorf("%w: expected ',' or ']'", errSyntax)
	}
	d.ws()
	return true, nil
}

// str decodes a string into *p; null leaves *p alone.
func (d *decoder) str(p *string) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	if d.peek() != '"' {
		return d.errorf("expected a string")
	}
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			*p = string(d.data[start:i])
			d.pos = i + 1
			return nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break // the slow path unescapes and validates
		}
	}
	b, err := d.rawString(nil)
	if err != nil {
		return err
	}
	*p = string(b)
	return nil
}

// rawString decodes the string at d.pos (which is '"') into dst, as
// encoding/json's unquote does.
func (d *decoder) rawString(dst []byte) ([]byte, error) {
	i := d.pos + 1
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return dst, nil
		case c < 0x20:
			return nil, d.errorf("%w: control character in string", errSyntax)
		case c == '\\':
			if i+1 >= len(d.data) {
				return nil, d.errorf("%w: unterminated escape", errSyntax)
			}
			switch e := d.data[i+1]; e {
			case '"', '\\', '/':
				dst = append(dst, e)
				i += 2
			case 'b':
				dst, i = append(dst, '\b'), i+2
			case 'f':
				dst, i = append(dst, '\f'), i+2
			case 'n':
				dst, i = append(dst, '\n'), i+2
			case 'r':
				dst, i = append(dst, '\r'), i+2
			case 't':
				dst, i = append(dst, '\t'), i+2
			case 'u':
				r, ok := hex4(d.data[i+2:])
				if !ok {
					return nil, d.errorf("%w: bad \\u escape", errSyntax)
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						r2, ok = hex4(d.data[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != unicode.ReplacementChar {
						r = dec
						i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				dst = utf8.AppendRune(dst, r)
			default:
				return nil, d.errorf("%w: bad escape", errSyntax)
			}
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, d.data[i:i+size]...)
			}
			i += size
		}
	}
	return nil, d.errorf("%w: unterminated string", errSyntax)
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// number consumes a JSON number and returns its text.
func (d *decoder) number() ([]byte, error) {
	start, i := d.pos, d.pos
	n := len(d.data)
	if i < n && d.data[i] == '-' {
		i++
	}
	switch {
	case i < n && d.data[i] == '0':
		i++
	case i < n && '1' <= d.data[i] && d.data[i] <= '9':
		for i < n && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
	default:
		return nil, d.errorf("%w: bad number", errSyntax)
	}
	if i < n && d.data[i] == '.' {
		i++
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			return nil, d.errorf("%w: bad number", errSyntax)
		}
		for i < n && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			return nil, d.errorf("%w: bad number", errSyntax)
		}
		for i < n && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return d.data[start:i], nil
}

// int64 decodes an integer into *p; null leaves *p alone. A fraction or
// exponent is an error, as encoding/json makes it for an integer field.
func (d *decoder) int64(p *int64) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		if err := d.skip(0); err != nil {
			return err
		}
		return d.errorf("expected a number")
	}
	num, err := d.number()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return d.errorf("number %s: %v", num, err)
	}
	*p = v
	return nil
}

func (d *decoder) int(p *int) error {
	v := int64(*p)
	if err := d.int64(&v); err != nil {
		return err
	}
	*p = int(v)
	return nil
}

// bool decodes true or false into *p; null leaves *p alone.
func (d *decoder) bool(p *bool) error {
	switch d.peek() {
	case 't':
		*p = true
		return d.literal("true")
	case 'f':
		*p = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	if err := d.skip(0); err != nil {
		return err
	}
	return d.errorf("expected a boolean")
}

// raw returns a copy of the next value's bytes, as json.RawMessage keeps
// them.
func (d *decoder) raw(p *json.RawMessage, depth int) error {
	start := d.pos
	if err := d.skip(depth); err != nil {
		return err
	}
	*p = append(json.RawMessage(nil), d.data[start:d.pos]...)
	return nil
}

// unmarshaler hands the next value's bytes to an Unmarshaler, as
// encoding/json does.
func (d *decoder) unmarshaler(u json.Unmarshaler, depth int) error {
	start := d.pos
	if err := d.skip(depth); err != nil {
		return err
	}
	return u.UnmarshalJSON(d.data[start:d.pos])
}

// skip consumes one value of any kind, checking its syntax; depth is the
// nesting level of the container holding it.
func (d *decoder) skip(depth int) error {
	switch c := d.peek(); {
	case c == '{':
		if _, err := d.openObject(depth + 1); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, more, err := d.nextKey(first)
			if err != nil || !more {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		if _, err := d.openArray(depth + 1); err != nil {
			return err
		}
		for first := true; ; first = false {
			more, err := d.nextElem(first)
			if err != nil || !more {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '"':
		for i := d.pos + 1; i < len(d.data); i++ {
			switch ch := d.data[i]; {
			case ch == '"':
				d.pos = i + 1
				return nil
			case ch == '\\' || ch < 0x20:
				_, err := d.rawString(nil)
				return err
			}
		}
		return d.errorf("%w: unterminated string", errSyntax)
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		_, err := d.number()
		return err
	}
	return d.errorf("%w: unexpected input", errSyntax)
}

// end checks nothing follows the top-level value.
func (d *decoder) end() error {
	if d.ws(); d.pos < len(d.data) {
		return d.errorf("%w: data after the top-level value", errSyntax)
	}
	return nil
}
