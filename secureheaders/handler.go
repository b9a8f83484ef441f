package secureheaders

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// RedactingHandler is a [slog.Handler] that masks registered secrets before
// the next handler sees a record. Build one with [NewRedactingHandler].
//
// It looks for every registered value in the message, attribute keys and
// group names, string values, and the renderings of every other value a
// handler may print: error texts, fmt's %+v (which covers [fmt.Stringer] and
// [fmt.Formatter]), [encoding.TextMarshaler] output, byte slices, and JSON
// encodings of structs, maps, slices and pointers. [slog.LogValuer]s are
// resolved first and the resolved value is what the next handler gets.
// A string holding a secret keeps its text with each occurrence replaced by
// [Mask]; any other value holding one is replaced by its masked %+v text
// (or masked error text, for errors). Numbers, booleans, durations and times
// are not rendered and not checked.
//
// Besides the literal value, the forms a secret takes when it is escaped for
// JSON, Go string literals (%q) and URLs (query and path escaping) are
// matched when they differ from it. Other encodings (base64, hashes) are not.
//
// Handlers derived with WithAttrs and WithGroup share the set of secrets with
// the handler they came from; [RedactingHandler.AddSecret] on any of them
// applies to all, including attributes attached before the secret was added
// (a derived handler rebuilds its next handler when the set changes).
//
// When no registered secret occurs in a record, the record is passed on
// unchanged and without allocation, except that attributes of kind Any are
// rendered to be checked. A RedactingHandler is safe for concurrent use.
type RedactingHandler struct {
	root  slog.Handler
	set   *secretSet
	ops   []handlerOp // WithGroup/WithAttrs applied since root, unredacted
	built atomic.Pointer[builtHandler]
}

// handlerOp is one WithGroup (group != "") or WithAttrs call.
type handlerOp struct {
	group string
	attrs []slog.Attr
}

// builtHandler is root with ops applied, redacted for matcher generation gen.
type builtHandler struct {
	gen  uint64
	next slog.Handler
}

// NewRedactingHandler returns a handler that passes records to next with
// every occurrence of the given secrets masked. More secrets can be added
// later with [RedactingHandler.AddSecret]; zero Secrets are ignored.
//
// It returns the concrete *RedactingHandler (which satisfies slog.Handler)
// so that AddSecret is reachable. It panics if next is nil, as [slog.New]
// does.
func NewRedactingHandler(next slog.Handler, secrets ...Secret) *RedactingHandler {
	if next == nil {
		panic("secureheaders: NewRedactingHandler with nil next handler")
	}
	h := &RedactingHandler{root: next, set: &secretSet{}}
	h.set.cur.Store(&matcher{})
	h.AddSecret(secrets...)
	return h
}

// AddSecret registers more secrets, for this handler and every handler
// derived from the same [NewRedactingHandler] call. Zero and already
// registered Secrets are ignored. Records handled after AddSecret returns are
// masked for them.
func (h *RedactingHandler) AddSecret(secrets ...Secret) { h.set.add(secrets) }

// Enabled reports whether the next handler handles level.
func (h *RedactingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next(h.set.load()).Enabled(ctx, level)
}

// Handle masks secrets in r and passes it to the next handler.
func (h *RedactingHandler) Handle(ctx context.Context, r slog.Record) error {
	m := h.set.load()
	next := h.next(m)
	if len(m.patterns) == 0 {
		return next.Handle(ctx, r)
	}
	if nr, changed := m.record(r); changed {
		return next.Handle(ctx, nr)
	}
	return next.Handle(ctx, r)
}

// WithAttrs returns a handler whose records carry attrs, masked.
func (h *RedactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.derive(handlerOp{attrs: slices.Clone(attrs)})
}

// WithGroup returns a handler that nests later attributes under name.
func (h *RedactingHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.derive(handlerOp{group: name})
}

