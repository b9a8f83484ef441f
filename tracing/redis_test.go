package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/tracing"
)

// Test-only credentials, distinctive so a substring search cannot miss them.
const (
	serverPassword = "fake-srv-pw-Zq81xK"
	alicePassword  = "fake-alice-pw-Lm27vB"
	bobPassword    = "fake-bob-pw-Ht55sW"
	storedValue    = "fake-value-secret-Pp09"
	scriptSecret   = "fake-script-secret-Rr44"
)

// passwordServer starts Redis with requirepass and a user alice.
func passwordServer(t *testing.T) *redistest.Server {
	t.Helper()
	srv := redistest.Start(t)
	admin := srv.NewClient()
	defer admin.Close()
	ctx := t.Context()
	if err := admin.Do(ctx, "ACL", "SETUSER", "alice", "on", ">"+alicePassword, "~*", "&*", "+@all").Err(); err != nil {
		t.Fatalf("ACL SETUSER: %v", err)
	}
	if err := admin.ConfigSet(ctx, "requirepass", serverPassword).Err(); err != nil {
		t.Fatalf("CONFIG SET requirepass: %v", err)
	}
	return srv
}

// leaks returns every place in spans where one of secrets appears: names,
// attributes, events, status and links.
func leaks(spans []sdktrace.ReadOnlySpan, secrets ...string) []string {
	var found []string
	check := func(where, s string) {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				found = append(found, fmt.Sprintf("%s: %q", where, s))
			}
		}
	}
	for _, s := range spans {
		check("span name", s.Name())
		check(s.Name()+" status", s.Status().Description)
		for _, kv := range s.Attributes() {
			check(s.Name()+" attribute "+string(kv.Key), kv.Value.String())
		}
		for _, e := range s.Events() {
			check(s.Name()+" event", e.Name)
			for _, kv := range e.Attributes {
				check(s.Name()+" event attribute "+string(kv.Key), kv.Value.String())
			}
		}
		for _, kv := range s.Resource().Attributes() {
			check("resource", kv.Value.String())
		}
	}
	return found
}

// statements returns the db.statement of every ended span, by span name.
func statements(rec *tracetest.SpanRecorder) map[string][]string {
	out := map[string][]string{}
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if kv.Key == tracing.DBStatementKey {
				out[s.Name()] = append(out[s.Name()], kv.Value.AsString())
			}
		}
	}
	return out
}

// exercise runs commands that carry secrets in every way Redis allows.
func exercise(t *testing.T, c *redis.Client) {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Ping(ctx).Err())
	must(c.Set(ctx, "queue:{817327181659111454}", storedValue, 0).Err())
	must(c.Get(ctx, "queue:{817327181659111454}").Err())
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "k2", storedValue, 0)
		p.Incr(ctx, "counter")
		return nil
	})
	must(err)
	_, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "settings:1", "volume", storedValue)
		return nil
	})
	must(err)
	must(c.Eval(ctx, "return '"+scriptSecret+"'", []string{"ratelimit:{play}:42"}).Err())
	// Commands whose arguments are secrets.
	must(c.Do(ctx, "AUTH", serverPassword).Err())
	must(c.Do(ctx, "AUTH", "alice", alicePassword).Err())
	must(c.Do(ctx, "HELLO", "3", "AUTH", "alice", alicePassword).Err())
	must(c.Do(ctx, "CONFIG", "SET", "requirepass", serverPassword).Err())
	must(c.Do(ctx, "ACL", "SETUSER", "bob", "on", ">"+bobPassword).Err())
	_, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Do(ctx, "AUTH", serverPassword)
		p.Ping(ctx)
		return nil
	})
	must(err)
}

func TestInstrumentRedisKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	srv := passwordServer(t)
	tests := []struct {
		name string
		opts func(*redis.Options)
	}{
		{"RESP3 handshake HELLO AUTH default", func(o *redis.Options) { o.Password = serverPassword }},
		{"RESP3 handshake HELLO AUTH user", func(o *redis.Options) { o.Username, o.Password = "alice", alicePassword }},
		{"RESP2 handshake AUTH", func(o *redis.Options) { o.Password, o.Protocol = serverPassword, 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, rec := recorded(t)
			opts := srv.Options()
			tt.opts(opts)
			c := redis.NewClient(opts)
			t.Cleanup(func() { _ = c.Close() })
			if err := tr.InstrumentRedis(c); err != nil {
				t.Fatalf("InstrumentRedis: %v", err)
			}
			err := tr.Trace(t.Context(), "parent", func(context.Context) error { exercise(t, c); return nil })
			if err != nil {
				t.Fatal(err)
			}

			if found := leaks(rec.Ended(), serverPassword, alicePassword, bobPassword, storedValue, scriptSecret); len(found) > 0 {
				t.Errorf("secrets reached spans:\n%s", strings.Join(found, "\n"))
			}
			got := statements(rec)
			want := map[string][]string{
				"ping":                    {"ping"},
				"set":                     {"set queue:{817327181659111454}"},
				"get":                     {"get queue:{817327181659111454}"},
				"eval":                    {"eval ratelimit:{play}:42"},
				"config":                  {"config set"},
				"acl":                     {"acl setuser"},
				"redis.pipeline set incr": {"set k2\nincr counter"},
			}
			for name, w := range want {
				if strings.Join(got[name], "|") != strings.Join(w, "|") {
					t.Errorf("statements of %q spans = %q, want %q", name, got[name], w)
				}
			}
			for name := range got {
				if strings.Contains(name, "auth") || strings.HasPrefix(name, "hello") {
					t.Errorf("span %q traced; AUTH and HELLO AUTH must not be", name)
				}
			}
			if got["parent"] != nil {
				t.Errorf("parent span got a statement %q from a filtered command", got["parent"])
			}
		})
	}
}

