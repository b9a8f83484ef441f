package alerting

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// label is one label pair of a series.
type label struct{ name, value string }

// labels is a label set sorted by name.
type labels []label

func (ls labels) get(name string) string {
	for _, l := range ls {
		if l.name == name {
			return l.value
		}
	}
	return ""
}

func (ls labels) key() string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.name)
		b.WriteByte(0xfe)
		b.WriteString(l.value)
		b.WriteByte(0xff)
	}
	return b.String()
}

// point is one gathered value; t is Unix milliseconds, like Prometheus.
type point struct {
	t int64
	v float64
}

// series is the recent history of one flattened sample stream.
type series struct {
	labels   labels
	points   []point // oldest first; trimmed to the store's retention
	lastSeen int64   // time of the latest gather that held the series
}

// store keeps the recent points of the series that rules read, flattened the
// way the text exposition format names them (histograms become _bucket,
// _sum and _count series). It holds nothing else, so its size is bounded by
// the rules, the series they select and retention/interval points each.
type store struct {
	wanted    map[string]bool
	byMetric  map[string]map[string]*series
	retention time.Duration
	maxPoints int
}

func newStore(wanted map[string]bool, retention, interval time.Duration) *store {
	maxPoints := 8
	if interval > 0 {
		// Room for four evaluations per interval on average: hosts calling
		// Evaluate more often than the interval still see the full window.
		maxPoints = 4*int(retention/interval) + 8
	}
	return &store{wanted: wanted, byMetric: map[string]map[string]*series{}, retention: retention, maxPoints: maxPoints}
}

// ingest adds the gathered families at time now and drops what retention no
// longer needs.
func (s *store) ingest(families []*dto.MetricFamily, now time.Time) {
	t := now.UnixMilli()
	add := func(name string, ls labels, v float64) {
		if !s.wanted[name] {
			return
		}
		m := s.byMetric[name]
		if m == nil {
			m = map[string]*series{}
			s.byMetric[name] = m
		}
		k := ls.key()
		sr := m[k]
		if sr == nil {
			sr = &series{labels: ls}
			m[k] = sr
		}
		if n := len(sr.points); n > 0 && sr.points[n-1].t >= t {
			sr.points[n-1] = point{t, v} // same timestamp twice: keep the newest
		} else {
			if len(sr.points) >= s.maxPoints {
				sr.points = append(sr.points[:0], sr.points[1:]...)
			}
			sr.points = append(sr.points, point{t, v})
		}
		sr.lastSeen = t
	}
	for _, f := range families {
		if n := f.GetName(); s.wanted[n] || s.wanted[n+"_bucket"] || s.wanted[n+"_sum"] || s.wanted[n+"_count"] {
			flatten(f, add)
		}
	}
	cutoff := now.Add(-s.retention).UnixMilli()
	for name, m := range s.byMetric {
		for k, sr := range m {
			i := sort.Search(len(sr.points), func(i int) bool { return sr.points[i].t >= cutoff })
			if i == len(sr.points) {
				delete(m, k)
				continue
			}
			if i > 0 {
				sr.points = append(sr.points[:0], sr.points[i:]...)
			}
		}
		if len(m) == 0 {
			delete(s.byMetric, name)
		}
	}
}

// flatten calls add for every sample of f, named as in the text format.
func flatten(f *dto.MetricFamily, add func(name string, ls labels, v float64)) {
	name := f.GetName()
	for _, m := range f.GetMetric() {
		ls := make(labels, 0, len(m.GetLabel())+1)
		for _, lp := range m.GetLabel() {
			ls = append(ls, label{lp.GetName(), lp.GetValue()})
		}
		slices.SortFunc(ls, func(a, b label) int { return strings.Compare(a.name, b.name) })
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			add(name, ls, m.GetCounter().GetValue())
		case dto.MetricType_GAUGE:
			add(name, ls, m.GetGauge().GetValue())
		case dto.MetricType_UNTYPED:
			add(name, ls, m.GetUntyped().GetValue())
		case dto.MetricType_SUMMARY:
			sm := m.GetSummary()
			for _, q := range sm.GetQuantile() {
				add(name, withLabel(ls, "quantile", formatFloat(q.GetQuantile())), q.GetValue())
			}
			add(name+"_sum", ls, sm.GetSampleSum())
			add(name+"_count", ls, float64(sm.GetSampleCount()))
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			h := m.GetHistogram()
			count := float64(h.GetSampleCount())
			if h.GetSampleCountFloat() > 0 {
				count = h.GetSampleCountFloat()
			}
			sawInf := false
			for _, b := range h.GetBucket() {
				c := float64(b.GetCumulativeCount())
				if b.GetCumulativeCountFloat() > 0 {
					c = b.GetCumulativeCountFloat()
				}
				sawInf = sawInf || math.IsInf(b.GetUpperBound(), 1)
				add(name+"_bucket", withLabel(ls, "le", formatLE(b.GetUpperBound())), c)
			}
			if len(h.GetBucket()) > 0 && !sawInf {
				add(name+"_bucket", withLabel(ls, "le", "+Inf"), count)
			}
			add(name+"_sum", ls, h.GetSampleSum())
			add(name+"_count", ls, count)
		}
	}
}

