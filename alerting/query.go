package alerting

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// MatchType says how a [Matcher] compares a label value.
type MatchType uint8

// Match types, as in PromQL selectors.
const (
	MatchEqual     MatchType = iota // =
	MatchNotEqual                   // !=
	MatchRegexp                     // =~ (fully anchored, RE2 syntax)
	MatchNotRegexp                  // !~
)

// String returns the PromQL operator.
func (t MatchType) String() string {
	switch t {
	case MatchEqual:
		return "="
	case MatchNotEqual:
		return "!="
	case MatchRegexp:
		return "=~"
	case MatchNotRegexp:
		return "!~"
	}
	return "MatchType(" + strconv.Itoa(int(t)) + ")"
}

// Matcher selects series by one label, like a PromQL label matcher. A label
// a series does not have matches as the empty string, as in PromQL. Build
// matchers with [Eq], [NotEq], [Re], [NotRe] and [Job]: a regexp Matcher
// written as a literal has no compiled expression and fails validation.
type Matcher struct {
	Name  string
	Value string
	Type  MatchType

	re  *regexp.Regexp
	err error
	// target marks a matcher on a label Prometheus attaches when it
	// scrapes (see Job): it is rendered in PromQL but selects every series
	// in-process.
	target bool
}

// Eq matches series whose label name equals value.
func Eq(name, value string) Matcher { return Matcher{Name: name, Value: value, Type: MatchEqual} }

// NotEq matches series whose label name differs from value.
func NotEq(name, value string) Matcher { return Matcher{Name: name, Value: value, Type: MatchNotEqual} }

// Re matches series whose label name matches the regular expression pattern
// in full. An invalid pattern makes the rule that uses it fail validation.
func Re(name, pattern string) Matcher { return regexMatcher(name, pattern, MatchRegexp) }

// NotRe matches series whose label name does not match pattern in full.
func NotRe(name, pattern string) Matcher { return regexMatcher(name, pattern, MatchNotRegexp) }

// Job matches the series Prometheus scraped from the named scrape job:
// job="name" in PromQL. job is a target label that Prometheus attaches to
// every series when it scrapes, so a rule file evaluated by a server that
// also scrapes itself, Lavalink or exporters can tell the bot's processes
// from theirs. The engine reads the registry of the one process it runs
// in, whose series carry no target labels and all belong to that process,
// so in-process a Job matcher selects every series: a rule scoped with Job
// watches each process of the job on a Prometheus server, and the process
// itself in-process. An empty name fails validation; leave the matcher out
// to read every job. (A series' own label named job is exported_job in
// Prometheus; match it with [Eq].)
func Job(name string) Matcher {
	return Matcher{Name: "job", Value: name, Type: MatchEqual, target: true}
}

func regexMatcher(name, pattern string, t MatchType) Matcher {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	return Matcher{Name: name, Value: pattern, Type: t, re: re, err: err}
}

func (m Matcher) matches(v string) bool {
	switch m.Type {
	case MatchEqual:
		return v == m.Value
	case MatchNotEqual:
		return v != m.Value
	case MatchRegexp:
		return m.re != nil && m.re.MatchString(v)
	case MatchNotRegexp:
		return m.re != nil && !m.re.MatchString(v)
	}
	return false
}

func (m Matcher) validate() error {
	if !validLabelName(m.Name) {
		return fmt.Errorf("invalid label name %q in matcher", m.Name)
	}
	if !validLabelValue(m.Value) {
		return fmt.Errorf("matcher value for label %q is not valid UTF-8", m.Name)
	}
	if m.Type > MatchNotRegexp {
		return fmt.Errorf("invalid match type %d for label %q", m.Type, m.Name)
	}
	if m.target && m.Value == "" {
		return errors.New("empty job name in Job (leave the matcher out to read every job)")
	}
	if m.err != nil || (m.Type >= MatchRegexp && m.re == nil) {
		return fmt.Errorf("invalid regular expression %q for label %q (build regexp matchers with Re or NotRe)", m.Value, m.Name)
	}
	return nil
}

// String renders the matcher in PromQL: name="value".
func (m Matcher) String() string { return m.Name + m.Type.String() + strconv.Quote(m.Value) }

type queryKind uint8

const (
	kindGauge queryKind = iota + 1
	kindRate
	kindIncrease
	kindHistogramAverage
	kindHistogramQuantile
	kindRatio
)

