package alerting

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tunekit/tunekit/secureheaders"
)

// Webhook POSTs notifications as Alertmanager's webhook payload (version
// "4"), so receivers written for Alertmanager consume them unchanged. Set
// the fields before first use; a Webhook is safe for concurrent use.
type Webhook struct {
	// URL receives the POST. It is treated as a credential (it often
	// embeds a token): it never appears in errors or logs.
	URL secureheaders.Secret
	// BearerToken, if set, is sent as "Authorization: Bearer <token>".
	BearerToken secureheaders.Secret
	// Client sends the requests. Default: http.DefaultClient.
	Client *http.Client
}

// WebhookMessage is Alertmanager's webhook payload, version 4.
type WebhookMessage struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []WebhookAlert    `json:"alerts"`
}

// WebhookAlert is one alert of a [WebhookMessage].
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"` // zero while firing
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// NewWebhookMessage converts a notification to the webhook payload.
func NewWebhookMessage(n Notification) WebhookMessage {
	m := WebhookMessage{
		Version:           "4",
		GroupKey:          "{}:{alertname=" + strconv.Quote(n.Rule) + "}",
		Status:            n.Status.String(),
		Receiver:          n.Receiver,
		GroupLabels:       n.GroupLabels(),
		CommonLabels:      n.CommonLabels(),
		CommonAnnotations: n.CommonAnnotations(),
		ExternalURL:       n.ExternalURL,
		Alerts:            make([]WebhookAlert, 0, len(n.Alerts)),
	}
	for _, a := range n.Alerts {
		wa := WebhookAlert{
			Status:       n.Status.String(),
			Labels:       nonNil(a.Labels),
			Annotations:  nonNil(a.Annotations),
			StartsAt:     a.FiredAt.UTC(),
			GeneratorURL: n.ExternalURL,
			Fingerprint:  a.Fingerprint,
		}
		if n.Status == StateResolved {
			wa.EndsAt = a.ResolvedAt.UTC()
		}
		m.Alerts = append(m.Alerts, wa)
	}
	return m
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Notify posts n. HTTP 4xx answers other than 408 and 429 are [Permanent].
func (w *Webhook) Notify(ctx context.Context, n Notification) error {
	body, err := json.Marshal(NewWebhookMessage(n))
	if err != nil {
		return Permanent(&SendError{Notifier: "webhook", Err: err})
	}
	var h http.Header
	if !w.BearerToken.IsZero() {
		h = http.Header{"Authorization": {"Bearer " + w.BearerToken.Reveal()}}
	}
	return postJSON(ctx, w.Client, "webhook", w.URL, body, h)
}