func formatLE(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return formatFloat(f)
}

// withLabel returns a copy of ls with name=value added, sorted.
func withLabel(ls labels, name, value string) labels {
	out := make(labels, 0, len(ls)+1)
	i := 0
	for ; i < len(ls) && ls[i].name < name; i++ {
		out = append(out, ls[i])
	}
	out = append(out, label{name, value})
	for ; i < len(ls); i++ {
		if ls[i].name != name {
			out = append(out, ls[i])
		}
	}
	return out
}

// sample is one group's value in a query result.
type sample struct {
	labels labels
	value  float64
}

// result maps group keys to samples.
type result map[string]sample

// eval evaluates q over the store at now.
func (s *store) eval(q Query, now time.Time) result {
	t := now.UnixMilli()
	switch q.kind {
	case kindGauge:
		return s.sumBy(q, q.metric, nil, func(sr *series) (float64, bool) {
			if sr.lastSeen != t {
				return 0, false // gone from the latest gather
			}
			return sr.points[len(sr.points)-1].v, true
		})
	case kindRate, kindIncrease:
		return s.sumBy(q, q.metric, nil, s.rangeFn(q, t))
	case kindHistogramAverage:
		num := s.sumBy(q, q.metric+"_sum", nil, s.rangeFn(Rate("", q.window), t))
		den := s.sumBy(q, q.metric+"_count", nil, s.rangeFn(Rate("", q.window), t))
		return divide(num, den)
	case kindHistogramQuantile:
		return s.quantile(q, t)
	case kindRatio:
		return divide(s.eval(*q.num, now), s.eval(*q.den, now))
	}
	return nil
}

// rangeFn returns the per-series function of a rate or increase query.
func (s *store) rangeFn(q Query, t int64) func(*series) (float64, bool) {
	return func(sr *series) (float64, bool) {
		return extrapolatedDelta(sr.points, t, q.window, q.kind != kindIncrease)
	}
}

// sumBy sums fn over the series of metric that q's matchers select, grouped
// by q.by plus extra.
func (s *store) sumBy(q Query, metric string, extra []string, fn func(*series) (float64, bool)) result {
	out := result{}
	for _, sr := range s.byMetric[metric] {
		if !selects(q.matchers, sr.labels) {
			continue
		}
		v, ok := fn(sr)
		if !ok {
			continue
		}
		g := groupLabels(sr.labels, q.by, extra)
		k := g.key()
		if prev, ok := out[k]; ok {
			v += prev.value
		}
		out[k] = sample{labels: g, value: v}
	}
	return out
}

// selects reports whether the series labelled ls passes every matcher.
// Target matchers ([Job]) pass: the gathered series are all this process's.
func selects(ms []Matcher, ls labels) bool {
	for _, m := range ms {
		if !m.target && !m.matches(ls.get(m.Name)) {
			return false
		}
	}
	return true
}

// groupLabels keeps the labels of ls named in by or extra, sorted.
func groupLabels(ls labels, by, extra []string) labels {
	if len(by)+len(extra) == 0 {
		return nil
	}
	var g labels
	for _, l := range ls {
		if slices.Contains(by, l.name) || slices.Contains(extra, l.name) {
			g = append(g, l)
		}
	}
	return g
}

// divide matches num and den group by group.
func divide(num, den result) result {
	out := result{}
	for k, n := range num {
		if d, ok := den[k]; ok {
			out[k] = sample{labels: n.labels, value: n.value / d.value}
		}
	}
	return out
}