// Query is a typed PromQL expression that yields one value per group of
// series: the matching series are summed, into one group by default or per
// distinct values of the labels given to [Query.By]. Build one with [Rate],
// [Increase], [GaugeValue], [HistogramAverage], [HistogramQuantile] or
// [Ratio], then compare it with [Query.Above], [Query.Below] or
// [Query.Equal] to get a [Condition].
//
// A Query is an immutable value. [Query.PromQL] renders the equivalent
// PromQL, which evaluates to the same values in Prometheus.
type Query struct {
	kind     queryKind
	metric   string
	window   time.Duration
	matchers []Matcher
	q        float64
	num, den *Query
	by       []string
}

// Rate is the per-second rate of increase of a counter over window, summed:
// sum(rate(metric{matchers}[window])). Counter resets are handled and the
// result is extrapolated to the window's edges as Prometheus does.
func Rate(metric string, window time.Duration, matchers ...Matcher) Query {
	return Query{kind: kindRate, metric: metric, window: window, matchers: matchers}
}

// Increase is the increase of a counter over window, summed:
// sum(increase(metric{matchers}[window])).
func Increase(metric string, window time.Duration, matchers ...Matcher) Query {
	return Query{kind: kindIncrease, metric: metric, window: window, matchers: matchers}
}

// GaugeValue is the current value of a gauge (or any series), summed:
// sum(metric{matchers}). Only series present in the latest gather count.
func GaugeValue(metric string, matchers ...Matcher) Query {
	return Query{kind: kindGauge, metric: metric, matchers: matchers}
}

// HistogramAverage is the average observation of a histogram (or summary)
// over window: sum(rate(metric_sum[window])) / sum(rate(metric_count[window])).
// metric is the histogram's base name, without _sum or _count.
func HistogramAverage(metric string, window time.Duration, matchers ...Matcher) Query {
	return Query{kind: kindHistogramAverage, metric: metric, window: window, matchers: matchers}
}

// HistogramQuantile estimates the q-quantile (0 ≤ q ≤ 1) of a classic
// histogram's observations over window:
// histogram_quantile(q, sum by (le) (rate(metric_bucket[window]))).
// metric is the histogram's base name, without _bucket.
func HistogramQuantile(q float64, metric string, window time.Duration, matchers ...Matcher) Query {
	return Query{kind: kindHistogramQuantile, metric: metric, window: window, matchers: matchers, q: q}
}

// Ratio divides num by den, group by group: (num) / (den). Both must be
// grouped by the same labels. A zero denominator gives NaN or ±Inf, as in
// PromQL; NaN satisfies no comparison.
func Ratio(num, den Query) Query {
	return Query{kind: kindRatio, num: &num, den: &den}
}

// By returns a copy of q that sums per distinct combination of the given
// labels (PromQL "sum by (labels)") instead of into one group. Each group
// becomes its own alert, carrying those labels. For a [Ratio], By applies
// to both sides.
func (q Query) By(labels ...string) Query {
	q.by = append([]string(nil), labels...)
	if q.kind == kindRatio {
		n, d := q.num.By(labels...), q.den.By(labels...)
		q.num, q.den = &n, &d
	}
	return q
}

// Above is the condition "q > x".
func (q Query) Above(x float64) Condition { return Condition{query: q, op: opAbove, threshold: x} }

// Below is the condition "q < x".
func (q Query) Below(x float64) Condition { return Condition{query: q, op: opBelow, threshold: x} }

// Equal is the condition "q == x".
func (q Query) Equal(x float64) Condition { return Condition{query: q, op: opEqual, threshold: x} }

// Window returns the longest range the query looks back over (0 for
// instant queries such as [GaugeValue]).
func (q Query) Window() time.Duration {
	if q.kind == kindRatio {
		return max(q.num.Window(), q.den.Window())
	}
	return q.window
}

// PromQL renders q as a PromQL expression.
func (q Query) PromQL() string {
	switch q.kind {
	case kindGauge:
		return q.sum(selector(q.metric, q.matchers))
	case kindRate, kindIncrease:
		fn := "rate"
		if q.kind == kindIncrease {
			fn = "increase"
		}
		return q.sum(fn + "(" + selector(q.metric, q.matchers) + "[" + promDuration(q.window) + "])")
	case kindHistogramAverage:
		rng := "[" + promDuration(q.window) + "])"
		return q.sum("rate("+selector(q.metric+"_sum", q.matchers)+rng) + " / " +
			q.sum("rate("+selector(q.metric+"_count", q.matchers)+rng)
	case kindHistogramQuantile:
		by := append([]string{"le"}, q.by...)
		return "histogram_quantile(" + formatFloat(q.q) + ", sum by (" + strings.Join(by, ", ") + ") (rate(" +
			selector(q.metric+"_bucket", q.matchers) + "[" + promDuration(q.window) + "])))"
	case kindRatio:
		return operand(*q.num) + " / " + operand(*q.den)
	}
	return ""
}

