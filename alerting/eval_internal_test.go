package alerting

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"

	"github.com/tunekit/tunekit/internal/promtooltest"
)

func pts(tv ...float64) []point {
	var out []point
	for i := 0; i < len(tv); i += 2 {
		out = append(out, point{t: int64(tv[i] * 1000), v: tv[i+1]})
	}
	return out
}

func TestExtrapolatedDelta(t *testing.T) {
	tests := []struct {
		name      string
		points    []point
		at        float64
		window    time.Duration
		perSecond bool
		want      float64
		ok        bool
	}{
		{"steady counter", pts(15, 10, 30, 20, 45, 30, 60, 40), 60, time.Minute, false, 40, true},
		{"steady counter rate", pts(15, 10, 30, 20, 45, 30, 60, 40), 60, time.Minute, true, 40.0 / 60, true},
		{"counter reset", pts(15, 10, 30, 20, 45, 5, 60, 15), 60, time.Minute, false, 25 * 60.0 / 45, true},
		{"starts at zero: no extrapolation below zero", pts(10, 0, 40, 30), 60, time.Minute, false, 50, true},
		{"left edge is open", pts(0, 0, 60, 30), 60, time.Minute, false, 0, false},
		{"one point", pts(30, 5), 60, time.Minute, false, 0, false},
		{"points after t ignored", pts(15, 10, 30, 20, 75, 99), 30, time.Minute, false, 20, true}, // extrapolated back to zero at 15 s before the first point
		{"far from edges", pts(100, 100, 110, 110), 200, 200 * time.Second, false, 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := extrapolatedDelta(tt.points, int64(tt.at*1000), tt.window, tt.perSecond)
			if ok != tt.ok || (ok && math.Abs(got-tt.want) > 1e-9) {
				t.Errorf("extrapolatedDelta = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBucketQuantile(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		q      float64
		uppers []float64
		counts []float64
		want   float64
		ok     bool
	}{
		{0.5, []float64{0.1, 0.5, 1, inf}, []float64{10, 30, 40, 40}, 0.3, true},
		{0.99, []float64{0.1, 0.5, 1, inf}, []float64{10, 30, 40, 40}, 0.98, true},
		{0.95, []float64{0.1, 0.5, 1, inf}, []float64{10, 30, 40, 50}, 1, true},
		{0, []float64{0.1, 0.5, 1, inf}, []float64{10, 30, 40, 40}, 0, true},
		{0.5, []float64{-1, 0.5, inf}, []float64{10, 10, 10}, -1, true},
		{0.5, []float64{0.1, 0.5, inf}, []float64{10, 9, 20}, 0.1, true}, // made monotonic, else the search lands in +Inf
		{0.5, []float64{0.1, inf}, []float64{0, 0}, math.NaN(), true},
		{0.5, []float64{0.1, 0.5}, []float64{1, 2}, 0, false}, // no +Inf bucket
		{0.5, []float64{inf}, []float64{1}, 0, false},
	}
	for _, tt := range tests {
		got, ok := bucketQuantile(tt.q, tt.uppers, slices.Clone(tt.counts))
		same := got == tt.want || math.Abs(got-tt.want) < 1e-9 || (math.IsNaN(got) && math.IsNaN(tt.want))
		if ok != tt.ok || (ok && !same) {
			t.Errorf("bucketQuantile(%v, %v, %v) = %v, %v; want %v, %v", tt.q, tt.uppers, tt.counts, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchers(t *testing.T) {
	ls := labels{{"code", "500"}, {"job", "bot"}}
	tests := []struct {
		m    Matcher
		want bool
	}{
		{Eq("code", "500"), true},
		{Eq("code", "50"), false},
		{NotEq("code", "200"), true},
		{Re("code", "5.."), true},
		{Re("code", "5"), false}, // anchored
		{NotRe("code", "2.."), true},
		{Eq("missing", ""), true}, // absent label matches ""
		{Re("missing", ".*"), true},
		{Matcher{Name: "code", Value: "5..", Type: MatchRegexp}, false}, // not built with Re
		{Matcher{Name: "code", Type: MatchType(9)}, false},
	}
	for _, tt := range tests {
		if got := tt.m.matches(ls.get(tt.m.Name)); got != tt.want {
			t.Errorf("%v matches %v = %v, want %v", tt.m, ls, got, tt.want)
		}
	}
	// job is a target label: in-process every series is this process's,
	// whatever label of its own it has.
	for _, ms := range [][]Matcher{{Job("bot")}, {Job("other")}, {Job("other"), Eq("code", "500")}} {
		if !selects(ms, ls) {
			t.Errorf("selects(%v, %v) = false, want true", ms, ls)
		}
	}
	if selects([]Matcher{Eq("job", "other")}, ls) || selects([]Matcher{Job("bot"), Eq("code", "404")}, ls) {
		t.Errorf("selects ignored a matcher that is not Job")
	}
	if err := Job("bot").validate(); err != nil || Job("bot").String() != `job="bot"` {
		t.Errorf("Job(bot) = %v, validate %v; want job=\"bot\", nil", Job("bot"), err)
	}
	if err := (Matcher{Name: "code", Value: "x", Type: MatchRegexp}).validate(); err == nil {
		t.Error("regexp matcher built without Re validated")
	}
	if err := (Matcher{Name: "code", Type: MatchType(9)}).validate(); err == nil {
		t.Error("unknown match type validated")
	}
	if err := Eq("code", "\xff").validate(); err == nil {
		t.Error("invalid UTF-8 value validated")
	}
}

func TestFlatten(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c_total", Help: "h"}, []string{"b", "a"})
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "g", Help: "h"})
	u := prometheus.NewUntypedFunc(prometheus.UntypedOpts{Name: "u", Help: "h"}, func() float64 { return 7 })
	s := prometheus.NewSummary(prometheus.SummaryOpts{Name: "s", Help: "h", Objectives: map[float64]float64{0.5: 0.05}})
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h", Buckets: []float64{1, 2}})
	reg.MustRegister(c, g, u, s, h)
	c.WithLabelValues("x", "y").Add(3)
	g.Set(-2)
	s.Observe(4)
	h.Observe(1.5)
	h.Observe(5)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// A gauge histogram without a +Inf bucket and with float counts.
	mfs = append(mfs, &dto.MetricFamily{Name: proto.String("fh"), Type: dto.MetricType_GAUGE_HISTOGRAM.Enum(),
		Metric: []*dto.Metric{{Histogram: &dto.Histogram{SampleCountFloat: proto.Float64(2.5), SampleSum: proto.Float64(1),
			Bucket: []*dto.Bucket{{UpperBound: proto.Float64(0.5), CumulativeCountFloat: proto.Float64(1.5)}}}}}})
	var got []string
	for _, mf := range mfs {
		flatten(mf, func(name string, ls labels, v float64) {
			var parts []string
			for _, l := range ls {
				parts = append(parts, l.name+"="+l.value)
			}
			got = append(got, fmt.Sprintf("%s{%s} %v", name, strings.Join(parts, ","), v))
		})
	}
	want := []string{
		"c_total{a=y,b=x} 3",
		"g{} -2",
		"h_bucket{le=1} 0", "h_bucket{le=2} 1", "h_bucket{le=+Inf} 2", "h_sum{} 6.5", "h_count{} 2",
		"s{quantile=0.5} 4", "s_sum{} 4", "s_count{} 1",
		"u{} 7",
		"fh_bucket{le=0.5} 1.5", "fh_bucket{le=+Inf} 2.5", "fh_sum{} 1", "fh_count{} 2.5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("flatten =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func gaugeFamily(name string, ls map[string]string, v float64) *dto.MetricFamily {
	m := &dto.Metric{Gauge: &dto.Gauge{Value: proto.Float64(v)}}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range ls {
			if !yield(k) {
				return
			}
		}
	}) {
		m.Label = append(m.Label, &dto.LabelPair{Name: proto.String(k), Value: proto.String(ls[k])})
	}
	return &dto.MetricFamily{Name: proto.String(name), Type: dto.MetricType_GAUGE.Enum(), Metric: []*dto.Metric{m}}
}

func TestStoreIsBounded(t *testing.T) {
	s := newStore(map[string]bool{"a": true, "b": true}, time.Minute, 15*time.Second)
	now := time.Unix(1000, 0)
	for i := range 200 {
		fams := []*dto.MetricFamily{gaugeFamily("a", nil, float64(i)), gaugeFamily("ignored", nil, 1)}
		if i < 10 {
			fams = append(fams, gaugeFamily("b", map[string]string{"i": fmt.Sprint(i)}, 1))
		}
		s.ingest(fams, now)
		now = now.Add(15 * time.Second)
	}
	if n := len(s.byMetric["a"][""].points); n != 5 {
		t.Errorf("a holds %d points, want 5 (one minute at 15 s)", n)
	}
	if _, ok := s.byMetric["ignored"]; ok {
		t.Error("a series no rule reads was stored")
	}
	if _, ok := s.byMetric["b"]; ok {
		t.Error("series gone for longer than the retention were kept")
	}
	// Evaluating more often than the interval is capped too.
	s2 := newStore(map[string]bool{"a": true}, time.Minute, 15*time.Second)
	for i := range 1000 {
		s2.ingest([]*dto.MetricFamily{gaugeFamily("a", nil, 1)}, now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := len(s2.byMetric["a"][""].points); n != s2.maxPoints {
		t.Errorf("points = %d, want the cap %d", n, s2.maxPoints)
	}
	// Two gathers at the same time keep the newest value.
	s2.ingest([]*dto.MetricFamily{gaugeFamily("a", nil, 42)}, now.Add(999*time.Millisecond))
	pts := s2.byMetric["a"][""].points
	if pts[len(pts)-1].v != 42 || pts[len(pts)-2].t == pts[len(pts)-1].t {
		t.Errorf("same-time gather: last points %v", pts[len(pts)-2:])
	}
}

func TestHumanize(t *testing.T) {
	tests := []struct {
		fn   func(float64) string
		in   float64
		want string
	}{
		{humanize, 0, "0"},
		{humanize, 1234567, "1.235M"},
		{humanize, 999, "999"},
		{humanize, 0.0012, "1.2m"},
		{humanize, -2500, "-2.5k"},
		{humanize, math.Inf(1), "+Inf"},
		{humanize1024, 2147483648, "2Gi"},
		{humanize1024, 1, "1"},
		{humanize1024, 1536, "1.5Ki"},
		{humanizeDuration, 0, "0s"},
		{humanizeDuration, 90, "1m 30s"},
		{humanizeDuration, 3725, "1h 2m 5s"},
		{humanizeDuration, 90061, "1d 1h 1m 1s"},
		{humanizeDuration, 5.5, "5.5s"},
		{humanizeDuration, -90, "-1m 30s"},
		{humanizeDuration, 0.25, "250ms"},
		{humanizeDuration, math.NaN(), "NaN"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("humanize(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	tmpl, err := parseAnnotation("d", "{{ $value | humanizePercentage }} {{ $labels.x | toUpper }} {{ $labels.missing }}|{{ $externalURL }}")
	if err != nil {
		t.Fatal(err)
	}
	got := expand(tmpl, templateData{Labels: map[string]string{"x": "ab"}, Value: 0.125, ExternalURL: "u"})
	if got != "12.5% AB |u" {
		t.Errorf("expand = %q", got)
	}
	bad, _ := parseAnnotation("d", "{{ $value | toUpper }}")
	if got := expand(bad, templateData{}); !strings.HasPrefix(got, "<error expanding template") {
		t.Errorf("failing template expanded to %q", got)
	}
}

func TestCgroupMemoryLimit(t *testing.T) {
	tests := []struct {
		name  string
		fs    fstest.MapFS
		want  uint64
		found bool
	}{
		{"v2 limit", fstest.MapFS{"memory.max": {Data: []byte("536870912\n")}}, 512 << 20, true},
		{"v2 unlimited", fstest.MapFS{"memory.max": {Data: []byte("max\n")}}, 0, false},
		{"v1 limit", fstest.MapFS{"memory/memory.limit_in_bytes": {Data: []byte("1073741824")}}, 1 << 30, true},
		{"v1 unlimited", fstest.MapFS{"memory/memory.limit_in_bytes": {Data: []byte("9223372036854771712")}}, 0, false},
		{"garbage", fstest.MapFS{"memory.max": {Data: []byte("lots")}}, 0, false},
		{"none", fstest.MapFS{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := cgroupMemoryLimit(tt.fs)
		if got != tt.want || ok != tt.found {
			t.Errorf("%s: cgroupMemoryLimit = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.found)
		}
	}
	withLimit := DefaultRules("x", withCgroupFS(fstest.MapFS{"memory.max": {Data: []byte("1000")}}))
	without := DefaultRules("x", withCgroupFS(fstest.MapFS{}))
	if len(withLimit) != 7 || len(without) != 6 {
		t.Errorf("rules with cgroup limit %d, without %d; want 7 and 6", len(withLimit), len(without))
	}
	if got := withLimit[1].Expr.PromQL(); got != "sum by (job, instance) (process_resident_memory_bytes) > 850" {
		t.Errorf("memory rule = %s", got)
	}
	explicit := DefaultRules("", WithMemoryLimit(2000), WithJob("bot"), withCgroupFS(fstest.MapFS{"memory.max": {Data: []byte("1000")}}))
	if got := explicit[1].Expr.PromQL(); got != `sum by (job, instance) (process_resident_memory_bytes{job="bot"}) > 1700` {
		t.Errorf("WithMemoryLimit does not win over the cgroup, or WithJob is not applied: %s", got)
	}
	if got := DefaultRules("", WithMemoryLimit(2000), WithJob(""))[1].Expr.PromQL(); strings.Contains(got, "job=") {
		t.Errorf(`WithJob("") scoped the memory rule: %s`, got)
	}
	if got := explicit[0].Expr.PromQL(); !strings.Contains(got, "(command_duration_seconds_count{") {
		t.Errorf("empty namespace not honoured: %s", got)
	}
}

// series is a synthetic input series: its PromQL name with labels, and one
// value per 15 s step.
type synthSeries struct {
	name   string
	labels map[string]string
	values []float64
}

func (s synthSeries) promtoolName() string {
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range s.labels {
			if !yield(k) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, s.labels[k]))
	}
	return s.name + "{" + strings.Join(parts, ",") + "}"
}

// TestQueriesAgreeWithPromtool evaluates every kind of query in-process
// over synthetic series, then has promtool evaluate the rendered PromQL
// over the same series and check it finds the same values.
func TestQueriesAgreeWithPromtool(t *testing.T) {
	const steps = 41 // 0 … 10 minutes
	var input []synthSeries
	ok, fail := make([]float64, steps), make([]float64, steps)
	nodes := make([]float64, steps)
	for i := range steps {
		ok[i] = float64(i * 7)
		if i >= 20 { // the process restarted at 5 minutes
			ok[i] = float64((i - 20) * 9)
		}
		fail[i] = float64(i * i / 10)
		nodes[i] = float64(2 - i/15)
	}
	input = append(input,
		synthSeries{"req_total", map[string]string{"code": "200"}, ok},
		synthSeries{"req_total", map[string]string{"code": "500"}, fail},
		synthSeries{"nodes", map[string]string{"state": "connected"}, nodes},
		synthSeries{"rss_bytes", map[string]string{"job": "bot", "instance": "bot-0:9100"}, nodes},
	)
	bounds := []string{"0.1", "0.5", "1", "+Inf"}
	share := []float64{0.3, 0.7, 0.9, 1}
	for b, le := range bounds {
		v := make([]float64, steps)
		for i := range steps {
			v[i] = math.Floor(float64(i*i) * share[b])
		}
		input = append(input, synthSeries{"lat_seconds_bucket", map[string]string{"le": le}, v})
	}
	sum, count := make([]float64, steps), make([]float64, steps)
	for i := range steps {
		count[i] = float64(i * i)
		sum[i] = float64(i*i) * 0.4
	}
	input = append(input, synthSeries{"lat_seconds_sum", nil, sum}, synthSeries{"lat_seconds_count", nil, count})

	queries := []struct {
		q  Query
		at time.Duration
	}{
		{Rate("req_total", time.Minute), 2*time.Minute + 7*time.Second},
		{Rate("req_total", 2*time.Minute).By("code"), 6*time.Minute + 7*time.Second}, // spans the reset
		{Increase("req_total", 5*time.Minute, Eq("code", "500")), 9*time.Minute + 52*time.Second},
		{Increase("req_total", time.Minute, Re("code", "2..")), 5*time.Minute + 7*time.Second},
		{HistogramAverage("lat_seconds", 5*time.Minute), 7*time.Minute + 37*time.Second},
		{HistogramQuantile(0.9, "lat_seconds", 5*time.Minute), 8*time.Minute + 7*time.Second},
		{HistogramQuantile(0.5, "lat_seconds", 2*time.Minute), 4*time.Minute + 1*time.Second},
		{Ratio(Rate("req_total", 3*time.Minute, Eq("code", "500")), Rate("req_total", 3*time.Minute)), 9*time.Minute + 7*time.Second},
		{GaugeValue("nodes", Eq("state", "connected")), 4 * time.Minute},
		{GaugeValue("nodes", NotEq("state", "gone")), 9*time.Minute + 45*time.Second},
		{GaugeValue("rss_bytes", Job("bot")).By("job", "instance"), 3 * time.Minute},
	}

	wanted := map[string]bool{}
	for _, s := range input {
		wanted[s.name] = true
	}
	st := newStore(wanted, 11*time.Minute, 15*time.Second)
	start := time.Unix(0, 0)
	results := make([]result, len(queries))
	for i := range steps {
		now := start.Add(time.Duration(i) * 15 * time.Second)
		var fams []*dto.MetricFamily
		for _, s := range input {
			fams = append(fams, gaugeFamily(s.name, s.labels, s.values[i]))
		}
		st.ingest(fams, now)
		// Evaluate each query at its time: right after the last sample at
		// or before it (gauges exactly on a sample).
		for qi, q := range queries {
			if next := now.Add(15 * time.Second); !now.After(start.Add(q.at)) && next.After(start.Add(q.at)) {
				results[qi] = st.eval(q.q, start.Add(q.at))
			}
		}
	}

	var b strings.Builder
	b.WriteString("rule_files: []\nevaluation_interval: 15s\ntests:\n  - interval: 15s\n    input_series:\n")
	for _, s := range input {
		vals := make([]string, len(s.values))
		for i, v := range s.values {
			vals[i] = formatFloat(v)
		}
		fmt.Fprintf(&b, "      - series: %s\n        values: %q\n", yamlString(s.promtoolName()), strings.Join(vals, " "))
	}
	b.WriteString("    promql_expr_test:\n")
	for qi, q := range queries {
		if len(results[qi]) == 0 {
			t.Fatalf("query %s at %v gave no result in-process", q.q.PromQL(), q.at)
		}
		fmt.Fprintf(&b, "      - expr: %s\n        eval_time: %s\n        exp_samples:\n", yamlString(q.q.PromQL()), promDuration(q.at))
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range results[qi] {
				if !yield(k) {
					return
				}
			}
		}) {
			smp := results[qi][k]
			var parts []string
			for _, l := range smp.labels {
				parts = append(parts, fmt.Sprintf("%s=%q", l.name, l.value))
			}
			fmt.Fprintf(&b, "          - labels: %s\n            value: %s\n", yamlString("{"+strings.Join(parts, ",")+"}"), formatFloat(smp.value))
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "queries_test.yml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("promtool test file:\n%s", b.String())
	promtooltest.Run(t, dir, "test", "rules", "queries_test.yml")
}
