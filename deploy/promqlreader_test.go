package deploy

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file reads the parts of a PromQL expression the dashboard test
// checks: the series it selects (with their label matchers, the function
// applied to them and whether they are range vectors), the functions it
// calls and the labels it groups or matches by. It is a small lexer and a
// walk over its tokens, not a full parser; Prometheus' parser (through
// promtool) checks the syntax.

// promqlInfo is what readPromQL finds in an expression.
type promqlInfo struct {
	selectors []selector
	calls     []string // functions and aggregations, in order of appearance
	grouping  []string // labels of by, without, on, ignoring, group_left, group_right
	without   bool     // a without clause keeps labels it does not name
}

// selector is one vector selector, such as rate(x{a="b"}[5m]).
type selector struct {
	metric   string
	matchers []matcher
	fn       string // the innermost function or aggregation applied; "" for none
	ranged   bool   // a range vector: x[5m]
}

// matcher is one label matcher of a selector.
type matcher struct {
	name, op, value string
}

// Token kinds.
const (
	tokIdent = iota
	tokNumber
	tokString
	tokVar // a Grafana variable: $name, ${name} or ${name:format}
	tokOp  // punctuation and operators
)

type token struct {
	kind int
	text string // for strings, the unquoted value
	pos  int
}

// groupingKeywords are followed by a parenthesized list of label names.
var groupingKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// operatorKeywords are binary operators, modifiers and literals spelled as
// words.
var operatorKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "atan2": true,
}

// promqlFunctions are PromQL's functions and aggregation operators
// (Prometheus 2.x and 3.x), plus start and end of the @ modifier.
var promqlFunctions = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`
		sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio
		abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week
		day_of_year days_in_month delta deriv double_exponential_smoothing exp floor
		histogram_avg histogram_count histogram_fraction histogram_quantile histogram_stddev
		histogram_stdvar histogram_sum holt_winters hour idelta increase info irate label_join
		label_replace ln log10 log2 minute month predict_linear rate resets round scalar sgn sort
		sort_desc sort_by_label sort_by_label_desc sqrt time timestamp vector year
		avg_over_time min_over_time max_over_time sum_over_time count_over_time quantile_over_time
		stddev_over_time stdvar_over_time last_over_time present_over_time mad_over_time
		acos acosh asin asinh atan atanh cos cosh sin sinh tan tanh deg rad pi start end`) {
		promqlFunctions[f] = true
	}
}

// errPromQL is matched by every error readPromQL returns.
var errPromQL = errors.New("promql")

func promqlError(pos int, format string, args ...any) error {
	return fmt.Errorf("%w: at %d: %s", errPromQL, pos, fmt.Sprintf(format, args...))
}

