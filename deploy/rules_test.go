package deploy

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/promtooltest"
)

const (
	rulesFile     = "prometheus/alerts.yml"
	rulesTestFile = "prometheus/alerts_test.yml"
)

// TestAlertRulesPromtool has Prometheus check the shipped rules and run
// their unit tests, which show HighErrorRate, LavalinkDown, HighMemoryUsage,
// RedisFailures and PlayerHealsFailing firing on synthetic series and
// staying quiet below their thresholds.
func TestAlertRulesPromtool(t *testing.T) {
	out := promtooltest.Run(t, "prometheus", "check", "rules", "alerts.yml")
	rules := alerting.DefaultRules("tunekit", alerting.WithMemoryLimit(1<<30))
	if want := "SUCCESS: " + strconv.Itoa(len(rules)) + " rules found"; !strings.Contains(out, want) {
		t.Errorf("promtool check rules alerts.yml: want %q in\n%s", want, out)
	}
	out = promtooltest.Run(t, "prometheus", "test", "rules", "alerts_test.yml")
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules alerts_test.yml:\n%s", out)
	}
}

// TestAlertRulesTested fails when a rule the issue names has no promtool
// test that expects it to fire.
func TestAlertRulesTested(t *testing.T) {
	b, err := os.ReadFile(rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	// An alert_rule_test entry whose exp_alerts is not empty.
	firing := regexp.MustCompile(`alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels:`)
	var tested []string
	for _, m := range firing.FindAllStringSubmatch(string(b), -1) {
		tested = append(tested, m[1])
	}
	for _, rule := range []string{"HighErrorRate", "LavalinkDown", "HighMemoryUsage", "RedisFailures", "PlayerHealsFailing"} {
		if !slices.Contains(tested, rule) {
			t.Errorf("%s has no promtool test that expects %s to fire (tests fire: %v)", rulesTestFile, rule, tested)
		}
	}
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range alerting.DefaultRules("tunekit", alerting.WithMemoryLimit(1<<30)) {
		if !strings.Contains(string(rules), `- alert: "`+r.Name+`"`) {
			t.Errorf("%s has no rule %s of alerting.DefaultRules; run: go generate ./deploy", rulesFile, r.Name)
		}
	}
}
