package alerting

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Severity ranks an alert. The zero Severity is invalid: every [Rule] must
// say how bad its alert is.
type Severity uint8

// Severities, from least to most urgent.
const (
	Info Severity = iota + 1
	Warning
	Critical
)

// String returns "info", "warning" or "critical", the value of the alert's
// severity label.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// State is where an alert is in its life, following Prometheus.
type State uint8

// States. An alert is inactive while its condition is false, pending while
// it has been true for less than the rule's For, firing after that, and
// resolved once it has been false for the rule's KeepFiringFor. Inactive
// and resolved alerts are not listed by [Engine.Active].
const (
	StateInactive State = iota
	StatePending
	StateFiring
	StateResolved
)

// String returns "inactive", "pending", "firing" or "resolved".
func (s State) String() string {
	switch s {
	case StateInactive:
		return "inactive"
	case StatePending:
		return "pending"
	case StateFiring:
		return "firing"
	case StateResolved:
		return "resolved"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Rule says when to alert and whom to tell. It maps one to one onto a
// Prometheus alerting rule (see [PrometheusRules]).
type Rule struct {
	// Name is the alert's name (its alertname label), unique per engine.
	// By convention in CamelCase: "HighErrorRate".
	Name string
	// Severity becomes the severity label.
	Severity Severity
	// Expr is the condition; each group for which it holds is an alert.
	Expr Condition
	// For is how long the condition must hold before the alert fires;
	// until then it is pending. 0 fires at the first true evaluation.
	For time.Duration
	// KeepFiringFor keeps a firing alert firing this long after its
	// condition turned false, so a flapping condition does not resolve
	// and re-fire. 0 resolves at the first false evaluation.
	KeepFiringFor time.Duration
	// Labels are added to the alert's labels. They cannot set alertname or
	// severity.
	Labels map[string]string
	// Annotations are Go templates with Prometheus' variables and
	// functions: {{ $value }}, {{ $labels.name }}, {{ $value |
	// humanizePercentage }}, humanize, humanize1024, humanizeDuration,
	// toUpper, toLower. Conventional keys: summary, description, runbook_url.
	Annotations map[string]string
	// Actions name the notifiers (registered with [WithNotifier]) told when
	// the alert fires, repeats and resolves.
	Actions []string
}

// ErrInvalidRule is matched (with errors.Is) by every [*RuleError].
var ErrInvalidRule = errors.New("alerting: invalid rule")

// RuleError reports a rule that cannot be evaluated or exported.
type RuleError struct {
	Rule string // the rule's name
	Err  error  // what is wrong
}

// Error implements the error interface.
func (e *RuleError) Error() string {
	return "alerting: rule " + strconv.Quote(e.Rule) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RuleError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrInvalidRule].
func (e *RuleError) Is(target error) bool { return target == ErrInvalidRule }

// Validate reports what is wrong with r, as a [*RuleError], or nil.
func (r Rule) Validate() error {
	var errs []error
	if !validLabelValue(r.Name) || r.Name == "" {
		errs = append(errs, errors.New("name must be non-empty, valid UTF-8 text"))
	}
	if r.Severity < Info || r.Severity > Critical {
		errs = append(errs, fmt.Errorf("severity %v is not Info, Warning or Critical", r.Severity))
	}
	if r.For < 0 || r.KeepFiringFor < 0 {
		errs = append(errs, errors.New("the For and KeepFiringFor durations must not be negative"))
	}
	if r.For%time.Millisecond != 0 || r.KeepFiringFor%time.Millisecond != 0 {
		errs = append(errs, errors.New("the For and KeepFiringFor durations must be whole milliseconds, as in Prometheus"))
	}
	if err := r.Expr.validate(); err != nil {
		errs = append(errs, err)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		switch {
		case !validLabelName(k) || strings.HasPrefix(k, "__"):
			errs = append(errs, fmt.Errorf("invalid label name %q", k))
		case k == "alertname" || k == "severity":
			errs = append(errs, fmt.Errorf("label %q is set from the rule's Name and Severity", k))
		case !validLabelValue(r.Labels[k]):
			errs = append(errs, fmt.Errorf("label %q has an invalid UTF-8 value", k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Annotations)) {
		if !validLabelName(k) {
			errs = append(errs, fmt.Errorf("invalid annotation name %q", k))
		}
		if !validLabelValue(r.Annotations[k]) {
			errs = append(errs, fmt.Errorf("annotation %q is not valid UTF-8", k))
		}
		if _, err := parseAnnotation(k, r.Annotations[k]); err != nil {
			errs = append(errs, fmt.Errorf("annotation %q: %w", k, err))
		}
	}
	for _, a := range r.Actions {
		if a == "" {
			errs = append(errs, errors.New("empty action name"))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &RuleError{Rule: r.Name, Err: err}
	}
	return nil
}

func validLabelValue(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// ValidateRules validates every rule and checks that names are unique. It
// returns all problems joined, each a [*RuleError].
func ValidateRules(rules []Rule) error {
	var errs []error
	seen := map[string]bool{}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[r.Name] {
			errs = append(errs, &RuleError{Rule: r.Name, Err: errors.New("duplicate rule name")})
		}
		seen[r.Name] = true
	}
	return errors.Join(errs...)
}

// templatePreamble defines the variables Prometheus defines for alert
// templates, so annotations work unchanged in both places.
const templatePreamble = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// templateData is what an annotation template sees.
type templateData struct {
	Labels         map[string]string
	ExternalLabels map[string]string
	ExternalURL    string
	Value          float64
}

var templateFuncs = template.FuncMap{
	"humanize":           humanize,
	"humanize1024":       humanize1024,
	"humanizeDuration":   humanizeDuration,
	"humanizePercentage": func(v float64) string { return fmt.Sprintf("%.4g%%", v*100) },
	"toUpper":            strings.ToUpper,
	"toLower":            strings.ToLower,
}

func parseAnnotation(name, text string) (*template.Template, error) {
	return template.New(name).Funcs(templateFuncs).Option("missingkey=zero").Parse(templatePreamble + text)
}

// expand executes an annotation template; a failure becomes the text, as
// Prometheus does, rather than losing the alert.
func expand(t *template.Template, data templateData) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "<error expanding template: " + err.Error() + ">"
	}
	return b.String()
}

// humanize formats v with an SI prefix and four significant digits, like
// Prometheus' template function of the same name: 1234567 → "1.235M".
func humanize(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v)
	}
	if math.Abs(v) >= 1 {
		v, prefix := scaleDown(v, 1000, "k", "M", "G", "T", "P", "E", "Z", "Y")
		return fmt.Sprintf("%.4g%s", v, prefix)
	}
	v, prefix := scaleUp(v)
	return fmt.Sprintf("%.4g%s", v, prefix)
}

// humanize1024 formats v with a binary prefix: 2147483648 → "2Gi".
func humanize1024(v float64) string {
	if math.Abs(v) <= 1 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v)
	}
	v, prefix := scaleDown(v, 1024, "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi")
	return fmt.Sprintf("%.4g%s", v, prefix)
}

