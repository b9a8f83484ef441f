package tracing

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of tunekit's spans: the import
// path of this package.
const ScopeName = "github.com/tunekit/tunekit/tracing"

// Attribute keys tunekit puts on spans. Use them for your own spans too, so
// one query finds a guild's activity across all of them. IDs are Discord
// snowflakes as decimal strings.
const (
	CommandKey          = attribute.Key("discord.command")    // slash command name, such as "play"
	GuildIDKey          = attribute.Key("discord.guild_id")   // guild ID
	UserIDKey           = attribute.Key("discord.user_id")    // user ID; dropped by WithoutUserIDs
	ChannelIDKey        = attribute.Key("discord.channel_id") // voice or text channel ID
	QueryKey            = attribute.Key("discord.query")      // what the user searched for, see CleanQuery
	TrackSourceKey      = attribute.Key("music.track.source") // Lavalink source name, such as "youtube"
	TrackURIKey         = attribute.Key("music.track.uri")    // track URI
	TrackLengthKey      = attribute.Key("music.track.length") // track length in milliseconds
	QueueLengthKey      = attribute.Key("music.queue.length") // tracks in the queue
	ResultCountKey      = attribute.Key("music.result.count") // tracks a search returned
	LavalinkNodeKey     = attribute.Key("lavalink.node")      // Lavalink node name
	RateLimitBackendKey = attribute.Key("ratelimit.backend")  // the rate-limit store that decided
	BreakerNameKey      = attribute.Key("resilience.breaker") // circuit breaker name
)

const (
	maxQueryLen      = 256               // bytes of a query kept on a span
	maxAttrLen       = 128               // bytes of other caller strings kept
	querySpanName    = "music.query"     // span name of TraceQuery
	commandSpanName  = "discord.command" // span name of TraceCommand, before the command
	redactedUserInfo = "REDACTED"        // replaces user info in query URLs
)

// serverSpan starts a server span; shared so starting one does not allocate.
var serverSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}

// TracerOption configures [New].
type TracerOption func(*tracerConfig)

type tracerConfig struct {
	tp          trace.TracerProvider
	dropUserIDs bool
}

// WithTracerProvider sets the provider spans come from. A nil provider
// (including a nil *sdktrace.TracerProvider, as [NewTracerProvider] returns
// when tracing is off) means the default. Default: otel.GetTracerProvider(),
// the global provider [Setup] installs.
func WithTracerProvider(tp trace.TracerProvider) TracerOption {
	return func(c *tracerConfig) {
		if p, ok := tp.(*sdktrace.TracerProvider); ok && p == nil {
			tp = nil
		}
		c.tp = tp
	}
}

// WithoutUserIDs keeps Discord user IDs off every span: [Tracer.TraceCommand]
// does not record discord.user_id, [Tracer.Trace] drops attributes with
// [UserIDKey], and [Tracer.InstrumentRedis] records Redis commands without
// their keys (keys often embed user IDs). For operators who must not store
// personal identifiers. Default: user IDs are recorded.
func WithoutUserIDs() TracerOption { return func(c *tracerConfig) { c.dropUserIDs = true } }

// Tracer starts tunekit's spans. Each helper runs a function inside a span,
// ends the span on every path, records a returned error (status Error plus
// an exception event), and records then re-raises a panic.
//
// A Tracer is safe for concurrent use. A nil *Tracer is valid: its helpers
// run the function with no span, and its instrumentation methods use the
// global provider, so a component can take an optional *Tracer.
type Tracer struct {
	tp          trace.TracerProvider
	tracer      trace.Tracer
	dropUserIDs bool
}

// New returns a Tracer. Its spans come from the global provider unless
// [WithTracerProvider] says otherwise; the instrumentation scope is
// [ScopeName].
func New(opts ...TracerOption) *Tracer {
	var c tracerConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	return &Tracer{
		tp:          c.tp,
		tracer:      c.tp.Tracer(ScopeName),
		dropUserIDs: c.dropUserIDs,
	}
}

// TracerProvider returns the provider the Tracer's spans come from.
func (t *Tracer) TracerProvider() trace.TracerProvider {
	if t == nil {
		return otel.GetTracerProvider()
	}
	return t.tp
}

// Trace runs fn in an internal span named operation, with attrs. fn gets a
// context holding the span, so spans it starts are children. Trace returns
// fn's error.
func (t *Tracer) Trace(ctx context.Context, operation string, fn func(context.Context) error, attrs ...attribute.KeyValue) error {
	if t == nil {
		return fn(ctx)
	}
	if t.dropUserIDs {
		attrs = withoutKey(attrs, UserIDKey)
	}
	ctx, span := t.tracer.Start(ctx, operation, trace.WithAttributes(attrs...))
	return run(ctx, span, fn)
}

