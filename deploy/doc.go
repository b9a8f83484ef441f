// Package deploy holds the operations assets tunekit ships beside the SDK,
// and the tests that keep them true to the code. It has no API: nothing
// imports it.
//
// # Prometheus alerting rules
//
// prometheus/alerts.yml is the rule file for a Prometheus server and
// Alertmanager: the rules of alerting.DefaultRules over the series of the
// metrics package, written by internal/cmd/genrules (run it with
// "go generate ./deploy"). A test fails when the committed file differs
// from what the code generates, and says the command that refreshes it.
//
// The memory rule compares resident memory with a limit a rule file cannot
// read from the process, so the shipped file assumes 1 GiB per bot
// process and reads the scrape job "tunekit" (alerting.WithJob); see
// internal/cmd/genrules for the flags that generate a file for other
// values. The memory and Lavalink rules fire per bot process, labelled
// with its job and instance.
//
// prometheus/alerts_test.yml is a promtool unit test showing the rules fire
// (and stay quiet) on synthetic series: HighErrorRate, LavalinkDown (per
// process), HighMemoryUsage (per process, scoped to the bot's job),
// RedisFailures and PlayerHealsFailing (healing steps of silent players
// that keep failing, not the odd one the next step cures). The tests of
// this package run "promtool check rules" and "promtool test rules" on the
// two files; without promtool on PATH they are skipped, unless
// TUNEKIT_REQUIRE_PROMTOOL=1, which fails them instead (make test sets it).
//
// # Grafana dashboard
//
// grafana/tunekit.json is a Grafana dashboard (schema version 39) with rows
// for an overview, commands (rate and p50/p95/p99 latency by command,
// outcomes, error rate, rate-limited commands, errors), music (guilds and
// sessions, songs by source, autoplay accuracy, track start delay, queue
// length, voice sessions, autoplay provider health and turns, skip votes,
// queued tracks removed, play rejections), Lavalink (nodes, request
// latency and outcomes, players per node, player heals by step and
// outcome), resilience (circuit breaker states and transitions, Redis
// failures, resident memory) and alerts (firing alerts, notifications).
// Import it in Grafana (Dashboards, New, Import) or provision it from a
// file: the Prometheus data source is the template variable DS_PROMETHEUS,
// so it needs no editing either way, and the job and instance variables
// narrow every panel to some bot processes.
//
// A test parses the dashboard and reads every PromQL expression in it. Each
// series an expression names must be one the metrics package, the alerting
// engine or metrics.Handler's runtime collectors export, counters and
// histogram series must be read through rate() or increase() and gauges
// not, every label an expression matches or groups by must exist on its
// series, equality matchers must name label values the series can take,
// and histogram_quantile must keep the le label. Every series of the
// metrics and alerting packages must be on some panel, so a new metric
// cannot be forgotten. With promtool, the expressions are also checked by
// Prometheus' own parser.
package deploy
