package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/secureheaders"
	"github.com/tunekit/tunekit/tracing"
)

// config is everything run needs, read from the environment by
// loadConfig. The zero hooks are production's.
type config struct {
	token       secureheaders.Secret
	devGuild    snowflake.ID // 0: register the commands globally
	shards      shardPlan
	nodes       []music.NodeConfig
	redis       *redis.Options // nil: no Redis
	dataDir     string
	metricsAddr string
	adminToken  secureheaders.Secret // zero: no admin routes
	logLevel    slog.Level
	logJSON     bool
	slack       secureheaders.Secret // zero: no Slack alerts
	email       *alerting.Email      // nil: no alert email
	apiURL      string               // "": Discord's
	gatewayURL  string               // "": as the REST API reports
	// lookup reads the environment; tracing.Setup reads OTEL_* through it.
	lookup func(string) (string, bool)
	// secrets are every credential of the configuration, which the log
	// handler masks.
	secrets []secureheaders.Secret
	hooks   hooks
}

// shardPlan is how the bot connects to the gateway.
type shardPlan struct {
	auto  bool  // as many shards as Discord recommends
	count int   // without auto: 1 is one connection without a shard manager
	ids   []int // the shards this process runs; nil for all
}

// maxShards bounds SHARDS; Discord's largest bots run a few thousand.
const maxShards = 1 << 16

// configError lists every problem found in the environment. Its text names
// variables and never holds a secret's value.
type configError struct {
	problems []string
}

func (e *configError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fullbot: the configuration has %d problem(s):", len(e.problems))
	for _, p := range e.problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	b.WriteString("\nRun fullbot -h to see every variable and its default.")
	return b.String()
}

// loadConfig reads the configuration through lookup (os.LookupEnv in
// main). It does no network or file I/O, and returns a *configError
// listing every problem at once.
func loadConfig(lookup func(string) (string, bool)) (config, error) {
	l := &loader{lookup: lookup}
	cfg := config{lookup: lookup}

	cfg.token = l.secret(envToken)
	switch {
	case cfg.token.IsZero():
		l.problem("%s is required: the bot token from the Discord developer portal", envToken)
	case !validToken(cfg.token.Reveal()):
		l.problem("%s is not a bot token (three dot-separated parts, the first the base64 of the application ID)", envToken)
	}
	if v := l.get(envDevGuild); v != "" {
		id, err := music.ParseID(v)
		if err != nil {
			l.problem("%s=%q is not a Discord guild ID", envDevGuild, v)
		}
		cfg.devGuild = id
	}
	cfg.shards = l.shards()
	cfg.nodes = l.nodes()
	cfg.redis = l.redis()
	cfg.dataDir = l.getDefault(envDataDir, defaultDataDir)

	cfg.metricsAddr = l.getDefault(envMetricsAddr, defaultMetricsAddr)
	if !validHostPort(cfg.metricsAddr, true) {
		l.problem("%s=%q is not a listen address such as :9090 or 127.0.0.1:9090", envMetricsAddr, cfg.metricsAddr)
	}
	cfg.adminToken = l.adminToken()
	if v := l.get(envLogLevel); v != "" {
		if err := cfg.logLevel.UnmarshalText([]byte(v)); err != nil {
			l.problem("%s=%q is not debug, info, warn or error", envLogLevel, v)
		}
	}
	switch v := strings.ToLower(l.get(envLogFormat)); v {
	case "", "text":
	case "json":
		cfg.logJSON = true
	default:
		l.problem("%s=%q is not text or json", envLogFormat, v)
	}

	cfg.slack = l.secret(envSlackWebhook)
	if !cfg.slack.IsZero() {
		if u, err := url.Parse(cfg.slack.Reveal()); err != nil || u.Scheme != "https" || u.Host == "" {
			l.problem("%s is not an https URL", envSlackWebhook)
		}
	}
	cfg.email = l.email()

	cfg.apiURL = l.get(envDiscordAPIURL)
	if cfg.apiURL != "" && !validURL(cfg.apiURL, "http", "https") {
		l.problem("%s=%q is not an http or https URL", envDiscordAPIURL, cfg.apiURL)
	}
	cfg.gatewayURL = l.get(envDiscordGateway)
	if cfg.gatewayURL != "" && !validURL(cfg.gatewayURL, "ws", "wss") {
		l.problem("%s=%q is not a ws or wss URL", envDiscordGateway, cfg.gatewayURL)
	}
	l.tracing()

	cfg.secrets = l.secrets
	if len(l.problems) > 0 {
		return config{}, &configError{problems: l.masked()}
	}
	return cfg, nil
}

