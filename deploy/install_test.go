package deploy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/promtooltest"
)

// The example deployment files: no Docker engine or systemd runs where
// the tests do, so these tests check what can be checked without one, and
// above all that the files agree with each other, with the shipped alert
// rules and with the bot's variables.
const (
	dockerfile       = "Dockerfile"
	dockerignore     = "Dockerfile.dockerignore"
	composeFile      = "docker-compose.yml"
	lavalinkConfig   = "lavalink/application.yml"
	systemdUnit      = "tunekit.service"
	prometheusConfig = "prometheus/prometheus.yml"
	// botJob is the scrape job alerts.yml reads (genrules -job).
	botJob = "tunekit"
)

// Facts about examples/fullbot the files depend on, each pinned by a
// test of that package: exit status 2 for a bad configuration
// (examples/fullbot.TestMissingConfigExitStatus) and a shutdown bounded by
// 10 seconds (examples/fullbot.TestShutdownRunsEveryStepLastFirst).
const (
	fullbotExitUsage       = 2
	fullbotShutdownSeconds = 10
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// alertMemoryLimit returns the per-process memory limit the shipped
// HighMemoryUsage rule assumes, from its threshold in alerts.yml.
func alertMemoryLimit(t *testing.T) uint64 {
	t.Helper()
	m := regexp.MustCompile(`process_resident_memory_bytes\{job=\\"` + botJob + `\\"\}\) > ([0-9.e+]+)"`).FindStringSubmatch(readFile(t, rulesFile))
	if m == nil {
		t.Fatalf("%s: no HighMemoryUsage threshold for job %q", rulesFile, botJob)
	}
	threshold, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(math.Round(threshold / alerting.MemoryThreshold))
}

// parseSize reads a memory size with a binary suffix: systemd's and
// Docker's K, M, G (either case) and Go's KiB, MiB, GiB, or bytes.
func parseSize(s string) (uint64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"K", 10}, {"M", 20}, {"G", 30}, {"k", 10}, {"m", 20}, {"g", 30}, {"B", 0}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseUint(n, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("size %q: %w", s, err)
			}
			return v << u.shift, nil
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// checkMemory fails t unless limit is the alert rules' limit and
// gomemlimit sits below the rule's threshold, with room for the
// collector to work before the alert fires.
func checkMemory(t *testing.T, where, limit, gomemlimit string) {
	t.Helper()
	want := alertMemoryLimit(t)
	l, err := parseSize(limit)
	if err != nil || l != want {
		t.Errorf("%s: memory limit %q = %d bytes (%v), want %d, the limit %s assumes", where, limit, l, err, want, rulesFile)
	}
	g, err := parseSize(gomemlimit)
	threshold := uint64(alerting.MemoryThreshold * float64(want))
	if err != nil || g >= threshold || g < want/2 {
		t.Errorf("%s: GOMEMLIMIT %q = %d bytes (%v), want between half the limit (%d) and the alert threshold (%d)",
			where, gomemlimit, g, err, want/2, threshold)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"1G": 1 << 30, "1g": 1 << 30, "768MiB": 768 << 20, "512M": 512 << 20, "2GiB": 2 << 30, "4096": 4096, "10B": 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "G", "1.5G", "-1M", "lots"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

// dockerInstructions returns the Dockerfile's instructions, continuation
// lines joined, comments and parser directives dropped.
func dockerInstructions(src string) [][2]string {
	var out [][2]string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if body, more := strings.CutSuffix(trimmed, `\`); more {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		op, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, [2]string{strings.ToUpper(op), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// goVersion returns go.mod's language version as major.minor.
func goVersion(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(readFile(t, "../go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return m[1]
}

// TestDockerfile: a multi-stage build of examples/fullbot with the
// module's Go version, a static binary, and a distroless runtime stage
// running as a non-root user.
func TestDockerfile(t *testing.T) {
	ins := dockerInstructions(readFile(t, dockerfile))
	var froms []string
	var final [][2]string // instructions of the last stage
	for _, in := range ins {
		if in[0] == "FROM" {
			froms = append(froms, in[1])
			final = nil
			continue
		}
		final = append(final, in)
	}
	if len(froms) < 2 {
		t.Fatalf("%s has %d stages, want a build stage and a runtime stage", dockerfile, len(froms))
	}
	if want := "golang:" + goVersion(t) + " AS build"; froms[0] != want {
		t.Errorf("first stage = FROM %s, want FROM %s (go.mod's Go version)", froms[0], want)
	}
	runtime := froms[len(froms)-1]
	if !strings.HasPrefix(runtime, "gcr.io/distroless/static") || !strings.HasSuffix(runtime, ":nonroot") {
		t.Errorf("runtime stage = FROM %s, want a gcr.io/distroless/static...:nonroot image", runtime)
	}
	build := false
	for _, in := range ins {
		if in[0] == "RUN" && strings.Contains(in[1], "CGO_ENABLED=0") && strings.Contains(in[1], "go build") &&
			strings.Contains(in[1], "./examples/fullbot") {
			build = true
		}
	}
	if !build {
		t.Errorf("no RUN builds ./examples/fullbot with CGO_ENABLED=0 (the runtime image has no libc)")
	}
	var user, entry, binary string
	var exposed []string
	for _, in := range final {
		switch in[0] {
		case "USER":
			user = in[1]
		case "ENTRYPOINT":
			var argv []string
			if err := json.Unmarshal([]byte(in[1]), &argv); err != nil || len(argv) == 0 {
				t.Errorf("ENTRYPOINT %s is not in exec form (a JSON array): signals must reach the bot", in[1])
			} else {
				entry = argv[0]
			}
		case "COPY":
			if f := strings.Fields(in[1]); len(f) >= 3 && f[0] == "--from=build" && strings.HasSuffix(f[1], "/fullbot") {
				binary = f[len(f)-1]
			}
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in[1])...)
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "root" || u == "0" {
		t.Errorf("runtime stage USER = %q, want a non-root user", user)
	}
	if entry == "" || entry != binary {
		t.Errorf("ENTRYPOINT runs %q, want the binary copied from the build stage (%q)", entry, binary)
	}
	port := metricsPort(t)
	if !slices.Contains(exposed, port) {
		t.Errorf("EXPOSE %v, want the default METRICS_ADDR port %s", exposed, port)
	}
	if ignore := readFile(t, dockerignore); !regexp.MustCompile(`(?m)^\.git$`).MatchString(ignore) {
		t.Errorf("%s does not keep .git out of the build context", dockerignore)
	}
}

// metricsPort is the port of METRICS_ADDR's default, from DEPLOYMENT.md's
// variable table (which examples/fullbot.TestDeploymentEnvTable keeps
// true).
func metricsPort(t *testing.T) string {
	t.Helper()
	v, ok := envTable(t)["METRICS_ADDR"]
	if !ok {
		t.Fatal("DEPLOYMENT.md's variable table has no METRICS_ADDR")
	}
	_, port, found := strings.Cut(v.Default, ":")
	if !found {
		t.Fatalf("METRICS_ADDR default %q has no port", v.Default)
	}
	return port
}

// urlPassword matches a URL with a password in it.
var urlPassword = regexp.MustCompile(`://[^/@]*:[^/@]+@`)

// ref matches a compose interpolation that reads a variable: ${NAME},
// ${NAME:?message}, ${NAME:-default}.
var ref = regexp.MustCompile(`\$\{([A-Z_][A-Z0-9_]*)(?:[:?-][^}]*)?\}`)

func str(t *testing.T, v any, path ...string) string {
	t.Helper()
	got, ok := yamlPath(v, path...)
	s, isStr := got.(string)
	if !ok || !isStr {
		t.Fatalf("%s: no string at %s", composeFile, strings.Join(path, "."))
	}
	return s
}

// TestComposeFile: the bot, Redis and Lavalink, wired to each other;
// every variable the bot gets is one it reads, and every secret comes from
// the environment rather than the file.
func TestComposeFile(t *testing.T) {
	doc, err := parseYAML(readFile(t, composeFile))
	if err != nil {
		t.Fatalf("%s: %v", composeFile, err)
	}
	services, _ := yamlPath(doc, "services")
	svc, _ := services.(map[string]any)
	var names []string
	for name := range svc {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"bot", "lavalink", "redis"}; !slices.Equal(names, want) {
		t.Fatalf("services = %v, want %v", names, want)
	}

	// The bot is built from the repository with deploy/Dockerfile.
	context, file := str(t, doc, "services", "bot", "build", "context"), str(t, doc, "services", "bot", "build", "dockerfile")
	if _, err := os.Stat(filepath.Join(context, file)); err != nil || filepath.Clean(filepath.Join(context, file)) != filepath.Join("..", "deploy", dockerfile) {
		t.Errorf("bot builds %s in %s (%v), want deploy/%s from the repository root", file, context, err, dockerfile)
	}

	vars := envTable(t)
	envAny, _ := yamlPath(doc, "services", "bot", "environment")
	env, ok := envAny.(map[string]any)
	if !ok {
		t.Fatal("the bot has no environment mapping")
	}
	goRuntime := map[string]bool{"GOMEMLIMIT": true, "GOGC": true, "GOMAXPROCS": true}
	for name, value := range env {
		v, known := vars[name]
		switch {
		case goRuntime[name]:
		case !known:
			t.Errorf("bot variable %s is not one fullbot reads (DEPLOYMENT.md's table)", name)
		case v.TestOnly:
			t.Errorf("bot variable %s is for tests only", name)
		case v.Secret:
			s, _ := value.(string)
			if !ref.MatchString(s) || urlPassword.MatchString(ref.ReplaceAllString(s, "")) {
				t.Errorf("bot variable %s = %q: a secret must come from the environment (${...}), not the file", name, s)
			}
		}
	}
	for name, v := range vars {
		if v.Required && env[name] == nil {
			t.Errorf("the bot lacks the required variable %s", name)
		}
	}

	// Lavalink: the address is the service on its configured port, and the
	// password both sides use comes from one variable.
	ll, err := parseYAML(readFile(t, lavalinkConfig))
	if err != nil {
		t.Fatalf("%s: %v", lavalinkConfig, err)
	}
	if got, want := str(t, env, "LAVALINK_ADDRESS"), "lavalink:"+str(t, ll, "server", "port"); got != want {
		t.Errorf("LAVALINK_ADDRESS = %q, want %q (the lavalink service on application.yml's port)", got, want)
	}
	botPw := ref.FindStringSubmatch(str(t, env, "LAVALINK_PASSWORD"))
	nodePw := ref.FindStringSubmatch(str(t, doc, "services", "lavalink", "environment", "LAVALINK_SERVER_PASSWORD"))
	if botPw == nil || nodePw == nil || botPw[1] != nodePw[1] {
		t.Errorf("LAVALINK_PASSWORD (%v) and the node's LAVALINK_SERVER_PASSWORD (%v) must read the same variable", botPw, nodePw)
	}
	mounted := false
	vols, _ := yamlPath(doc, "services", "lavalink", "volumes")
	for _, v := range asSlice(vols) {
		if s, _ := v.(string); strings.HasPrefix(s, "./"+lavalinkConfig+":/opt/Lavalink/application.yml") {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("the lavalink service does not mount ./%s at /opt/Lavalink/application.yml", lavalinkConfig)
	}

	// Redis: the URL names the service, with the password the server
	// requires; the server persists.
	redisURL := str(t, env, "REDIS_URL")
	if !strings.HasSuffix(redisURL, "@redis:6379/0") {
		t.Errorf("REDIS_URL = %q, want the redis service", redisURL)
	}
	cmd := asSlice(mustPath(t, doc, "services", "redis", "command"))
	args := make([]string, len(cmd))
	for i, c := range cmd {
		args[i], _ = c.(string)
	}
	i := slices.Index(args, "--requirepass")
	urlPw, serverPw := ref.FindStringSubmatch(redisURL), []string(nil)
	if i >= 0 && i+1 < len(args) {
		serverPw = ref.FindStringSubmatch(args[i+1])
	}
	if urlPw == nil || serverPw == nil || urlPw[1] != serverPw[1] {
		t.Errorf("REDIS_URL's password (%v) and redis --requirepass (%v) must read the same variable", urlPw, serverPw)
	}
	if j := slices.Index(args, "--appendonly"); j < 0 || j+1 >= len(args) || args[j+1] != "yes" {
		t.Errorf("redis command %v does not turn on the append-only file", args)
	}
	for _, dep := range []string{"redis", "lavalink"} {
		if _, ok := yamlPath(doc, "services", "bot", "depends_on", dep); !ok {
			t.Errorf("the bot does not depend on %s", dep)
		}
	}

	checkMemory(t, composeFile, str(t, doc, "services", "bot", "mem_limit"), str(t, env, "GOMEMLIMIT"))
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func mustPath(t *testing.T, v any, path ...string) any {
	t.Helper()
	got, ok := yamlPath(v, path...)
	if !ok {
		t.Fatalf("no %s", strings.Join(path, "."))
	}
	return got
}

// TestLavalinkConfig: the node never reads local files, serves YouTube
// through the plugin, and exports the metrics the lavalink scrape job
// reads.
func TestLavalinkConfig(t *testing.T) {
	ll, err := parseYAML(readFile(t, lavalinkConfig))
	if err != nil {
		t.Fatalf("%s: %v", lavalinkConfig, err)
	}
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"lavalink", "server", "sources", "local"}, "false"},
		{[]string{"lavalink", "server", "sources", "youtube"}, "false"},
		{[]string{"plugins", "youtube", "enabled"}, "true"},
		{[]string{"metrics", "prometheus", "enabled"}, "true"},
	} {
		if got, _ := yamlPath(ll, c.path...); got != c.want {
			t.Errorf("%s: %s = %v, want %s", lavalinkConfig, strings.Join(c.path, "."), got, c.want)
		}
	}
	plugin := false
	for _, p := range asSlice(mustPath(t, ll, "lavalink", "plugins")) {
		if dep, _ := yamlPath(p, "dependency"); strings.HasPrefix(fmt.Sprint(dep), "dev.lavalink.youtube:youtube-plugin:") {
			plugin = true
		}
	}
	if !plugin {
		t.Errorf("%s does not load the YouTube plugin", lavalinkConfig)
	}
	if _, ok := yamlPath(ll, "lavalink", "server", "password"); !ok {
		t.Errorf("%s has no lavalink.server.password", lavalinkConfig)
	}

	prom, err := parseYAML(readFile(t, prometheusConfig))
	if err != nil {
		t.Fatalf("%s: %v", prometheusConfig, err)
	}
	job := scrapeJob(t, prom, "lavalink")
	endpoint, _ := yamlPath(ll, "metrics", "prometheus", "endpoint")
	if path, _ := yamlPath(job, "metrics_path"); path != endpoint {
		t.Errorf("the lavalink scrape job reads %v, Lavalink serves %v", path, endpoint)
	}
	port, _ := yamlPath(ll, "server", "port")
	for _, target := range asSlice(mustPath(t, job, "static_configs", "0", "targets")) {
		if !strings.HasSuffix(fmt.Sprint(target), ":"+fmt.Sprint(port)) {
			t.Errorf("lavalink target %v is not on Lavalink's port %v", target, port)
		}
	}
}

func scrapeJob(t *testing.T, prom any, name string) any {
	t.Helper()
	for _, j := range asSlice(mustPath(t, prom, "scrape_configs")) {
		if n, _ := yamlPath(j, "job_name"); n == name {
			return j
		}
	}
	t.Fatalf("%s has no scrape job %q", prometheusConfig, name)
	return nil
}

// TestPrometheusConfig: the example scrapes the bot under the job the
// alert rules read, on the port the bot serves, loads the shipped rules,
// and passes promtool check config.
func TestPrometheusConfig(t *testing.T) {
	prom, err := parseYAML(readFile(t, prometheusConfig))
	if err != nil {
		t.Fatalf("%s: %v", prometheusConfig, err)
	}
	if !strings.Contains(readFile(t, rulesFile), `job=\"`+botJob+`\"`) {
		t.Fatalf("%s does not read the job %q; keep this test's botJob in step with genrules -job", rulesFile, botJob)
	}
	job := scrapeJob(t, prom, botJob)
	if path, _ := yamlPath(job, "metrics_path"); path != "/metrics" {
		t.Errorf("the %s job reads %v, the bot serves /metrics", botJob, path)
	}
	port := metricsPort(t)
	for _, target := range asSlice(mustPath(t, job, "static_configs", "0", "targets")) {
		if !strings.HasSuffix(fmt.Sprint(target), ":"+port) {
			t.Errorf("bot target %v is not on METRICS_ADDR's port %s", target, port)
		}
	}
	if !slices.Contains(asSlice(mustPath(t, prom, "rule_files")), any(filepath.Base(rulesFile))) {
		t.Errorf("%s does not load %s", prometheusConfig, filepath.Base(rulesFile))
	}
	interval, _ := yamlPath(prom, "global", "scrape_interval")
	if d, err := parseDuration(fmt.Sprint(interval)); err != nil || d > 30 {
		t.Errorf("scrape_interval %v: RedisFailures reads increase(...[1m]), which needs at least two scrapes a minute", interval)
	}

	out := promtooltest.Run(t, filepath.Dir(prometheusConfig), "check", "config", filepath.Base(prometheusConfig))
	if !strings.Contains(out, "is valid prometheus config file syntax") {
		t.Errorf("promtool check config:\n%s", out)
	}
}

// parseDuration reads a Prometheus duration in whole seconds or minutes.
func parseDuration(s string) (int, error) {
	if n, ok := strings.CutSuffix(s, "m"); ok {
		v, err := strconv.Atoi(n)
		return v * 60, err
	}
	return strconv.Atoi(strings.TrimSuffix(s, "s"))
}

// unitFile is a systemd unit: each section's keys with their values, in
// order (Environment= may repeat).
type unitFile map[string]map[string][]string

func parseUnit(src string) (unitFile, error) {
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		case section == "":
			return nil, fmt.Errorf("line %d: outside a section", n)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: not key=value", n)
			}
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return u, sc.Err()
}

// last returns the effective value of a key: systemd lets a later line
// override an earlier one.
func (u unitFile) last(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// env returns the value of an Environment= variable.
func (u unitFile) env(name string) string {
	val := ""
	for _, e := range u["Service"]["Environment"] {
		for _, kv := range strings.Fields(e) {
			if k, v, ok := strings.Cut(strings.Trim(kv, `"`), "="); ok && k == name {
				val = v
			}
		}
	}
	return val
}

// TestSystemdUnit: the unit runs the bot without privileges, with the
// memory limit the alert rules assume, gives it time to shut down, does
// not restart it in a loop on a configuration error, and passes
// systemd-analyze verify when that is installed.
func TestSystemdUnit(t *testing.T) {
	src := readFile(t, systemdUnit)
	u, err := parseUnit(src)
	if err != nil {
		t.Fatalf("%s: %v", systemdUnit, err)
	}
	if u.last("Service", "ExecStart") == "" {
		t.Errorf("no ExecStart")
	}
	if u.last("Service", "DynamicUser") != "yes" {
		if user := u.last("Service", "User"); user == "" || user == "root" || user == "0" {
			t.Errorf("the bot runs as root: set DynamicUser=yes or a User")
		}
	}
	if u.last("Service", "NoNewPrivileges") != "yes" {
		t.Errorf("NoNewPrivileges is not yes")
	}
	if u.last("Service", "EnvironmentFile") == "" {
		t.Errorf("no EnvironmentFile: secrets belong in a root-only file, not in the unit")
	}
	var secrets []string // every secret variable of DEPLOYMENT.md's table
	for name, v := range envTable(t) {
		if v.Secret {
			secrets = append(secrets, name)
		}
	}
	if !slices.Contains(secrets, "DISCORD_TOKEN") || !slices.Contains(secrets, "ADMIN_TOKEN") {
		t.Errorf("secret variables of DEPLOYMENT.md = %v; want DISCORD_TOKEN and ADMIN_TOKEN among them", secrets)
	}
	for _, e := range u["Service"]["Environment"] {
		for _, secret := range secrets {
			if strings.Contains(e, secret+"=") {
				t.Errorf("Environment=%s puts a secret in the unit, which any user may read", e)
			}
		}
	}
	if dir, state := u.env("DATA_DIR"), u.last("Service", "StateDirectory"); dir != "/var/lib/"+state {
		t.Errorf("DATA_DIR=%q, want the StateDirectory /var/lib/%s, the one writable place", dir, state)
	}
	checkMemory(t, systemdUnit, u.last("Service", "MemoryMax"), u.env("GOMEMLIMIT"))

	stop := strings.TrimSuffix(u.last("Service", "TimeoutStopSec"), "s")
	if s, err := strconv.Atoi(stop); err != nil || s <= fullbotShutdownSeconds {
		t.Errorf("TimeoutStopSec=%s, want more than the bot's %d s shutdown", u.last("Service", "TimeoutStopSec"), fullbotShutdownSeconds)
	}
	if !slices.Contains(strings.Fields(u.last("Service", "RestartPreventExitStatus")), strconv.Itoa(fullbotExitUsage)) {
		t.Errorf("RestartPreventExitStatus lacks %d: a bad configuration would restart in a loop", fullbotExitUsage)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed; the unit's keys are not verified")
		return
	}
	// verify wants the ExecStart binary to exist.
	dir := t.TempDir()
	unit := filepath.Join(dir, systemdUnit)
	verified := regexp.MustCompile(`(?m)^ExecStart=.*$`).ReplaceAllString(src, "ExecStart=/bin/true")
	if err := os.WriteFile(unit, []byte(verified), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	var problems []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, systemdUnit) {
			problems = append(problems, line)
		}
	}
	if err != nil || len(problems) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", systemdUnit, err, strings.Join(problems, "\n"))
	}
}
