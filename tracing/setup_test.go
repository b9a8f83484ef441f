package tracing_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/tracing"
)

// envOf returns a lookup function over vars for tracing.WithLookupEnv.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// export is one OTLP export request a fake collector received.
type export struct {
	req     *coltracepb.ExportTraceServiceRequest
	headers map[string]string // lower-case names
}

// collector is a fake OTLP/HTTP collector.
type collector struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []export
	errs []error
}

func newCollector(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serveHTTP))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *collector) serveHTTP(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" {
			return errors.New("unexpected " + r.Method + " " + r.URL.Path)
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				return err
			}
			body = zr
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		req := &coltracepb.ExportTraceServiceRequest{}
		switch ct := r.Header.Get("Content-Type"); ct {
		case "application/x-protobuf":
			err = proto.Unmarshal(raw, req)
		case "application/json":
			err = protojson.Unmarshal(raw, req)
		default:
			err = errors.New("unexpected content type " + ct)
		}
		if err != nil {
			return err
		}
		h := map[string]string{"content-encoding": r.Header.Get("Content-Encoding")}
		for k := range r.Header {
			h[strings.ToLower(k)] = r.Header.Get(k)
		}
		c.mu.Lock()
		c.got = append(c.got, export{req: req, headers: h})
		c.mu.Unlock()
		return nil
	}()
	if err != nil {
		c.mu.Lock()
		c.errs = append(c.errs, err)
		c.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
	w.WriteHeader(http.StatusOK)
}

func (c *collector) exports(t *testing.T) []export {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, err := range c.errs {
		t.Errorf("collector: %v", err)
	}
	return append([]export(nil), c.got...)
}

// findSpan returns the first exported span named name and its resource
// attributes.
func findSpan(exports []export, name string) (*tracepb.Span, map[string]string, map[string]string) {
	for _, e := range exports {
		for _, rs := range e.req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					if s.GetName() == name {
						return s, kvMap(rs.GetResource().GetAttributes()), e.headers
					}
				}
			}
		}
	}
	return nil, nil, nil
}

func kvMap(kvs []*commonpb.KeyValue) map[string]string {
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	return out
}

