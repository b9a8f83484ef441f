package tracing

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// DefaultServiceName is service.name when neither OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES nor [WithServiceName] sets it.
const DefaultServiceName = "tunekit-bot"

// DeploymentEnvironmentKey is the resource attribute [WithEnvironment] sets.
const DeploymentEnvironmentKey = attribute.Key("deployment.environment")

// Option configures [Setup] and [NewTracerProvider].
type Option func(*setupConfig)

type setupConfig struct {
	lookup      func(string) (string, bool)
	serviceName string
	version     string
	environment string
	instanceID  string
	console     io.Writer
	processors  []sdktrace.SpanProcessor
}

func newSetupConfig(opts []Option) setupConfig {
	c := setupConfig{
		lookup:      os.LookupEnv,
		serviceName: DefaultServiceName,
		version:     buildVersion(),
		instanceID:  hostname(),
		console:     os.Stdout,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithLookupEnv reads the environment through lookup instead of
// os.LookupEnv, so a program can take OTEL_* settings from elsewhere and a
// test can try any combination without touching the process environment.
// The OTLP exporters still read the variables Setup does not handle (such
// as OTEL_EXPORTER_OTLP_CERTIFICATE) from the process environment.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(c *setupConfig) {
		if lookup != nil {
			c.lookup = lookup
		}
	}
}

// WithServiceName sets service.name. OTEL_SERVICE_NAME, then a service.name
// in OTEL_RESOURCE_ATTRIBUTES, override it. Default: [DefaultServiceName].
func WithServiceName(name string) Option { return func(c *setupConfig) { c.serviceName = name } }

// WithServiceVersion sets service.version; OTEL_RESOURCE_ATTRIBUTES
// overrides it. Default: the main module's version from the build
// information, if it has one.
func WithServiceVersion(v string) Option { return func(c *setupConfig) { c.version = v } }

// WithEnvironment sets deployment.environment (such as "production");
// OTEL_RESOURCE_ATTRIBUTES overrides it. Default: unset.
func WithEnvironment(env string) Option { return func(c *setupConfig) { c.environment = env } }

// WithInstanceID sets service.instance.id; OTEL_RESOURCE_ATTRIBUTES
// overrides it. Default: the host name.
func WithInstanceID(id string) Option { return func(c *setupConfig) { c.instanceID = id } }

// WithConsoleWriter sets where OTEL_TRACES_EXPORTER=console writes spans,
// one JSON object per span. Default: os.Stdout.
func WithConsoleWriter(w io.Writer) Option {
	return func(c *setupConfig) {
		if w != nil {
			c.console = w
		}
	}
}

// WithSpanProcessor adds a span processor to the exporters the environment
// selects, such as one exporting to a backend the variables cannot name,
// or tracetest.NewSpanRecorder in a test. With one given, a tracer provider
// is built even when the environment selects no exporter; it is not built
// when OTEL_SDK_DISABLED=true.
func WithSpanProcessor(sp sdktrace.SpanProcessor) Option {
	return func(c *setupConfig) {
		if sp != nil {
			c.processors = append(c.processors, sp)
		}
	}
}

// Setup configures OpenTelemetry tracing from the standard OTEL_*
// environment variables (see the package documentation) and installs the
// result as the global tracer provider, with W3C trace-context and baggage
// propagation. When the environment selects no exporter it installs
// nothing, so tracing costs nothing, and returns a shutdown that does
// nothing.
//
// A value Setup cannot use is an error (a [*ConfigError] matching
// [ErrInvalidConfig]), never a silent no-op. The returned shutdown, never
// nil, flushes buffered spans and stops the exporters; call it before the
// program exits. It is safe to call more than once.
func Setup(ctx context.Context, opts ...Option) (shutdown func(context.Context) error, err error) {
	tp, err := NewTracerProvider(ctx, opts...)
	if err != nil || tp == nil {
		return noShutdown, err
	}
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp.Shutdown, nil
}

func noShutdown(context.Context) error { return nil }

// NewTracerProvider builds what [Setup] installs without installing it, for
// programs that pass providers explicitly (see [WithTracerProvider]). It
// returns nil and no error when the environment selects no exporter and no
// [WithSpanProcessor] is given; the caller shuts a non-nil provider down.
func NewTracerProvider(ctx context.Context, opts ...Option) (*sdktrace.TracerProvider, error) {
	c := newSetupConfig(opts)
	p, err := resolve(env(c.lookup))
	if err != nil {
		return nil, err
	}
	if p.disabled || (!p.otlp && !p.console && len(c.processors) == 0) {
		return nil, nil
	}
	res, err := c.resource(ctx, p)
	if err != nil {
		return nil, err
	}
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(p.sampler)}
	if p.otlp {
		exp, err := newOTLPExporter(ctx, p.otlpConf)
		if err != nil {
			return nil, err
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
	}
	if p.console {
		exp, err := stdouttrace.New(stdouttrace.WithWriter(c.console))
		if err != nil {
			return nil, fmt.Errorf("tracing: console exporter: %w", err)
		}
		// Synchronous, so what is being debugged shows at once.
		tpOpts = append(tpOpts, sdktrace.WithSyncer(exp))
	}
	for _, sp := range c.processors {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(sp))
	}
	return sdktrace.NewTracerProvider(tpOpts...), nil
}

// resource builds the resource: options first, then
// OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, the later winning.
func (c setupConfig) resource(ctx context.Context, p plan) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{semconv.ServiceName(c.serviceName)}
	if c.version != "" {
		attrs = append(attrs, semconv.ServiceVersion(c.version))
	}
	if c.environment != "" {
		attrs = append(attrs, DeploymentEnvironmentKey.String(c.environment))
	}
	if c.instanceID != "" {
		attrs = append(attrs, semconv.ServiceInstanceID(c.instanceID))
	}
	attrs = append(attrs, p.resource...)
	if p.service != "" {
		attrs = append(attrs, semconv.ServiceName(p.service))
	}
	// attribute.NewSet, used by resource, keeps the last value of a key.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithAttributes(attrs...),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return res, nil
}

func newOTLPExporter(ctx context.Context, c otlpConfig) (sdktrace.SpanExporter, error) {
	if c.protocol == protocolGRPC {
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(c.endpoint)}
		if c.headers != nil {
			opts = append(opts, otlptracegrpc.WithHeaders(c.headers))
		}
		if c.timeout > 0 {
			opts = append(opts, otlptracegrpc.WithTimeout(c.timeout))
		}
		if c.compression == "gzip" {
			opts = append(opts, otlptracegrpc.WithCompressor("gzip"))
		}
		exp, err := otlptracegrpc.New(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("tracing: OTLP/gRPC exporter: %w", err)
		}
		return exp, nil
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(c.endpoint)}
	if c.protocol == protocolHTTPJSON {
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
	} else {
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf))
	}
	if c.headers != nil {
		opts = append(opts, otlptracehttp.WithHeaders(c.headers))
	}
	if c.timeout > 0 {
		opts = append(opts, otlptracehttp.WithTimeout(c.timeout))
	}
	switch c.compression {
	case "gzip":
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	case "none":
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.NoCompression))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP/HTTP exporter: %w", err)
	}
	return exp, nil
}

// buildVersion returns the main module's version, or "" for a development
// build.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return ""
	}
	return bi.Main.Version
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}
