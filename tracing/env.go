package tracing

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The environment variables [Setup] reads. The names and meanings are
// OpenTelemetry's (see the SDK environment variable specification).
const (
	EnvSDKDisabled           = "OTEL_SDK_DISABLED"
	EnvServiceName           = "OTEL_SERVICE_NAME"
	EnvResourceAttributes    = "OTEL_RESOURCE_ATTRIBUTES"
	EnvTracesExporter        = "OTEL_TRACES_EXPORTER"
	EnvTracesSampler         = "OTEL_TRACES_SAMPLER"
	EnvTracesSamplerArg      = "OTEL_TRACES_SAMPLER_ARG"
	EnvOTLPEndpoint          = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTLPTracesEndpoint    = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	EnvOTLPProtocol          = "OTEL_EXPORTER_OTLP_PROTOCOL"
	EnvOTLPTracesProtocol    = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	EnvOTLPHeaders           = "OTEL_EXPORTER_OTLP_HEADERS"
	EnvOTLPTracesHeaders     = "OTEL_EXPORTER_OTLP_TRACES_HEADERS"
	EnvOTLPTimeout           = "OTEL_EXPORTER_OTLP_TIMEOUT"
	EnvOTLPTracesTimeout     = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
	EnvOTLPCompression       = "OTEL_EXPORTER_OTLP_COMPRESSION"
	EnvOTLPTracesCompression = "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"
)

// ErrInvalidConfig is matched (errors.Is) by every [*ConfigError].
var ErrInvalidConfig = errors.New("tracing: invalid configuration")

// ConfigError reports an environment variable (or the option standing in
// for it) that [Setup] cannot use. Values that may hold credentials (OTLP
// headers, endpoint user info) are never included.
type ConfigError struct {
	Variable string // such as "OTEL_TRACES_SAMPLER"
	Value    string // the offending value, or "" when it may hold a secret
	Reason   string
}

// Error describes the refused setting.
func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("tracing: %s: %s", e.Variable, e.Reason)
	}
	return fmt.Sprintf("tracing: %s=%q: %s", e.Variable, e.Value, e.Reason)
}

// Is reports whether target is [ErrInvalidConfig].
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Exporter names of OTEL_TRACES_EXPORTER.
const (
	exporterOTLP    = "otlp"
	exporterConsole = "console"
	exporterNone    = "none"
)

// OTLP protocols of OTEL_EXPORTER_OTLP_PROTOCOL.
const (
	protocolGRPC         = "grpc"
	protocolHTTPProtobuf = "http/protobuf"
	protocolHTTPJSON     = "http/json"
)

// plan is what the environment asks for, validated.
type plan struct {
	disabled  bool
	otlp      bool
	console   bool
	sampler   sdktrace.Sampler
	resource  []attribute.KeyValue // from OTEL_RESOURCE_ATTRIBUTES, in order
	service   string               // OTEL_SERVICE_NAME, if set
	otlpConf  otlpConfig
	exporters []string // as given, for messages
}

// otlpConfig is the OTLP exporter configuration read from the environment.
type otlpConfig struct {
	protocol    string
	endpoint    string // full URL, with the traces path for HTTP
	headers     map[string]string
	timeout     time.Duration // 0: exporter default
	compression string        // "", "gzip" or "none"
}

// env reads variables through a lookup function; unset and empty are the
// same, as the specification asks.
type env func(string) (string, bool)

func (e env) get(name string) string {
	v, _ := e(name)
	return strings.TrimSpace(v)
}

// first returns the value of the first set variable and its name.
func (e env) first(names ...string) (value, name string) {
	for _, n := range names {
		if v := e.get(n); v != "" {
			return v, n
		}
	}
	return "", names[len(names)-1]
}

// resolve validates the environment into a plan.
func resolve(e env) (plan, error) {
	var p plan
	if v := e.get(EnvSDKDisabled); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return p, &ConfigError{Variable: EnvSDKDisabled, Value: v, Reason: "want true or false"}
		}
		if b {
			p.disabled = true
			return p, nil
		}
	}

	if err := p.readExporters(e); err != nil {
		return p, err
	}
	sampler, err := parseSampler(e.get(EnvTracesSampler), e.get(EnvTracesSamplerArg))
	if err != nil {
		return p, err
	}
	p.sampler = sampler
	if v := e.get(EnvResourceAttributes); v != "" {
		attrs, err := parseResourceAttributes(v)
		if err != nil {
			return p, err
		}
		p.resource = attrs
	}
	p.service = e.get(EnvServiceName)
	if p.otlp {
		conf, err := readOTLP(e)
		if err != nil {
			return p, err
		}
		p.otlpConf = conf
	}
	return p, nil
}

// readExporters reads OTEL_TRACES_EXPORTER. Unset, it selects OTLP when an
// OTLP endpoint is set and nothing otherwise: an embedded library must not
// start exporting to localhost because nobody configured it.
func (p *plan) readExporters(e env) error {
	v := e.get(EnvTracesExporter)
	if v == "" {
		if ep, _ := e.first(EnvOTLPTracesEndpoint, EnvOTLPEndpoint); ep != "" {
			p.otlp = true
			p.exporters = []string{exporterOTLP}
		}
		return nil
	}
	for _, name := range strings.Split(v, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case exporterOTLP:
			p.otlp = true
		case exporterConsole:
			p.console = true
		case exporterNone:
			if strings.Contains(v, ",") {
				return &ConfigError{Variable: EnvTracesExporter, Value: v, Reason: `"none" cannot be combined with other exporters`}
			}
		default:
			return &ConfigError{Variable: EnvTracesExporter, Value: v, Reason: `unsupported exporter; want otlp, console or none (comma-separated)`}
		}
		p.exporters = append(p.exporters, name)
	}
	return nil
}

