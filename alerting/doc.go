// Package alerting is an in-process alert engine: it evaluates typed rules
// over the metrics of a [prometheus.Gatherer] (the registry the metrics
// package fills), follows Prometheus' alert states with real For and
// KeepFiringFor semantics, notifies Slack, email, webhooks or a restart
// hook, and exports the same rules as a Prometheus rule file for when one
// machine is no longer enough.
//
// It does not import github.com/prometheus/prometheus (whose rule engine
// drags in hundreds of packages); it reads the gatherer's metric families
// directly and implements the few PromQL functions alerts need.
//
// # Rules and conditions
//
// A [Rule] pairs a [Condition] with a severity, a For duration, labels,
// annotation templates and the names of the actions to notify. Conditions
// are typed, not strings: a [Query] built with [Rate], [Increase],
// [GaugeValue], [HistogramAverage], [HistogramQuantile] or [Ratio],
// filtered with [Matcher]s ([Eq], [NotEq], [Re], [NotRe], [Job]), optionally
// grouped with [Query.By], and compared with [Query.Above], [Query.Below]
// or [Query.Equal]. Every condition renders itself as equivalent PromQL
// ([Condition.PromQL]); the in-process evaluation matches Prometheus':
// queries sum matching series (per group with By), rate and increase
// handle counter resets and extrapolate to the window's edges,
// histogram_quantile interpolates within buckets, and division by zero
// yields NaN or ±Inf, which fire only where PromQL would.
//
// [DefaultRules] returns seven rules over the series of the metrics
// package: the original bot's six and one for silent players a watchdog
// cannot heal. Its memory and Lavalink rules are per process (grouped by
// the target labels job and instance), and [WithJob] scopes the memory
// rule to the bot's scrape job, so exported rules judge each bot process
// alone on a Prometheus server that scrapes many.
//
// # Target labels
//
// Prometheus attaches job and instance to every series it scrapes; the
// engine reads the registry of the process it runs in, whose series carry
// neither. Grouping by them therefore yields one group in-process, and a
// [Job] matcher selects every series, since all of them belong to the one
// process the engine watches. A rule scoped with Job and grouped by job
// and instance thus evaluates in-process as a Prometheus server evaluates
// it for each process of the job.
//
// # Evaluation
//
// [New] creates an [Engine]; [Engine.Start] evaluates at once and then every
// [WithEvaluationInterval] (default 15 s) in one goroutine it owns until
// [Engine.Stop] or the context ends; [Engine.Evaluate] runs a single round
// for hosts (and tests) that schedule it themselves. Rules are validated
// on the first Start or Evaluate, which return every problem as
// [*RuleError]s (matching [ErrInvalidRule]); [ValidateRules] checks them
// earlier.
//
// Each round gathers once and keeps, per series that some rule reads, the
// points of the longest rule window plus one interval: a bounded ring, so
// rates and averages over time need no external storage. If gathering
// fails the round is skipped ([ErrGather]) and alert states stay as they
// were, so a broken collector neither fires nor resolves alerts.
//
// # States
//
// As in Prometheus: an alert whose condition holds is pending; once it has
// held for the rule's For it fires (For 0 fires at once). A pending alert
// whose condition turns false goes back to inactive silently. A firing
// alert whose condition turns false keeps firing for KeepFiringFor, then
// resolves. [Engine.Active] lists pending and firing alerts. With
// [WithRegisterer] the engine exports <namespace>_alerts{alertname,
// severity,state} and counters of notifications and failed rounds.
//
// # Notifications
//
// A firing alert is notified once when it starts firing, again every
// [WithRepeatInterval] (default 4 h) while it fires, and once when it
// resolves (to the actions that were told it fired). Alerts of one rule
// due in the same round go out as one [Notification]. Each action is
// delivered in parallel, so one failing action does not hold back the
// others; each delivery is retried with jittered backoff
// (resilience.Retry with [DefaultRetryPolicy], each attempt bounded by
// [WithSendTimeout]) unless the error is [Permanent]. Failures are logged
// and counted; a firing notification that still failed is tried again in
// later rounds, backing off from the evaluation interval up to the repeat
// interval. Evaluate waits for its deliveries, which bounds how late a
// round can make the next one. [Engine.Silence] suppresses a rule's
// notifications until a given time. A panicking notifier is recovered and
// counted as a failure.
//
// # Notifiers
//
// Notifiers are plain structs configured by their fields, like
// [net/http.Client]: [Slack] (incoming webhook), [Email] (SMTP with
// STARTTLS when offered and PLAIN auth), [Webhook] (Alertmanager's
// version 4 webhook payload, [WebhookMessage]) and [Restarter] (calls a
// host function to restart a service, at most once per MinInterval and
// MaxRestarts per hour, then escalates with a critical notice). Webhook
// URLs, tokens and SMTP passwords are secureheaders.Secret values: they
// never appear in errors ([SendError] scrubs them) or logs. Any type with a
// Notify method is a [Notifier]; [NotifierFunc] adapts a function.
//
// # Export
//
// [PrometheusRules] writes a Prometheus rule file (alert, expr, for,
// keep_firing_for, labels, annotations) that promtool check rules accepts;
// the repository's testdata holds a promtool unit test that shows the
// exported rules firing on synthetic series.
//
// # Concurrency
//
// [Engine] and the notifiers are safe for concurrent use. Notifiers are
// called without the engine's locks held.
package alerting
