package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tunekit/tracing"
)

// envVar is one environment variable fullbot reads. The table [vars] is
// the only list of them: -h prints it, -env-markdown prints it for
// DEPLOYMENT.md, and the tests check that the loader reads exactly these.
type envVar struct {
	Name     string
	Group    string
	Default  string // what an unset variable means, as shown to the operator
	Required bool
	Secret   bool // never printed, logged or echoed in an error
	TestOnly bool // for tests against a stand-in Discord; leave unset in production
	Usage    string
}

// Groups of variables, in the order -h prints them.
const (
	groupDiscord  = "Discord"
	groupLavalink = "Lavalink"
	groupStorage  = "Storage"
	groupOps      = "Metrics and logs"
	groupAlerts   = "Alerts"
	groupTracing  = "Tracing (OpenTelemetry; read by the tracing package)"
	groupTesting  = "Testing"
)

// Names of the variables fullbot itself reads.
const (
	envToken            = "DISCORD_TOKEN"
	envDevGuild         = "DEV_GUILD_ID"
	envShards           = "SHARDS"
	envShardIDs         = "SHARD_IDS"
	envLavalinkNodes    = "LAVALINK_NODES"
	envLavalinkAddress  = "LAVALINK_ADDRESS"
	envLavalinkPassword = "LAVALINK_PASSWORD"
	envLavalinkSecure   = "LAVALINK_SECURE"
	envRedisURL         = "REDIS_URL"
	envDataDir          = "DATA_DIR"
	envMetricsAddr      = "METRICS_ADDR"
	envAdminToken       = "ADMIN_TOKEN"
	envLogLevel         = "LOG_LEVEL"
	envLogFormat        = "LOG_FORMAT"
	envSlackWebhook     = "ALERT_SLACK_WEBHOOK"
	envSMTPAddr         = "ALERT_SMTP_ADDR"
	envSMTPUsername     = "ALERT_SMTP_USERNAME"
	envSMTPPassword     = "ALERT_SMTP_PASSWORD"
	envEmailFrom        = "ALERT_EMAIL_FROM"
	envEmailTo          = "ALERT_EMAIL_TO"
	envDiscordAPIURL    = "DISCORD_API_URL"
	envDiscordGateway   = "DISCORD_GATEWAY_URL"
)

// Defaults of the variables that have one.
const (
	defaultDataDir     = "./data"
	defaultMetricsAddr = ":9090"
	defaultShards      = "1"
	defaultAPIURL      = "https://discord.com/api/v10"
)

