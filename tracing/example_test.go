package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tunekit/tunekit/tracing"
)

func ExampleSetup() {
	ctx := context.Background()
	// A program passes no WithLookupEnv: Setup reads OTEL_TRACES_EXPORTER,
	// OTEL_EXPORTER_OTLP_ENDPOINT and friends from its environment. Here the
	// environment is empty, so Setup installs nothing.
	noEnv := func(string) (string, bool) { return "", false }
	shutdown, err := tracing.Setup(ctx, tracing.WithLookupEnv(noEnv), tracing.WithServiceVersion("1.4.0"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shutdown(ctx)
	fmt.Println("tracing ready")
	// Output:
	// tracing ready
}

func ExampleSetup_invalidEnvironment() {
	env := map[string]string{"OTEL_TRACES_SAMPLER": "sometimes"}
	_, err := tracing.Setup(context.Background(), tracing.WithLookupEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	fmt.Println(errors.Is(err, tracing.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// tracing: OTEL_TRACES_SAMPLER="sometimes": unsupported sampler; want always_on, always_off, traceidratio or their parentbased_ forms
}

func ExampleTracer_TraceCommand() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tr := tracing.New(tracing.WithTracerProvider(tp), tracing.WithoutUserIDs())

	ctx := context.Background()
	_ = tr.TraceCommand(ctx, "play", "817327181659111454", "123456789012345678", func(ctx context.Context) error {
		return tr.TraceQuery(ctx, "never gonna give you up", "817327181659111454", func(ctx context.Context) error {
			return errors.New("no matches")
		})
	})

	for _, s := range rec.Ended() {
		fmt.Printf("%s (%s)\n", s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			fmt.Printf("  %s=%s\n", kv.Key, kv.Value.String())
		}
	}
	// Output:
	// music.query (no matches)
	//   discord.query=never gonna give you up
	//   discord.guild_id=817327181659111454
	// discord.command play (no matches)
	//   discord.command=play
	//   discord.guild_id=817327181659111454
}

func ExampleTracer_Transport() {
	lavalink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer lavalink.Close()

	rec := tracetest.NewSpanRecorder()
	tr := tracing.New(tracing.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	client := &http.Client{Transport: tr.Transport(nil)}

	req, _ := http.NewRequest(http.MethodDelete, lavalink.URL+"/v4/sessions/abc/players/817327181659111454", nil)
	req.Header.Set("Authorization", "youshallnotpass") // never recorded
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
	fmt.Println(rec.Ended()[0].Name())
	// Output:
	// DELETE /v4/sessions/{sessionId}/players/{guildId}
}

func ExampleStatement() {
	fmt.Println(tracing.Statement([]any{"set", "queue:{817327181659111454}", "payload"}, true))
	fmt.Println(tracing.Statement([]any{"config", "set", "requirepass", "example-password"}, true))
	fmt.Println(tracing.Statement([]any{"evalsha", "a42f", 1, "ratelimit:{play}:42", "10"}, false))
	// Output:
	// set queue:{817327181659111454}
	// config set
	// evalsha
}

func ExampleCleanQuery() {
	fmt.Println(tracing.CleanQuery("https://dj:example-password@radio.example/live.mp3"))
	// Output:
	// https://REDACTED@radio.example/live.mp3
}
