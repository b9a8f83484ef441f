package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"
	"text/template"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/tunekit/tunekit/resilience"
)

// Defaults of the engine's options.
const (
	DefaultEvaluationInterval = 15 * time.Second
	DefaultRepeatInterval     = 4 * time.Hour
	DefaultSendTimeout        = 10 * time.Second
	DefaultNamespace          = "tunekit"
)

// DefaultRetryPolicy returns how each delivery is retried unless
// [WithRetryPolicy] says otherwise: 4 attempts with jittered backoff from 1 s
// up to 15 s, giving up after a minute.
func DefaultRetryPolicy() resilience.RetryPolicy {
	return resilience.RetryPolicy{
		MaxAttempts:     4,
		MaxElapsed:      time.Minute,
		InitialInterval: time.Second,
		MaxInterval:     15 * time.Second,
	}
}

// ErrStarted is returned by [Engine.Start] while the engine is running.
var ErrStarted = errors.New("alerting: engine already started")

// ErrUnknownRule is returned by [Engine.Silence] for a rule the engine does
// not have.
var ErrUnknownRule = errors.New("alerting: unknown rule")

// ErrGather is matched by the error [Engine.Evaluate] returns when the
// gatherer fails; the round is skipped and alert states are left as they were.
var ErrGather = errors.New("alerting: gathering metrics failed")

type config struct {
	interval    time.Duration
	repeat      time.Duration
	sendTimeout time.Duration
	now         func() time.Time
	logger      *slog.Logger
	notifiers   map[string]Notifier
	rules       []Rule
	reg         prometheus.Registerer
	namespace   string
	externalURL string
	retry       resilience.RetryPolicy
}

// Option configures an [Engine].
type Option func(*config)

// WithEvaluationInterval sets how often [Engine.Start] evaluates the rules.
// Default: [DefaultEvaluationInterval]. Non-positive values keep the default.
func WithEvaluationInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.interval = d
		}
	}
}

// WithRepeatInterval sets how often a still-firing alert is notified again.
// Default: [DefaultRepeatInterval]. Non-positive values keep the default.
func WithRepeatInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.repeat = d
		}
	}
}

// WithClock sets the clock that stamps evaluations; tests pass a fake one.
// Default: time.Now. The pace of [Engine.Start] stays on real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLogger sets the logger for delivery failures and warnings. Default:
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithNotifier registers n under name; rules name it in their Actions.
// Registering a name again replaces the notifier.
func WithNotifier(name string, n Notifier) Option {
	return func(c *config) { c.notifiers[name] = n }
}

// WithRules adds rules to the engine.
func WithRules(rules ...Rule) Option {
	return func(c *config) { c.rules = append(c.rules, rules...) }
}

// WithRegisterer registers the engine's metrics on reg: the
// <namespace>_alerts{alertname,severity,state} gauge (the number of pending
// and firing alerts of each rule), <namespace>_alert_notifications_total
// {action,outcome} and <namespace>_alert_evaluation_failures_total. Default:
// no metrics.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(c *config) { c.reg = reg }
}

// WithNamespace sets the prefix of the engine's metric names. Default:
// [DefaultNamespace].
func WithNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// WithExternalURL sets the URL notifications link back to (the webhook
// payload's externalURL). Default: none.
func WithExternalURL(u string) Option { return func(c *config) { c.externalURL = u } }

// WithRetryPolicy sets how a failed delivery is retried within one
// evaluation. Default: [DefaultRetryPolicy]. Errors marked [Permanent] are
// never retried.
func WithRetryPolicy(p resilience.RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithSendTimeout bounds each delivery attempt. Default: [DefaultSendTimeout].
func WithSendTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.sendTimeout = d
		}
	}
}

