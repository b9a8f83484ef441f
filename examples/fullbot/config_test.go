package main

import (
	"bytes"
	"errors"
	"log/slog"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/secureheaders"
)

// Test values look fake on purpose: the repository's secret scan passes
// them, and the tests look for them in output.
const (
	fakeToken      = "MTMwMDAwMDAwMDAwMDAwMDAwMQ.ZmFrZQ.fake-token-for-config-tests"
	fakeNodePass   = "fake-node-password-1"
	fakeRedisPass  = "fake-redis-password-2"
	fakeSlackHook  = "https://hooks.example.com/services/fake-slack-3"
	fakeSMTPPass   = "fake-smtp-password-4"
	fakeOTLPHeader = "fake-otlp-api-key-5"
	fakeAdminToken = "fake-admin-token-for-tests-6" // the log must never show it
)

// validEnv is a complete, valid environment.
func validEnv() map[string]string {
	return map[string]string{
		envToken:         fakeToken,
		envLavalinkNodes: "main=localhost:2333," + fakeNodePass + ";backup=10.0.0.2:2334," + fakeNodePass + "-b,tls",
	}
}

func with(env map[string]string, kv ...string) map[string]string {
	out := maps.Clone(env)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(lookupIn(validEnv()))
	if err != nil {
		t.Fatalf("loadConfig(valid) = %v", err)
	}
	if cfg.token.Reveal() != fakeToken {
		t.Errorf("token not read")
	}
	want := []music.NodeConfig{
		{Name: "main", Address: "localhost:2333", Password: secureheaders.NewSecret(fakeNodePass)},
		{Name: "backup", Address: "10.0.0.2:2334", Password: secureheaders.NewSecret(fakeNodePass + "-b"), Secure: true},
	}
	if !slices.EqualFunc(cfg.nodes, want, func(a, b music.NodeConfig) bool {
		return a.Name == b.Name && a.Address == b.Address && a.Password.Equal(b.Password) && a.Secure == b.Secure
	}) {
		t.Errorf("nodes = %+v, want %+v", cfg.nodes, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"devGuild", cfg.devGuild.String(), "0"},
		{"shards", cfg.shards.String(), "1"},
		{"sharded", cfg.shards.sharded(), false},
		{"redis", cfg.redis == nil, true},
		{"dataDir", cfg.dataDir, defaultDataDir},
		{"metricsAddr", cfg.metricsAddr, defaultMetricsAddr},
		{"adminToken", cfg.adminToken.IsZero(), true},
		{"logLevel", cfg.logLevel, slog.LevelInfo},
		{"logJSON", cfg.logJSON, false},
		{"slack", cfg.slack.IsZero(), true},
		{"email", cfg.email == nil, true},
		{"apiURL", cfg.apiURL, ""},
		{"gatewayURL", cfg.gatewayURL, ""},
		{"secrets", len(cfg.secrets), 4}, // the token, LAVALINK_NODES and two passwords
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadConfigEverything(t *testing.T) {
	env := map[string]string{
		envToken:                     fakeToken,
		envDevGuild:                  "1300000000000000099",
		envShards:                    "16",
		envShardIDs:                  "4-7, 2,3",
		envLavalinkAddress:           "lavalink.internal:2333",
		envLavalinkPassword:          fakeNodePass,
		envLavalinkSecure:            "true",
		envRedisURL:                  "redis://bot:" + fakeRedisPass + "@redis.internal:6380/2",
		envDataDir:                   "/var/lib/fullbot",
		envMetricsAddr:               "127.0.0.1:9191",
		envAdminToken:                fakeAdminToken,
		envLogLevel:                  "DEBUG",
		envLogFormat:                 "JSON",
		envSlackWebhook:              fakeSlackHook,
		envSMTPAddr:                  "smtp.example.com:587",
		envSMTPUsername:              "alerts",
		envSMTPPassword:              fakeSMTPPass,
		envEmailFrom:                 "Bot <bot@example.com>",
		envEmailTo:                   "ops@example.com, Oncall <oncall@example.com>",
		envDiscordAPIURL:             "http://127.0.0.1:1234/api/v10",
		envDiscordGateway:            "ws://127.0.0.1:1235",
		"OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=" + fakeOTLPHeader,
		"OTEL_TRACES_SAMPLER":        "always_on",
	}
	cfg, err := loadConfig(lookupIn(env))
	if err != nil {
		t.Fatalf("loadConfig = %v", err)
	}
	if len(cfg.nodes) != 1 || cfg.nodes[0].Name != "main" || !cfg.nodes[0].Secure || cfg.nodes[0].Password.Reveal() != fakeNodePass {
		t.Errorf("nodes = %+v, want main over TLS", cfg.nodes)
	}
	if cfg.redis == nil || cfg.redis.Addr != "redis.internal:6380" || cfg.redis.DB != 2 || cfg.redis.Password != fakeRedisPass || !cfg.redis.ContextTimeoutEnabled {
		t.Errorf("redis = %+v", cfg.redis)
	}
	if cfg.email == nil || cfg.email.Addr != "smtp.example.com:587" || cfg.email.From != `"Bot" <bot@example.com>` ||
		!slices.Equal(cfg.email.To, []string{"<ops@example.com>", `"Oncall" <oncall@example.com>`}) || cfg.email.Password.Reveal() != fakeSMTPPass {
		t.Errorf("email = %+v", cfg.email)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"devGuild", cfg.devGuild.String(), "1300000000000000099"},
		{"shards", cfg.shards.String(), "[2 3 4 5 6 7] of 16"},
		{"shards run", slices.Equal(cfg.shards.run(), []int{2, 3, 4, 5, 6, 7}), true},
		{"dataDir", cfg.dataDir, "/var/lib/fullbot"},
		{"metricsAddr", cfg.metricsAddr, "127.0.0.1:9191"},
		{"adminToken", cfg.adminToken.Reveal(), fakeAdminToken},
		{"logLevel", cfg.logLevel, slog.LevelDebug},
		{"logJSON", cfg.logJSON, true},
		{"slack", cfg.slack.Reveal(), fakeSlackHook},
		{"apiURL", cfg.apiURL, "http://127.0.0.1:1234/api/v10"},
		{"gatewayURL", cfg.gatewayURL, "ws://127.0.0.1:1235"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Every credential is registered for masking.
	for _, s := range []string{fakeToken, fakeNodePass, fakeRedisPass, fakeSlackHook, fakeSMTPPass, fakeOTLPHeader, fakeAdminToken} {
		if !slices.ContainsFunc(cfg.secrets, func(x secureheaders.Secret) bool { return x.Reveal() == s }) {
			t.Errorf("secret %q is not registered for masking", s)
		}
	}
}

func TestLoadConfigProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string // each must be a problem; no other problem may appear
	}{
		{"empty", map[string]string{}, []string{
			"DISCORD_TOKEN is required",
			"LAVALINK_NODES (or LAVALINK_ADDRESS and LAVALINK_PASSWORD) is required",
		}},
		{"malformed token", with(validEnv(), envToken, "not-a-token"), []string{"DISCORD_TOKEN is not a bot token"}},
		{"token with a zero ID", with(validEnv(), envToken, "MA.b.c"), []string{"DISCORD_TOKEN is not a bot token"}},
		{"both node forms", with(validEnv(), envLavalinkAddress, "localhost:2333"), []string{"set LAVALINK_NODES or LAVALINK_ADDRESS, not both"}},
		{"address without password", with(map[string]string{envToken: fakeToken}, envLavalinkAddress, "localhost:2333"), []string{"LAVALINK_PASSWORD is required with LAVALINK_ADDRESS"}},
		{"bad address", with(map[string]string{envToken: fakeToken}, envLavalinkAddress, "localhost", envLavalinkPassword, fakeNodePass), []string{`LAVALINK_ADDRESS="localhost" is not host:port`}},
		{"secure with nodes", with(validEnv(), envLavalinkSecure, "true"), []string{"LAVALINK_SECURE applies to LAVALINK_ADDRESS only"}},
		{"secure not a bool", with(map[string]string{envToken: fakeToken}, envLavalinkAddress, "h:1", envLavalinkPassword, fakeNodePass, envLavalinkSecure, "maybe"), []string{`LAVALINK_SECURE="maybe" is not true or false`}},
		{"bad node entry", with(validEnv(), envLavalinkNodes, "main=localhost:2333"), []string{"LAVALINK_NODES entry 1: " + nodeFields}},
		{"bad guild", with(validEnv(), envDevGuild, "guild"), []string{`DEV_GUILD_ID="guild" is not a Discord guild ID`}},
		{"bad shards", with(validEnv(), envShards, "0"), []string{`SHARDS="0" is not auto or a shard count`}},
		{"too many shards", with(validEnv(), envShards, "70000"), []string{`SHARDS="70000" is not auto or a shard count`}},
		{"shard IDs without shards", with(validEnv(), envShardIDs, "0"), []string{"SHARD_IDS needs SHARDS set to a shard count above 1"}},
		{"shard IDs with auto", with(validEnv(), envShards, "auto", envShardIDs, "0"), []string{"SHARD_IDS needs SHARDS"}},
		{"shard ID too high", with(validEnv(), envShards, "4", envShardIDs, "2-4"), []string{`SHARD_IDS="2-4" is not a list of shard IDs below 4`}},
		{"redis scheme", with(validEnv(), envRedisURL, "http://u:"+fakeRedisPass+"@h:1"), []string{"REDIS_URL must start with redis://"}},
		{"redis not a URL", with(validEnv(), envRedisURL, "redis://u:"+fakeRedisPass+"@h:bad port"), []string{"REDIS_URL is not a URL"}},
		{"redis database", with(validEnv(), envRedisURL, "redis://u:"+fakeRedisPass+"@h:1/x"), []string{"REDIS_URL: "}},
		{"metrics address", with(validEnv(), envMetricsAddr, "9090"), []string{`METRICS_ADDR="9090" is not a listen address`}},
		{"admin token too short", with(validEnv(), envAdminToken, "fake-admin-7"), []string{"ADMIN_TOKEN must be at least 16 characters"}},
		{"admin token with a space", with(validEnv(), envAdminToken, "fake admin token for tests"), []string{"ADMIN_TOKEN must be printable ASCII without spaces"}},
		{"admin token not ASCII", with(validEnv(), envAdminToken, "fake-admin-token-é-tests"), []string{"ADMIN_TOKEN must be printable ASCII without spaces"}},
		{"log level", with(validEnv(), envLogLevel, "loud"), []string{`LOG_LEVEL="loud" is not debug, info, warn or error`}},
		{"log format", with(validEnv(), envLogFormat, "xml"), []string{`LOG_FORMAT="xml" is not text or json`}},
		{"slack not https", with(validEnv(), envSlackWebhook, "http://hooks.example.com/fake"), []string{"ALERT_SLACK_WEBHOOK is not an https URL"}},
		{"email without server", with(validEnv(), envEmailTo, "ops@example.com"), []string{"ALERT_SMTP_ADDR is required with the other"}},
		{"email incomplete", with(validEnv(), envSMTPAddr, "smtp.example.com"), []string{
			`ALERT_SMTP_ADDR="smtp.example.com" is not host:port`,
			"ALERT_EMAIL_FROM is required with ALERT_SMTP_ADDR",
			"ALERT_EMAIL_TO is required with ALERT_SMTP_ADDR",
		}},
		{"api URL", with(validEnv(), envDiscordAPIURL, "discord.test"), []string{`DISCORD_API_URL="discord.test" is not an http or https URL`}},
		{"gateway URL", with(validEnv(), envDiscordGateway, "http://127.0.0.1:1"), []string{`DISCORD_GATEWAY_URL="http://127.0.0.1:1" is not a ws or wss URL`}},
		{"tracing", with(validEnv(), "OTEL_TRACES_SAMPLER", "sometimes"), []string{"OTEL_TRACES_SAMPLER"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(lookupIn(tc.env))
			var ce *configError
			if !errors.As(err, &ce) {
				t.Fatalf("loadConfig = %v, want a *configError", err)
			}
			if len(ce.problems) != len(tc.want) {
				t.Errorf("problems = %q, want %d", ce.problems, len(tc.want))
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(ce.problems, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("problems = %q, want one containing %q", ce.problems, w)
				}
			}
			for _, secret := range []string{fakeToken, fakeNodePass, fakeRedisPass, fakeSMTPPass} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the message shows %q:\n%s", secret, err)
				}
			}
		})
	}
}

