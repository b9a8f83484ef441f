package alerting

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tunekit/tunekit/resilience"
	"github.com/tunekit/tunekit/secureheaders"
)

// SendError reports a failed delivery. Its text never holds the webhook URL
// or any credential: transport errors are stripped of the URL, and response
// bodies are cut short and scrubbed.
type SendError struct {
	Notifier   string // "slack", "webhook" or "email"
	StatusCode int    // the HTTP status or SMTP reply code; 0 if none
	Err        error  // the cause, free of secrets
}

// Error implements the error interface.
func (e *SendError) Error() string {
	s := "alerting: " + e.Notifier + ": "
	if e.StatusCode != 0 {
		s += "status " + strconv.Itoa(e.StatusCode) + ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// scrubbedError shows a cleaned message but unwraps to the original cause,
// so errors.Is(err, context.DeadlineExceeded) still works.
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

// scrub removes the forms a URL secret can take from err's text. A
// *url.Error is unwrapped first: it quotes the whole URL.
func scrub(err error, secret secureheaders.Secret) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &scrubbedError{msg: ue.Op + " request: " + ue.Err.Error(), cause: ue.Err}
	}
	msg := scrubText(err.Error(), secret)
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, cause: errors.Unwrap(err)}
}

// scrubText masks the secret URL, its escaped form, and its path, query and
// user info (what makes a webhook URL secret) in s.
func scrubText(s string, secret secureheaders.Secret) string {
	raw := secret.Reveal()
	if raw == "" {
		return s
	}
	parts := []string{raw, url.QueryEscape(raw)}
	if u, err := url.Parse(raw); err == nil {
		if u.RawQuery != "" {
			parts = append(parts, u.RawQuery)
		}
		if len(u.Path) > 1 {
			parts = append(parts, u.Path, u.EscapedPath())
		}
		if u.User != nil {
			parts = append(parts, u.User.String())
		}
	}
	for _, p := range parts {
		if p != "" {
			s = strings.ReplaceAll(s, p, secureheaders.Mask)
		}
	}
	return s
}

// postJSON POSTs body to the secret URL and classifies the outcome for the
// engine's retries: network errors, 408, 429 and 5xx are retried (429 and
// 503 after the server's Retry-After), other non-2xx answers are
// [Permanent].
func postJSON(ctx context.Context, client *http.Client, notifier string, target secureheaders.Secret, body []byte, header http.Header) error {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.Reveal(), bytes.NewReader(body))
	if err != nil || target.IsZero() {
		// The parse error quotes the URL: say only that it is invalid.
		return Permanent(&SendError{Notifier: notifier, Err: errors.New("invalid or empty URL")})
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return &SendError{Notifier: notifier, Err: scrub(err, target)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	text := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "?"))
	if text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	serr := &SendError{Notifier: notifier, StatusCode: resp.StatusCode, Err: errors.New(scrubText(text, target))}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if d, ok := resilience.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > 0 {
			return resilience.RetryAfter(serr, d)
		}
		return serr
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return serr
	}
	return Permanent(serr)
}