func TestOTLPHTTPExport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		protocol     string
		compression  string
		wantEncoding string
	}{
		{"protobuf", "http/protobuf", "", ""},
		{"protobuf gzip", "http/protobuf", "gzip", "gzip"},
		{"json", "http/json", "none", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCollector(t)
			ctx := t.Context()
			tp, err := tracing.NewTracerProvider(ctx,
				tracing.WithLookupEnv(envOf(map[string]string{
					"OTEL_TRACES_EXPORTER":           "otlp",
					"OTEL_EXPORTER_OTLP_ENDPOINT":    c.srv.URL,
					"OTEL_EXPORTER_OTLP_PROTOCOL":    tt.protocol,
					"OTEL_EXPORTER_OTLP_COMPRESSION": tt.compression,
					"OTEL_EXPORTER_OTLP_HEADERS":     "x-api-key=k3y%21",
					"OTEL_SERVICE_NAME":              "dj-bot",
					"OTEL_RESOURCE_ATTRIBUTES":       "deployment.environment=staging,service.version=2.0.0",
					"OTEL_TRACES_SAMPLER":            "always_on",
				})),
				tracing.WithServiceVersion("1.0.0"),
				tracing.WithInstanceID("shard-0"),
			)
			if err != nil || tp == nil {
				t.Fatalf("NewTracerProvider = %v, %v; want a provider", tp, err)
			}
			tr := tracing.New(tracing.WithTracerProvider(tp))
			err = tr.TraceCommand(ctx, "play", "817327181659111454", "1111", func(ctx context.Context) error {
				return tr.Trace(ctx, "load", func(context.Context) error { return nil })
			})
			if err != nil {
				t.Fatalf("TraceCommand: %v", err)
			}
			if err := tp.Shutdown(ctx); err != nil { // flushes the batch
				t.Fatalf("Shutdown: %v", err)
			}

			exports := c.exports(t)
			span, res, headers := findSpan(exports, "discord.command play")
			if span == nil {
				t.Fatalf("span discord.command play not exported; got %d requests", len(exports))
			}
			attrs := kvMap(span.GetAttributes())
			if attrs["discord.guild_id"] != "817327181659111454" || attrs["discord.command"] != "play" {
				t.Errorf("span attributes = %v", attrs)
			}
			if span.GetKind() != tracepb.Span_SPAN_KIND_SERVER {
				t.Errorf("span kind = %v, want server", span.GetKind())
			}
			child, _, _ := findSpan(exports, "load")
			if child == nil || !bytes.Equal(child.GetParentSpanId(), span.GetSpanId()) || !bytes.Equal(child.GetTraceId(), span.GetTraceId()) {
				t.Errorf("child span load = %v; want a child of the command span", child)
			}
			wantRes := map[string]string{
				"service.name":           "dj-bot", // OTEL_SERVICE_NAME beats the default
				"service.version":        "2.0.0",  // OTEL_RESOURCE_ATTRIBUTES beats the option
				"deployment.environment": "staging",
				"service.instance.id":    "shard-0",
				"telemetry.sdk.language": "go",
			}
			for k, v := range wantRes {
				if res[k] != v {
					t.Errorf("resource %s = %q, want %q", k, res[k], v)
				}
			}
			if headers["x-api-key"] != "k3y!" {
				t.Errorf("header x-api-key = %q, want k3y!", headers["x-api-key"])
			}
			if headers["content-encoding"] != tt.wantEncoding {
				t.Errorf("content encoding = %q, want %q", headers["content-encoding"], tt.wantEncoding)
			}
		})
	}
}

// grpcCollector is a fake OTLP/gRPC collector.
type grpcCollector struct {
	coltracepb.UnimplementedTraceServiceServer
	mu  sync.Mutex
	got []export
}

func (g *grpcCollector) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	h := map[string]string{}
	for k, v := range md {
		h[k] = strings.Join(v, ",")
	}
	g.mu.Lock()
	g.got = append(g.got, export{req: req, headers: h})
	g.mu.Unlock()
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func TestOTLPGRPCExport(t *testing.T) {
	t.Parallel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gc := &grpcCollector{}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, gc)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			t.Errorf("grpc Serve: %v", err)
		}
	})

	ctx := t.Context()
	tp, err := tracing.NewTracerProvider(ctx, tracing.WithLookupEnv(envOf(map[string]string{
		"OTEL_TRACES_EXPORTER":               "otlp",
		"OTEL_EXPORTER_OTLP_PROTOCOL":        "grpc",
		"OTEL_EXPORTER_OTLP_ENDPOINT":        "http://" + lis.Addr().String(),
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS":  "x-tenant=guild-music",
		"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT":  "5000",
		"OTEL_EXPORTER_OTLP_COMPRESSION":     "gzip",
		"OTEL_TRACES_SAMPLER":                "parentbased_always_on",
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "",
	})))
	if err != nil || tp == nil {
		t.Fatalf("NewTracerProvider = %v, %v; want a provider", tp, err)
	}
	_, span := tp.Tracer("test").Start(ctx, "grpc-span")
	span.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	gc.mu.Lock()
	got := append([]export(nil), gc.got...)
	gc.mu.Unlock()
	s, res, headers := findSpan(got, "grpc-span")
	if s == nil {
		t.Fatalf("span not exported over gRPC; %d requests", len(got))
	}
	if res["service.name"] != tracing.DefaultServiceName {
		t.Errorf("service.name = %q, want %q", res["service.name"], tracing.DefaultServiceName)
	}
	if headers["x-tenant"] != "guild-music" {
		t.Errorf("metadata x-tenant = %q, want guild-music", headers["x-tenant"])
	}
}

