package alerting_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/resilience"
	"github.com/tunekit/tunekit/secureheaders"
)

const hookToken = "T000/B000/XXXXsecretXXXX"

func sampleNotification(status alerting.State) alerting.Notification {
	labels := map[string]string{"alertname": "HighErrorRate", "severity": "critical", "command": "play<&>"}
	a := alerting.Alert{
		Rule: "HighErrorRate", Severity: alerting.Critical, State: status, Labels: labels,
		Annotations: map[string]string{"summary": "High command error rate", "description": "12.5% of commands failed"},
		Value:       0.125, Threshold: 0.05, Comparison: ">", Expr: "sum(rate(x[5m])) > 0.05",
		ActiveAt: t0, FiredAt: t0.Add(5 * time.Minute), Fingerprint: "0123456789abcdef",
	}
	if status == alerting.StateResolved {
		a.ResolvedAt = t0.Add(20 * time.Minute)
	}
	return alerting.Notification{Receiver: "slack", Status: status, Rule: "HighErrorRate",
		Alerts: []alerting.Alert{a}, ExternalURL: "https://bot.example/alerts", Time: t0.Add(20 * time.Minute)}
}

// hookServer records request bodies and headers posted to /hook/<token>.
func hookServer(t *testing.T, status int, header http.Header) (*httptest.Server, chan *http.Request, chan []byte) {
	t.Helper()
	reqs, bodies := make(chan *http.Request, 8), make(chan []byte, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs <- r
		bodies <- b
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		io.WriteString(w, "no_service")
	}))
	t.Cleanup(srv.Close)
	return srv, reqs, bodies
}

func TestSlackMessage(t *testing.T) {
	srv, reqs, bodies := hookServer(t, http.StatusOK, nil)
	s := &alerting.Slack{WebhookURL: secureheaders.NewSecret(srv.URL + "/hook/" + hookToken), Username: "tunekit", Client: srv.Client()}

	tests := []struct {
		status    alerting.State
		wantText  string
		wantColor string
		wantField string
	}{
		{alerting.StateFiring, ":rotating_light: [FIRING:1] HighErrorRate (critical)", "#d40e0d", ""},
		{alerting.StateResolved, ":white_check_mark: [RESOLVED] HighErrorRate (critical)", "#2eb886", "Resolved=2026-03-01T12:20:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.status.String(), func(t *testing.T) {
			if err := s.Notify(context.Background(), sampleNotification(tt.status)); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			r := <-reqs
			if r.URL.Path != "/hook/"+hookToken || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("request %s %s, content type %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			}
			var msg struct {
				Text        string `json:"text"`
				Username    string `json:"username"`
				Attachments []struct {
					Color, Title, Text, Footer string
					TitleLink                  string `json:"title_link"`
					Fields                     []struct {
						Title, Value string
					}
					Ts int64
				}
			}
			body := <-bodies
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if msg.Text != tt.wantText || msg.Username != "tunekit" || len(msg.Attachments) != 1 {
				t.Fatalf("message = %s", body)
			}
			at := msg.Attachments[0]
			fields := map[string]string{}
			for _, f := range at.Fields {
				fields[f.Title] = f.Value
			}
			want := map[string]string{"Severity": "critical", "Value": "0.125", "Threshold": "&gt; 0.05",
				"Started": "2026-03-01T12:05:00Z", "Labels": "command=play&lt;&amp;&gt;"}
			for k, v := range want {
				if fields[k] != v {
					t.Errorf("field %s = %q, want %q (fields %v)", k, fields[k], v, fields)
				}
			}
			if tt.wantField != "" {
				k, v, _ := strings.Cut(tt.wantField, "=")
				if fields[k] != v {
					t.Errorf("field %s = %q, want %q", k, fields[k], v)
				}
			}
			if at.Color != tt.wantColor || at.Title != "High command error rate" || at.Text != "12.5% of commands failed" ||
				at.TitleLink != "https://bot.example/alerts" || at.Ts != t0.Add(20*time.Minute).Unix() {
				t.Errorf("attachment = %+v", at)
			}
		})
	}
}

func TestSlackCapsAttachments(t *testing.T) {
	srv, _, bodies := hookServer(t, http.StatusOK, nil)
	n := sampleNotification(alerting.StateFiring)
	for range 30 {
		n.Alerts = append(n.Alerts, n.Alerts[0])
	}
	s := &alerting.Slack{WebhookURL: secureheaders.NewSecret(srv.URL)}
	if err := s.Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Text        string
		Attachments []json.RawMessage
	}
	_ = json.Unmarshal(<-bodies, &msg)
	if len(msg.Attachments) != 20 || !strings.Contains(msg.Text, "[FIRING:31]") || !strings.Contains(msg.Text, "11 more alerts not shown") {
		t.Errorf("text %q with %d attachments", msg.Text, len(msg.Attachments))
	}
}