// parseSampler builds the sampler of OTEL_TRACES_SAMPLER and its argument.
// The default is parentbased_traceidratio, with ratio arg (default 1).
func parseSampler(name, arg string) (sdktrace.Sampler, error) {
	ratio := func() (float64, error) {
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, &ConfigError{Variable: EnvTracesSamplerArg, Value: arg, Reason: "want a ratio between 0 and 1"}
		}
		return r, nil
	}
	switch strings.ToLower(name) {
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, err
		}
		return sdktrace.TraceIDRatioBased(r), nil
	case "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "", "parentbased_traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, err
		}
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)), nil
	}
	return nil, &ConfigError{Variable: EnvTracesSampler, Value: name, Reason: "unsupported sampler; want always_on, always_off, traceidratio or their parentbased_ forms"}
}

// readOTLP reads the OTLP exporter variables, the traces-specific one of
// each pair winning.
func readOTLP(e env) (otlpConfig, error) {
	var c otlpConfig
	proto, protoVar := e.first(EnvOTLPTracesProtocol, EnvOTLPProtocol)
	switch strings.ToLower(proto) {
	case "", protocolHTTPProtobuf:
		c.protocol = protocolHTTPProtobuf
	case protocolHTTPJSON:
		c.protocol = protocolHTTPJSON
	case protocolGRPC:
		c.protocol = protocolGRPC
	default:
		return c, &ConfigError{Variable: protoVar, Value: proto, Reason: "unsupported protocol; want grpc, http/protobuf or http/json"}
	}

	endpoint, err := otlpEndpoint(e, c.protocol)
	if err != nil {
		return c, err
	}
	c.endpoint = endpoint

	if v, name := e.first(EnvOTLPTracesHeaders, EnvOTLPHeaders); v != "" {
		h, err := parseHeaders(v)
		if err != nil {
			// The value holds API keys: say where, not what.
			return c, &ConfigError{Variable: name, Reason: err.Error()}
		}
		c.headers = h
	}
	if v, name := e.first(EnvOTLPTracesTimeout, EnvOTLPTimeout); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 || ms > int64(time.Hour/time.Millisecond) {
			return c, &ConfigError{Variable: name, Value: v, Reason: "want a timeout in milliseconds, 1 to 3600000"}
		}
		c.timeout = time.Duration(ms) * time.Millisecond
	}
	if v, name := e.first(EnvOTLPTracesCompression, EnvOTLPCompression); v != "" {
		switch strings.ToLower(v) {
		case "gzip", "none":
			c.compression = strings.ToLower(v)
		default:
			return c, &ConfigError{Variable: name, Value: v, Reason: "want gzip or none"}
		}
	}
	return c, nil
}

// otlpEndpoint returns the endpoint URL. The generic variable is a base URL
// to which HTTP exporters append /v1/traces; the traces variable is used as
// it is. Defaults: http://localhost:4318 (HTTP), http://localhost:4317 (gRPC).
func otlpEndpoint(e env, protocol string) (string, error) {
	raw, name := e.first(EnvOTLPTracesEndpoint, EnvOTLPEndpoint)
	if raw == "" {
		if protocol == protocolGRPC {
			return "http://localhost:4317", nil
		}
		return "http://localhost:4318/v1/traces", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		v := ""
		if err == nil {
			v = u.Redacted()
		}
		return "", &ConfigError{Variable: name, Value: v, Reason: "want an absolute http:// or https:// URL"}
	}
	if name == EnvOTLPEndpoint && protocol != protocolGRPC {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
		u.RawPath = ""
	}
	return u.String(), nil
}

// parseHeaders parses a W3C-baggage-like list: key1=value1,key2=value2,
// values percent-encoded. Used for OTLP headers.
func parseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	err := parseList(s, func(k, v string) error {
		if !validHeaderName(k) {
			return errors.New("header names must be HTTP tokens")
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return errors.New("header values must not contain line breaks or NUL")
		}
		out[k] = v
		return nil
	})
	return out, err
}

// parseResourceAttributes parses OTEL_RESOURCE_ATTRIBUTES into string
// attributes, keeping their order.
func parseResourceAttributes(s string) ([]attribute.KeyValue, error) {
	var out []attribute.KeyValue
	err := parseList(s, func(k, v string) error {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return errors.New("keys and values must be UTF-8")
		}
		out = append(out, attribute.String(k, v))
		return nil
	})
	if err != nil {
		return nil, &ConfigError{Variable: EnvResourceAttributes, Value: s, Reason: err.Error()}
	}
	return out, nil
}

// parseList splits a comma-separated key=value list, percent-decodes each
// value and calls add for each pair. Empty members are skipped.
func parseList(s string, add func(k, v string) error) error {
	for _, member := range strings.Split(s, ",") {
		if strings.TrimSpace(member) == "" {
			continue
		}
		k, v, ok := strings.Cut(member, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return errors.New("want key=value pairs separated by commas")
		}
		dec, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return errors.New("bad percent-encoding in a value")
		}
		if err := add(k, dec); err != nil {
			return err
		}
	}
	return nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || c <= ' ' || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