// loader reads variables and collects problems and secrets.
type loader struct {
	lookup   func(string) (string, bool)
	problems []string
	secrets  []secureheaders.Secret
}

// get returns the variable's value without surrounding space.
func (l *loader) get(name string) string {
	v, _ := l.lookup(name)
	return strings.TrimSpace(v)
}

// getDefault returns the variable's value, or def when it is unset or
// empty.
func (l *loader) getDefault(name, def string) string {
	if v := l.get(name); v != "" {
		return v
	}
	return def
}

// secret returns the variable as a Secret and remembers it for masking.
func (l *loader) secret(name string) secureheaders.Secret {
	s := secureheaders.NewSecret(l.get(name))
	l.keep(s)
	return s
}

// keep remembers a credential for masking.
func (l *loader) keep(s secureheaders.Secret) {
	if !s.IsZero() {
		l.secrets = append(l.secrets, s)
	}
}

func (l *loader) problem(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// masked returns the problems with every secret masked. The messages are
// written not to hold values of secret variables; this is the second
// line of defence.
func (l *loader) masked() []string {
	out := make([]string, len(l.problems))
	for i, p := range l.problems {
		out[i] = mask(p, l.secrets)
	}
	return out
}

// bool reads a boolean variable, false when unset.
func (l *loader) bool(name string) bool {
	v := l.get(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.problem("%s=%q is not true or false", name, v)
	}
	return b
}

// adminToken reads ADMIN_TOKEN: at least minAdminToken characters of
// printable ASCII without spaces, so it fits an Authorization header and
// is not guessed.
func (l *loader) adminToken() secureheaders.Secret {
	token := l.secret(envAdminToken)
	if token.IsZero() {
		return token
	}
	v := token.Reveal()
	if len(v) < minAdminToken {
		l.problem("%s must be at least %d characters (openssl rand -hex 32 makes one)", envAdminToken, minAdminToken)
	}
	if strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		l.problem("%s must be printable ASCII without spaces", envAdminToken)
	}
	return token
}

func (l *loader) shards() shardPlan {
	p := shardPlan{count: 1}
	switch v := strings.ToLower(l.getDefault(envShards, defaultShards)); v {
	case "auto":
		p.auto = true
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxShards {
			l.problem("%s=%q is not auto or a shard count from 1 to %d", envShards, v, maxShards)
			return p
		}
		p.count = n
	}
	v := l.get(envShardIDs)
	if v == "" {
		return p
	}
	if p.auto || p.count < 2 {
		l.problem("%s needs %s set to a shard count above 1", envShardIDs, envShards)
		return p
	}
	ids, ok := parseShardIDs(v, p.count)
	if !ok {
		l.problem("%s=%q is not a list of shard IDs below %d such as 0-3 or 0,2,4", envShardIDs, v, p.count)
		return p
	}
	p.ids = ids
	return p
}

// parseShardIDs reads a comma-separated list of shard IDs and ranges
// (0-3), each below count, into sorted distinct IDs.
func parseShardIDs(s string, count int) ([]int, bool) {
	var ids []int
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		first, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, false
		}
		last := first
		if isRange {
			if last, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return nil, false
			}
		}
		if first < 0 || last < first || last >= count {
			return nil, false
		}
		for id := first; id <= last; id++ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), true
}

