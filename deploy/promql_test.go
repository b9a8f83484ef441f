package deploy

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestReadPromQL(t *testing.T) {
	tests := []struct {
		expr string
		want promqlInfo
	}{
		{
			expr: `up`,
			want: promqlInfo{selectors: []selector{{metric: "up"}}},
		},
		{
			expr: `sum by (command, le) (rate(x_bucket{job=~"$job", status!="ok"}[$__rate_interval]))`,
			want: promqlInfo{
				selectors: []selector{{metric: "x_bucket", fn: "rate", ranged: true, matchers: []matcher{{"job", "=~", "$job"}, {"status", "!=", "ok"}}}},
				calls:     []string{"sum", "rate"},
				grouping:  []string{"command", "le"},
			},
		},
		{
			expr: `histogram_quantile(0.95, sum(rate(a_bucket[5m])) by (le)) > 1e-3`,
			want: promqlInfo{
				selectors: []selector{{metric: "a_bucket", fn: "rate", ranged: true}},
				calls:     []string{"histogram_quantile", "sum", "rate"},
				grouping:  []string{"le"},
			},
		},
		{
			// The aggregation applies to b although its parenthesis comes
			// after the by clause.
			expr: `a / on (instance) group_left (version) max without (pod) (b) and c offset -5m @ end()`,
			want: promqlInfo{
				selectors: []selector{{metric: "a"}, {metric: "b", fn: "max"}, {metric: "c"}},
				calls:     []string{"max", "end"},
				grouping:  []string{"instance", "version", "pod"},
				without:   true,
			},
		},
		{
			expr: `sum(x) or vector(0) unless y * group_left z`,
			want: promqlInfo{
				selectors: []selector{{metric: "x", fn: "sum"}, {metric: "y"}, {metric: "z"}},
				calls:     []string{"sum", "vector"},
			},
		},
		{
			expr: `{__name__="rec:rule", a='single'} + {"utf8.metric"} + max_over_time((rate(c_total[5m]))[1h:1m]) # comment ( {`,
			want: promqlInfo{
				selectors: []selector{{metric: "rec:rule", matchers: []matcher{{"a", "=", "single"}}}, {metric: "utf8.metric"}, {metric: "c_total", fn: "rate", ranged: true}},
				calls:     []string{"max_over_time", "rate"},
			},
		},
		{
			expr: "label_replace(x, \"dst\", `$1`, \"src\", \"(.*)\") + Inf - NaN + 0x1F + .5 + 1.5e+3",
			want: promqlInfo{
				selectors: []selector{{metric: "x", fn: "label_replace"}},
				calls:     []string{"label_replace"},
			},
		},
		{
			expr: `topk(5, sum by ("quoted") (x{"dotted.label"="v"}))`,
			want: promqlInfo{
				selectors: []selector{{metric: "x", fn: "sum", matchers: []matcher{{"dotted.label", "=", "v"}}}},
				calls:     []string{"topk", "sum"},
				grouping:  []string{"quoted"},
			},
		},
	}
	for _, tt := range tests {
		got, err := readPromQL(tt.expr)
		if err != nil {
			t.Errorf("readPromQL(%q) error: %v", tt.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("readPromQL(%q) =\n\t%+v\nwant\n\t%+v", tt.expr, got, tt.want)
		}
	}
}

func TestReadPromQLErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`rat(x[5m])`, "unknown function rat"},
		{`sum(x`, "unclosed ("},
		{`sum(x))`, "unbalanced )"},
		{`x}`, "unbalanced }"},
		{`x]`, "unbalanced ]"},
		{`x{a="b"`, "unclosed {"},
		{`x{a}`, `matcher "a" without an operator`},
		{`x{a=}`, `matcher value "}" is not a string`},
		{`x{a="b"`, "unclosed {"},
		{`x{a=="b"}`, `bad matcher operator "=="`},
		{`x{a=b}`, `matcher value "b" is not a string`},
		{`x{a`, "incomplete matcher a"},
		{`x{(}`, `unexpected "(" in a selector`},
		{`{a="b"}`, "selector without a metric name"},
		{`{"a", "b"}`, `matcher "b" without an operator`},
		{`{__name__="a", __name__="b"}`, "two metric names"},
		{`x[5m`, "unclosed ["},
		{`x[5m y]`, `unexpected "y" in a range`},
		{`sum by x`, "by without a label list"},
		{`sum by (a`, "unclosed label list"},
		{`sum by (a + b)`, `unexpected "+" in a label list`},
		{`x{a="b}`, "unterminated string"},
		{`x{a="\q"}`, `bad string`},
		{`x{a="${b"}`, ""}, // variables inside strings are text
		{`rate(x[${__range)`, "unterminated ${"},
		{`x + $`, "lone $"},
		{`x ; y`, `unexpected character ';'`},
	}
	for _, tt := range tests {
		_, err := readPromQL(tt.expr)
		if tt.want == "" {
			if err != nil {
				t.Errorf("readPromQL(%q) error: %v, want none", tt.expr, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, errPromQL) || !regexp.MustCompile(regexp.QuoteMeta(tt.want)).MatchString(err.Error()) {
			t.Errorf("readPromQL(%q) error = %v, want one containing %q", tt.expr, err, tt.want)
		}
	}
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// FuzzReadPromQL checks that any input gives selectors with legal names or
// an error, never a panic.
func FuzzReadPromQL(f *testing.F) {
	for _, s := range []string{
		`sum by (command, le) (rate(x_bucket{job=~"$job"}[$__rate_interval]))`,
		`histogram_quantile(0.9, sum(rate(a[5m])) by (le)) > 1e-3`,
		`a / on (i) group_left max without (p) (b) offset -5m @ end()`,
		"x{a=`raw`}[1h:1m] # c",
		`{__name__="x"}`,
		`x{a="\"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		info, err := readPromQL(expr)
		if err != nil {
			return
		}
		for _, s := range info.selectors {
			if s.metric == "" {
				t.Errorf("readPromQL(%q) returned a selector without a metric", expr)
			}
			// Quoted names (__name__ matchers, Prometheus 3) may be any text.
			if !metricName.MatchString(s.metric) && !strings.ContainsAny(expr, "\"'`") {
				t.Errorf("readPromQL(%q) returned metric %q, which is not a name", expr, s.metric)
			}
		}
	})
}