// Engine evaluates alerting rules over the metrics of a
// [prometheus.Gatherer] and notifies when alerts fire, repeat and resolve.
// Create one with [New]; run it with [Engine.Start] or call
// [Engine.Evaluate] on a schedule of your own. An Engine is safe for
// concurrent use; evaluations never overlap.
type Engine struct {
	g   prometheus.Gatherer
	cfg config

	initOnce sync.Once
	initErr  error
	rules    []*compiledRule
	metrics  *engineMetrics

	evalMu sync.Mutex // one evaluation at a time; guards store
	store  *store

	mu       sync.Mutex                        // guards alerts and silences
	alerts   map[string]map[string]*alertState // rule name -> fingerprint -> state
	silences map[string]time.Time

	lifeMu sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

type compiledRule struct {
	Rule
	annotations map[string]*template.Template
	actions     []string // the Actions that name a registered notifier
}

type alertState struct {
	alert           Alert
	keepFiringSince time.Time
	deliveries      map[string]*deliveryState // per action
}

// deliveryState is the notification history of one alert for one action.
type deliveryState struct {
	sentAt   time.Time // last successful firing notification
	failedAt time.Time
	failures int // consecutive failed rounds
}

// New returns an engine reading metrics from g. Rules are validated when
// the engine is first started or evaluated; see [Engine.Start].
func New(g prometheus.Gatherer, opts ...Option) *Engine {
	cfg := config{
		interval:    DefaultEvaluationInterval,
		repeat:      DefaultRepeatInterval,
		sendTimeout: DefaultSendTimeout,
		now:         time.Now,
		logger:      slog.Default(),
		notifiers:   map[string]Notifier{},
		namespace:   DefaultNamespace,
		retry:       DefaultRetryPolicy(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.logger = cfg.logger.With("component", "alerting")
	return &Engine{g: g, cfg: cfg, alerts: map[string]map[string]*alertState{}, silences: map[string]time.Time{}}
}

// init validates and compiles the rules and registers metrics, once.
func (e *Engine) init() error {
	e.initOnce.Do(func() {
		if e.g == nil {
			e.initErr = errors.New("alerting: nil Gatherer")
			return
		}
		if err := ValidateRules(e.cfg.rules); err != nil {
			e.initErr = err
			return
		}
		wanted := map[string]bool{}
		var longest time.Duration
		for _, r := range e.cfg.rules {
			cr := &compiledRule{Rule: r, annotations: map[string]*template.Template{}}
			for k, text := range r.Annotations {
				cr.annotations[k], _ = parseAnnotation(k, text) // validated above
			}
			for _, a := range r.Actions {
				if _, ok := e.cfg.notifiers[a]; ok {
					cr.actions = append(cr.actions, a)
				} else {
					e.cfg.logger.Warn("rule names an action with no notifier; it is skipped",
						"rule", r.Name, "action", a)
				}
			}
			for _, m := range r.Expr.query.metricNames() {
				wanted[m] = true
			}
			longest = max(longest, r.Expr.query.Window())
			e.rules = append(e.rules, cr)
		}
		e.store = newStore(wanted, longest+e.cfg.interval, e.cfg.interval)
		e.metrics = newEngineMetrics(e)
		if e.cfg.reg != nil {
			if err := e.metrics.register(e.cfg.reg); err != nil {
				e.initErr = fmt.Errorf("alerting: registering metrics: %w", err)
			}
		}
	})
	return e.initErr
}

// Rules returns a copy of the engine's rules.
func (e *Engine) Rules() []Rule { return slices.Clone(e.cfg.rules) }

// Start validates the rules (returning every problem as [*RuleError]s
// joined), registers the metrics, and starts one goroutine that evaluates
// immediately and then every evaluation interval until [Engine.Stop] is
// called or ctx is cancelled. Starting a running engine returns
// [ErrStarted]; an engine can be started again after it stopped.
// Evaluation errors are logged.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.init(); err != nil {
		return err
	}
	e.lifeMu.Lock()
	defer e.lifeMu.Unlock()
	if e.done != nil {
		select {
		case <-e.done: // stopped by its context; start afresh
		default:
			return ErrStarted
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	e.cancel, e.done = cancel, done
	go e.run(runCtx, done)
	return nil
}

func (e *Engine) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	ticker := time.NewTicker(e.cfg.interval)
	defer ticker.Stop()
	for {
		if err := e.Evaluate(ctx); err != nil && ctx.Err() == nil {
			e.cfg.logger.ErrorContext(ctx, "alert evaluation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Stop ends the goroutine [Engine.Start] started and waits for it. An
// evaluation in progress has its deliveries cancelled. Stop is idempotent
// and safe to call on an engine that was never started.
func (e *Engine) Stop() {
	e.lifeMu.Lock()
	defer e.lifeMu.Unlock()
	if e.cancel == nil {
		return
	}
	e.cancel()
	<-e.done
	e.cancel, e.done = nil, nil
}

// Evaluate runs one evaluation round at the clock's current time: it
// gathers the metrics, updates every alert's state and sends the
// notifications that are due, waiting for their deliveries (each retried
// per the retry policy, all in parallel). It returns rule validation errors,
// gather failures (matching [ErrGather]) and ctx.Err() if ctx is already
// done; delivery failures are logged and counted, not returned.
func (e *Engine) Evaluate(ctx context.Context) error {
	if err := e.init(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	now := e.cfg.now()
	families, err := e.g.Gather()
	if err != nil {
		e.metrics.evalFailures.Inc()
		return fmt.Errorf("%w: %w", ErrGather, err)
	}
	e.store.ingest(families, now)

	var jobs []*job
	e.mu.Lock()
	for _, r := range e.rules {
		resolved := e.evalRule(r, now)
		jobs = append(jobs, e.dueJobs(r, resolved, now)...)
	}
	e.mu.Unlock()
	e.deliver(ctx, jobs, now)
	return nil
}

// evalRule updates the states of r's alerts and returns those that
// resolved. e.mu is held.
func (e *Engine) evalRule(r *compiledRule, now time.Time) []*alertState {
	states := e.alerts[r.Name]
	if states == nil {
		states = map[string]*alertState{}
		e.alerts[r.Name] = states
	}
	seen := map[string]bool{}
	for _, smp := range e.store.eval(r.Expr.query, now) {
		if math.IsNaN(smp.value) || !r.Expr.holds(smp.value) {
			continue
		}
		lbls := alertLabels(r, smp.labels)
		fp := fingerprint(lbls)
		seen[fp] = true
		st := states[fp]
		if st == nil {
			st = &alertState{
				alert: Alert{
					Rule: r.Name, Severity: r.Severity, State: StatePending, Labels: lbls,
					Threshold: r.Expr.threshold, Comparison: r.Expr.op.String(), Expr: r.Expr.PromQL(),
					ActiveAt: now, Fingerprint: fp,
				},
				deliveries: map[string]*deliveryState{},
			}
			states[fp] = st
		}
		st.alert.Value = smp.value
		st.keepFiringSince = time.Time{}
		if st.alert.State == StatePending && now.Sub(st.alert.ActiveAt) >= r.For {
			st.alert.State, st.alert.FiredAt = StateFiring, now
		}
		st.alert.Annotations = e.expand(r, lbls, smp.value)
	}
	var resolved []*alertState
	for _, fp := range slices.Sorted(maps.Keys(states)) {
		st := states[fp]
		if seen[fp] {
			continue
		}
		if st.alert.State == StateFiring && r.KeepFiringFor > 0 {
			if st.keepFiringSince.IsZero() {
				st.keepFiringSince = now
			}
			if now.Sub(st.keepFiringSince) < r.KeepFiringFor {
				continue
			}
		}
		delete(states, fp)
		if st.alert.State == StateFiring {
			st.alert.State, st.alert.ResolvedAt = StateResolved, now
			resolved = append(resolved, st)
		}
	}
	return resolved
}

func alertLabels(r *compiledRule, group labels) map[string]string {
	lbls := make(map[string]string, len(group)+len(r.Labels)+2)
	for _, l := range group {
		lbls[l.name] = l.value
	}
	maps.Copy(lbls, r.Labels)
	lbls["alertname"] = r.Name
	lbls["severity"] = r.Severity.String()
	return lbls
}

func fingerprint(lbls map[string]string) string {
	ls := make(model.LabelSet, len(lbls))
	for k, v := range lbls {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls.Fingerprint().String()
}

func (e *Engine) expand(r *compiledRule, lbls map[string]string, v float64) map[string]string {
	if len(r.annotations) == 0 {
		return nil
	}
	data := templateData{Labels: lbls, ExternalURL: e.cfg.externalURL, Value: v}
	out := make(map[string]string, len(r.annotations))
	for k, t := range r.annotations {
		out[k] = expand(t, data)
	}
	return out
}

// job is one notification to one notifier.
type job struct {
	action   string
	notifier Notifier
	n        Notification
	states   []*alertState
	err      error
}

// dueJobs builds the notifications r owes this round. e.mu is held.
func (e *Engine) dueJobs(r *compiledRule, resolved []*alertState, now time.Time) []*job {
	if len(r.actions) == 0 || e.silences[r.Name].After(now) {
		return nil
	}
	states := e.alerts[r.Name]
	fps := slices.Sorted(maps.Keys(states))
	var jobs []*job
	for _, action := range r.actions {
		notifier := e.cfg.notifiers[action]
		repeat := e.cfg.repeat
		if rp, ok := notifier.(Repeater); ok && rp.RepeatInterval() > 0 {
			repeat = rp.RepeatInterval()
		}
		firing := &job{action: action, notifier: notifier}
		for _, fp := range fps {
			st := states[fp]
			if st.alert.State != StateFiring {
				continue
			}
			d := st.deliveries[action]
			if d == nil {
				d = &deliveryState{}
				st.deliveries[action] = d
			}
			if e.due(d, repeat, now) {
				firing.states = append(firing.states, st)
			}
		}
		resolvedJob := &job{action: action, notifier: notifier}
		for _, st := range resolved {
			if d := st.deliveries[action]; d != nil && !d.sentAt.IsZero() {
				resolvedJob.states = append(resolvedJob.states, st)
			}
		}
		for status, j := range map[State]*job{StateFiring: firing, StateResolved: resolvedJob} {
			if len(j.states) == 0 {
				continue
			}
			j.n = Notification{Receiver: action, Status: status, Rule: r.Name, ExternalURL: e.cfg.externalURL, Time: now}
			for _, st := range j.states {
				j.n.Alerts = append(j.n.Alerts, st.alert.clone())
			}
			jobs = append(jobs, j)
		}
	}
	slices.SortFunc(jobs, func(a, b *job) int { return int(a.n.Status) - int(b.n.Status) })
	return jobs
}

// due reports whether a firing alert should be notified to an action now:
// never notified, or the repeat interval has passed; and not inside the
// back-off after a failed round (the evaluation interval, doubling per
// consecutive failure, at most the repeat interval).
func (e *Engine) due(d *deliveryState, repeat time.Duration, now time.Time) bool {
	if !d.sentAt.IsZero() && now.Sub(d.sentAt) < repeat {
		return false
	}
	if d.failures > 0 {
		backoff := repeat
		if shift := d.failures - 1; shift < 30 {
			backoff = min(e.cfg.interval<<shift, repeat)
		}
		if now.Sub(d.failedAt) < backoff {
			return false
		}
	}
	return true
}

// deliver sends the jobs in parallel and records the outcomes.
func (e *Engine) deliver(ctx context.Context, jobs []*job, now time.Time) {
	if len(jobs) == 0 {
		return
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.err = e.send(ctx, j) })
	}
	wg.Wait()

	e.mu.Lock()
	for _, j := range jobs {
		if j.n.Status != StateFiring {
			continue
		}
		for _, st := range j.states {
			d := st.deliveries[j.action]
			if j.err == nil {
				d.sentAt, d.failures, d.failedAt = now, 0, time.Time{}
			} else {
				d.failures++
				d.failedAt = now
			}
		}
	}
	e.mu.Unlock()

	for _, j := range jobs {
		outcome := "sent"
		if j.err != nil {
			outcome = "failed"
			e.cfg.logger.LogAttrs(ctx, slog.LevelError, "alert notification failed",
				slog.String("action", j.action), slog.String("rule", j.n.Rule),
				slog.String("status", j.n.Status.String()), slog.Int("alerts", len(j.n.Alerts)),
				slog.Any("err", j.err))
		}
		e.metrics.notifications.WithLabelValues(j.action, outcome).Inc()
	}
}

// send delivers one job with retries.
func (e *Engine) send(ctx context.Context, j *job) error {
	p := e.cfg.retry
	retryable := p.Retryable
	p.Retryable = func(err error) bool {
		if isPermanent(err) || ctx.Err() != nil {
			return false
		}
		if retryable != nil {
			return retryable(err)
		}
		// A per-attempt timeout is worth retrying; an open breaker is not.
		return !errors.Is(err, resilience.ErrOpen)
	}
	return resilience.Retry(ctx, p, func(ctx context.Context) error {
		actx, cancel := context.WithTimeout(ctx, e.cfg.sendTimeout)
		defer cancel()
		return safeNotify(actx, j.notifier, j.n)
	})
}

func safeNotify(ctx context.Context, n Notifier, notification Notification) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("alerting: notifier %q panicked: %v", notification.Receiver, r))
		}
	}()
	return n.Notify(ctx, notification)
}

// Silence suppresses every notification of rule until the given time
// (engine clock); states are still evaluated. A time in the past lifts the
// silence. An alert that fires during a silence and is still firing when it
// ends is notified at the next evaluation; alerts that resolve during a
// silence are not notified. An unknown rule is [ErrUnknownRule].
func (e *Engine) Silence(rule string, until time.Time) error {
	if !slices.ContainsFunc(e.cfg.rules, func(r Rule) bool { return r.Name == rule }) {
		return fmt.Errorf("%w: %q", ErrUnknownRule, rule)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if until.After(e.cfg.now()) {
		e.silences[rule] = until
	} else {
		delete(e.silences, rule)
	}
	return nil
}

// Active returns the pending and firing alerts, sorted by rule and
// fingerprint. The alerts are copies.
func (e *Engine) Active() []Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Alert
	for _, states := range e.alerts {
		for _, st := range states {
			out = append(out, st.alert.clone())
		}
	}
	sortAlerts(out)
	return out
}

// engineMetrics are the engine's own series.
type engineMetrics struct {
	e             *Engine
	alertsDesc    *prometheus.Desc
	notifications *prometheus.CounterVec
	evalFailures  prometheus.Counter
}

func newEngineMetrics(e *Engine) *engineMetrics {
	ns := e.cfg.namespace
	return &engineMetrics{
		e: e,
		alertsDesc: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "alerts"),
			"Alerts of each rule by state (pending or firing).", []string{"alertname", "severity", "state"}, nil),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "alert_notifications_total",
			Help: "Alert notifications by action and outcome (sent or failed after retries)."}, []string{"action", "outcome"}),
		evalFailures: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "alert_evaluation_failures_total",
			Help: "Evaluation rounds skipped because gathering metrics failed."}),
	}
}

func (m *engineMetrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{alertsCollector{m}, m.notifications, m.evalFailures} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// alertsCollector exports the alerts gauge from the engine's state at scrape
// time, so a scrape never sees a half-updated set.
type alertsCollector struct{ m *engineMetrics }

func (c alertsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.m.alertsDesc }

func (c alertsCollector) Collect(ch chan<- prometheus.Metric) {
	e := c.m.e
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		var pending, firing int
		for _, st := range e.alerts[r.Name] {
			if st.alert.State == StateFiring {
				firing++
			} else {
				pending++
			}
		}
		sev := r.Severity.String()
		ch <- prometheus.MustNewConstMetric(c.m.alertsDesc, prometheus.GaugeValue, float64(pending), r.Name, sev, "pending")
		ch <- prometheus.MustNewConstMetric(c.m.alertsDesc, prometheus.GaugeValue, float64(firing), r.Name, sev, "firing")
	}
}

// String describes the engine without its notifiers' configuration.
func (e *Engine) String() string {
	return "alerting.Engine{rules: " + strconv.Itoa(len(e.cfg.rules)) + "}"
}
