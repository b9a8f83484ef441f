package alerting

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/tunekit/tunekit/secureheaders"
)

// Email sends notifications over SMTP (net/smtp): STARTTLS whenever the
// server offers it, then PLAIN authentication when Username or Password is
// set. net/smtp refuses PLAIN over an unencrypted connection except to
// localhost, so the password is never sent in clear to a remote server. Set
// the fields before first use; an Email is safe for concurrent use.
type Email struct {
	// Addr is the server's host:port, such as "smtp.example.com:587".
	Addr string
	// From is the sender address; To the recipients (RFC 5322 addresses,
	// such as "Ops <ops@example.com>").
	From string
	To   []string
	// Username and Password authenticate with PLAIN. The password never
	// appears in errors or logs.
	Username string
	Password secureheaders.Secret
	// TLSConfig configures STARTTLS. Default: verify the certificate for
	// the host of Addr.
	TLSConfig *tls.Config
	// RequireTLS refuses to send when the server does not offer STARTTLS.
	RequireTLS bool
	// LocalName is the name sent with EHLO. Default: "localhost".
	LocalName string
}

// Notify sends one message for n. Invalid addresses, SMTP 5xx replies and
// a missing STARTTLS when RequireTLS is set are [Permanent]; network errors
// and 4xx replies are retried.
func (e *Email) Notify(ctx context.Context, n Notification) error {
	from, to, err := e.addresses()
	if err != nil {
		return Permanent(&SendError{Notifier: "email", Err: err})
	}
	host, _, err := net.SplitHostPort(e.Addr)
	if err != nil {
		return Permanent(&SendError{Notifier: "email", Err: fmt.Errorf("invalid Addr %q", e.Addr)})
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return &SendError{Notifier: "email", Err: err}
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() }) // unblock I/O on cancel
	defer stop()
	if err := e.send(conn, host, from, to, e.message(n, from, to)); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return smtpError(err, e.Password)
	}
	return nil
}

func (e *Email) send(conn net.Conn, host string, from *mail.Address, to []*mail.Address, msg []byte) error {
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer c.Close()
	local := e.LocalName
	if local == "" {
		local = "localhost"
	}
	if err := c.Hello(local); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: host}
		if e.TLSConfig != nil {
			cfg = e.TLSConfig.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	} else if e.RequireTLS {
		return Permanent(errors.New("server does not offer STARTTLS and RequireTLS is set"))
	}
	if e.Username != "" || !e.Password.IsZero() {
		if ok, _ := c.Extension("AUTH"); !ok {
			return Permanent(errors.New("server does not offer AUTH"))
		}
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password.Reveal(), host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (e *Email) addresses() (*mail.Address, []*mail.Address, error) {
	from, err := mail.ParseAddress(e.From)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid From address %q", e.From)
	}
	if len(e.To) == 0 {
		return nil, nil, errors.New("no recipients")
	}
	to := make([]*mail.Address, len(e.To))
	for i, s := range e.To {
		if to[i], err = mail.ParseAddress(s); err != nil {
			return nil, nil, fmt.Errorf("invalid To address %q", s)
		}
	}
	return from, to, nil
}

// smtpError classifies an SMTP failure: 5xx replies are permanent.
func smtpError(err error, password secureheaders.Secret) error {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return Permanent(&SendError{Notifier: "email", Err: pe.Err})
	}
	serr := &SendError{Notifier: "email", Err: err}
	if s := password.Reveal(); s != "" && strings.Contains(err.Error(), s) {
		serr.Err = &scrubbedError{msg: strings.ReplaceAll(err.Error(), s, secureheaders.Mask), cause: errors.Unwrap(err)}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		serr.StatusCode = te.Code
		if te.Code >= 500 {
			return Permanent(serr)
		}
	}
	return serr
}

// message renders the mail: a subject with the status, rule and severity;
// a plain-text body listing each alert.
func (e *Email) message(n Notification, from *mail.Address, to []*mail.Address) []byte {
	var sev Severity
	if len(n.Alerts) > 0 {
		sev = n.Alerts[0].Severity
	}
	subject := fmt.Sprintf("[%s:%d] %s (%s)", strings.ToUpper(n.Status.String()), len(n.Alerts), n.Rule, sev)
	if n.Status == StateResolved {
		subject = fmt.Sprintf("[RESOLVED] %s (%s)", n.Rule, sev)
	}
	recipients := make([]string, len(to))
	for i, a := range to {
		recipients[i] = a.String()
	}
	id := "alert"
	if len(n.Alerts) > 0 {
		id = n.Alerts[0].Fingerprint
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", strings.Join(recipients, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(subject)))
	header("Date", n.Time.Format(time.RFC1123Z))
	header("Message-ID", fmt.Sprintf("<%s.%d.%s@tunekit>", id, n.Time.UnixNano(), n.Status))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(emailBody(n)))
	_ = qp.Close()
	return b.Bytes()
}

func emailBody(n Notification) string {
	var b strings.Builder
	for i, a := range n.Alerts {
		if i > 0 {
			b.WriteString("\n")
		}
		if s := a.Annotations["summary"]; s != "" {
			fmt.Fprintf(&b, "%s\n", s)
		}
		if d := a.Annotations["description"]; d != "" {
			fmt.Fprintf(&b, "%s\n", d)
		}
		fmt.Fprintf(&b, "\nAlert:     %s\nStatus:    %s\nSeverity:  %s\nValue:     %s\nThreshold: %s %s\nStarted:   %s\n",
			a.Rule, n.Status, a.Severity, formatValue(a.Value), a.Comparison, formatValue(a.Threshold),
			a.FiredAt.UTC().Format(time.RFC3339))
		if n.Status == StateResolved {
			fmt.Fprintf(&b, "Resolved:  %s\n", a.ResolvedAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "Condition: %s\n", a.Expr)
		for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
			fmt.Fprintf(&b, "Label:     %s=%s\n", k, a.Labels[k])
		}
	}
	if n.ExternalURL != "" {
		fmt.Fprintf(&b, "\n%s\n", n.ExternalURL)
	}
	return b.String()
}

// oneLine removes line breaks, so no value can inject a header.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}