func TestNewTracerProviderSelection(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder
	tests := []struct {
		name      string
		vars      map[string]string
		processor bool
		wantTP    bool
	}{
		{"nothing set", nil, false, false},
		{"none", map[string]string{"OTEL_TRACES_EXPORTER": "none"}, false, false},
		{"disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}, false, false},
		{"disabled beats a processor", map[string]string{"OTEL_SDK_DISABLED": "true"}, true, false},
		{"processor alone", nil, true, true},
		{"console", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, false, true},
		{"otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, false, true},
		{"otlp grpc", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := []tracing.Option{tracing.WithLookupEnv(envOf(tt.vars)), tracing.WithConsoleWriter(io.Discard)}
			if tt.processor {
				opts = append(opts, tracing.WithSpanProcessor(rec()))
			}
			tp, err := tracing.NewTracerProvider(t.Context(), opts...)
			if err != nil {
				t.Fatalf("NewTracerProvider: %v", err)
			}
			if got := tp != nil; got != tt.wantTP {
				t.Fatalf("NewTracerProvider(%v) built a provider = %v, want %v", tt.vars, got, tt.wantTP)
			}
			if tp != nil {
				if err := tp.Shutdown(context.WithoutCancel(t.Context())); err != nil {
					t.Errorf("Shutdown: %v", err)
				}
			}
		})
	}
}

func TestSamplerFromEnvironment(t *testing.T) {
	t.Parallel()
	sampledParent := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, Remote: true,
	}))
	tests := []struct {
		sampler, arg string
		parent       bool
		wantSampled  bool
	}{
		{"always_on", "", false, true},
		{"always_off", "", false, false},
		{"traceidratio", "0", false, false},
		{"traceidratio", "1", false, true},
		{"parentbased_always_off", "", false, false},
		{"parentbased_always_off", "", true, true},
		{"", "0", false, false},
		{"", "0", true, true},
		{"", "", false, true},
	}
	for _, tt := range tests {
		rec := tracetest.NewSpanRecorder()
		tp, err := tracing.NewTracerProvider(t.Context(),
			tracing.WithLookupEnv(envOf(map[string]string{"OTEL_TRACES_SAMPLER": tt.sampler, "OTEL_TRACES_SAMPLER_ARG": tt.arg})),
			tracing.WithSpanProcessor(rec))
		if err != nil {
			t.Fatalf("NewTracerProvider: %v", err)
		}
		ctx := context.Background()
		if tt.parent {
			ctx = sampledParent
		}
		_, span := tp.Tracer("test").Start(ctx, "s")
		span.End()
		if got := len(rec.Ended()) == 1; got != tt.wantSampled {
			t.Errorf("sampler %q arg %q parent %v: sampled = %v, want %v", tt.sampler, tt.arg, tt.parent, got, tt.wantSampled)
		}
	}
}

func TestResourceFromOptions(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp, err := tracing.NewTracerProvider(t.Context(),
		tracing.WithLookupEnv(envOf(nil)),
		tracing.WithSpanProcessor(rec),
		tracing.WithServiceName("radio"),
		tracing.WithServiceVersion("v3.1.4"),
		tracing.WithEnvironment("production"),
		tracing.WithInstanceID("pod-7"),
	)
	if err != nil {
		t.Fatalf("NewTracerProvider: %v", err)
	}
	_, span := tp.Tracer("test").Start(context.Background(), "s")
	span.End()
	got := map[attribute.Key]string{}
	for _, kv := range rec.Ended()[0].Resource().Attributes() {
		got[kv.Key] = kv.Value.String()
	}
	want := map[attribute.Key]string{
		"service.name":                   "radio",
		"service.version":                "v3.1.4",
		tracing.DeploymentEnvironmentKey: "production",
		"service.instance.id":            "pod-7",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("resource %s = %q, want %q", k, got[k], v)
		}
	}
}