// String is [Query.PromQL].
func (q Query) String() string { return q.PromQL() }

func (q Query) sum(inner string) string {
	if len(q.by) == 0 {
		return "sum(" + inner + ")"
	}
	return "sum by (" + strings.Join(q.by, ", ") + ") (" + inner + ")"
}

// operand parenthesizes binary expressions used as a side of a division.
func operand(q Query) string {
	if q.kind == kindRatio || q.kind == kindHistogramAverage {
		return "(" + q.PromQL() + ")"
	}
	return q.PromQL()
}

func selector(metric string, ms []Matcher) string {
	if len(ms) == 0 {
		return metric
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return metric + "{" + strings.Join(parts, ", ") + "}"
}

// promDuration renders d in Prometheus' duration syntax ("5m", "1h30m").
func promDuration(d time.Duration) string { return model.Duration(d).String() }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// metricNames lists the series names the query reads.
func (q Query) metricNames() []string {
	switch q.kind {
	case kindHistogramAverage:
		return []string{q.metric + "_sum", q.metric + "_count"}
	case kindHistogramQuantile:
		return []string{q.metric + "_bucket"}
	case kindRatio:
		return append(q.num.metricNames(), q.den.metricNames()...)
	}
	return []string{q.metric}
}

func (q Query) validate() error {
	var errs []error
	switch q.kind {
	case 0:
		return errors.New("empty query (build one with Rate, Increase, GaugeValue, HistogramAverage, HistogramQuantile or Ratio)")
	case kindRatio:
		errs = append(errs, q.num.validate(), q.den.validate())
		if strings.Join(q.num.by, ",") != strings.Join(q.den.by, ",") {
			errs = append(errs, fmt.Errorf("ratio sides are grouped differently: by (%s) and by (%s)",
				strings.Join(q.num.by, ", "), strings.Join(q.den.by, ", ")))
		}
		return errors.Join(errs...)
	}
	if !validMetricName(q.metric) {
		errs = append(errs, fmt.Errorf("invalid metric name %q", q.metric))
	}
	if q.kind != kindGauge && q.window <= 0 {
		errs = append(errs, fmt.Errorf("%s needs a positive window, got %v", q.metric, q.window))
	}
	if q.kind != kindGauge && q.window%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("window %v of %s is finer than a millisecond", q.window, q.metric))
	}
	if q.kind == kindHistogramQuantile && !(q.q >= 0 && q.q <= 1) {
		errs = append(errs, fmt.Errorf("quantile %v is outside [0, 1]", q.q))
	}
	for _, m := range q.matchers {
		errs = append(errs, m.validate())
	}
	for _, l := range q.by {
		if !validLabelName(l) {
			errs = append(errs, fmt.Errorf("invalid label name %q in By", l))
		}
		if l == "le" && q.kind == kindHistogramQuantile {
			errs = append(errs, errors.New(`By("le") on a quantile: le is consumed by histogram_quantile`))
		}
	}
	return errors.Join(errs...)
}

func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func validLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

type compareOp uint8

const (
	opAbove compareOp = iota + 1
	opBelow
	opEqual
)

func (o compareOp) String() string {
	switch o {
	case opAbove:
		return ">"
	case opBelow:
		return "<"
	case opEqual:
		return "=="
	}
	return "?"
}

// Condition is a [Query] compared with a threshold; a group whose value
// satisfies it is an active alert. Build one with [Query.Above],
// [Query.Below] or [Query.Equal]. The zero Condition is invalid.
type Condition struct {
	query     Query
	op        compareOp
	threshold float64
}

// Query returns the compared query.
func (c Condition) Query() Query { return c.query }

// Threshold returns the value the query is compared with.
func (c Condition) Threshold() float64 { return c.threshold }

// Comparison returns the PromQL comparison operator: ">", "<" or "==".
func (c Condition) Comparison() string { return c.op.String() }

// PromQL renders the condition as a PromQL expression, such as
// "sum(rate(x[5m])) > 0.05".
func (c Condition) PromQL() string {
	return c.query.PromQL() + " " + c.op.String() + " " + formatFloat(c.threshold)
}

// String is [Condition.PromQL].
func (c Condition) String() string { return c.PromQL() }

func (c Condition) holds(v float64) bool {
	switch c.op {
	case opAbove:
		return v > c.threshold
	case opBelow:
		return v < c.threshold
	case opEqual:
		return v == c.threshold
	}
	return false
}

func (c Condition) validate() error {
	if c.op == 0 {
		return errors.New("empty condition (compare a query with Above, Below or Equal)")
	}
	if c.threshold != c.threshold { // NaN
		return errors.New("threshold is NaN")
	}
	return c.query.validate()
}
