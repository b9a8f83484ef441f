package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tunekit/tunekit/tracing"
)

// recorded returns a Tracer whose spans land in the returned recorder.
func recorded(t testing.TB, opts ...tracing.TracerOption) (*tracing.Tracer, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tracing.New(append([]tracing.TracerOption{tracing.WithTracerProvider(tp)}, opts...)...), rec
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	out := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		out[kv.Key] = kv.Value.String()
	}
	return out
}

func only(t *testing.T, rec *tracetest.SpanRecorder) sdktrace.ReadOnlySpan {
	t.Helper()
	ended := rec.Ended()
	if len(ended) != 1 || len(rec.Started()) != 1 {
		t.Fatalf("started %d, ended %d spans; want 1 and 1", len(rec.Started()), len(ended))
	}
	return ended[0]
}

// exception returns the attributes of the span's exception event.
func exception(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	for _, e := range s.Events() {
		if e.Name == "exception" {
			out := map[attribute.Key]string{}
			for _, kv := range e.Attributes {
				out[kv.Key] = kv.Value.String()
			}
			return out
		}
	}
	return nil
}

var errBoom = errors.New("lavalink: node unavailable")

func TestTraceOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fn         func(context.Context) error
		wantErr    error
		wantStatus codes.Code
		wantDesc   string
		wantExcMsg string
	}{
		{"success", func(context.Context) error { return nil }, nil, codes.Unset, "", ""},
		{"error", func(context.Context) error { return errBoom }, errBoom, codes.Error, errBoom.Error(), errBoom.Error()},
		{"wrapped error", func(context.Context) error { return fmt.Errorf("play: %w", errBoom) }, errBoom, codes.Error, "play: " + errBoom.Error(), "play: " + errBoom.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, rec := recorded(t)
			err := tr.Trace(t.Context(), "store.save", tt.fn, tracing.GuildIDKey.String("42"), tracing.QueueLengthKey.Int(3))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Trace() = %v, want %v", err, tt.wantErr)
			}
			s := only(t, rec)
			if s.Name() != "store.save" || s.SpanKind() != trace.SpanKindInternal {
				t.Errorf("span = %q kind %v, want store.save internal", s.Name(), s.SpanKind())
			}
			if a := attrs(s); a[tracing.GuildIDKey] != "42" || a[tracing.QueueLengthKey] != "3" {
				t.Errorf("attributes = %v", a)
			}
			if s.Status().Code != tt.wantStatus || s.Status().Description != tt.wantDesc {
				t.Errorf("status = %v, want %v %q", s.Status(), tt.wantStatus, tt.wantDesc)
			}
			if got := exception(s)["exception.message"]; got != tt.wantExcMsg {
				t.Errorf("exception.message = %q, want %q", got, tt.wantExcMsg)
			}
		})
	}
}

func TestTraceRecordsAndRepanics(t *testing.T) {
	t.Parallel()
	type custom struct{ code int }
	tests := []struct {
		name     string
		value    any
		wantType string
		wantMsg  string
	}{
		{"string", "queue corrupted", "string", "queue corrupted"},
		{"error", errBoom, "*errors.errorString", errBoom.Error()},
		{"struct", custom{7}, "tracing_test.custom", "{7}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, rec := recorded(t)
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				_ = tr.TraceCommand(t.Context(), "skip", "1", "2", func(context.Context) error { panic(tt.value) })
			}()
			if recovered != tt.value {
				t.Fatalf("recovered %v, want the original panic value %v", recovered, tt.value)
			}
			s := only(t, rec)
			if s.Status().Code != codes.Error || s.Status().Description != "panic: "+tt.wantMsg {
				t.Errorf("status = %v, want Error %q", s.Status(), "panic: "+tt.wantMsg)
			}
			ex := exception(s)
			if ex["exception.type"] != tt.wantType || ex["exception.message"] != tt.wantMsg {
				t.Errorf("exception event = %v, want type %q message %q", ex, tt.wantType, tt.wantMsg)
			}
			if !strings.Contains(ex["exception.stacktrace"], "tracer_test.go") {
				t.Errorf("exception.stacktrace does not show the panicking function:\n%s", ex["exception.stacktrace"])
			}
		})
	}
}

