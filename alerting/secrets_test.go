package alerting_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/secureheaders"
)

// TestSecretsStayOutOfLogs runs failing Slack, webhook and email
// deliveries through the engine, with servers that echo what they got, and
// checks the engine's log never shows the URLs' tokens or the password.
func TestSecretsStayOutOfLogs(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unknown hook "+r.URL.String(), http.StatusInternalServerError)
	}))
	defer echo.Close()
	const smtpPass = "smtp-pass-1234"
	serverTLS, clientTLS := testCert(t)
	smtp := startSMTP(t, &smtpServer{tlsConfig: serverTLS, user: "u", pass: "other", echoPassword: true})

	r := gaugeRule()
	r.For, r.Actions = 0, []string{"slack", "webhook", "email"}
	logs := &logtest.Buffer{}
	env := newGaugeEnv(t, r,
		alerting.WithNotifier("slack", &alerting.Slack{WebhookURL: secureheaders.NewSecret(echo.URL + "/services/" + hookToken)}),
		alerting.WithNotifier("webhook", &alerting.Webhook{URL: secureheaders.NewSecret(echo.URL + "/hook?token=" + hookToken)}),
		alerting.WithNotifier("email", &alerting.Email{Addr: smtp.ln.Addr().String(), From: "a@b.c", To: []string{"d@e.f"},
			Username: "u", Password: secureheaders.NewSecret(smtpPass), TLSConfig: clientTLS}),
		alerting.WithLogger(slogTo(logs)))
	env.step(t, 20)
	out := logs.String()
	if strings.Count(out, "alert notification failed") != 3 {
		t.Fatalf("want three logged failures, got:\n%s", out)
	}
	for _, secret := range []string{hookToken, "XXXXsecret", smtpPass} {
		if strings.Contains(out, secret) {
			t.Errorf("log reveals %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "unknown hook") || !strings.Contains(out, "bad credentials") {
		t.Errorf("log lost the useful part of the errors:\n%s", out)
	}
	if s := fmt.Sprintf("%+v", env.engine); strings.Contains(s, hookToken) {
		t.Errorf("engine prints %s", s)
	}
}