// extrapolatedDelta computes PromQL's rate (perSecond) or increase over the
// points in (t-window, t], handling counter resets and extrapolating to the
// window's edges the way Prometheus does, so results match a Prometheus
// server fed the same samples.
func extrapolatedDelta(pts []point, t int64, window time.Duration, perSecond bool) (float64, bool) {
	start := t - window.Milliseconds()
	i := sort.Search(len(pts), func(i int) bool { return pts[i].t > start })
	j := sort.Search(len(pts), func(i int) bool { return pts[i].t > t })
	in := pts[i:j]
	if len(in) < 2 {
		return 0, false
	}
	first, last := in[0], in[len(in)-1]
	delta := last.v - first.v
	prev := first.v
	for _, p := range in[1:] {
		if p.v < prev {
			delta += prev // counter reset: the counter restarted from zero
		}
		prev = p.v
	}
	sampled := float64(last.t-first.t) / 1000
	if sampled <= 0 {
		return 0, false
	}
	toStart := float64(first.t-start) / 1000
	toEnd := float64(t-last.t) / 1000
	avgGap := sampled / float64(len(in)-1)
	// A counter cannot go below zero: do not extrapolate past the point
	// where it would have been zero.
	if delta > 0 && first.v >= 0 {
		if toZero := sampled * (first.v / delta); toZero < toStart {
			toStart = toZero
		}
	}
	// Extrapolate to an edge only when the data reaches close to it;
	// otherwise assume the series started or ended half a gap away.
	limit := avgGap * 1.1
	span := sampled
	if toStart < limit {
		span += toStart
	} else {
		span += avgGap / 2
	}
	if toEnd < limit {
		span += toEnd
	} else {
		span += avgGap / 2
	}
	// Same order of float operations as Prometheus, for identical results.
	factor := span / sampled
	if perSecond {
		factor /= window.Seconds()
	}
	return delta * factor, true
}

// quantile evaluates histogram_quantile over the rates of the buckets.
func (s *store) quantile(q Query, t int64) result {
	rates := s.sumBy(q, q.metric+"_bucket", []string{"le"}, s.rangeFn(Rate("", q.window), t))
	type bucket struct{ upper, count float64 }
	groups := map[string][]bucket{}
	groupLbls := map[string]labels{}
	for _, smp := range rates {
		le, err := strconv.ParseFloat(smp.labels.get("le"), 64)
		if err != nil {
			continue
		}
		g := slices.DeleteFunc(slices.Clone(smp.labels), func(l label) bool { return l.name == "le" })
		k := g.key()
		groups[k] = append(groups[k], bucket{le, smp.value})
		groupLbls[k] = g
	}
	out := result{}
	for k, bs := range groups {
		slices.SortFunc(bs, func(a, b bucket) int { return cmp.Compare(a.upper, b.upper) })
		uppers := make([]float64, len(bs))
		counts := make([]float64, len(bs))
		for i, b := range bs {
			uppers[i], counts[i] = b.upper, b.count
		}
		if v, ok := bucketQuantile(q.q, uppers, counts); ok {
			out[k] = sample{labels: groupLbls[k], value: v}
		}
	}
	return out
}

// bucketQuantile estimates the q-quantile from cumulative bucket counts
// (uppers ascending, the last +Inf), interpolating linearly inside the
// bucket that holds it, as PromQL's histogram_quantile does.
func bucketQuantile(q float64, uppers, counts []float64) (float64, bool) {
	n := len(uppers)
	if n < 2 || !math.IsInf(uppers[n-1], 1) {
		return 0, false
	}
	// Rates of cumulative counts can come out slightly non-monotonic from
	// float rounding; make them monotonic.
	for i := 1; i < n; i++ {
		if counts[i] < counts[i-1] {
			counts[i] = counts[i-1]
		}
	}
	total := counts[n-1]
	if total == 0 || math.IsNaN(total) {
		return math.NaN(), true
	}
	rank := q * total
	b := sort.Search(n-1, func(i int) bool { return counts[i] >= rank })
	if b == n-1 {
		return uppers[n-2], true // in the +Inf bucket: the highest finite bound
	}
	if b == 0 && uppers[0] <= 0 {
		return uppers[0], true
	}
	lower, below := 0.0, 0.0
	if b > 0 {
		lower, below = uppers[b-1], counts[b-1]
	}
	inBucket := counts[b] - below
	if inBucket == 0 {
		return uppers[b], true
	}
	return lower + (uppers[b]-lower)*((rank-below)/inBucket), true
}