func TestHTTPNotifierErrorsHideTheURL(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	deadURL := closed.URL + "/hook/" + hookToken
	closed.Close()

	tests := []struct {
		name      string
		status    int
		header    http.Header
		url       string
		permanent bool
		after     time.Duration
	}{
		{"server error", http.StatusInternalServerError, nil, "", false, 0},
		{"not found is permanent", http.StatusNotFound, nil, "", true, 0},
		{"rate limited", http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}, "", false, 7 * time.Second},
		{"timeout status", http.StatusRequestTimeout, nil, "", false, 0},
		{"connection refused", 0, nil, deadURL, false, 0},
		{"invalid URL", 0, nil, "http://[::1/hook/" + hookToken, true, 0},
		{"empty URL", 0, nil, "-", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.url
			if target == "" {
				srv, _, _ := hookServer(t, tt.status, tt.header)
				target = srv.URL + "/hook/" + hookToken
			}
			if target == "-" {
				target = ""
			}
			for _, n := range []alerting.Notifier{
				&alerting.Slack{WebhookURL: secureheaders.NewSecret(target)},
				&alerting.Webhook{URL: secureheaders.NewSecret(target)},
			} {
				err := n.Notify(context.Background(), sampleNotification(alerting.StateFiring))
				if err == nil {
					t.Fatal("Notify succeeded, want an error")
				}
				if strings.Contains(err.Error(), hookToken) || strings.Contains(err.Error(), "XXXXsecret") {
					t.Errorf("error %q reveals the webhook URL", err)
				}
				var pe *alerting.PermanentError
				if got := errors.As(err, &pe); got != tt.permanent {
					t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
				}
				var se *alerting.SendError
				if !errors.As(err, &se) || (tt.status != 0 && se.StatusCode != tt.status) {
					t.Errorf("error %v is not a SendError with status %d", err, tt.status)
				}
				var ra *resilience.RetryAfterError
				if tt.after > 0 && (!errors.As(err, &ra) || ra.Delay != tt.after) {
					t.Errorf("error %v does not carry Retry-After %v", err, tt.after)
				}
			}
		})
	}
}

func TestWebhookPayload(t *testing.T) {
	srv, reqs, bodies := hookServer(t, http.StatusOK, nil)
	w := &alerting.Webhook{URL: secureheaders.NewSecret(srv.URL + "/alerts"), BearerToken: secureheaders.NewSecret("tok")}
	for _, status := range []alerting.State{alerting.StateFiring, alerting.StateResolved} {
		n := sampleNotification(status)
		n.Receiver = "webhook"
		if err := w.Notify(context.Background(), n); err != nil {
			t.Fatal(err)
		}
		if got := (<-reqs).Header.Get("Authorization"); got != "Bearer tok" {
			t.Errorf("Authorization = %q, want Bearer tok", got)
		}
		var p map[string]any
		if err := json.Unmarshal(<-bodies, &p); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels",
			"commonLabels", "commonAnnotations", "externalURL", "alerts"} {
			if _, ok := p[k]; !ok {
				t.Errorf("payload lacks %q: %v", k, p)
			}
		}
		if p["version"] != "4" || p["status"] != status.String() || p["receiver"] != "webhook" ||
			p["groupKey"] != `{}:{alertname="HighErrorRate"}` || p["externalURL"] != "https://bot.example/alerts" {
			t.Errorf("payload header fields = %v", p)
		}
		if gl := p["groupLabels"].(map[string]any); gl["alertname"] != "HighErrorRate" || len(gl) != 1 {
			t.Errorf("groupLabels = %v", gl)
		}
		if cl := p["commonLabels"].(map[string]any); cl["severity"] != "critical" {
			t.Errorf("commonLabels = %v", cl)
		}
		alerts := p["alerts"].([]any)
		a := alerts[0].(map[string]any)
		wantEnd := "0001-01-01T00:00:00Z"
		if status == alerting.StateResolved {
			wantEnd = "2026-03-01T12:20:00Z"
		}
		if a["status"] != status.String() || a["startsAt"] != "2026-03-01T12:05:00Z" || a["endsAt"] != wantEnd ||
			a["fingerprint"] != "0123456789abcdef" || a["labels"].(map[string]any)["command"] != "play<&>" ||
			a["annotations"].(map[string]any)["summary"] != "High command error rate" {
			t.Errorf("alert = %v", a)
		}
		if _, ok := a["generatorURL"]; !ok {
			t.Errorf("alert lacks generatorURL: %v", a)
		}
	}
	empty := alerting.NewWebhookMessage(alerting.Notification{Rule: "R", Alerts: []alerting.Alert{{}}})
	if b, _ := json.Marshal(empty.Alerts[0]); !strings.Contains(string(b), `"labels":{}`) || !strings.Contains(string(b), `"annotations":{}`) {
		t.Errorf("nil maps must encode as {}: %s", b)
	}
}

func TestSendErrorFormatting(t *testing.T) {
	e := &alerting.SendError{Notifier: "slack", StatusCode: 500, Err: errors.New("boom")}
	if e.Error() != "alerting: slack: status 500: boom" {
		t.Errorf("Error() = %q", e.Error())
	}
	var ne net.Error
	if errors.As(e, &ne) {
		t.Error("unexpected net.Error")
	}
}