func TestConfigErrorListsEveryProblem(t *testing.T) {
	err := &configError{problems: []string{"A is wrong", "B is wrong"}}
	want := "fullbot: the configuration has 2 problem(s):\n  - A is wrong\n  - B is wrong\nRun fullbot -h to see every variable and its default."
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

// TestConfigMasksSecretsInProblems: a problem quoting a value that is
// also a secret (a password pasted into the wrong variable) shows the
// mask instead.
func TestConfigMasksSecretsInProblems(t *testing.T) {
	env := with(map[string]string{envToken: fakeToken}, envLavalinkAddress, "h:1", envLavalinkPassword, fakeNodePass, envLogLevel, fakeNodePass)
	_, err := loadConfig(lookupIn(env))
	if err == nil || strings.Contains(err.Error(), fakeNodePass) || !strings.Contains(err.Error(), `LOG_LEVEL="[REDACTED]"`) {
		t.Errorf("loadConfig = %v, want LOG_LEVEL's value masked", err)
	}
}

// TestVariablesAreTheTable: loadConfig reads exactly the variables of
// the table (and tracing.Setup reads its OTEL_* ones through the same
// lookup), so -h and DEPLOYMENT.md cannot miss one.
func TestVariablesAreTheTable(t *testing.T) {
	env := map[string]string{
		envToken: fakeToken, envDevGuild: "1", envShards: "4", envShardIDs: "0",
		envLavalinkNodes: "a=h:1," + fakeNodePass, envRedisURL: "redis://h:1",
		envDataDir: "d", envMetricsAddr: ":1", envAdminToken: fakeAdminToken, envLogLevel: "info", envLogFormat: "text",
		envSlackWebhook: fakeSlackHook, envSMTPAddr: "h:25", envSMTPUsername: "u", envSMTPPassword: fakeSMTPPass,
		envEmailFrom: "a@example.com", envEmailTo: "b@example.com",
		envDiscordAPIURL: "http://h", envDiscordGateway: "ws://h",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318",
	}
	read := map[string]bool{}
	if _, err := loadConfig(func(name string) (string, bool) {
		read[name] = true
		v, ok := env[name]
		return v, ok
	}); err != nil {
		t.Fatal(err)
	}
	// LAVALINK_ADDRESS's node form is read in another configuration.
	if _, err := loadConfig(func(name string) (string, bool) {
		read[name] = true
		v, ok := with(env, envLavalinkNodes, "", envLavalinkAddress, "h:1", envLavalinkPassword, fakeNodePass)[name]
		return v, ok
	}); err != nil {
		t.Fatal(err)
	}
	for name := range read {
		if _, ok := lookupVar(name); !ok {
			t.Errorf("loadConfig reads %s, which the variable table lacks", name)
		}
	}
	for _, v := range vars {
		if !read[v.Name] {
			t.Errorf("the table lists %s, which loadConfig never reads", v.Name)
		}
	}
}

func TestParseNodes(t *testing.T) {
	for _, tc := range []struct {
		in       string
		names    []string
		problems []string
	}{
		{"a=h:1,p", []string{"a"}, nil},
		{" a = h:1 , p , TLS ; b=h:2,q; ", []string{"a", "b"}, nil},
		{"", nil, []string{"LAVALINK_NODES: " + nodesEmpty}},
		{";;", nil, []string{"LAVALINK_NODES: " + nodesEmpty}},
		{"h:1,p", nil, []string{"LAVALINK_NODES entry 1: " + nodeNotNamed}},
		{"a b=h:1,p", nil, []string{"LAVALINK_NODES entry 1: " + nodeBadName}},
		{strings.Repeat("n", 33) + "=h:1,p", nil, []string{"LAVALINK_NODES entry 1: " + nodeBadName}},
		{"a=h:1,p;a=h:2,q", []string{"a"}, []string{"LAVALINK_NODES entry 2: " + nodeDuplicate}},
		{"a=h:1", nil, []string{"LAVALINK_NODES entry 1: " + nodeFields}},
		{"a=h:1,p,tls,x", nil, []string{"LAVALINK_NODES entry 1: " + nodeFields}},
		{"a=h,p", nil, []string{"LAVALINK_NODES entry 1: " + nodeBadAddress}},
		{"a=h:0,p", nil, []string{"LAVALINK_NODES entry 1: " + nodeBadAddress}},
		{"a=:1,p", nil, []string{"LAVALINK_NODES entry 1: " + nodeBadAddress}},
		{"a=h:1, ", nil, []string{"LAVALINK_NODES entry 1: " + nodeEmptyAuth}},
		{"a=h:1,p,ssl", nil, []string{"LAVALINK_NODES entry 1: " + nodeBadFlag}},
	} {
		nodes, problems := parseNodes(tc.in)
		var names []string
		for _, n := range nodes {
			names = append(names, n.Name)
		}
		if !slices.Equal(names, tc.names) || !slices.Equal(problems, tc.problems) {
			t.Errorf("parseNodes(%q) = %v, %q; want %v, %q", tc.in, names, problems, tc.names, tc.problems)
		}
	}
}

// nodeProblem matches every problem parseNodes can report: a fixed
// reason, never text from the input.
var nodeProblem = regexp.MustCompile(`^LAVALINK_NODES(?: entry \d+)?: (` + strings.Join([]string{
	regexp.QuoteMeta(nodeNotNamed), regexp.QuoteMeta(nodeBadName), regexp.QuoteMeta(nodeDuplicate),
	regexp.QuoteMeta(nodeFields), regexp.QuoteMeta(nodeBadAddress), regexp.QuoteMeta(nodeEmptyAuth),
	regexp.QuoteMeta(nodeBadFlag), regexp.QuoteMeta(nodesEmpty),
}, "|") + `)$`)

// FuzzParseNodes: LAVALINK_NODES never panics the parser, and what it
// reports never quotes the input, which holds passwords.
func FuzzParseNodes(f *testing.F) {
	for _, s := range []string{
		"main=localhost:2333,youshallnotpass",
		"main=localhost:2333,fake-pass;backup=10.0.0.2:2333,fake-pass-2,tls",
		"a=h:1,p,ssl", "a=h,p", ";;=,;", "a=b=c,d,e", "\x00=\xff:1,\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nodes, problems := parseNodes(s)
		if len(nodes) == 0 && len(problems) == 0 {
			t.Fatalf("parseNodes(%q) found neither nodes nor problems", s)
		}
		for _, p := range problems {
			if !nodeProblem.MatchString(p) {
				t.Errorf("parseNodes(%q) problem %q is not a fixed reason", s, p)
			}
		}
		names := map[string]bool{}
		for _, n := range nodes {
			if names[n.Name] || !validNodeName(n.Name) || !validHostPort(n.Address, false) || n.Password.IsZero() {
				t.Errorf("parseNodes(%q) accepted %+v", s, n)
			}
			names[n.Name] = true
		}
	})
}