func TestConsoleExporter(t *testing.T) {
	t.Parallel()
	var buf logtest.Buffer
	tp, err := tracing.NewTracerProvider(t.Context(),
		tracing.WithLookupEnv(envOf(map[string]string{"OTEL_TRACES_EXPORTER": "console"})),
		tracing.WithConsoleWriter(&buf))
	if err != nil || tp == nil {
		t.Fatalf("NewTracerProvider = %v, %v", tp, err)
	}
	_, span := tp.Tracer("test").Start(context.Background(), "printed-span")
	span.End()
	// The console exporter is synchronous: the span is written at End.
	if !strings.Contains(buf.String(), `"Name":"printed-span"`) {
		t.Errorf("console output = %q, want the span", buf.String())
	}
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestSetupRejectsBadEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, variable, value string
	}{
		{"exporter", "OTEL_TRACES_EXPORTER", "zipkin"},
		{"sampler", "OTEL_TRACES_SAMPLER", "sometimes"},
		{"sampler arg", "OTEL_TRACES_SAMPLER_ARG", "lots"},
		{"protocol", "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"},
		{"endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"},
		{"disabled", "OTEL_SDK_DISABLED", "perhaps"},
		{"resource", "OTEL_RESOURCE_ATTRIBUTES", "no-equals-sign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{tt.variable: tt.value}
			if tt.variable != "OTEL_TRACES_EXPORTER" {
				vars["OTEL_TRACES_EXPORTER"] = "otlp"
			}
			shutdown, err := tracing.Setup(t.Context(), tracing.WithLookupEnv(envOf(vars)))
			var ce *tracing.ConfigError
			if !errors.Is(err, tracing.ErrInvalidConfig) || !errors.As(err, &ce) || ce.Variable != tt.variable {
				t.Fatalf("Setup with %s=%q: error = %v; want a *ConfigError for %s", tt.variable, tt.value, err, tt.variable)
			}
			if shutdown == nil || shutdown(t.Context()) != nil {
				t.Error("Setup returned a nil or failing shutdown on error")
			}
		})
	}
}

// The tests below change the global tracer provider, so they do not run in
// parallel; the parallel tests of this package run after them.

func restoreGlobals(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		// The global delegates cannot be put back; no-ops are what they
		// forwarded to.
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
}

func TestSetupWithNothingSetInstallsNothing(t *testing.T) {
	restoreGlobals(t)
	before := otel.GetTracerProvider()
	shutdown, err := tracing.Setup(t.Context(), tracing.WithLookupEnv(envOf(nil)))
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if otel.GetTracerProvider() != before {
		t.Error("Setup with nothing set replaced the global tracer provider")
	}
	if err := shutdown(t.Context()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestSetupInstallsGlobalProvider(t *testing.T) {
	restoreGlobals(t)
	c := newCollector(t)
	shutdown, err := tracing.Setup(t.Context(), tracing.WithLookupEnv(envOf(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": c.srv.URL, // selects otlp by itself
	})))
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); !ok {
		t.Fatalf("global provider = %T, want *sdktrace.TracerProvider", otel.GetTracerProvider())
	}
	fields := otel.GetTextMapPropagator().Fields()
	if !strings.Contains(strings.Join(fields, ","), "traceparent") || !strings.Contains(strings.Join(fields, ","), "baggage") {
		t.Errorf("global propagator fields = %v, want traceparent and baggage", fields)
	}
	// A Tracer with no options uses the global provider.
	err = tracing.New().Trace(t.Context(), "global-span", func(context.Context) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := shutdown(t.Context()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := shutdown(t.Context()); err != nil {
		t.Errorf("second shutdown: %v", err)
	}
	if s, _, _ := findSpan(c.exports(t), "global-span"); s == nil {
		t.Error("span from the global provider was not exported")
	}
}