// vars lists every variable, grouped, in the order -h prints them.
var vars = []envVar{
	{Name: envToken, Group: groupDiscord, Required: true, Secret: true,
		Usage: "The bot token (Discord developer portal, Bot, Reset Token)."},
	{Name: envDevGuild, Group: groupDiscord, Default: "unset: global commands",
		Usage: "Register the slash commands in this guild only, where they appear at once; global commands take up to an hour to appear."},
	{Name: envShards, Group: groupDiscord, Default: defaultShards,
		Usage: "Gateway shards: 1 is one connection without sharding (enough below 2,500 guilds), N runs N shards, auto runs the count Discord recommends."},
	{Name: envShardIDs, Group: groupDiscord, Default: "unset: every shard",
		Usage: "The shards this process runs, such as 0-3 or 0,2,4, with SHARDS=N: give each process of a fleet its own share and one REDIS_URL."},

	{Name: envLavalinkNodes, Group: groupLavalink, Secret: true, Default: "unset: LAVALINK_ADDRESS",
		Usage: "Lavalink nodes, name=host:port,password[,tls] separated by ';', such as main=localhost:2333,youshallnotpass;backup=10.0.0.2:2333,youshallnotpass,tls. A password holding ',' or ';' needs LAVALINK_ADDRESS."},
	{Name: envLavalinkAddress, Group: groupLavalink, Default: "unset: LAVALINK_NODES",
		Usage: "One Lavalink node's host:port (named main), instead of LAVALINK_NODES."},
	{Name: envLavalinkPassword, Group: groupLavalink, Secret: true, Default: "required with LAVALINK_ADDRESS",
		Usage: "That node's password (lavalink.server.password)."},
	{Name: envLavalinkSecure, Group: groupLavalink, Default: "false",
		Usage: "Connect to that node with TLS (https and wss)."},

	{Name: envRedisURL, Group: groupStorage, Secret: true, Default: "unset: in-memory rate limits and a file store",
		Usage: "Redis for rate limits, guild settings and sessions, shared by every process: redis://[user:password@]host:port[/db], or rediss:// for TLS."},
	{Name: envDataDir, Group: groupStorage, Default: defaultDataDir,
		Usage: "Directory of the embedded file store (tunekit.db) used without REDIS_URL; created when missing."},

	{Name: envMetricsAddr, Group: groupOps, Default: defaultMetricsAddr,
		Usage: "Listen address of /metrics (Prometheus), /healthz (alive) and /readyz (gateway connected and a Lavalink node up; lists each node and whether it drains)."},
	{Name: envAdminToken, Group: groupOps, Secret: true, Default: "unset: no admin routes",
		Usage: "Bearer token of the admin routes on METRICS_ADDR, at least 16 characters: POST /admin/nodes/{name}/drain[?wait=5m] moves every player off a Lavalink node and places no new ones there (for a rolling upgrade; 200 once empty, 202 while players remain), POST /admin/nodes/{name}/undrain takes it back."},
	{Name: envLogLevel, Group: groupOps, Default: "info",
		Usage: "debug, info, warn or error. Secrets are masked at every level."},
	{Name: envLogFormat, Group: groupOps, Default: "text",
		Usage: "text or json, on standard error."},

	{Name: envSlackWebhook, Group: groupAlerts, Secret: true, Default: "unset: no Slack alerts",
		Usage: "Slack incoming-webhook URL (https) for the default alert rules."},
	{Name: envSMTPAddr, Group: groupAlerts, Default: "unset: no alert email",
		Usage: "SMTP server host:port for alert email (STARTTLS when offered)."},
	{Name: envSMTPUsername, Group: groupAlerts, Default: "unset: no authentication",
		Usage: "SMTP user name (PLAIN authentication)."},
	{Name: envSMTPPassword, Group: groupAlerts, Secret: true, Default: "unset",
		Usage: "SMTP password."},
	{Name: envEmailFrom, Group: groupAlerts, Default: "required with ALERT_SMTP_ADDR",
		Usage: "Sender address of alert email."},
	{Name: envEmailTo, Group: groupAlerts, Default: "required with ALERT_SMTP_ADDR",
		Usage: "Recipients of alert email, comma-separated."},

	{Name: tracing.EnvTracesExporter, Group: groupTracing, Default: "unset: otlp if an endpoint is set, else none",
		Usage: "otlp, console or none (comma-separated)."},
	{Name: tracing.EnvOTLPEndpoint, Group: groupTracing, Default: "http://localhost:4318 (4317 for grpc)",
		Usage: "OTLP collector base URL; /v1/traces is appended for HTTP."},
	{Name: tracing.EnvOTLPTracesEndpoint, Group: groupTracing, Default: "unset",
		Usage: "OTLP traces URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT."},
	{Name: tracing.EnvOTLPProtocol, Group: groupTracing, Default: "http/protobuf",
		Usage: "http/protobuf, http/json or grpc."},
	{Name: tracing.EnvOTLPTracesProtocol, Group: groupTracing, Default: "unset",
		Usage: "As OTEL_EXPORTER_OTLP_PROTOCOL, for traces; wins over it."},
	{Name: tracing.EnvOTLPHeaders, Group: groupTracing, Secret: true, Default: "unset",
		Usage: "Request headers as key=value,key=value (API keys)."},
	{Name: tracing.EnvOTLPTracesHeaders, Group: groupTracing, Secret: true, Default: "unset",
		Usage: "As OTEL_EXPORTER_OTLP_HEADERS, for traces; wins over it."},
	{Name: tracing.EnvOTLPTimeout, Group: groupTracing, Default: "10000",
		Usage: "Export timeout in milliseconds."},
	{Name: tracing.EnvOTLPTracesTimeout, Group: groupTracing, Default: "unset",
		Usage: "As OTEL_EXPORTER_OTLP_TIMEOUT, for traces; wins over it."},
	{Name: tracing.EnvOTLPCompression, Group: groupTracing, Default: "none",
		Usage: "gzip or none."},
	{Name: tracing.EnvOTLPTracesCompression, Group: groupTracing, Default: "unset",
		Usage: "As OTEL_EXPORTER_OTLP_COMPRESSION, for traces; wins over it."},
	{Name: tracing.EnvTracesSampler, Group: groupTracing, Default: "parentbased_traceidratio",
		Usage: "always_on, always_off, traceidratio or parentbased_ with always_on, always_off or traceidratio."},
	{Name: tracing.EnvTracesSamplerArg, Group: groupTracing, Default: "1",
		Usage: "Sampling ratio in [0, 1] for the traceidratio samplers."},
	{Name: tracing.EnvServiceName, Group: groupTracing, Default: tracing.DefaultServiceName,
		Usage: "service.name of the spans."},
	{Name: tracing.EnvResourceAttributes, Group: groupTracing, Default: "unset",
		Usage: "More resource attributes, key=value,key=value."},
	{Name: tracing.EnvSDKDisabled, Group: groupTracing, Default: "false",
		Usage: "true turns tracing off."},

	{Name: envDiscordAPIURL, Group: groupTesting, TestOnly: true, Default: defaultAPIURL,
		Usage: "Discord REST base URL. For tests against a stand-in Discord (music/discordtest); the gateway URL is then asked from it."},
	{Name: envDiscordGateway, Group: groupTesting, TestOnly: true, Default: "unset: from GET /gateway",
		Usage: "Gateway websocket URL, overriding the one the REST API reports."},
}