// lexPromQL splits expr into tokens.
func lexPromQL(expr string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(expr) {
		c := expr[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			end := i + 1
			for end < len(expr) && expr[end] != c {
				if expr[end] == '\\' && c != '`' {
					end++
				}
				end++
			}
			if end >= len(expr) {
				return nil, promqlError(start, "unterminated string")
			}
			raw := expr[i : end+1]
			val := raw[1 : len(raw)-1]
			if c == '"' {
				var err error
				if val, err = strconv.Unquote(raw); err != nil {
					return nil, promqlError(start, "bad string %s", raw)
				}
			}
			toks = append(toks, token{tokString, val, start})
			i = end + 1
		case isDigit(c) || c == '.' && i+1 < len(expr) && isDigit(expr[i+1]):
			for i < len(expr) && (isIdentChar(expr[i]) || expr[i] == '.' ||
				(expr[i] == '+' || expr[i] == '-') && (expr[i-1] == 'e' || expr[i-1] == 'E') && !strings.ContainsAny(expr[start:i], "xX")) {
				i++
			}
			toks = append(toks, token{tokNumber, expr[start:i], start})
		case isIdentStart(c):
			for i < len(expr) && (isIdentChar(expr[i]) || expr[i] == ':') {
				i++
			}
			toks = append(toks, token{tokIdent, expr[start:i], start})
		case c == '$':
			i++
			if i < len(expr) && expr[i] == '{' {
				end := strings.IndexByte(expr[i:], '}')
				if end < 0 {
					return nil, promqlError(start, "unterminated ${")
				}
				i += end + 1
			} else {
				for i < len(expr) && isIdentChar(expr[i]) {
					i++
				}
			}
			if i == start+1 {
				return nil, promqlError(start, "lone $")
			}
			toks = append(toks, token{tokVar, expr[start:i], start})
		default:
			op := string(c)
			if i+1 < len(expr) {
				switch two := expr[i : i+2]; two {
				case "!=", "=~", "!~", "==", "<=", ">=":
					op = two
				}
			}
			if !strings.Contains("(){}[],=!~<>+-*/%^@:", string(c)) && len(op) == 1 {
				return nil, promqlError(start, "unexpected character %q", c)
			}
			toks = append(toks, token{tokOp, op, start})
			i += len(op)
		}
	}
	return toks, nil
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// readPromQL finds the selectors, calls and grouping labels of expr.
func readPromQL(expr string) (promqlInfo, error) {
	toks, err := lexPromQL(expr)
	if err != nil {
		return promqlInfo{}, err
	}
	p := promqlReader{toks: toks}
	return p.read()
}

type promqlReader struct {
	toks  []token
	i     int
	info  promqlInfo
	calls []string // open parentheses: the function name, or "" for grouping

	// pending is an aggregation whose by or without clause comes before
	// its parenthesis: sum by (a) (x).
	pending string
}

// aggregations may take their by or without clause before the parenthesis.
var aggregations = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
}

func (p *promqlReader) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func (p *promqlReader) peekOp(op string) bool {
	t, ok := p.peek()
	return ok && t.kind == tokOp && t.text == op
}

// peekGrouping reports whether the next token is by or without.
func (p *promqlReader) peekGrouping() bool {
	t, ok := p.peek()
	return ok && t.kind == tokIdent && (t.text == "by" || t.text == "without")
}

// fn is the innermost open function call.
func (p *promqlReader) fn() string {
	for _, c := range slices.Backward(p.calls) {
		if c != "" {
			return c
		}
	}
	return ""
}

func (p *promqlReader) read() (promqlInfo, error) {
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		p.i++
		switch {
		case t.kind == tokIdent && groupingKeywords[t.text]:
			p.info.without = p.info.without || t.text == "without"
			if !p.peekOp("(") {
				if t.text == "group_left" || t.text == "group_right" {
					continue
				}
				return p.info, promqlError(t.pos, "%s without a label list", t.text)
			}
			p.i++
			if err := p.labelList(); err != nil {
				return p.info, err
			}
		case t.kind == tokIdent && operatorKeywords[t.text]:
		case t.kind == tokIdent && (strings.EqualFold(t.text, "inf") || strings.EqualFold(t.text, "nan")):
		case t.kind == tokIdent && aggregations[t.text] && p.peekGrouping():
			p.info.calls = append(p.info.calls, t.text)
			p.pending = t.text
		case t.kind == tokIdent && p.peekOp("("):
			if !promqlFunctions[t.text] {
				return p.info, promqlError(t.pos, "unknown function %s", t.text)
			}
			p.info.calls = append(p.info.calls, t.text)
			p.calls = append(p.calls, t.text)
			p.i++
		case t.kind == tokIdent:
			if err := p.selector(t.text, t.pos); err != nil {
				return p.info, err
			}
		case t.kind == tokOp && t.text == "{":
			p.i--
			if err := p.selector("", t.pos); err != nil {
				return p.info, err
			}
		case t.kind == tokOp && t.text == "(":
			p.calls = append(p.calls, p.pending)
			p.pending = ""
		case t.kind == tokOp && t.text == ")":
			if len(p.calls) == 0 {
				return p.info, promqlError(t.pos, "unbalanced )")
			}
			p.calls = p.calls[:len(p.calls)-1]
		case t.kind == tokOp && t.text == "[":
			// A subquery range after a parenthesis: [5m:1m].
			if err := p.skipRange(t.pos); err != nil {
				return p.info, err
			}
		case t.kind == tokOp && (t.text == "}" || t.text == "]"):
			return p.info, promqlError(t.pos, "unbalanced %s", t.text)
		}
	}
	if len(p.calls) > 0 {
		return p.info, promqlError(len(p.toks), "unclosed (")
	}
	return p.info, nil
}

