// Command genrules writes the Prometheus alerting rules tunekit ships in
// deploy/prometheus/alerts.yml: [alerting.DefaultRules] rendered by
// [alerting.PrometheusRules], so the rules a Prometheus server evaluates are
// the ones the in-process engine evaluates.
//
// Usage, from the repository root:
//
//	go generate ./deploy                                  # refresh the shipped file
//	go run ./internal/cmd/genrules -memory-limit 2GiB -job mybot -o alerts.yml
//
// Flags:
//
//	-o file            where to write the rules; "-" is standard output (default "-")
//	-namespace ns      the metrics namespace of the bot (default "tunekit")
//	-memory-limit size the memory limit of one bot process, such as 512MiB or
//	                   2GiB (default 1GiB)
//	-job name          the Prometheus scrape job of the bot; "" reads every job
//	                   (default "tunekit")
//
// # Memory limit
//
// HighMemoryUsage compares resident memory with a limit. In-process the
// engine reads the limit from the cgroup; a rule file cannot, so the limit
// is a flag with a documented default of 1 GiB, the memory a deployment
// gives one bot process (the example compose file and systemd unit set the
// same). The rule fires above [alerting.MemoryThreshold] (85 %) of it.
// Operators with another limit generate their own file with -memory-limit.
//
// # Scrape job
//
// A Prometheus server sees every process it scrapes, and the resident
// memory series (process_resident_memory_bytes, from client_golang's
// process collector) carries no namespace: Prometheus, Lavalink and
// exporters have one too. -job passes [alerting.WithJob], which scopes
// HighMemoryUsage to the bot's scrape job; the rule is evaluated per job
// and instance, as LavalinkDown is, so one alert names the process that is
// over its limit or without a Lavalink node. The rules are written exactly
// as [alerting.PrometheusRules] renders them: the engine evaluates the
// same rules in-process, where they watch the one process it runs in.
//
// The output is deterministic. A test in this package fails when
// deploy/prometheus/alerts.yml differs from what the defaults generate.
package main