// lookupVar returns the table entry of name.
func lookupVar(name string) (envVar, bool) {
	for _, v := range vars {
		if v.Name == name {
			return v, true
		}
	}
	return envVar{}, false
}

// helpWidth is the terminal width -h is laid out for: no line of the
// variable list is longer, unless a single word is.
const helpWidth = 100

// helpIndent starts each line of a variable's description, under its name.
const helpIndent = "      "

// writeHelp prints the usage and every variable with its default, for -h:
// per group, a line of name and default, the name column as wide as the
// group's longest name, then the description wrapped beneath.
func writeHelp(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`Usage: fullbot [-h] [-env-markdown]

fullbot is tunekit's complete music bot. It is configured by the
environment; with a bad or missing value it lists every problem and exits
with status 2. SIGINT or SIGTERM shut it down gracefully (at most 10 s).

  -h             print this help
  -env-markdown  print the variables as a Markdown table
`)
	for i := 0; i < len(vars); {
		n := 1
		for i+n < len(vars) && vars[i+n].Group == vars[i].Group {
			n++
		}
		writeGroup(&b, vars[i:i+n])
		i += n
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeGroup prints one group of variables for -h.
func writeGroup(b *strings.Builder, group []envVar) {
	width := 0
	for _, v := range group {
		width = max(width, utf8.RuneCountInString(v.Name))
	}
	fmt.Fprintf(b, "\n%s\n", group[0].Group)
	for _, v := range group {
		fmt.Fprintf(b, "  %-*s  %s\n", width, v.Name, defaultText(v))
		for _, line := range wrap(usageText(v), helpWidth-len(helpIndent)) {
			b.WriteString(helpIndent + line + "\n")
		}
	}
}

// wrap breaks text at spaces into lines of at most width runes; a word
// longer than width gets a line of its own.
func wrap(text string, width int) []string {
	var lines []string
	line, n := "", 0
	for _, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		switch {
		case n == 0:
			line, n = word, wn
		case n+1+wn <= width:
			line, n = line+" "+word, n+1+wn
		default:
			lines = append(lines, line)
			line, n = word, wn
		}
	}
	if n > 0 {
		lines = append(lines, line)
	}
	return lines
}

// writeMarkdown prints the variables as a Markdown table, for
// DEPLOYMENT.md.
func writeMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Variable | Default | Description |\n|---|---|---|\n")
	for _, v := range vars {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, markdownEscape(defaultText(v)), markdownEscape(usageText(v)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// defaultText says what the variable is when unset.
func defaultText(v envVar) string {
	switch {
	case v.Required:
		return "required"
	case v.Default == "":
		return "unset"
	}
	return v.Default
}

// usageText is the variable's description with its secrecy and test-only
// status.
func usageText(v envVar) string {
	usage := v.Usage
	if v.Secret {
		usage += " Secret: never logged."
	}
	if v.TestOnly {
		usage = "Test only. " + usage
	}
	return usage
}

// markdownEscape keeps a cell inside its table column.
func markdownEscape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