func (l *loader) nodes() []music.NodeConfig {
	list := l.secret(envLavalinkNodes)
	addr := l.get(envLavalinkAddress)
	password := l.secret(envLavalinkPassword)
	secure := l.bool(envLavalinkSecure)
	switch {
	case !list.IsZero() && addr != "":
		l.problem("set %s or %s, not both", envLavalinkNodes, envLavalinkAddress)
	case !list.IsZero():
		nodes, problems := parseNodes(list.Reveal())
		for _, p := range problems {
			l.problem("%s", p)
		}
		for _, n := range nodes {
			l.keep(n.Password)
		}
		if secure {
			l.problem("%s applies to %s only; add ,tls to the entries of %s", envLavalinkSecure, envLavalinkAddress, envLavalinkNodes)
		}
		return nodes
	case addr != "":
		if !validHostPort(addr, false) {
			l.problem("%s=%q is not host:port", envLavalinkAddress, addr)
		}
		if password.IsZero() {
			l.problem("%s is required with %s", envLavalinkPassword, envLavalinkAddress)
		}
		return []music.NodeConfig{{Name: "main", Address: addr, Password: password, Secure: secure}}
	default:
		l.problem("%s (or %s and %s) is required: the Lavalink nodes that play the audio", envLavalinkNodes, envLavalinkAddress, envLavalinkPassword)
	}
	return nil
}

// Reasons an entry of LAVALINK_NODES is refused. A problem is one of
// these with the entry's number, never the entry's text, which holds a
// password.
const (
	nodeNotNamed   = "not name=host:port,password[,tls]"
	nodeBadName    = "the name must be 1 to 32 letters, digits, '.', '_' or '-'"
	nodeDuplicate  = "the name is already used by an earlier entry"
	nodeFields     = "want host:port,password or host:port,password,tls after the name"
	nodeBadAddress = "the address is not host:port"
	nodeEmptyAuth  = "the password is empty"
	nodeBadFlag    = "the third field can only be tls"
	nodesEmpty     = "no node is listed"
)

// parseNodes reads LAVALINK_NODES: entries name=host:port,password[,tls]
// separated by ';'. Problems name the entry by number and a fixed reason.
func parseNodes(s string) ([]music.NodeConfig, []string) {
	var (
		nodes    []music.NodeConfig
		problems []string
	)
	entries := strings.Split(s, ";")
	for i, entry := range entries {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		fail := func(reason string) {
			problems = append(problems, fmt.Sprintf("%s entry %d: %s", envLavalinkNodes, i+1, reason))
		}
		name, rest, ok := strings.Cut(entry, "=")
		name = strings.TrimSpace(name)
		if !ok {
			fail(nodeNotNamed)
			continue
		}
		if !validNodeName(name) {
			fail(nodeBadName)
			continue
		}
		if slices.ContainsFunc(nodes, func(n music.NodeConfig) bool { return n.Name == name }) {
			fail(nodeDuplicate)
			continue
		}
		fields := strings.Split(rest, ",")
		if len(fields) < 2 || len(fields) > 3 {
			fail(nodeFields)
			continue
		}
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		n := music.NodeConfig{Name: name, Address: fields[0], Password: secureheaders.NewSecret(fields[1])}
		switch {
		case !validHostPort(n.Address, false):
			fail(nodeBadAddress)
		case n.Password.IsZero():
			fail(nodeEmptyAuth)
		case len(fields) == 3 && !strings.EqualFold(fields[2], "tls"):
			fail(nodeBadFlag)
		default:
			n.Secure = len(fields) == 3
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: %s", envLavalinkNodes, nodesEmpty))
	}
	return nodes, problems
}

func validNodeName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}