func TestParseShardIDs(t *testing.T) {
	for _, tc := range []struct {
		in    string
		count int
		want  []int
		ok    bool
	}{
		{"0", 2, []int{0}, true},
		{"3,0-1, 1", 4, []int{0, 1, 3}, true},
		{"0-3", 4, []int{0, 1, 2, 3}, true},
		{"4", 4, nil, false},
		{"-1", 4, nil, false},
		{"2-1", 4, nil, false},
		{"a", 4, nil, false},
		{"1-b", 4, nil, false},
		{"", 4, nil, false},
	} {
		got, ok := parseShardIDs(tc.in, tc.count)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("parseShardIDs(%q, %d) = %v, %v; want %v, %v", tc.in, tc.count, got, ok, tc.want, tc.ok)
		}
	}
}

func TestValidToken(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{fakeToken, true},
		{"MTMwMDAwMDAwMDAwMDAwMDAwMQ==.a.b", true},
		{"MTMwMDAwMDAwMDAwMDAwMDAwMQ.a", false},
		{"MTMwMDAwMDAwMDAwMDAwMDAwMQ..b", false},
		{"bm90LWEtbnVtYmVy.a.b", false}, // "not-a-number"
		{"!!!.a.b", false},
		{"", false},
	} {
		if got := validToken(tc.in); got != tc.want {
			t.Errorf("validToken(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestShardPlan(t *testing.T) {
	for _, tc := range []struct {
		plan    shardPlan
		sharded bool
		run     []int
		text    string
	}{
		{shardPlan{count: 1}, false, []int{0}, "1"},
		{shardPlan{count: 3}, true, []int{0, 1, 2}, "3"},
		{shardPlan{count: 4, ids: []int{1, 3}}, true, []int{1, 3}, "[1 3] of 4"},
		{shardPlan{auto: true}, true, []int{}, "auto"},
	} {
		if tc.plan.sharded() != tc.sharded || !slices.Equal(tc.plan.run(), tc.run) || tc.plan.String() != tc.text {
			t.Errorf("%+v: sharded %v, run %v, %q; want %v, %v, %q", tc.plan, tc.plan.sharded(), tc.plan.run(), tc.plan.String(), tc.sharded, tc.run, tc.text)
		}
	}
}

func TestShardPlanOwnsTheGuildsOfItsShards(t *testing.T) {
	if (shardPlan{count: 4}).owns() != nil || (shardPlan{auto: true}).owns() != nil {
		t.Error("a process running every shard must serve every guild (nil Owns)")
	}
	owns := shardPlan{count: 4, ids: []int{1, 3}}.owns()
	// Discord's formula: shard = (guild_id >> 22) % shard_count.
	for shard, want := range []bool{false, true, false, true} {
		g := snowflake.ID(uint64(8*4+shard)<<22 | 12345) // low bits do not matter
		if got := owns(g); got != want {
			t.Errorf("owns(guild on shard %d) = %v, want %v", shard, got, want)
		}
	}
	// A real-looking guild ID: 81384788774100992 >> 22 % 4 = shard 0.
	if owns(81384788774100992) {
		t.Error("owns(a guild of shard 0) = true")
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := cli([]string{"-h"}, lookupIn(nil), &out, &errOut); code != exitOK {
		t.Fatalf("cli(-h) = %d, want 0; stderr %q", code, errOut.String())
	}
	help := out.String()
	for _, v := range vars {
		line := ""
		for l := range strings.SplitSeq(help, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), v.Name+" ") {
				line = l
			}
		}
		if line == "" || !strings.Contains(line, defaultText(v)) {
			t.Errorf("-h has no line for %s with its default %q", v.Name, defaultText(v))
		}
	}
	for _, want := range []string{"Usage: fullbot", "DISCORD_TOKEN", "required", "Secret: never logged.", "Test only."} {
		if !strings.Contains(help, want) {
			t.Errorf("-h lacks %q", want)
		}
	}
}

// TestHelpLayout: -h fits a 100-column terminal with no trailing spaces;
// in each group the defaults start two spaces after the longest name, and
// every description is wrapped, whole, beneath its variable.
func TestHelpLayout(t *testing.T) {
	var out bytes.Buffer
	if code := cli([]string{"-h"}, lookupIn(nil), &out, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("cli(-h) = %d, want 0", code)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("-h line %d is %d columns, want at most 100: %q", i+1, n, l)
		}
		if strings.TrimRight(l, " \t") != l {
			t.Errorf("-h line %d has trailing white space: %q", i+1, l)
		}
	}

	longest := map[string]int{}
	for _, v := range vars {
		longest[v.Group] = max(longest[v.Group], len(v.Name))
	}
	for _, v := range vars {
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "  "+v.Name+" ") })
		if i < 0 {
			t.Errorf("-h has no line for %s", v.Name)
			continue
		}
		if want := "  " + v.Name + strings.Repeat(" ", longest[v.Group]-len(v.Name)+2) + defaultText(v); lines[i] != want {
			t.Errorf("-h line for %s = %q, want %q", v.Name, lines[i], want)
		}
		var desc []string
		for _, l := range lines[i+1:] {
			rest, ok := strings.CutPrefix(l, helpIndent)
			if !ok {
				break
			}
			desc = append(desc, rest)
		}
		if got := strings.Join(desc, " "); got != usageText(v) {
			t.Errorf("-h describes %s as %q, want %q", v.Name, got, usageText(v))
		}
	}

	const storage = `
Storage
  REDIS_URL  unset: in-memory rate limits and a file store
      Redis for rate limits, guild settings and sessions, shared by every process:
      redis://[user:password@]host:port[/db], or rediss:// for TLS. Secret: never logged.
  DATA_DIR   ./data
      Directory of the embedded file store (tunekit.db) used without REDIS_URL; created when
      missing.
`
	if !strings.Contains(out.String(), storage) {
		t.Errorf("-h does not show the Storage group as\n%s\ngot:\n%s", storage, out.String())
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"one", 10, []string{"one"}},
		{"one two", 7, []string{"one two"}},
		{"one two", 6, []string{"one", "two"}},
		{"  one   two  ", 80, []string{"one two"}},
		{"a main=localhost:2333,pass b", 5, []string{"a", "main=localhost:2333,pass", "b"}},
		{"héllo wörld", 11, []string{"héllo wörld"}},
	} {
		if got := wrap(tc.text, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}

func TestEnvMarkdown(t *testing.T) {
	var out bytes.Buffer
	if code := cli([]string{"-env-markdown"}, lookupIn(nil), &out, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("cli(-env-markdown) = %d, want 0", code)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(vars)+2 || lines[0] != "| Variable | Default | Description |" {
		t.Fatalf("markdown has %d lines, want a header, a rule and %d rows:\n%s", len(lines), len(vars), out.String())
	}
	for i, v := range vars {
		row := lines[i+2]
		if !strings.HasPrefix(row, "| `"+v.Name+"` | ") || strings.Count(row, " | ") != 2 {
			t.Errorf("row %d = %q, want %s in three cells", i, row, v.Name)
		}
	}
}

func TestCLIUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"extra"}, `fullbot takes no arguments, got "extra"`},
	} {
		var out, errOut bytes.Buffer
		if code := cli(tc.args, lookupIn(validEnv()), &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("cli(%q) = %d, stderr %q; want %d and %q", tc.args, code, errOut.String(), exitUsage, tc.want)
		}
	}
}

