package alerting_test

import (
	"testing"
	"time"

	"github.com/tunekit/tunekit/alerting"
)

func TestPromQLRendering(t *testing.T) {
	m5 := 5 * time.Minute
	tests := []struct {
		name string
		cond alerting.Condition
		want string
	}{
		{"rate", alerting.Rate("x_total", m5).Above(0.5), `sum(rate(x_total[5m])) > 0.5`},
		{"increase with matchers", alerting.Increase("x_total", time.Minute, alerting.Eq("a", "b"), alerting.NotEq("c", `q"d`)).Above(5),
			`sum(increase(x_total{a="b", c!="q\"d"}[1m])) > 5`},
		{"gauge regexp", alerting.GaugeValue("up", alerting.Re("job", "bot|api"), alerting.NotRe("env", "dev.*")).Below(1),
			`sum(up{job=~"bot|api", env!~"dev.*"}) < 1`},
		{"gauge equal", alerting.GaugeValue("nodes").Equal(0), `sum(nodes) == 0`},
		{"grouped", alerting.Rate("x_total", time.Hour+30*time.Minute).By("command", "status").Above(1),
			`sum by (command, status) (rate(x_total[1h30m])) > 1`},
		{"histogram average", alerting.HistogramAverage("d_seconds", m5, alerting.Eq("k", "v")).Above(5),
			`sum(rate(d_seconds_sum{k="v"}[5m])) / sum(rate(d_seconds_count{k="v"}[5m])) > 5`},
		{"histogram quantile", alerting.HistogramQuantile(0.95, "d_seconds", m5).Above(2),
			`histogram_quantile(0.95, sum by (le) (rate(d_seconds_bucket[5m]))) > 2`},
		{"grouped quantile", alerting.HistogramQuantile(0.5, "d_seconds", m5).By("command").Above(2),
			`histogram_quantile(0.5, sum by (le, command) (rate(d_seconds_bucket[5m]))) > 2`},
		{"ratio", alerting.Ratio(alerting.Rate("e_total", m5), alerting.Rate("r_total", m5)).Above(0.05),
			`sum(rate(e_total[5m])) / sum(rate(r_total[5m])) > 0.05`},
		{"ratio of averages", alerting.Ratio(alerting.HistogramAverage("a", m5), alerting.GaugeValue("b")).Above(1e9),
			`(sum(rate(a_sum[5m])) / sum(rate(a_count[5m]))) / sum(b) > 1e+09`},
		{"scoped to a job, per target", alerting.GaugeValue("process_resident_memory_bytes", alerting.Job("tunekit")).By("job", "instance").Above(1e9),
			`sum by (job, instance) (process_resident_memory_bytes{job="tunekit"}) > 1e+09`},
		{"grouped ratio", alerting.Ratio(alerting.Rate("e_total", m5), alerting.Rate("r_total", m5)).By("shard").Above(0.1),
			`sum by (shard) (rate(e_total[5m])) / sum by (shard) (rate(r_total[5m])) > 0.1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cond.PromQL(); got != tt.want {
				t.Errorf("PromQL() = %s\nwant        %s", got, tt.want)
			}
			if tt.cond.String() != tt.cond.PromQL() || tt.cond.Query().String() == "" {
				t.Error("String() differs from PromQL()")
			}
		})
	}
	c := alerting.Rate("x", time.Minute).Below(3)
	if c.Threshold() != 3 || c.Comparison() != "<" || c.Query().Window() != time.Minute {
		t.Errorf("accessors: %v %v %v", c.Threshold(), c.Comparison(), c.Query().Window())
	}
	r := alerting.Ratio(alerting.Rate("a", time.Minute), alerting.Rate("b", time.Hour))
	if r.Window() != time.Hour {
		t.Errorf("ratio Window() = %v, want the longest side", r.Window())
	}
}

func TestStringers(t *testing.T) {
	tests := []struct{ got, want string }{
		{alerting.Info.String(), "info"},
		{alerting.Warning.String(), "warning"},
		{alerting.Critical.String(), "critical"},
		{alerting.Severity(9).String(), "Severity(9)"},
		{alerting.StateInactive.String(), "inactive"},
		{alerting.StatePending.String(), "pending"},
		{alerting.StateFiring.String(), "firing"},
		{alerting.StateResolved.String(), "resolved"},
		{alerting.State(9).String(), "State(9)"},
		{alerting.MatchEqual.String(), "="},
		{alerting.MatchNotEqual.String(), "!="},
		{alerting.MatchRegexp.String(), "=~"},
		{alerting.MatchNotRegexp.String(), "!~"},
		{alerting.MatchType(9).String(), "MatchType(9)"},
		{alerting.Eq("a", "b").String(), `a="b"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
}