// labelList reads "a, b)" after a grouping keyword's parenthesis.
func (p *promqlReader) labelList() error {
	for {
		t, ok := p.peek()
		if !ok {
			return promqlError(len(p.toks), "unclosed label list")
		}
		p.i++
		switch {
		case t.kind == tokOp && t.text == ")":
			return nil
		case t.kind == tokOp && t.text == ",":
		case t.kind == tokIdent || t.kind == tokString:
			p.info.grouping = append(p.info.grouping, t.text)
		default:
			return promqlError(t.pos, "unexpected %q in a label list", t.text)
		}
	}
}

// selector reads the optional {matchers} and [range] after a metric name.
func (p *promqlReader) selector(metric string, pos int) error {
	s := selector{metric: metric, fn: p.fn()}
	if p.peekOp("{") {
		p.i++
		if err := p.matchers(&s); err != nil {
			return err
		}
	}
	if s.metric == "" {
		return promqlError(pos, "selector without a metric name")
	}
	if p.peekOp("[") {
		p.i++
		s.ranged = true
		if err := p.skipRange(pos); err != nil {
			return err
		}
	}
	p.info.selectors = append(p.info.selectors, s)
	return nil
}

// matchers reads `name op "value", ...}`; a __name__ equality matcher
// names the metric.
func (p *promqlReader) matchers(s *selector) error {
	for {
		t, ok := p.peek()
		if !ok {
			return promqlError(len(p.toks), "unclosed {")
		}
		p.i++
		if t.kind == tokOp && t.text == "}" {
			return nil
		}
		if t.kind == tokOp && t.text == "," {
			continue
		}
		if t.kind != tokIdent && t.kind != tokString {
			return promqlError(t.pos, "unexpected %q in a selector", t.text)
		}
		if p.peekOp("}") || p.peekOp(",") {
			// A bare quoted name inside braces is a metric name (Prometheus 3).
			if t.kind != tokString || s.metric != "" {
				return promqlError(t.pos, "matcher %q without an operator", t.text)
			}
			s.metric = t.text
			continue
		}
		if p.i+1 >= len(p.toks) {
			return promqlError(t.pos, "incomplete matcher %s", t.text)
		}
		op, val := p.toks[p.i], p.toks[p.i+1]
		p.i += 2
		if op.kind != tokOp || !slices.Contains([]string{"=", "!=", "=~", "!~"}, op.text) {
			return promqlError(op.pos, "bad matcher operator %q", op.text)
		}
		if val.kind != tokString {
			return promqlError(val.pos, "matcher value %q is not a string", val.text)
		}
		if t.text == "__name__" && op.text == "=" {
			if s.metric != "" {
				return promqlError(t.pos, "two metric names")
			}
			s.metric = val.text
			continue
		}
		s.matchers = append(s.matchers, matcher{name: t.text, op: op.text, value: val.text})
	}
}

// skipRange skips a range or subquery up to its "]": durations, numbers,
// variables and a colon.
func (p *promqlReader) skipRange(pos int) error {
	for {
		t, ok := p.peek()
		if !ok {
			return promqlError(pos, "unclosed [")
		}
		p.i++
		switch {
		case t.kind == tokOp && t.text == "]":
			return nil
		case t.kind == tokNumber || t.kind == tokVar || t.kind == tokOp && t.text == ":":
		default:
			return promqlError(t.pos, "unexpected %q in a range", t.text)
		}
	}
}
