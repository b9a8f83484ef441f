package alerting

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"time"
)

// Notifier delivers alert notifications: to Slack, email, a webhook, or an
// automatic restart. Notify should honour ctx and return an error when
// delivery failed; the engine retries it with backoff unless the error is
// [Permanent]. Implementations must be safe for concurrent use.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// NotifierFunc adapts a function to [Notifier].
type NotifierFunc func(ctx context.Context, n Notification) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n Notification) error { return f(ctx, n) }

// Repeater is implemented by notifiers that want firing notifications
// repeated at their own pace rather than the engine's [WithRepeatInterval]
// ([Restarter] asks again every MinInterval).
type Repeater interface {
	RepeatInterval() time.Duration
}

// Alert is one alert instance: a rule and, for grouped queries, one group.
type Alert struct {
	Rule        string            // the rule's name (the alertname label)
	Severity    Severity          // the rule's severity
	State       State             // pending, firing or resolved
	Labels      map[string]string // alertname, severity, rule labels, group labels
	Annotations map[string]string // the rule's annotations, expanded
	Value       float64           // the query's value at the latest evaluation
	Threshold   float64           // the value it is compared with
	Comparison  string            // ">", "<" or "=="
	Expr        string            // the condition in PromQL
	ActiveAt    time.Time         // when the condition was first true (pending since)
	FiredAt     time.Time         // when it started firing; zero while pending
	ResolvedAt  time.Time         // when it resolved; zero until then
	Fingerprint string            // hash of Labels, as Prometheus and Alertmanager compute it
}

func (a Alert) clone() Alert {
	a.Labels = maps.Clone(a.Labels)
	a.Annotations = maps.Clone(a.Annotations)
	return a
}

// Notification is what a [Notifier] receives: the alerts of one rule that
// fired (or are due again) or resolved in one evaluation.
type Notification struct {
	Receiver    string    // the action name the notifier was registered under
	Status      State     // StateFiring or StateResolved
	Rule        string    // the rule the alerts belong to
	Alerts      []Alert   // at least one
	ExternalURL string    // from WithExternalURL
	Time        time.Time // the evaluation time (engine clock)
}

// GroupLabels returns the labels notifications are grouped by:
// {alertname: rule}.
func (n Notification) GroupLabels() map[string]string {
	return map[string]string{"alertname": n.Rule}
}

// CommonLabels returns the labels every alert of n has with the same value.
func (n Notification) CommonLabels() map[string]string {
	return common(n.Alerts, func(a Alert) map[string]string { return a.Labels })
}

// CommonAnnotations returns the annotations every alert of n has with the
// same value.
func (n Notification) CommonAnnotations() map[string]string {
	return common(n.Alerts, func(a Alert) map[string]string { return a.Annotations })
}

func common(alerts []Alert, get func(Alert) map[string]string) map[string]string {
	out := map[string]string{}
	if len(alerts) == 0 {
		return out
	}
	maps.Copy(out, get(alerts[0]))
	for _, a := range alerts[1:] {
		m := get(a)
		for k, v := range out {
			if w, ok := m[k]; !ok || w != v {
				delete(out, k)
			}
		}
	}
	return out
}

// PermanentError marks a delivery failure that retrying cannot fix (a
// rejected webhook, a malformed address). Build one with [Permanent].
type PermanentError struct{ Err error }

// Error returns the wrapped error's message.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so the engine does not retry the delivery. Permanent(nil)
// is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// sortAlerts orders alerts by rule, then fingerprint.
func sortAlerts(as []Alert) {
	slices.SortFunc(as, func(a, b Alert) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
}
