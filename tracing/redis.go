package tracing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// ErrUnsupportedClient is returned by [InstrumentRedis] for a client other
// than *redis.Client, *redis.ClusterClient or *redis.Ring (or nil).
var ErrUnsupportedClient = errors.New("tracing: unsupported Redis client")

// DBStatementKey is the span attribute holding the reduced Redis statement.
const DBStatementKey = attribute.Key("db.statement")

// maxPipelineStatements bounds the commands listed in a pipeline's
// statement.
const maxPipelineStatements = 16

// InstrumentRedis makes every command of client a child span, using
// go-redis's own redisotel instrumentation with the global tracer provider.
// Call it once per client, before use. See [Tracer.InstrumentRedis].
func InstrumentRedis(client redis.UniversalClient) error {
	return instrumentRedis(client, otel.GetTracerProvider(), true)
}

// InstrumentRedis makes every command of client a child span from t's
// provider, using go-redis's own redisotel instrumentation configured so
// that no secret reaches a span:
//
//   - The statement (db.statement) is reduced to the command and its first
//     key, such as "set queue:{817327181659111454}"; values and other
//     arguments are never recorded. With [WithoutUserIDs], keys are left
//     out too.
//   - Commands whose arguments are not keys record only their name (and a
//     subcommand, such as "config set" or "acl setuser"), so CONFIG SET
//     requirepass, ACL SETUSER, MIGRATE ... AUTH and EVAL scripts do not
//     leak.
//   - AUTH and HELLO ... AUTH, including the handshake go-redis sends on
//     every new connection with Options.Password, are not traced at all;
//     raw redisotel statements have carried that password (go-redis issue
//     3516).
//   - Caller file and line attributes are off; collecting them costs a
//     stack walk per command.
//
// Call it once per client, before use; it returns [ErrUnsupportedClient]
// for client types redisotel cannot instrument.
func (t *Tracer) InstrumentRedis(client redis.UniversalClient) error {
	if t == nil {
		return InstrumentRedis(client)
	}
	return instrumentRedis(client, t.tp, !t.dropUserIDs)
}

func instrumentRedis(client redis.UniversalClient, tp trace.TracerProvider, keys bool) error {
	stmt := statementHook{keys: keys}
	opts := []redisotel.TracingOption{
		redisotel.WithTracerProvider(tp),
		redisotel.WithDBStatement(false),
		redisotel.WithCallerEnabled(false),
		redisotel.WithCommandFilter(secretCommand),
		redisotel.WithCommandsFilter(secretPipeline),
	}
	switch c := client.(type) {
	case *redis.Client:
		if c == nil {
			break
		}
		if err := redisotel.InstrumentTracing(c, opts...); err != nil {
			return fmt.Errorf("tracing: instrument Redis: %w", err)
		}
		c.AddHook(stmt) // after redisotel's hook, so it runs inside its span
		return nil
	case *redis.ClusterClient:
		if c == nil {
			break
		}
		if err := redisotel.InstrumentTracing(c, opts...); err != nil {
			return fmt.Errorf("tracing: instrument Redis: %w", err)
		}
		c.OnNewNode(func(node *redis.Client) { node.AddHook(stmt) })
		return nil
	case *redis.Ring:
		if c == nil {
			break
		}
		if err := redisotel.InstrumentTracing(c, opts...); err != nil {
			return fmt.Errorf("tracing: instrument Redis: %w", err)
		}
		c.OnNewNode(func(node *redis.Client) { node.AddHook(stmt) })
		// redisotel only hooks shards added later; NewRing created these.
		// The context only reaches the function below.
		return c.ForEachShard(context.Background(), func(_ context.Context, shard *redis.Client) error {
			if err := redisotel.InstrumentTracing(shard, opts...); err != nil {
				return fmt.Errorf("tracing: instrument Redis: %w", err)
			}
			shard.AddHook(stmt)
			return nil
		})
	}
	return fmt.Errorf("%w: %T", ErrUnsupportedClient, client)
}

