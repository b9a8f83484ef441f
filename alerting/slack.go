package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tunekit/tunekit/secureheaders"
)

// maxSlackAttachments keeps messages under Slack's limits; further alerts
// are summarized in one line.
const maxSlackAttachments = 20

// Slack posts notifications to a Slack incoming webhook: a headline, then
// one attachment per alert with its summary, description, severity, value,
// threshold and start time (and end time once resolved), coloured by
// severity. Set the fields before first use; a Slack is safe for concurrent
// use.
type Slack struct {
	// WebhookURL is the incoming webhook URL. It is a credential: it never
	// appears in errors or logs.
	WebhookURL secureheaders.Secret
	// Client sends the requests. Default: http.DefaultClient (each attempt
	// is bounded by the engine's send timeout).
	Client *http.Client
	// Username, IconEmoji and Channel override the webhook's defaults
	// where the workspace allows it. Optional.
	Username, IconEmoji, Channel string
}

type slackMessage struct {
	Text        string            `json:"text"`
	Username    string            `json:"username,omitempty"`
	IconEmoji   string            `json:"icon_emoji,omitempty"`
	Channel     string            `json:"channel,omitempty"`
	Attachments []slackAttachment `json:"attachments"`
}

type slackAttachment struct {
	Fallback  string       `json:"fallback"`
	Color     string       `json:"color"`
	Title     string       `json:"title"`
	TitleLink string       `json:"title_link,omitempty"`
	Text      string       `json:"text,omitempty"`
	Fields    []slackField `json:"fields"`
	Footer    string       `json:"footer"`
	Ts        int64        `json:"ts"`
}

type slackField struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// Notify posts n. HTTP 4xx answers other than 408 and 429 are [Permanent].
func (s *Slack) Notify(ctx context.Context, n Notification) error {
	body, err := json.Marshal(s.message(n))
	if err != nil {
		return Permanent(&SendError{Notifier: "slack", Err: err})
	}
	return postJSON(ctx, s.Client, "slack", s.WebhookURL, body, nil)
}

func (s *Slack) message(n Notification) slackMessage {
	msg := slackMessage{Username: s.Username, IconEmoji: s.IconEmoji, Channel: s.Channel}
	if len(n.Alerts) == 0 {
		return msg
	}
	first := n.Alerts[0]
	if n.Status == StateResolved {
		msg.Text = fmt.Sprintf(":white_check_mark: [RESOLVED] %s (%s)", slackEscape(n.Rule), first.Severity)
	} else {
		msg.Text = fmt.Sprintf("%s [FIRING:%d] %s (%s)", severityEmoji(first.Severity), len(n.Alerts), slackEscape(n.Rule), first.Severity)
	}
	for i, a := range n.Alerts {
		if i == maxSlackAttachments {
			msg.Text += fmt.Sprintf(" (%d more alerts not shown)", len(n.Alerts)-i)
			break
		}
		msg.Attachments = append(msg.Attachments, slackAlert(n, a))
	}
	return msg
}

func slackAlert(n Notification, a Alert) slackAttachment {
	title := a.Annotations["summary"]
	if title == "" {
		title = a.Rule
	}
	at := slackAttachment{
		Fallback:  fmt.Sprintf("[%s] %s: %s", strings.ToUpper(n.Status.String()), a.Rule, title),
		Color:     severityColor(a.Severity, n.Status),
		Title:     slackEscape(title),
		TitleLink: n.ExternalURL,
		Text:      slackEscape(a.Annotations["description"]),
		Footer:    "tunekit alerting",
		Ts:        n.Time.Unix(),
		Fields: []slackField{
			{Title: "Severity", Value: a.Severity.String(), Short: true},
			{Title: "Status", Value: n.Status.String(), Short: true},
			{Title: "Value", Value: formatValue(a.Value), Short: true},
			{Title: "Threshold", Value: slackEscape(a.Comparison + " " + formatValue(a.Threshold)), Short: true},
			{Title: "Started", Value: a.FiredAt.UTC().Format(time.RFC3339), Short: true},
		},
	}
	if n.Status == StateResolved {
		at.Fields = append(at.Fields, slackField{Title: "Resolved", Value: a.ResolvedAt.UTC().Format(time.RFC3339), Short: true})
	}
	var extra []string
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		if k != "alertname" && k != "severity" {
			extra = append(extra, k+"="+a.Labels[k])
		}
	}
	if len(extra) > 0 {
		at.Fields = append(at.Fields, slackField{Title: "Labels", Value: slackEscape(strings.Join(extra, ", "))})
	}
	return at
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func formatValue(v float64) string { return fmt.Sprintf("%.4g", v) }

func severityColor(s Severity, st State) string {
	if st == StateResolved {
		return "#2eb886"
	}
	switch s {
	case Critical:
		return "#d40e0d"
	case Warning:
		return "#e8a317"
	}
	return "#439fe0"
}

func severityEmoji(s Severity) string {
	switch s {
	case Critical:
		return ":rotating_light:"
	case Warning:
		return ":warning:"
	}
	return ":information_source:"
}
