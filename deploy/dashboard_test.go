package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/internal/promtooltest"
)

const dashboardFile = "grafana/tunekit.json"

// dsVar is how every panel names its data source: the dashboard's
// DS_PROMETHEUS variable.
const dsVar = "${DS_PROMETHEUS}"

// The parts of a Grafana dashboard the tests read.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *datasource `json:"datasource"`
	GridPos     struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []target `json:"targets"`
	Panels  []panel  `json:"panels"` // of a collapsed row
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type target struct {
	Datasource *datasource `json:"datasource"`
	Expr       string      `json:"expr"`
	RefID      string      `json:"refId"`
}

type variable struct {
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	Query      json.RawMessage `json:"query"`
	Datasource *datasource     `json:"datasource"`
}

// query returns a query variable's query, written as a string or as
// {"query": "..."}.
func (v variable) query() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var obj struct{ Query string }
	_ = json.Unmarshal(v.Query, &obj)
	return obj.Query
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s is not a dashboard: %v", dashboardFile, err)
	}
	return d
}

// allPanels lists the panels, with those of collapsed rows.
func (d dashboard) allPanels() []panel {
	var out []panel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// query is one PromQL expression of the dashboard and where it is.
type query struct {
	where string
	expr  string
}

// queries lists every PromQL expression: panel targets and the selectors
// of label_values variables (with the label they read).
func (d dashboard) queries(t *testing.T) (exprs []query, labelReads map[string]string) {
	labelReads = map[string]string{}
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			exprs = append(exprs, query{fmt.Sprintf("panel %d %q target %s", p.ID, p.Title, tg.RefID), tg.Expr})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		sel, label, ok := parseLabelValues(v.query())
		if !ok {
			t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, v.query())
			continue
		}
		where := "variable " + v.Name
		exprs = append(exprs, query{where, sel})
		labelReads[where] = label
	}
	return exprs, labelReads
}