// validHostPort reports whether s is host:port with a port from 1 to
// 65535; a listen address may leave the host empty and use port 0.
func validHostPort(s string, listen bool) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || (host == "" && !listen) || strings.ContainsAny(host, " /") {
		return false
	}
	n, err := strconv.Atoi(port)
	lowest := 1
	if listen {
		lowest = 0
	}
	return err == nil && n >= lowest && n <= 65535
}

func validURL(s string, schemes ...string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && slices.Contains(schemes, u.Scheme)
}

// validToken reports whether s has the shape of a bot token: three
// non-empty dot-separated parts, the first the base64 of a decimal
// application ID (disgo reads the ID from it).
func validToken(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return false
	}
	first := strings.TrimRight(parts[0], "=")
	raw, err := base64.RawStdEncoding.DecodeString(first)
	if err != nil {
		if raw, err = base64.RawURLEncoding.DecodeString(first); err != nil {
			return false
		}
	}
	id, err := strconv.ParseUint(string(raw), 10, 64)
	return err == nil && id != 0
}

// redis reads REDIS_URL. Commands honour their context's deadline, so the
// rate limiter's fail-safe can give up on a dead Redis quickly.
func (l *loader) redis() *redis.Options {
	raw := l.secret(envRedisURL)
	if raw.IsZero() {
		return nil
	}
	u, err := url.Parse(raw.Reveal())
	if err != nil {
		l.problem("%s is not a URL", envRedisURL)
		return nil
	}
	if pw, ok := u.User.Password(); ok {
		l.keep(secureheaders.NewSecret(pw))
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix" {
		l.problem("%s must start with redis://, rediss:// or unix://", envRedisURL)
		return nil
	}
	opts, err := redis.ParseURL(raw.Reveal())
	if err != nil {
		// go-redis names the part it could not use; masked() removes any
		// credential the message might quote.
		l.problem("%s: %s", envRedisURL, strings.TrimPrefix(err.Error(), "redis: "))
		return nil
	}
	opts.ContextTimeoutEnabled = true
	return opts
}

func (l *loader) email() *alerting.Email {
	addr := l.get(envSMTPAddr)
	user := l.get(envSMTPUsername)
	password := l.secret(envSMTPPassword)
	from := l.get(envEmailFrom)
	to := l.get(envEmailTo)
	if addr == "" {
		if user != "" || !password.IsZero() || from != "" || to != "" {
			l.problem("%s is required with the other ALERT_SMTP_* and ALERT_EMAIL_* variables", envSMTPAddr)
		}
		return nil
	}
	e := &alerting.Email{Addr: addr, Username: user, Password: password}
	if !validHostPort(addr, false) {
		l.problem("%s=%q is not host:port", envSMTPAddr, addr)
	}
	if a, err := mail.ParseAddress(from); err != nil {
		l.problem("%s is required with %s: one address such as bot@example.com", envEmailFrom, envSMTPAddr)
	} else {
		e.From = a.String()
	}
	list, err := mail.ParseAddressList(to)
	if err != nil {
		l.problem("%s is required with %s: addresses separated by commas", envEmailTo, envSMTPAddr)
	}
	for _, a := range list {
		e.To = append(e.To, a.String())
	}
	return e
}

// tracing validates the OTEL_* variables as tracing.Setup will read them,
// by building the provider (exporters connect lazily, so nothing goes on
// the network) and shutting it down. The OTLP headers hold API keys.
func (l *loader) tracing() {
	for _, name := range []string{tracing.EnvOTLPHeaders, tracing.EnvOTLPTracesHeaders} {
		raw := l.secret(name)
		for pair := range strings.SplitSeq(raw.Reveal(), ",") {
			if _, v, ok := strings.Cut(pair, "="); ok {
				l.keep(secureheaders.NewSecret(strings.TrimSpace(v)))
			}
		}
	}
	tp, err := tracing.NewTracerProvider(context.Background(), tracing.WithLookupEnv(l.lookup))
	if err != nil {
		l.problem("%v", err)
		return
	}
	if tp != nil {
		_ = tp.Shutdown(context.Background())
	}
}
