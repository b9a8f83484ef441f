package tracing

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// lookup returns an env over vars, never the process environment.
func lookup(vars map[string]string) env {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		vars        map[string]string
		wantOTLP    bool
		wantConsole bool
		wantOff     bool
		protocol    string
		endpoint    string
		sampler     string // prefix of the sampler's description
	}{
		{name: "nothing set", vars: nil, sampler: "ParentBased{root:TraceIDRatioBased{1}"},
		{name: "empty values are unset", vars: map[string]string{EnvTracesExporter: " ", EnvTracesSampler: ""}, sampler: "ParentBased{root:TraceIDRatioBased{1}"},
		{name: "disabled", vars: map[string]string{EnvSDKDisabled: "true", EnvTracesExporter: "otlp"}, wantOff: true},
		{name: "not disabled", vars: map[string]string{EnvSDKDisabled: "FALSE", EnvTracesExporter: "console"}, wantConsole: true, sampler: "ParentBased"},
		{name: "none", vars: map[string]string{EnvTracesExporter: "none", EnvOTLPEndpoint: "http://c:4318"}, sampler: "ParentBased"},
		{name: "otlp defaults", vars: map[string]string{EnvTracesExporter: "otlp"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "http://localhost:4318/v1/traces", sampler: "ParentBased"},
		{name: "otlp in upper case", vars: map[string]string{EnvTracesExporter: "OTLP"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "http://localhost:4318/v1/traces", sampler: "ParentBased"},
		{name: "endpoint alone selects otlp", vars: map[string]string{EnvOTLPEndpoint: "https://collector:4318"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "https://collector:4318/v1/traces", sampler: "ParentBased"},
		{name: "traces endpoint alone selects otlp", vars: map[string]string{EnvOTLPTracesEndpoint: "http://c:9/custom"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "http://c:9/custom", sampler: "ParentBased"},
		{name: "base path gets the traces path", vars: map[string]string{EnvTracesExporter: "otlp", EnvOTLPEndpoint: "http://c:4318/otlp/"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "http://c:4318/otlp/v1/traces", sampler: "ParentBased"},
		{name: "traces endpoint wins", vars: map[string]string{EnvTracesExporter: "otlp", EnvOTLPEndpoint: "http://a:1", EnvOTLPTracesEndpoint: "http://b:2/t"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "http://b:2/t", sampler: "ParentBased"},
		{name: "grpc default endpoint", vars: map[string]string{EnvTracesExporter: "otlp", EnvOTLPProtocol: "grpc"}, wantOTLP: true, protocol: "grpc", endpoint: "http://localhost:4317", sampler: "ParentBased"},
		{name: "grpc keeps the base endpoint", vars: map[string]string{EnvTracesExporter: "otlp", EnvOTLPProtocol: "grpc", EnvOTLPEndpoint: "https://c:4317"}, wantOTLP: true, protocol: "grpc", endpoint: "https://c:4317", sampler: "ParentBased"},
		{name: "http/json", vars: map[string]string{EnvTracesExporter: "otlp", EnvOTLPProtocol: "http/json"}, wantOTLP: true, protocol: "http/json", endpoint: "http://localhost:4318/v1/traces", sampler: "ParentBased"},
		{name: "traces protocol wins", vars: map[string]string{EnvTracesExporter: "otlp", EnvOTLPProtocol: "grpc", EnvOTLPTracesProtocol: "http/protobuf"}, wantOTLP: true, protocol: "http/protobuf", endpoint: "http://localhost:4318/v1/traces", sampler: "ParentBased"},
		{name: "otlp and console", vars: map[string]string{EnvTracesExporter: "otlp, console"}, wantOTLP: true, wantConsole: true, protocol: "http/protobuf", endpoint: "http://localhost:4318/v1/traces", sampler: "ParentBased"},
		{name: "always_on", vars: map[string]string{EnvTracesSampler: "always_on", EnvTracesSamplerArg: "not used"}, sampler: "AlwaysOnSampler"},
		{name: "always_off", vars: map[string]string{EnvTracesSampler: "always_off"}, sampler: "AlwaysOffSampler"},
		{name: "traceidratio", vars: map[string]string{EnvTracesSampler: "traceidratio", EnvTracesSamplerArg: "0.25"}, sampler: "TraceIDRatioBased{0.25}"},
		{name: "traceidratio default arg", vars: map[string]string{EnvTracesSampler: "traceidratio"}, sampler: "TraceIDRatioBased{1}"},
		{name: "parentbased_always_on", vars: map[string]string{EnvTracesSampler: "parentbased_always_on"}, sampler: "ParentBased{root:AlwaysOnSampler"},
		{name: "parentbased_always_off", vars: map[string]string{EnvTracesSampler: "PARENTBASED_ALWAYS_OFF"}, sampler: "ParentBased{root:AlwaysOffSampler"},
		{name: "parentbased_traceidratio", vars: map[string]string{EnvTracesSampler: "parentbased_traceidratio", EnvTracesSamplerArg: "0.1"}, sampler: "ParentBased{root:TraceIDRatioBased{0.1}"},
		{name: "arg alone sets the default ratio", vars: map[string]string{EnvTracesSamplerArg: "0"}, sampler: "ParentBased{root:TraceIDRatioBased{0}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := resolve(lookup(tt.vars))
			if err != nil {
				t.Fatalf("resolve(%v): %v", tt.vars, err)
			}
			if p.disabled != tt.wantOff || p.otlp != tt.wantOTLP || p.console != tt.wantConsole {
				t.Errorf("resolve(%v): disabled, otlp, console = %v, %v, %v; want %v, %v, %v",
					tt.vars, p.disabled, p.otlp, p.console, tt.wantOff, tt.wantOTLP, tt.wantConsole)
			}
			if p.otlpConf.protocol != tt.protocol || p.otlpConf.endpoint != tt.endpoint {
				t.Errorf("resolve(%v): protocol, endpoint = %q, %q; want %q, %q",
					tt.vars, p.otlpConf.protocol, p.otlpConf.endpoint, tt.protocol, tt.endpoint)
			}
			if tt.sampler != "" {
				if p.sampler == nil || !strings.HasPrefix(p.sampler.Description(), tt.sampler) {
					t.Errorf("resolve(%v): sampler = %v, want %s...", tt.vars, p.sampler, tt.sampler)
				}
			}
		})
	}
}

func TestResolveOTLPDetails(t *testing.T) {
	t.Parallel()
	p, err := resolve(lookup(map[string]string{
		EnvTracesExporter:        "otlp",
		EnvOTLPHeaders:           "x-generic=1",
		EnvOTLPTracesHeaders:     "api-key=fake%2Fkey, x-team = music%20bots ,",
		EnvOTLPTimeout:           "1000",
		EnvOTLPTracesTimeout:     "2500",
		EnvOTLPCompression:       "none",
		EnvOTLPTracesCompression: "GZIP",
	}))
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	wantHeaders := map[string]string{"api-key": "fake/key", "x-team": "music bots"}
	if !maps.Equal(p.otlpConf.headers, wantHeaders) {
		t.Errorf("headers = %v, want %v", p.otlpConf.headers, wantHeaders)
	}
	if p.otlpConf.timeout != 2500*time.Millisecond {
		t.Errorf("timeout = %v, want 2.5s", p.otlpConf.timeout)
	}
	if p.otlpConf.compression != "gzip" {
		t.Errorf("compression = %q, want gzip", p.otlpConf.compression)
	}
}

func TestResolveResourceAttributes(t *testing.T) {
	t.Parallel()
	p, err := resolve(lookup(map[string]string{
		EnvResourceAttributes: "deployment.environment=staging, service.version = 1.2.3,team=a%2Cb",
		EnvServiceName:        "dj-bot",
	}))
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	want := []attribute.KeyValue{
		attribute.String("deployment.environment", "staging"),
		attribute.String("service.version", "1.2.3"),
		attribute.String("team", "a,b"),
	}
	if len(p.resource) != len(want) {
		t.Fatalf("resource = %v, want %v", p.resource, want)
	}
	for i := range want {
		if p.resource[i] != want[i] {
			t.Errorf("resource[%d] = %v, want %v", i, p.resource[i], want[i])
		}
	}
	if p.service != "dj-bot" {
		t.Errorf("service = %q, want dj-bot", p.service)
	}
}

func TestResolveRejectsBadValues(t *testing.T) {
	t.Parallel()
	const secret = "fake-secret-value"
	tests := []struct {
		name     string
		vars     map[string]string
		variable string
	}{
		{"disabled not a bool", map[string]string{EnvSDKDisabled: "yes please"}, EnvSDKDisabled},
		{"unknown exporter", map[string]string{EnvTracesExporter: "jaeger"}, EnvTracesExporter},
		{"deprecated logging exporter", map[string]string{EnvTracesExporter: "logging"}, EnvTracesExporter},
		{"none combined", map[string]string{EnvTracesExporter: "none,otlp"}, EnvTracesExporter},
		{"unknown sampler", map[string]string{EnvTracesSampler: "jaeger_remote"}, EnvTracesSampler},
		{"ratio not a number", map[string]string{EnvTracesSampler: "traceidratio", EnvTracesSamplerArg: "half"}, EnvTracesSamplerArg},
		{"ratio above 1", map[string]string{EnvTracesSamplerArg: "1.5"}, EnvTracesSamplerArg},
		{"ratio below 0", map[string]string{EnvTracesSampler: "parentbased_traceidratio", EnvTracesSamplerArg: "-0.1"}, EnvTracesSamplerArg},
		{"unknown protocol", map[string]string{EnvTracesExporter: "otlp", EnvOTLPProtocol: "thrift"}, EnvOTLPProtocol},
		{"unknown traces protocol", map[string]string{EnvTracesExporter: "otlp", EnvOTLPTracesProtocol: "udp"}, EnvOTLPTracesProtocol},
		{"endpoint without scheme", map[string]string{EnvTracesExporter: "otlp", EnvOTLPEndpoint: "collector:4318"}, EnvOTLPEndpoint},
		{"endpoint with other scheme", map[string]string{EnvTracesExporter: "otlp", EnvOTLPEndpoint: "ftp://collector"}, EnvOTLPEndpoint},
		{"endpoint without host", map[string]string{EnvTracesExporter: "otlp", EnvOTLPTracesEndpoint: "http:///v1/traces"}, EnvOTLPTracesEndpoint},
		{"endpoint unparsable", map[string]string{EnvTracesExporter: "otlp", EnvOTLPEndpoint: "http://" + secret + "@[::1"}, EnvOTLPEndpoint},
		{"endpoint with password", map[string]string{EnvOTLPEndpoint: "ftp://u:" + secret + "@c"}, EnvOTLPEndpoint},
		{"header without value", map[string]string{EnvTracesExporter: "otlp", EnvOTLPHeaders: "api-key:" + secret}, EnvOTLPHeaders},
		{"header bad name", map[string]string{EnvTracesExporter: "otlp", EnvOTLPTracesHeaders: "api key=" + secret}, EnvOTLPTracesHeaders},
		{"header bad escape", map[string]string{EnvTracesExporter: "otlp", EnvOTLPHeaders: "k=" + secret + "%zz"}, EnvOTLPHeaders},
		{"header line break", map[string]string{EnvTracesExporter: "otlp", EnvOTLPHeaders: "k=" + secret + "%0Ax:y"}, EnvOTLPHeaders},
		{"timeout not a number", map[string]string{EnvTracesExporter: "otlp", EnvOTLPTimeout: "10s"}, EnvOTLPTimeout},
		{"timeout zero", map[string]string{EnvTracesExporter: "otlp", EnvOTLPTracesTimeout: "0"}, EnvOTLPTracesTimeout},
		{"timeout too long", map[string]string{EnvTracesExporter: "otlp", EnvOTLPTimeout: "3600001"}, EnvOTLPTimeout},
		{"compression unknown", map[string]string{EnvTracesExporter: "otlp", EnvOTLPCompression: "brotli"}, EnvOTLPCompression},
		{"resource attribute without value", map[string]string{EnvResourceAttributes: "team"}, EnvResourceAttributes},
		{"resource attribute empty key", map[string]string{EnvResourceAttributes: "=x"}, EnvResourceAttributes},
		{"resource attribute bad escape", map[string]string{EnvResourceAttributes: "team=%GG"}, EnvResourceAttributes},
		{"resource attribute bad UTF-8", map[string]string{EnvResourceAttributes: "team=%FF"}, EnvResourceAttributes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := resolve(lookup(tt.vars))
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("resolve(%q) error = %v, want ErrInvalidConfig", tt.vars, err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Variable != tt.variable {
				t.Errorf("resolve(%q) error = %v, want a *ConfigError for %s", tt.vars, err, tt.variable)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{"a=b", "a=b,c=d%20e", ",,", "a", "=", "a=%zz", "k=v%0D%0A", "a b=c", "\xff=\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHeaders(s)
		if err != nil {
			return
		}
		for k, v := range h {
			if !validHeaderName(k) {
				t.Fatalf("parseHeaders(%q) accepted header name %q", s, k)
			}
			if strings.ContainsAny(v, "\r\n\x00") {
				t.Fatalf("parseHeaders(%q) accepted value %q", s, v)
			}
		}
	})
}

func FuzzParseResourceAttributes(f *testing.F) {
	for _, s := range []string{"a=b", "service.name=x,deployment.environment=prod", "a=%2C", "a", "a=%", "\xff=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		attrs, err := parseResourceAttributes(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("parseResourceAttributes(%q) error %v does not match ErrInvalidConfig", s, err)
			}
			return
		}
		for _, a := range attrs {
			if a.Key == "" || !a.Valid() {
				t.Fatalf("parseResourceAttributes(%q) produced attribute %v", s, a)
			}
		}
	})
}

func FuzzResolve(f *testing.F) {
	f.Add("otlp", "grpc", "http://c:4317", "k=v", "500", "traceidratio", "0.5")
	f.Add("console,otlp", "http/json", "https://c/x/", "", "", "", "")
	f.Add("none", "", "", "", "", "always_off", "")
	f.Add("x", "y", "::", "=", "-1", "z", "2")
	f.Fuzz(func(t *testing.T, exporter, protocol, endpoint, headers, timeout, sampler, arg string) {
		vars := map[string]string{
			EnvTracesExporter: exporter, EnvOTLPProtocol: protocol, EnvOTLPEndpoint: endpoint,
			EnvOTLPHeaders: headers, EnvOTLPTimeout: timeout, EnvTracesSampler: sampler, EnvTracesSamplerArg: arg,
		}
		p, err := resolve(lookup(vars))
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("resolve error %v does not match ErrInvalidConfig", err)
			}
			var ce *ConfigError
			if errors.As(err, &ce) && ce.Variable == EnvOTLPHeaders && (ce.Value != "" || strings.Contains(err.Error(), headers)) {
				t.Fatalf("error %q shows the headers", err)
			}
			return
		}
		if p.sampler == nil {
			t.Fatal("resolve succeeded without a sampler")
		}
		if p.otlp && p.otlpConf.endpoint == "" {
			t.Fatal("resolve chose OTLP without an endpoint")
		}
	})
}