// TestBadConfigExitsBeforeTheNetwork: with one bad variable and every
// address pointing at a listener, cli exits 2 with the problem at once and
// nothing ever connects.
func TestBadConfigExitsBeforeTheNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	accepted := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	addr := ln.Addr().String()
	env := with(validEnv(),
		envLavalinkNodes, "main="+addr+","+fakeNodePass,
		envRedisURL, "redis://"+addr,
		envDiscordAPIURL, "http://"+addr+"/api/v10",
		envMetricsAddr, addr,
		envLogLevel, "loud",
	)
	var out, errOut bytes.Buffer
	start := time.Now()
	code := cli(nil, lookupIn(env), &out, &errOut)
	took := time.Since(start)
	must(t, ln.Close())
	<-done
	if code != exitUsage || !strings.Contains(errOut.String(), `LOG_LEVEL="loud"`) {
		t.Errorf("cli = %d, stderr %q; want %d and the LOG_LEVEL problem", code, errOut.String(), exitUsage)
	}
	if took > time.Second {
		t.Errorf("cli took %s to refuse the configuration, want under a second", took)
	}
	select {
	case <-accepted:
		t.Error("something connected to the network before the configuration was refused")
	default:
	}
}

// FuzzConfigHidesSecrets: whatever the environment holds, the problems
// loadConfig reports never show the value of a secret variable. (A
// secret that is part of the mask, or holds its brackets, can look like
// it reappears next to a mask; such values are left out of the check.)
func FuzzConfigHidesSecrets(f *testing.F) {
	f.Add(fakeToken, "main=localhost:2333,"+fakeNodePass, "", "", "redis://u:"+fakeRedisPass+"@h:1", "info")
	f.Add("bad-token", "", "h", fakeNodePass, "http://u:"+fakeRedisPass+"@h", fakeNodePass)
	f.Add("", "a=h:1,p,x", "", "", "redis://h:1/x", "loud")
	f.Add(fakeToken, "", "localhost", "", "redis://u:"+fakeRedisPass+"@h:bad", fakeRedisPass)
	f.Fuzz(func(t *testing.T, token, nodes, address, password, redisURL, logLevel string) {
		env := map[string]string{
			envToken: token, envLavalinkNodes: nodes, envLavalinkAddress: address,
			envLavalinkPassword: password, envRedisURL: redisURL, envLogLevel: logLevel,
		}
		_, err := loadConfig(lookupIn(env))
		var ce *configError
		if err == nil || !errors.As(err, &ce) {
			return
		}
		// The problems; the frame around them is constant text.
		text := strings.Join(ce.problems, "\n")
		for _, secret := range []string{token, nodes, password, redisURL} {
			secret = strings.TrimSpace(secret)
			if secret == "" || strings.ContainsAny(secret, "[]") || strings.Contains(secureheaders.Mask, secret) {
				continue
			}
			if strings.Contains(text, secret) {
				t.Errorf("the problems show the secret %q:\n%s", secret, text)
			}
		}
	})
}