func TestTraceEndsSpanOnGoexit(t *testing.T) {
	t.Parallel()
	tr, rec := recorded(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = tr.TraceQuery(context.Background(), "lofi", "1", func(context.Context) error {
			// What t.FailNow does inside a helper.
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	s := only(t, rec)
	if s.Status().Code != codes.Error {
		t.Errorf("status after Goexit = %v, want Error", s.Status())
	}
}

func TestParentChild(t *testing.T) {
	t.Parallel()
	tr, rec := recorded(t)
	var parentSC, childSC trace.SpanContext
	err := tr.TraceCommand(t.Context(), "play", "10", "20", func(ctx context.Context) error {
		parentSC = trace.SpanContextFromContext(ctx)
		return tr.TraceQuery(ctx, "never gonna", "10", func(ctx context.Context) error {
			childSC = trace.SpanContextFromContext(ctx)
			return tr.Trace(ctx, "lavalink.load", func(context.Context) error { return nil })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	spans := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		spans[s.Name()] = s
	}
	cmd, query, load := spans["discord.command play"], spans["music.query"], spans["lavalink.load"]
	if cmd == nil || query == nil || load == nil {
		t.Fatalf("spans = %v; want the command, query and load spans", spans)
	}
	if cmd.Parent().IsValid() {
		t.Errorf("command span has parent %v, want a root", cmd.Parent())
	}
	if query.Parent().SpanID() != parentSC.SpanID() || query.SpanContext().TraceID() != parentSC.TraceID() {
		t.Errorf("query span parent = %v, want the command span %v", query.Parent().SpanID(), parentSC.SpanID())
	}
	if load.Parent().SpanID() != childSC.SpanID() {
		t.Errorf("load span parent = %v, want the query span %v", load.Parent().SpanID(), childSC.SpanID())
	}
}

func TestTraceCommandAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []tracing.TracerOption
		command string
		guild   string
		user    string
		want    map[attribute.Key]string
	}{
		{"all ids", nil, "play", "817327181659111454", "123456789012345678",
			map[attribute.Key]string{tracing.CommandKey: "play", tracing.GuildIDKey: "817327181659111454", tracing.UserIDKey: "123456789012345678"}},
		{"without user ids", []tracing.TracerOption{tracing.WithoutUserIDs()}, "stop", "1", "2",
			map[attribute.Key]string{tracing.CommandKey: "stop", tracing.GuildIDKey: "1"}},
		{"direct message", nil, "queue", "", "2",
			map[attribute.Key]string{tracing.CommandKey: "queue", tracing.UserIDKey: "2"}},
		{"invalid UTF-8 cleaned", nil, "pl\xffay", "1\xfe", "",
			map[attribute.Key]string{tracing.CommandKey: "pl\uFFFDay", tracing.GuildIDKey: "1\uFFFD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, rec := recorded(t, tt.opts...)
			_ = tr.TraceCommand(t.Context(), tt.command, tt.guild, tt.user, func(context.Context) error { return nil })
			s := only(t, rec)
			if s.SpanKind() != trace.SpanKindServer {
				t.Errorf("kind = %v, want server", s.SpanKind())
			}
			got := attrs(s)
			if len(got) != len(tt.want) {
				t.Errorf("attributes = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestTraceDropsUserIDAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []tracing.TracerOption
		wantUser bool
	}{
		{"kept by default", nil, true},
		{"dropped", []tracing.TracerOption{tracing.WithoutUserIDs()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, rec := recorded(t, tt.opts...)
			in := []attribute.KeyValue{tracing.UserIDKey.String("7"), tracing.GuildIDKey.String("1"), tracing.UserIDKey.String("8"), tracing.TrackSourceKey.String("youtube")}
			_ = tr.Trace(t.Context(), "op", func(context.Context) error { return nil }, in...)
			got := attrs(only(t, rec))
			if _, ok := got[tracing.UserIDKey]; ok != tt.wantUser {
				t.Errorf("user ID recorded = %v, want %v (attributes %v)", ok, tt.wantUser, got)
			}
			if got[tracing.GuildIDKey] != "1" || got[tracing.TrackSourceKey] != "youtube" {
				t.Errorf("other attributes lost: %v", got)
			}
			if in[0].Key != tracing.UserIDKey {
				t.Error("Trace modified the caller's attribute slice")
			}
		})
	}
}

func TestTraceQueryCleansTheQuery(t *testing.T) {
	t.Parallel()
	tr, rec := recorded(t)
	_ = tr.TraceQuery(t.Context(), "https://alice:pa55word@music.example/track?id=1", "9", func(context.Context) error { return nil })
	got := attrs(only(t, rec))
	if got[tracing.QueryKey] != "https://REDACTED@music.example/track?id=1" || got[tracing.GuildIDKey] != "9" {
		t.Errorf("attributes = %v", got)
	}
}

func TestNilTracer(t *testing.T) {
	t.Parallel()
	var tr *tracing.Tracer
	calls := 0
	fn := func(context.Context) error { calls++; return errBoom }
	if err := tr.Trace(t.Context(), "op", fn); !errors.Is(err, errBoom) {
		t.Errorf("Trace = %v, want errBoom", err)
	}
	if err := tr.TraceCommand(t.Context(), "play", "1", "2", fn); !errors.Is(err, errBoom) {
		t.Errorf("TraceCommand = %v, want errBoom", err)
	}
	if err := tr.TraceQuery(t.Context(), "q", "1", fn); !errors.Is(err, errBoom) {
		t.Errorf("TraceQuery = %v, want errBoom", err)
	}
	if calls != 3 {
		t.Errorf("fn called %d times, want 3", calls)
	}
	if tr.TracerProvider() == nil || tr.Transport(nil) == nil {
		t.Error("nil Tracer has no provider or transport")
	}
}

func TestWithTracerProviderNil(t *testing.T) {
	t.Parallel()
	var tp *sdktrace.TracerProvider // as NewTracerProvider returns with tracing off
	tr := tracing.New(tracing.WithTracerProvider(tp))
	if err := tr.Trace(t.Context(), "op", func(context.Context) error { return nil }); err != nil {
		t.Errorf("Trace: %v", err)
	}
	if tr.TracerProvider() == nil {
		t.Error("TracerProvider() = nil, want the global provider")
	}
}

func TestCleanQuery(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 200) // 400 bytes
	tests := []struct{ in, want string }{
		{"never gonna give you up", "never gonna give you up"},
		{"ytsearch:lofi beats", "ytsearch:lofi beats"},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		{"http://user:secret@host:8080/a", "http://REDACTED@host:8080/a"},
		{"see http://u@h and https://x:y@z/p?q=a@b", "see http://REDACTED@h and https://REDACTED@z/p?q=a@b"},
		{"mail me@example.com", "mail me@example.com"},
		{"ftp://a:b@c", "ftp://REDACTED@c"},
		{"http://host/path@notuser", "http://host/path@notuser"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{long, strings.Repeat("é", 128)},
		{"", ""},
	}
	for _, tt := range tests {
		if got := tracing.CleanQuery(tt.in); got != tt.want {
			t.Errorf("CleanQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCleanQuery(f *testing.F) {
	f.Add("lofi", "user", "fake-pass", "example.com", "/watch?v=1")
	f.Add("", "", "pw123456", "h", "")
	f.Add("a://", "u@v", "zzzzzzzz", "host:1", "#@")
	f.Fuzz(func(t *testing.T, prefix, user, pass, host, suffix string) {
		q := CleanQueryInput(prefix, user, pass, host, suffix)
		got := tracing.CleanQuery(q)
		if !utf8.ValidString(got) || len(got) > 256 {
			t.Fatalf("CleanQuery(%q) = %q: invalid UTF-8 or longer than 256 bytes", q, got)
		}
		// A distinctive password inside well-formed user info never survives.
		if len(pass) >= 8 && isAlnum(pass) && isAuthority(user) && isAuthority(host) &&
			!strings.Contains(prefix+user+host+suffix, pass) && !strings.Contains(pass, "REDACTED") {
			if strings.Contains(got, pass) {
				t.Fatalf("CleanQuery(%q) = %q keeps the password", q, got)
			}
		}
	})
}

// CleanQueryInput builds a query holding a URL with user info.
func CleanQueryInput(prefix, user, pass, host, suffix string) string {
	return prefix + " https://" + user + ":" + pass + "@" + host + suffix
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// isAuthority reports whether s can sit inside a URL authority without
// ending it.
func isAuthority(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsAny(s, "/?# \t\r\n@")
}
