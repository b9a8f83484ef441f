// Package tracing sets up OpenTelemetry tracing from the standard OTEL_*
// environment variables and gives a music bot spans for its commands,
// searches, Redis commands and Lavalink REST calls.
//
//	shutdown, err := tracing.Setup(ctx) // from the environment
//	if err != nil {
//		return err // a bad OTEL_* value is an error, not a silent no-op
//	}
//	defer shutdown(context.WithoutCancel(ctx))
//
//	tr := tracing.New()
//	err = tr.TraceCommand(ctx, "play", guildID, userID, func(ctx context.Context) error { ... })
//	_ = tr.InstrumentRedis(rdb)
//	httpClient := &http.Client{Transport: tr.Transport(nil)}
//
// # Setup and the environment
//
// [Setup] builds a tracer provider and installs it as OpenTelemetry's
// global provider, with W3C trace-context and baggage propagation. The
// exporter is chosen by OTEL_TRACES_EXPORTER, a comma-separated list of:
//
//	otlp     OTLP over OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf (default), http/json or grpc,
//	         to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318, or :4317 for grpc;
//	         HTTP appends /v1/traces) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is),
//	         with OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT (ms) and _COMPRESSION (gzip|none),
//	         each also in a _TRACES_ form that wins; batched
//	console  one JSON object per span on stdout ([WithConsoleWriter]); synchronous
//	none     nothing
//
// With OTEL_TRACES_EXPORTER unset, an OTLP endpoint variable selects otlp
// and otherwise nothing is installed: tunekit is embedded in other
// programs, and a library that starts exporting to localhost because
// nobody configured it would be a surprise. Tracing that is off costs
// nothing but OpenTelemetry's no-op spans. OTEL_SDK_DISABLED=true turns
// everything off.
//
// The sampler comes from OTEL_TRACES_SAMPLER (always_on, always_off,
// traceidratio, parentbased_always_on, parentbased_always_off,
// parentbased_traceidratio) and OTEL_TRACES_SAMPLER_ARG (a ratio in
// [0, 1]); the default is parentbased_traceidratio with the ratio from
// OTEL_TRACES_SAMPLER_ARG, or 1.
//
// The resource carries service.name ([DefaultServiceName] "tunekit-bot",
// or [WithServiceName]), service.version (the main module's version, or
// [WithServiceVersion]), deployment.environment ([WithEnvironment]),
// service.instance.id (the host name, or [WithInstanceID]) and the SDK's
// telemetry.sdk.* attributes. OTEL_RESOURCE_ATTRIBUTES overrides the
// options and OTEL_SERVICE_NAME overrides everything for service.name, so
// the operator has the last word.
//
// Every value is validated when Setup runs, and a bad one is a
// [*ConfigError] naming the variable (matching [ErrInvalidConfig]): the
// OpenTelemetry exporters would otherwise log it and fall back to
// defaults. OTLP header values, which hold API keys, never appear in
// errors. [WithLookupEnv] reads the variables from anywhere, which is how
// the tests try every combination without touching the process
// environment; the exporters still read the variables tunekit does not
// handle (certificates, OTEL_BSP_* batch settings) themselves.
//
// [NewTracerProvider] builds the same provider without installing it, for
// programs that pass providers explicitly; [WithSpanProcessor] adds an
// exporter of your own.
//
// # Spans
//
// A [Tracer] (from [New]) runs a function in a span: [Tracer.Trace] for any
// operation, [Tracer.TraceCommand] for a slash command (a server span) and
// [Tracer.TraceQuery] for a search. Each ends its span on every path,
// records a returned error as status Error plus an exception event, and
// records a panic (type, message, stack) before re-raising it with the
// same value. A nil *Tracer runs the function without a span.
//
// Attribute keys are exported constants ([CommandKey] "discord.command",
// [GuildIDKey], [UserIDKey], [QueryKey], [TrackSourceKey], ...). IDs go on
// spans, never on metrics: spans are sampled and stored per request, where
// a guild or user ID is useful rather than a cardinality explosion.
// [WithoutUserIDs] keeps user IDs off every span for operators who must not
// store them. Queries are cleaned by [CleanQuery] (URL passwords redacted,
// at most 256 bytes).
//
// # Redis and HTTP
//
// [InstrumentRedis] and [Tracer.InstrumentRedis] use go-redis's own
// redisotel instrumentation, configured so that statements are reduced to
// the command and its first key by [Statement] (no values, scripts or
// passwords), and AUTH and HELLO ... AUTH (the connection handshake) are
// not traced at all. [Transport] and [Tracer.Transport] wrap an
// http.RoundTripper with otelhttp, so Lavalink REST calls become child
// client spans named after the route template ([SpanName]), never after
// IDs; request headers, where the Lavalink password travels, are not
// recorded.
//
// # Concurrency
//
// [Tracer] and everything it returns are safe for concurrent use. [Setup]
// changes process-wide state and is meant to run once at start-up; its
// shutdown may be called more than once. The package-level [InstrumentRedis]
// and [Transport] use the global provider at the time of the call
// (OpenTelemetry's global provider forwards to one installed later).
package tracing