var labelValuesRE = regexp.MustCompile(`^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)

// parseLabelValues splits Grafana's label_values(selector, label).
func parseLabelValues(q string) (selector, label string, ok bool) {
	m := labelValuesRE.FindStringSubmatch(q)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func TestDashboardStructure(t *testing.T) {
	d := loadDashboard(t)
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion = %d, want 36 to 41 (Grafana 9 to 11)", d.SchemaVersion)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid = %q, title = %q; want both set so imports keep links stable", d.UID, d.Title)
	}
	var ds *variable
	for i, v := range d.Templating.List {
		if v.Name == "DS_PROMETHEUS" {
			ds = &d.Templating.List[i]
		}
		if v.Type == "query" && (v.Datasource == nil || v.Datasource.UID != dsVar) {
			t.Errorf("variable %s datasource = %+v, want uid %s", v.Name, v.Datasource, dsVar)
		}
	}
	if ds == nil || ds.Type != "datasource" || ds.query() != "prometheus" {
		t.Errorf("DS_PROMETHEUS variable = %+v, want a datasource variable of type prometheus", ds)
	}

	ids := map[int]string{}
	type rect struct {
		title      string
		x, y, w, h int
	}
	var rects []rect
	for _, p := range d.allPanels() {
		if prev, dup := ids[p.ID]; dup || p.ID <= 0 {
			t.Errorf("panel %q id %d: not positive or also used by %q", p.Title, p.ID, prev)
		}
		ids[p.ID] = p.Title
		g := p.GridPos
		if g.W < 1 || g.H < 1 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q gridPos %+v is outside the 24-column grid", p.Title, g)
		}
		for _, r := range rects {
			if g.X < r.x+r.w && r.x < g.X+g.W && g.Y < r.y+r.h && r.y < g.Y+g.H {
				t.Errorf("panel %q overlaps %q", p.Title, r.title)
			}
		}
		rects = append(rects, rect{p.Title, g.X, g.Y, g.W, g.H})
		if p.Type == "row" {
			continue
		}
		if p.Title == "" || p.Description == "" {
			t.Errorf("panel %d: title %q, description %q; want both", p.ID, p.Title, p.Description)
		}
		if p.Datasource == nil || p.Datasource.UID != dsVar || p.Datasource.Type != "prometheus" {
			t.Errorf("panel %q datasource = %+v, want prometheus %s", p.Title, p.Datasource, dsVar)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.Expr == "" || tg.RefID == "" || refs[tg.RefID] {
				t.Errorf("panel %q target %+v: empty expr, empty or repeated refId", p.Title, tg)
			}
			refs[tg.RefID] = true
			if tg.Datasource != nil && tg.Datasource.UID != dsVar {
				t.Errorf("panel %q target %s datasource = %+v, want %s", p.Title, tg.RefID, tg.Datasource, dsVar)
			}
		}
	}
}

// TestDashboardQueries checks every expression against the series a bot
// exports.
func TestDashboardQueries(t *testing.T) {
	d := loadDashboard(t)
	known := exportedSeries(t)
	exprs, labelReads := d.queries(t)
	if len(exprs) < 30 {
		t.Fatalf("found %d expressions in %s; the reader is missing some", len(exprs), dashboardFile)
	}
	for _, q := range exprs {
		for _, p := range checkExpr(q.expr, known) {
			t.Errorf("%s: %s\n\t%s", q.where, p, q.expr)
		}
		if label, ok := labelReads[q.where]; ok {
			info, _ := readPromQL(q.expr)
			for _, s := range info.selectors {
				if k := known[s.metric]; k != nil && k.labels[label] == nil {
					t.Errorf("%s reads label %s, which %s does not have", q.where, label, s.metric)
				}
			}
		}
	}
}

// TestDashboardShowsEverySeries fails when a series of the metrics or
// alerting package is on no panel.
func TestDashboardShowsEverySeries(t *testing.T) {
	d := loadDashboard(t)
	known := exportedSeries(t)
	exprs, _ := d.queries(t)
	shown := map[string]bool{}
	for _, q := range exprs {
		info, err := readPromQL(q.expr)
		if err != nil {
			continue // reported by TestDashboardQueries
		}
		for _, s := range info.selectors {
			if k := known[s.metric]; k != nil {
				shown[k.family] = true
			}
		}
	}
	for _, f := range tunekitFamilies(known) {
		if !shown[f] {
			t.Errorf("no panel shows %s; add one to %s", f, dashboardFile)
		}
	}
}

// TestDashboardCommandLatency checks the panel the issue names most
// precisely: p50, p95 and p99 of command latency by command.
func TestDashboardCommandLatency(t *testing.T) {
	d := loadDashboard(t)
	exprs, _ := d.queries(t)
	want := map[string]bool{"0.5": false, "0.95": false, "0.99": false}
	re := regexp.MustCompile(`^histogram_quantile\(([0-9.]+),`)
	for _, q := range exprs {
		m := re.FindStringSubmatch(q.expr)
		info, err := readPromQL(q.expr)
		if m == nil || err != nil || len(info.selectors) != 1 ||
			info.selectors[0].metric != "tunekit_command_duration_seconds_bucket" || !slices.Contains(info.grouping, "command") {
			continue
		}
		if _, ok := want[m[1]]; ok {
			want[m[1]] = true
		}
	}
	for q, found := range want {
		if !found {
			t.Errorf("no panel shows the %s quantile of command latency by command", q)
		}
	}
}

// rangeFuncs read counters.
var rangeFuncs = map[string]bool{"rate": true, "irate": true, "increase": true, "resets": true}

// checkExpr lists what is wrong with expr given the series a bot exports.
func checkExpr(expr string, known map[string]*series) []string {
	info, err := readPromQL(expr)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	exprLabels := map[string]bool{}
	for _, l := range targetLabels {
		exprLabels[l] = true
	}
	buckets := false
	for _, sel := range info.selectors {
		s := known[sel.metric]
		if s == nil {
			problems = append(problems, fmt.Sprintf("unknown series %s: the metrics and alerting packages do not export it", sel.metric))
			continue
		}
		buckets = buckets || strings.HasSuffix(sel.metric, "_bucket")
		for l := range s.labels {
			exprLabels[l] = true
		}
		counting := sel.ranged && rangeFuncs[sel.fn]
		switch {
		case s.kind == kindCounter && !counting:
			problems = append(problems, fmt.Sprintf("%s only grows; read it through rate() or increase() over a range", sel.metric))
		case s.kind == kindGauge && rangeFuncs[sel.fn]:
			problems = append(problems, fmt.Sprintf("%s is a gauge; %s() is for counters", sel.metric, sel.fn))
		}
		for _, m := range sel.matchers {
			values, ok := s.labels[m.name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s has no label %s (it has %s)", sel.metric, m.name, strings.Join(slices.Sorted(maps.Keys(s.labels)), ", ")))
				continue
			}
			if m.op == "=" && !strings.Contains(m.value, "$") && !slices.Contains(targetLabels, m.name) && !values[m.value] {
				problems = append(problems, fmt.Sprintf("%s never has %s=%q (values: %s)", sel.metric, m.name, m.value, strings.Join(slices.Sorted(maps.Keys(values)), ", ")))
			}
		}
	}
	for _, l := range info.grouping {
		if !exprLabels[l] {
			problems = append(problems, fmt.Sprintf("no series of the expression has label %s", l))
		}
	}
	if slices.Contains(info.calls, "histogram_quantile") {
		aggregated := slices.ContainsFunc(info.calls, func(c string) bool { return aggregations[c] })
		switch {
		case !buckets:
			problems = append(problems, "histogram_quantile reads no _bucket series")
		case aggregated && !info.without && !slices.Contains(info.grouping, "le"):
			problems = append(problems, "histogram_quantile over an aggregation that drops the le label; group by (..., le)")
		}
	}
	return problems
}

func TestCheckExpr(t *testing.T) {
	known := exportedSeries(t)
	tests := []struct {
		expr string
		want string // substring of the one problem; "" for none
	}{
		{`sum by (command) (rate(tunekit_command_duration_seconds_count{job=~"$job", status="error"}[$__rate_interval]))`, ""},
		{`histogram_quantile(0.95, sum by (le) (rate(tunekit_track_start_delay_seconds_bucket[5m])))`, ""},
		{`histogram_quantile(0.95, sum without (instance) (rate(tunekit_track_start_delay_seconds_bucket[5m])))`, ""},
		{`histogram_quantile(0.95, rate(tunekit_track_start_delay_seconds_bucket[5m]))`, ""},
		{`sum(tunekit_alerts{state="firing"}) or vector(0)`, ""},
		{`max by (name) (tunekit_breaker_state)`, ""},
		{`process_resident_memory_bytes{instance=~"$instance"}`, ""},
		{`sum(rate(tunekit_command_duration_seconds_count{status="errors"}[5m]))`, `never has status="errors"`},
		{`sum(rate(tunekit_commands_total[5m]))`, "unknown series tunekit_commands_total"},
		{`sum(tunekit_command_duration_seconds_count)`, "read it through rate() or increase()"},
		{`rate(tunekit_active_guilds[5m])`, "is a gauge"},
		{`sum(tunekit_lavalink_nodes{status="connected"})`, "has no label status"},
		{`sum by (guild) (tunekit_music_sessions)`, "has label guild"},
		{`histogram_quantile(0.99, sum by (command) (rate(tunekit_command_duration_seconds_bucket[5m])))`, "drops the le label"},
		{`histogram_quantile(0.99, sum(rate(tunekit_command_duration_seconds_count[5m])))`, "reads no _bucket series"},
		{`sum(rate(tunekit_command_duration_seconds_count[5m]`, "unclosed ("},
	}
	for _, tt := range tests {
		got := checkExpr(tt.expr, known)
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("checkExpr(%q) = %q, want no problem", tt.expr, got)
		case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
			t.Errorf("checkExpr(%q) = %q, want one problem containing %q", tt.expr, got, tt.want)
		}
	}
}

func TestParseLabelValues(t *testing.T) {
	tests := []struct {
		in, sel, label string
		ok             bool
	}{
		{`label_values(tunekit_active_guilds, job)`, "tunekit_active_guilds", "job", true},
		{` label_values( x{job=~"$job", a="b,c"} , instance ) `, `x{job=~"$job", a="b,c"}`, "instance", true},
		{`label_values(job)`, "", "", false},
		{`query_result(up)`, "", "", false},
	}
	for _, tt := range tests {
		sel, label, ok := parseLabelValues(tt.in)
		if sel != tt.sel || label != tt.label || ok != tt.ok {
			t.Errorf("parseLabelValues(%q) = %q, %q, %v; want %q, %q, %v", tt.in, sel, label, ok, tt.sel, tt.label, tt.ok)
		}
	}
}

// grafanaVars are Grafana's interval macros with stand-in durations; any
// other variable stands for a regular expression matching everything.
var (
	grafanaMacros = regexp.MustCompile(`\$\{?(__rate_interval|__interval|__range)\}?`)
	grafanaVars   = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z0-9_]+`)
	macroValue    = map[string]string{"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}
)

// promQLOf replaces Grafana's variables in expr so Prometheus can parse it.
func promQLOf(expr string) string {
	expr = grafanaMacros.ReplaceAllStringFunc(expr, func(m string) string {
		return macroValue[strings.Trim(m, "${}")]
	})
	return grafanaVars.ReplaceAllString(expr, ".*")
}

func TestPromQLOf(t *testing.T) {
	in := `rate(x{job=~"$job", instance=~"${instance}", a=~"${a:regex}"}[$__rate_interval]) / rate(x[${__range}])`
	want := `rate(x{job=~".*", instance=~".*", a=~".*"}[5m]) / rate(x[1h])`
	if got := promQLOf(in); got != want {
		t.Errorf("promQLOf(%q) = %q, want %q", in, got, want)
	}
}

// TestDashboardPromtool has Prometheus' parser check every expression, as
// recording rules of a rule file promtool checks.
func TestDashboardPromtool(t *testing.T) {
	d := loadDashboard(t)
	exprs, _ := d.queries(t)
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, q := range exprs {
		fmt.Fprintf(&b, "      - record: dashboard:query_%d\n        expr: %s\n", i, strconv.Quote(promQLOf(q.expr)))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dashboard.yml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := promtooltest.Run(t, dir, "check", "rules", "dashboard.yml")
	if want := fmt.Sprintf("SUCCESS: %d rules found", len(exprs)); !strings.Contains(out, want) {
		t.Errorf("promtool check rules: want %q in\n%s", want, out)
	}
}