// secretCommand reports whether cmd carries credentials and must not be
// traced: AUTH, and HELLO with an AUTH section.
func secretCommand(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "auth":
		return true
	case "hello":
		for _, a := range cmd.Args()[1:] {
			if s, ok := a.(string); ok && strings.EqualFold(s, "auth") {
				return true
			}
		}
	}
	return false
}

func secretPipeline(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if secretCommand(c) {
			return true
		}
	}
	return false
}

// statementHook sets the reduced statement on the span redisotel started.
type statementHook struct{ keys bool }

func (h statementHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h statementHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		// A filtered command has no span of its own: leave the parent alone.
		if !secretCommand(cmd) {
			if span := trace.SpanFromContext(ctx); span.IsRecording() {
				span.SetAttributes(DBStatementKey.String(Statement(cmd.Args(), h.keys)))
			}
		}
		return next(ctx, cmd)
	}
}

func (h statementHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !secretPipeline(cmds) {
			if span := trace.SpanFromContext(ctx); span.IsRecording() {
				var b strings.Builder
				for i, c := range cmds {
					if i == maxPipelineStatements {
						fmt.Fprintf(&b, "\n... %d more", len(cmds)-i)
						break
					}
					if i > 0 {
						b.WriteByte('\n')
					}
					b.WriteString(Statement(c.Args(), h.keys))
				}
				span.SetAttributes(DBStatementKey.String(b.String()))
			}
		}
		return next(ctx, cmds)
	}
}

// Commands whose first argument is a subcommand, recorded as "name sub".
var subcommandCommands = map[string]bool{
	"acl": true, "client": true, "cluster": true, "command": true, "config": true,
	"debug": true, "function": true, "latency": true, "memory": true, "module": true,
	"object": true, "pubsub": true, "script": true, "sentinel": true, "slowlog": true,
	"xgroup": true, "xinfo": true,
}

// Commands whose arguments are not keys, or may be secrets, recorded by
// name alone.
var nameOnlyCommands = map[string]bool{
	"auth": true, "hello": true, "migrate": true, "ping": true, "echo": true,
	"select": true, "quit": true, "reset": true, "info": true, "multi": true,
	"exec": true, "discard": true, "unwatch": true, "dbsize": true, "time": true,
	"flushdb": true, "flushall": true, "save": true, "bgsave": true,
	"bgrewriteaof": true, "lastsave": true, "shutdown": true, "role": true,
	"readonly": true, "readwrite": true, "wait": true, "waitaof": true,
	"swapdb": true, "monitor": true, "sync": true, "psync": true,
	"replicaof": true, "slaveof": true, "failover": true, "failover_abort": true,
	"scan": true, "randomkey": true, "keys": true, "lolwut": true,
}

// Commands with the EVAL layout: script or function, numkeys, keys...
var evalCommands = map[string]bool{
	"eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true,
	"fcall": true, "fcall_ro": true,
}

// Statement reduces a Redis command (as go-redis's Cmder.Args returns it)
// to what [Tracer.InstrumentRedis] records: the lower-case command name
// and, if keys is true and the command has one, its first key, cut to 128
// bytes of valid UTF-8. Values, scripts, passwords and every other argument
// are dropped.
func Statement(args []any, keys bool) string {
	if len(args) == 0 {
		return ""
	}
	name := strings.ToLower(clean(argString(args[0]), 32))
	switch {
	case subcommandCommands[name]:
		if len(args) > 1 {
			if sub := strings.ToLower(argString(args[1])); isWord(sub) {
				return name + " " + sub
			}
		}
		return name
	case nameOnlyCommands[name], !keys:
		return name
	case evalCommands[name]:
		// EVALSHA sha numkeys key...: the script is never recorded.
		if len(args) > 3 {
			if n, err := strconv.Atoi(argString(args[2])); err == nil && n > 0 {
				return name + " " + clean(argString(args[3]), maxAttrLen)
			}
		}
		return name
	}
	if len(args) > 1 {
		return name + " " + clean(argString(args[1]), maxAttrLen)
	}
	return name
}

// isWord reports whether s looks like a subcommand: 1 to 32 letters,
// digits, '-' or '_'.
func isWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// argString formats an argument as go-redis writes it.
func argString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}