// TraceCommand runs fn in a server span for the slash command, named
// "discord.command <command>", with [CommandKey], [GuildIDKey] and
// [UserIDKey] (not with [WithoutUserIDs]). IDs are decimal snowflake
// strings; empty ones are left out (a command in DMs has no guild). The
// name and attributes are added once the span is known to be recording, so
// samplers see the name "discord.command" and tracing that is off costs
// one small allocation.
func (t *Tracer) TraceCommand(ctx context.Context, command, guildID, userID string, fn func(context.Context) error) error {
	if t == nil {
		return fn(ctx)
	}
	// The full name is set only on a recording span, so tracing that is
	// off does not pay for building it; samplers see "discord.command".
	ctx, span := t.tracer.Start(ctx, commandSpanName, serverSpan...)
	if span.IsRecording() {
		command = clean(command, maxAttrLen)
		span.SetName(commandSpanName + " " + command)
		attrs := make([]attribute.KeyValue, 0, 3)
		attrs = append(attrs, CommandKey.String(command))
		if guildID != "" {
			attrs = append(attrs, GuildIDKey.String(clean(guildID, maxAttrLen)))
		}
		if userID != "" && !t.dropUserIDs {
			attrs = append(attrs, UserIDKey.String(clean(userID, maxAttrLen)))
		}
		span.SetAttributes(attrs...)
	}
	return run(ctx, span, fn)
}

// TraceQuery runs fn in an internal span named "music.query" for a search
// or track load, with [QueryKey] and [GuildIDKey]. The query is cleaned
// before it is recorded: user info in a URL (user:password@) is replaced by
// REDACTED, invalid UTF-8 is replaced, and it is cut to 256 bytes.
func (t *Tracer) TraceQuery(ctx context.Context, query, guildID string, fn func(context.Context) error) error {
	if t == nil {
		return fn(ctx)
	}
	ctx, span := t.tracer.Start(ctx, querySpanName)
	if span.IsRecording() {
		attrs := []attribute.KeyValue{QueryKey.String(CleanQuery(query))}
		if guildID != "" {
			attrs = append(attrs, GuildIDKey.String(clean(guildID, maxAttrLen)))
		}
		span.SetAttributes(attrs...)
	}
	return run(ctx, span, fn)
}

// run calls fn and ends span on every path: return, panic (recorded, then
// re-raised with the same value) and runtime.Goexit.
func run(ctx context.Context, span trace.Span, fn func(context.Context) error) (err error) {
	normal := false
	defer func() {
		if normal {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			span.End()
			return
		}
		r := recover()
		if r == nil { // runtime.Goexit, as t.FailNow does
			span.SetStatus(codes.Error, "goroutine exited")
			span.End()
			return
		}
		msg := fmt.Sprint(r)
		span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
			semconv.ExceptionType(fmt.Sprintf("%T", r)),
			semconv.ExceptionMessage(msg),
			semconv.ExceptionStacktrace(string(debug.Stack())),
		))
		span.SetStatus(codes.Error, "panic: "+msg)
		span.End()
		panic(r)
	}()
	err = fn(ctx)
	normal = true
	return err
}

// withoutKey returns attrs without those with key k, copying only when
// there is one.
func withoutKey(attrs []attribute.KeyValue, k attribute.Key) []attribute.KeyValue {
	for i, a := range attrs {
		if a.Key != k {
			continue
		}
		out := append([]attribute.KeyValue(nil), attrs[:i]...)
		for _, b := range attrs[i+1:] {
			if b.Key != k {
				out = append(out, b)
			}
		}
		return out
	}
	return attrs
}

// CleanQuery returns query as [Tracer.TraceQuery] records it: user info in
// URLs (scheme://user:password@host) replaced by REDACTED, invalid UTF-8
// replaced by U+FFFD, and cut to at most 256 bytes on a rune boundary.
func CleanQuery(query string) string {
	return clean(redactUserInfo(query), maxQueryLen)
}

// redactUserInfo replaces the user info of every "://user@" in s.
func redactUserInfo(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		authStart := i + 3
		// The authority ends at the first /, ?, # or whitespace.
		end := len(rest)
		if j := strings.IndexAny(rest[authStart:], "/?# \t\r\n"); j >= 0 {
			end = authStart + j
		}
		at := strings.LastIndexByte(rest[authStart:end], '@')
		if at < 0 {
			b.WriteString(rest[:end])
			rest = rest[end:]
			continue
		}
		b.WriteString(rest[:authStart])
		b.WriteString(redactedUserInfo)
		b.WriteString(rest[authStart+at : end])
		rest = rest[end:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// clean makes s valid UTF-8 and at most n bytes, cut on a rune boundary.
func clean(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
