package alerting

import (
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// Action names used by [DefaultRules]; register notifiers under these names
// with [WithNotifier]. Actions without a notifier are skipped.
const (
	ActionSlack   = "slack"
	ActionEmail   = "email"
	ActionWebhook = "webhook"
	ActionRestart = "auto_restart"
)

// MemoryThreshold is the share of the memory limit above which the default
// HighMemoryUsage rule fires.
const MemoryThreshold = 0.85

// perProcess are the target labels Prometheus attaches to every series it
// scrapes; grouping by them evaluates a query per bot process.
var perProcess = []string{"job", "instance"}

// DefaultsOption configures [DefaultRules].
type DefaultsOption func(*defaultsConfig)

type defaultsConfig struct {
	memoryLimit uint64
	job         string
	cgroupFS    fs.FS
}

// WithMemoryLimit sets the memory limit, in bytes, the HighMemoryUsage rule
// compares the resident set with. Default: the cgroup's limit (v2
// memory.max, or v1 memory.limit_in_bytes) when one is set.
func WithMemoryLimit(bytes uint64) DefaultsOption {
	return func(c *defaultsConfig) { c.memoryLimit = bytes }
}

// WithJob scopes the HighMemoryUsage rule to the Prometheus scrape job of
// the bot, with a [Job] matcher: a server scrapes other processes that
// export process_resident_memory_bytes too (itself, Lavalink, exporters),
// and their memory is not the bot's. Use it for rules exported with
// [PrometheusRules]; in-process it changes nothing, since the engine reads
// only its own process. Default: "", every job.
func WithJob(job string) DefaultsOption {
	return func(c *defaultsConfig) { c.job = job }
}

// withCgroupFS reads cgroup files from fsys instead of /sys/fs/cgroup.
func withCgroupFS(fsys fs.FS) DefaultsOption {
	return func(c *defaultsConfig) { c.cgroupFS = fsys }
}

// DefaultRules returns the alerting rules of the original bot and one for
// silent players, over the series of the metrics package registered under
// metricsNamespace ("" for none; metrics' default is "tunekit"):
//
//	HighErrorRate      critical  over 5 % of commands failed (5m rate), for 5m     slack, email
//	HighMemoryUsage    warning   a process above 85 % of its memory limit, for 3m  slack
//	HighCommandLatency warning   average command duration above 5 s (5m), for 2m   slack
//	LavalinkDown       critical  a process with no connected Lavalink node, for 1m slack, auto_restart
//	SlowTrackStart     warning   average track start delay above 10 s (5m), for 2m slack
//	RedisFailures      critical  more than 5 Redis failures in 1m                  slack, email
//	PlayerHealsFailing warning   more than 5 failed steps healing silent players
//	                             in 15m, for 5m                                    slack
//
// LavalinkDown carries service="lavalink" for the [Restarter]. The memory
// limit comes from [WithMemoryLimit] or the process' cgroup; with neither,
// HighMemoryUsage is left out, since resident memory alone says nothing.
// process_resident_memory_bytes comes from client_golang's process
// collector, which has no namespace; [WithJob] scopes it to the bot's
// scrape job in an exported rule file.
//
// HighMemoryUsage and LavalinkDown are about one process: its memory, and
// whether its guilds can play (each guild lives on one shard, so a shard
// without a node is an outage for its guilds even while others play). They
// group by the target labels job and instance ([Query.By]), so on a
// Prometheus server each bot process is its own alert, labelled with both.
// The engine reads one process, whose series carry no target labels, so
// in-process the grouping yields the one value and alert it always did.
// The rate rules are sums over every process: an error rate or a latency
// is the fleet's.
//
// PlayerHealsFailing reads player_heals_total, which a silent-player
// watchdog counts: a step that left the player silent (failed) or could
// not be taken (error), whatever the step. One silent player that the
// next step cures adds one; a node that sends no audio, or a single node
// with nowhere to move players, adds several per player and keeps adding,
// which is when listeners hear nothing and someone has to look.
func DefaultRules(metricsNamespace string, opts ...DefaultsOption) []Rule {
	cfg := defaultsConfig{cgroupFS: os.DirFS("/sys/fs/cgroup")}
	for _, o := range opts {
		o(&cfg)
	}
	name := func(s string) string {
		if metricsNamespace == "" {
			return s
		}
		return metricsNamespace + "_" + s
	}
	commands := name("command_duration_seconds_count")
	rules := []Rule{{
		Name:     "HighErrorRate",
		Severity: Critical,
		Expr: Ratio(
			Rate(commands, 5*time.Minute, Eq("status", "error")),
			Rate(commands, 5*time.Minute),
		).Above(0.05),
		For: 5 * time.Minute,
		Annotations: map[string]string{
			"summary":     "High command error rate",
			"description": "{{ $value | humanizePercentage }} of commands failed over the last 5 minutes (threshold 5%).",
		},
		Actions: []string{ActionSlack, ActionEmail},
	}}
	var memoryScope []Matcher
	if cfg.job != "" {
		memoryScope = append(memoryScope, Job(cfg.job))
	}
	limit := cfg.memoryLimit
	if limit == 0 {
		limit, _ = cgroupMemoryLimit(cfg.cgroupFS)
	}
	if limit > 0 {
		rules = append(rules, Rule{
			Name:     "HighMemoryUsage",
			Severity: Warning,
			Expr:     GaugeValue("process_resident_memory_bytes", memoryScope...).By(perProcess...).Above(MemoryThreshold * float64(limit)),
			For:      3 * time.Minute,
			Annotations: map[string]string{
				"summary": "High memory usage",
				"description": "Resident memory is {{ $value | humanize1024 }}B, above 85% of the " +
					humanize1024(float64(limit)) + "B limit.",
			},
			Actions: []string{ActionSlack},
		})
	}
	rules = append(rules,
		Rule{
			Name:     "HighCommandLatency",
			Severity: Warning,
			Expr:     HistogramAverage(name("command_duration_seconds"), 5*time.Minute).Above(5),
			For:      2 * time.Minute,
			Annotations: map[string]string{
				"summary":     "Commands are slow",
				"description": "Commands took {{ $value | humanizeDuration }} on average over the last 5 minutes (threshold 5s).",
			},
			Actions: []string{ActionSlack},
		},
		Rule{
			Name:     "LavalinkDown",
			Severity: Critical,
			Expr:     GaugeValue(name("lavalink_nodes"), Eq("state", "connected")).By(perProcess...).Equal(0),
			For:      time.Minute,
			Labels:   map[string]string{"service": "lavalink"},
			Annotations: map[string]string{
				"summary":     "No Lavalink node connected",
				"description": "The bot process has had no connected Lavalink node for a minute: its guilds cannot play.",
			},
			Actions: []string{ActionSlack, ActionRestart},
		},
		Rule{
			Name:     "SlowTrackStart",
			Severity: Warning,
			Expr:     HistogramAverage(name("track_start_delay_seconds"), 5*time.Minute).Above(10),
			For:      2 * time.Minute,
			Annotations: map[string]string{
				"summary":     "Tracks start slowly",
				"description": "Tracks took {{ $value | humanizeDuration }} on average to start over the last 5 minutes (threshold 10s).",
			},
			Actions: []string{ActionSlack},
		},
		Rule{
			Name:     "RedisFailures",
			Severity: Critical,
			Expr:     Increase(name("redis_failures_total"), time.Minute).Above(5),
			Annotations: map[string]string{
				"summary":     "Redis is failing",
				"description": "{{ $value | humanize }} Redis operations failed in the last minute (threshold 5).",
			},
			Actions: []string{ActionSlack, ActionEmail},
		},
		Rule{
			Name:     "PlayerHealsFailing",
			Severity: Warning,
			Expr:     Increase(name("player_heals_total"), 15*time.Minute, Re("outcome", "failed|error")).Above(5),
			For:      5 * time.Minute,
			Annotations: map[string]string{
				"summary": "Silent players are not healed",
				"description": "{{ $value | humanize }} steps healing silent players failed in the last 15 minutes (threshold 5): " +
					"listeners hear nothing. Check the Lavalink nodes' voice (UDP) connectivity and the heals by step.",
			},
			Actions: []string{ActionSlack},
		},
	)
	return rules
}

// cgroupMemoryLimit reads the memory limit of the current cgroup: v2's
// memory.max, else v1's memory/memory.limit_in_bytes. "max" and v1's
// "unlimited" sentinel (a huge number) mean no limit.
func cgroupMemoryLimit(fsys fs.FS) (uint64, bool) {
	for _, name := range []string{"memory.max", "memory/memory.limit_in_bytes"} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, false
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v == 0 || v >= 1<<62 {
			return 0, false
		}
		return v, true
	}
	return 0, false
}