// TestRawRedisotelLeaksValues proves the leak check above can fail:
// go-redis's own instrumentation with raw statements redacts the
// credentials of AUTH, HELLO, CONFIG SET and ACL SETUSER itself (as of
// v9.23), but still records stored values and scripts, which ours never do.
func TestRawRedisotelLeaksValues(t *testing.T) {
	t.Parallel()
	srv := passwordServer(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	opts := srv.Options()
	opts.Password = serverPassword
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	if err := redisotel.InstrumentTracing(c, redisotel.WithTracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	exercise(t, c)
	found := strings.Join(leaks(rec.Ended(), storedValue, scriptSecret), "\n")
	for _, secret := range []string{storedValue, scriptSecret} {
		if !strings.Contains(found, secret) {
			t.Errorf("raw redisotel did not record %q; the leak check may be blind", secret)
		}
	}
}

func TestInstrumentRedisFailedAuth(t *testing.T) {
	t.Parallel()
	srv := passwordServer(t)
	tr, rec := recorded(t)
	opts := srv.Options()
	opts.Password = "wrong-" + serverPassword
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	if err := tr.InstrumentRedis(c); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(t.Context(), "k").Err(); err == nil {
		t.Fatal("GET with a wrong password succeeded")
	}
	if found := leaks(rec.Ended(), serverPassword); len(found) > 0 {
		t.Errorf("secrets reached spans:\n%s", strings.Join(found, "\n"))
	}
}

func TestInstrumentRedisWithoutUserIDs(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	tr, rec := recorded(t, tracing.WithoutUserIDs())
	c := srv.Client()
	if err := tr.InstrumentRedis(c); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := c.Set(ctx, "cooldown:user:123456789012345678", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "CONFIG", "GET", "maxmemory").Err(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 20 {
			p.Incr(ctx, fmt.Sprintf("plays:user:%d", i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := statements(rec)
	if strings.Join(got["set"], "|") != "set" || strings.Join(got["config"], "|") != "config get" {
		t.Errorf("statements = %q; want keys left out", got)
	}
	wantPipeline := strings.Repeat("incr\n", 16) + "... 4 more"
	if p := strings.Join(got["redis.pipeline incr"], "|"); p != wantPipeline {
		t.Errorf("pipeline statement = %q, want %q", p, wantPipeline)
	}
}

func TestInstrumentRedisRing(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	tr, rec := recorded(t)
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": srv.Addr()}})
	t.Cleanup(func() { _ = ring.Close() })
	if err := tr.InstrumentRedis(ring); err != nil {
		t.Fatalf("InstrumentRedis(ring): %v", err)
	}
	if err := ring.Set(t.Context(), "queue:1", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := statements(rec)["set"]; strings.Join(got, "|") != "set queue:1" {
		t.Errorf("statements of set spans = %q, want [set queue:1]", got)
	}
}

func TestInstrumentRedisCluster(t *testing.T) {
	t.Parallel()
	tr, _ := recorded(t)
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	t.Cleanup(func() { _ = cc.Close() })
	if err := tr.InstrumentRedis(cc); err != nil {
		t.Errorf("InstrumentRedis(cluster): %v", err)
	}
}

type otherClient struct{ redis.UniversalClient }

func TestInstrumentRedisUnsupported(t *testing.T) {
	t.Parallel()
	tr, _ := recorded(t)
	for _, c := range []redis.UniversalClient{nil, (*redis.Client)(nil), (*redis.Ring)(nil), (*redis.ClusterClient)(nil), otherClient{}} {
		if err := tr.InstrumentRedis(c); !errors.Is(err, tracing.ErrUnsupportedClient) {
			t.Errorf("InstrumentRedis(%T) = %v, want ErrUnsupportedClient", c, err)
		}
	}
}

func TestStatement(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 300)
	tests := []struct {
		args []any
		keys bool
		want string
	}{
		{[]any{"set", "queue:1", "secret-value", "ex", 10}, true, "set queue:1"},
		{[]any{"SET", "queue:1", "secret-value"}, false, "set"},
		{[]any{"get", []byte("bytes-key")}, true, "get bytes-key"},
		{[]any{"expire", 42, 10}, true, "expire 42"},
		{[]any{"incrby", int64(7), 1}, true, "incrby 7"},
		{[]any{"hset", 3.5, "f", "v"}, true, "hset 3.5"},
		{[]any{"ping"}, true, "ping"},
		{[]any{"auth", "pw"}, true, "auth"},
		{[]any{"auth", "user", "pw"}, true, "auth"},
		{[]any{"hello", "3", "auth", "default", "pw"}, true, "hello"},
		{[]any{"migrate", "host", "6379", "", "0", "5000", "AUTH", "pw", "KEYS", "a"}, true, "migrate"},
		{[]any{"config", "set", "requirepass", "pw"}, true, "config set"},
		{[]any{"CONFIG", "SET", "requirepass", "pw"}, false, "config set"},
		{[]any{"acl", "setuser", "bob", ">pw"}, true, "acl setuser"},
		{[]any{"acl", "pw with space", "x"}, true, "acl"},
		{[]any{"client", "setname", "bot"}, true, "client setname"},
		{[]any{"acl"}, true, "acl"},
		{[]any{"evalsha", "abc123", 1, "ratelimit:{play}:42", "100"}, true, "evalsha ratelimit:{play}:42"},
		{[]any{"eval", "return 'secret'", "0", "arg"}, true, "eval"},
		{[]any{"eval", "return 'secret'", "x", "arg"}, true, "eval"},
		{[]any{"fcall", "fn", "2", "k1", "k2"}, true, "fcall k1"},
		{[]any{"fcall", "fn", "1", "k1"}, false, "fcall"},
		{[]any{"get", long}, true, "get " + strings.Repeat("k", 128)},
		{[]any{"get", "bad\xffkey"}, true, "get bad\uFFFDkey"},
		{[]any{}, true, ""},
	}
	for _, tt := range tests {
		if got := tracing.Statement(tt.args, tt.keys); got != tt.want {
			t.Errorf("Statement(%q, %v) = %q, want %q", tt.args, tt.keys, got, tt.want)
		}
	}
}

func FuzzStatement(f *testing.F) {
	f.Add("set", "key", "value", "extra", true)
	f.Add("auth", "user", "password", "", true)
	f.Add("hello", "3", "auth", "password", true)
	f.Add("config", "set", "requirepass", "password", true)
	f.Add("evalsha", "sha", "1", "key", false)
	f.Fuzz(func(t *testing.T, name, a1, a2, a3 string, keys bool) {
		got := tracing.Statement([]any{name, a1, a2, a3}, keys)
		n := tracing.Statement([]any{name}, false)
		// The command, plus at most one of: a subcommand (the first
		// argument), the first key (first argument, or the third for
		// EVAL-style commands). Never a value.
		allowed := []string{n, n + " " + strings.ToLower(a1)}
		if keys {
			allowed = append(allowed, n+" "+clip128(a1), n+" "+clip128(a3))
		}
		if !slices.Contains(allowed, got) {
			t.Fatalf("Statement(%q, %q, %q, %q, keys=%v) = %q, want one of %q", name, a1, a2, a3, keys, got, allowed)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Statement(...) = %q is not valid UTF-8", got)
		}
	})
}

// clip128 mirrors how Statement records a key.
func clip128(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= 128 {
		return s
	}
	n := 128
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// TestInstrumentRedisGlobal uses the global provider, so it is not parallel.
func TestInstrumentRedisGlobal(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	srv := redistest.Start(t)
	for _, instrument := range []func(redis.UniversalClient) error{tracing.InstrumentRedis, (*tracing.Tracer)(nil).InstrumentRedis} {
		c := srv.NewClient()
		if err := instrument(c); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(t.Context(), "g", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
	}
	if got := statements(rec)["set"]; strings.Join(got, "|") != "set g|set g" {
		t.Errorf("statements of set spans = %q, want two [set g]", got)
	}
}