func (h *RedactingHandler) derive(op handlerOp) *RedactingHandler {
	ops := make([]handlerOp, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	d := &RedactingHandler{root: h.root, set: h.set, ops: append(ops, op)}
	d.next(h.set.load()) // pay the next handler's WithAttrs now, not on first Handle
	return d
}

// next returns root with h.ops applied and redacted for m, rebuilding it when
// secrets were added since it was last built.
func (h *RedactingHandler) next(m *matcher) slog.Handler {
	if len(h.ops) == 0 {
		return h.root
	}
	if b := h.built.Load(); b != nil && b.gen == m.gen {
		return b.next
	}
	next := h.root
	for _, op := range h.ops {
		if op.group != "" {
			next = next.WithGroup(m.redact(op.group))
			continue
		}
		attrs := op.attrs
		if len(m.patterns) > 0 {
			attrs = make([]slog.Attr, len(op.attrs))
			for i, a := range op.attrs {
				attrs[i], _ = m.attr(a)
			}
		}
		next = next.WithAttrs(attrs)
	}
	nb := &builtHandler{gen: m.gen, next: next}
	for {
		old := h.built.Load()
		if old != nil && old.gen >= nb.gen {
			break // a concurrent caller built for a newer set
		}
		if h.built.CompareAndSwap(old, nb) {
			break
		}
	}
	return next
}

// secretSet is the registry shared by a handler and its derivatives.
type secretSet struct {
	mu  sync.Mutex // serializes add
	cur atomic.Pointer[matcher]
}

func (s *secretSet) load() *matcher { return s.cur.Load() }

func (s *secretSet) add(secrets []Secret) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur.Load()
	values := slices.Clone(old.values)
	for _, sec := range secrets {
		if v := sec.Reveal(); v != "" && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	if len(values) == len(old.values) {
		return
	}
	s.cur.Store(newMatcher(old.gen+1, values))
}

// matcher is an immutable snapshot of the registered secrets.
type matcher struct {
	gen      uint64
	values   []string // registered values, for de-duplication
	secrets  []secretForms
	patterns []string // every form of every secret, longest first
	replacer *strings.Replacer
}

// secretForms is one secret's literal and escaped forms, and its anchor:
// the longest run of characters no escaping changes ([A-Za-z0-9._~-]),
// which every form contains. A string without the anchor holds no form, so
// most strings cost one search per secret.
type secretForms struct {
	anchor string
	forms  []string
}

func newMatcher(gen uint64, values []string) *matcher {
	m := &matcher{gen: gen, values: values}
	for _, v := range values {
		sf := secretForms{anchor: anchor(v)}
		for _, f := range []string{v, jsonEscape(v, false), jsonEscape(v, true),
			strings.Trim(strconv.Quote(v), `"`), url.QueryEscape(v), url.PathEscape(v)} {
			if !slices.Contains(sf.forms, f) {
				sf.forms = append(sf.forms, f)
			}
			if !slices.Contains(m.patterns, f) {
				m.patterns = append(m.patterns, f)
			}
		}
		if len(sf.forms) == 1 && sf.anchor == v {
			sf.forms = nil // the anchor is the only form
		}
		m.secrets = append(m.secrets, sf)
	}
	// Longest first: strings.Replacer prefers earlier patterns, so a secret
	// that extends another is masked whole.
	slices.SortStableFunc(m.patterns, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(m.patterns))
	for _, p := range m.patterns {
		pairs = append(pairs, p, Mask)
	}
	m.replacer = strings.NewReplacer(pairs...)
	return m
}

func anchor(v string) string {
	best, start := "", -1
	for i := 0; i <= len(v); i++ {
		if i < len(v) && unescaped(v[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = v[start:i]
		}
		start = -1
	}
	return best
}

func unescaped(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func jsonEscape(v string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(v) // a string always encodes
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

func (m *matcher) contains(s string) bool {
	for i := range m.secrets {
		sf := &m.secrets[i]
		if sf.anchor != "" {
			if !strings.Contains(s, sf.anchor) {
				continue
			}
			if sf.forms == nil {
				return true
			}
		}
		for _, f := range sf.forms {
			if strings.Contains(s, f) {
				return true
			}
		}
	}
	return false
}

func (m *matcher) containsBytes(b []byte) bool {
	for i := range m.secrets {
		sf := &m.secrets[i]
		if sf.anchor != "" {
			if !bytes.Contains(b, []byte(sf.anchor)) {
				continue
			}
			if sf.forms == nil {
				return true
			}
		}
		for _, f := range sf.forms {
			if bytes.Contains(b, []byte(f)) {
				return true
			}
		}
	}
	return false
}

// redact masks every occurrence in s. When masking itself forms a secret
// (a secret that is a piece of the mask, or one that straddles a mask and
// the text next to it), the whole string becomes the mask, or "" if even
// the mask holds a secret.
func (m *matcher) redact(s string) string {
	if !m.contains(s) {
		return s
	}
	if r := m.replacer.Replace(s); !m.contains(r) {
		return r
	}
	if !m.contains(Mask) {
		return Mask
	}
	return ""
}

// record returns r with secrets masked, and whether anything changed. The
// first pass only checks; a record that needs no change is not copied.
// Attributes before the first change are copied unchecked in the second
// pass, and the first change is kept, so no LogValue runs twice.
func (m *matcher) record(r slog.Record) (slog.Record, bool) {
	msg := r.Message
	changed := false
	if m.contains(msg) {
		msg, changed = m.redact(msg), true
	}
	first, firstAttr := -1, slog.Attr{}
	i := 0
	r.Attrs(func(a slog.Attr) bool {
		if na, c := m.attr(a); c {
			first, firstAttr = i, na
			return false
		}
		i++
		return true
	})
	if first < 0 && !changed {
		return r, false
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	i = 0
	r.Attrs(func(a slog.Attr) bool {
		switch {
		case first < 0 || i < first:
			nr.AddAttrs(a)
		case i == first:
			nr.AddAttrs(firstAttr)
		default:
			na, _ := m.attr(a)
			nr.AddAttrs(na)
		}
		i++
		return true
	})
	return nr, true
}

// attr returns a with secrets masked, and whether anything changed.
func (m *matcher) attr(a slog.Attr) (slog.Attr, bool) {
	changed := false
	if m.contains(a.Key) {
		a.Key, changed = m.redact(a.Key), true
	}
	if v, c := m.value(a.Value); c {
		a.Value, changed = v, true
	}
	return a, changed
}

func (m *matcher) value(v slog.Value) (slog.Value, bool) {
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); m.contains(s) {
			return slog.StringValue(m.redact(s)), true
		}
	case slog.KindGroup:
		as := v.Group()
		var out []slog.Attr
		for i, a := range as {
			if na, c := m.attr(a); c {
				if out == nil {
					out = slices.Clone(as)
				}
				out[i] = na
			}
		}
		if out != nil {
			return slog.GroupValue(out...), true
		}
	case slog.KindLogValuer:
		// Pass the resolved value on, so LogValue runs once and the next
		// handler prints exactly what was checked.
		rv, _ := m.value(v.Resolve())
		return rv, true
	case slog.KindAny:
		return m.anyValue(v)
	}
	return v, false
}

// anyValue checks every rendering a handler may give v.Any(): TextHandler
// uses MarshalText, a quoted []byte or %+v; JSONHandler uses Error() for
// errors and json.Marshal otherwise. The first rendering found to hold a
// secret, masked, replaces the value.
func (m *matcher) anyValue(v slog.Value) (slog.Value, bool) {
	x := v.Any()
	var leaked string
	switch t := x.(type) {
	case nil:
		return v, false
	case []byte:
		if !m.containsBytes(t) {
			return v, false
		}
		leaked = string(t)
	case error:
		leaked = m.firstLeak(
			func() string { return safeError(t) },
			func() string {
				if _, ok := t.(fmt.Formatter); ok {
					return fmt.Sprintf("%+v", t)
				}
				return ""
			},
			func() string {
				if _, ok := t.(json.Marshaler); ok {
					return safeJSON(t)
				}
				return ""
			})
	default:
		leaked = m.firstLeak(
			func() string {
				if tm, ok := x.(encoding.TextMarshaler); ok {
					return safeMarshalText(tm)
				}
				return ""
			},
			func() string { return fmt.Sprintf("%+v", x) },
			func() string {
				if needsJSON(x) {
					return safeJSON(x)
				}
				return ""
			})
	}
	if leaked == "" {
		return v, false
	}
	return slog.StringValue(m.redact(leaked)), true
}

// firstLeak returns the first rendering that holds a secret, or "".
func (m *matcher) firstLeak(renderings ...func() string) string {
	for _, r := range renderings {
		if s := r(); m.contains(s) {
			return s
		}
	}
	return ""
}

// needsJSON reports whether json.Marshal may show x differently from %+v:
// it follows nested pointers, calls MarshalJSON, and skips String methods.
func needsJSON(x any) bool {
	if _, ok := x.(json.Marshaler); ok {
		return true
	}
	switch reflect.TypeOf(x).Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array, reflect.Pointer, reflect.Interface:
		return true
	}
	return false
}

// safeJSON returns the JSON encoding of x, or the error the encoding fails
// with (JSONHandler prints that error), or "" if a MarshalJSON panics.
func safeJSON(x any) (s string) {
	defer func() {
		if recover() != nil {
			s = "" // a panicking MarshalJSON produces no output to leak
		}
	}()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return "!ERROR:" + err.Error()
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func safeError(err error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("!PANIC in Error: %v", r)
		}
	}()
	return err.Error()
}

func safeMarshalText(tm encoding.TextMarshaler) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("!PANIC in MarshalText: %v", r)
		}
	}()
	b, err := tm.MarshalText()
	if err != nil {
		return "!ERROR:" + err.Error()
	}
	return string(b)
}