// humanizeDuration formats seconds: 90 → "1m 30s", 0.25 → "250ms".
func humanizeDuration(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v)
	}
	if v == 0 {
		return fmt.Sprintf("%.4gs", v)
	}
	if math.Abs(v) >= 1 {
		sign := ""
		if v < 0 {
			sign, v = "-", -v
		}
		whole := int64(v)
		d, h, m, s := whole/86400, whole/3600%24, whole/60%60, whole%60
		switch {
		case d != 0:
			return fmt.Sprintf("%s%dd %dh %dm %ds", sign, d, h, m, s)
		case h != 0:
			return fmt.Sprintf("%s%dh %dm %ds", sign, h, m, s)
		case m != 0:
			return fmt.Sprintf("%s%dm %ds", sign, m, s)
		}
		return fmt.Sprintf("%s%.4gs", sign, v)
	}
	v, prefix := scaleUp(v)
	return fmt.Sprintf("%.4g%ss", v, prefix)
}

// scaleDown divides v by base while |v| >= base, a prefix at a time, and
// returns it with the last prefix used ("" for none).
func scaleDown(v, base float64, prefixes ...string) (float64, string) {
	prefix := ""
	for _, p := range prefixes {
		if math.Abs(v) < base {
			break
		}
		prefix, v = p, v/base
	}
	return v, prefix
}

// scaleUp multiplies v, which is not 0, by 1000 while |v| < 1, and returns
// it with the SI prefix that undoes that: 0.0025 → 2.5, "m".
func scaleUp(v float64) (float64, string) {
	prefix := ""
	for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
		if math.Abs(v) >= 1 {
			break
		}
		prefix, v = p, v*1000
	}
	return v, prefix
}
