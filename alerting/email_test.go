package alerting_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/secureheaders"
)

// smtpServer is a small SMTP server for tests: EHLO, optional STARTTLS,
// AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpServer struct {
	ln           net.Listener
	tlsConfig    *tls.Config // offer STARTTLS when set
	user, pass   string      // offer AUTH PLAIN and expect these when set
	echoPassword bool        // a buggy server that echoes credentials on failure
	rcptCode     int         // reply to RCPT; 250 when zero
	msgs         chan smtpMessage
	wg           sync.WaitGroup
}

type smtpMessage struct {
	from   string
	to     []string
	data   string
	tls    bool
	authed bool
}

func startSMTP(t *testing.T, s *smtpServer) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln, s.msgs = ln, make(chan smtpMessage, 4)
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(conn) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	var msg smtpMessage
	_ = tp.PrintfLine("220 test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"250-test greets " + arg}
			if s.tlsConfig != nil && !msg.tls {
				lines = append(lines, "250-STARTTLS")
			}
			if s.user != "" {
				lines = append(lines, "250-AUTH PLAIN")
			}
			lines = append(lines, "250 OK")
			_ = tp.PrintfLine("%s", strings.Join(lines, "\r\n"))
		case "STARTTLS":
			_ = tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, s.tlsConfig)
			if tc.Handshake() != nil {
				return
			}
			conn, msg.tls = tc, true
			tp = textproto.NewConn(tc)
		case "AUTH":
			_, b64, _ := strings.Cut(arg, " ")
			raw, _ := base64.StdEncoding.DecodeString(b64)
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass {
				msg.authed = true
				_ = tp.PrintfLine("235 accepted")
			} else if s.echoPassword {
				_ = tp.PrintfLine("535 bad credentials %q", parts)
			} else {
				_ = tp.PrintfLine("535 bad credentials")
			}
		case "MAIL":
			msg.from = arg
			_ = tp.PrintfLine("250 OK")
		case "RCPT":
			if s.rcptCode != 0 {
				_ = tp.PrintfLine("%d mailbox busy", s.rcptCode)
				continue
			}
			msg.to = append(msg.to, arg)
			_ = tp.PrintfLine("250 OK")
		case "DATA":
			_ = tp.PrintfLine("354 end with .")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			msg.data = string(b)
			_ = tp.PrintfLine("250 queued")
			s.msgs <- msg
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 unknown")
		}
	}
}

// testCert returns a server TLS config for 127.0.0.1 and a client config
// that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func TestEmailSTARTTLSAndAuth(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	srv := startSMTP(t, &smtpServer{tlsConfig: serverTLS, user: "bot", pass: "fake-smtp-password"})
	e := &alerting.Email{
		Addr: srv.ln.Addr().String(), From: "Tunekit <bot@example.com>", To: []string{"ops@example.com", "Dev Team <dev@example.com>"},
		Username: "bot", Password: secureheaders.NewSecret("fake-smtp-password"), TLSConfig: clientTLS, RequireTLS: true,
	}
	tests := []struct {
		status      alerting.State
		wantSubject string
		wantBody    []string
	}{
		{alerting.StateFiring, "[FIRING:1] HighErrorRate (critical)", []string{"High command error rate", "12.5% of commands failed",
			"Value:     0.125", "Threshold: > 0.05", "Started:   2026-03-01T12:05:00Z", "Label:     command=play<&>", "https://bot.example/alerts"}},
		{alerting.StateResolved, "[RESOLVED] HighErrorRate (critical)", []string{"Resolved:  2026-03-01T12:20:00Z"}},
	}
	for _, tt := range tests {
		if err := e.Notify(context.Background(), sampleNotification(tt.status)); err != nil {
			t.Fatalf("Notify(%v): %v", tt.status, err)
		}
		got := <-srv.msgs
		if !got.tls || !got.authed {
			t.Errorf("tls=%v authed=%v, want both", got.tls, got.authed)
		}
		if got.from != "FROM:<bot@example.com>" || strings.Join(got.to, ",") != "TO:<ops@example.com>,TO:<dev@example.com>" {
			t.Errorf("envelope from %q to %q", got.from, got.to)
		}
		m, err := mail.ReadMessage(strings.NewReader(got.data))
		if err != nil {
			t.Fatalf("parse message: %v\n%s", err, got.data)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if subject != tt.wantSubject {
			t.Errorf("Subject = %q, want %q", subject, tt.wantSubject)
		}
		if d, err := m.Header.Date(); err != nil || !d.Equal(t0.Add(20*time.Minute)) {
			t.Errorf("Date = %v, %v", d, err)
		}
		for k, want := range map[string]string{
			"From": `"Tunekit" <bot@example.com>`, "To": `<ops@example.com>, "Dev Team" <dev@example.com>`,
			"Content-Type": "text/plain; charset=utf-8", "Mime-Version": "1.0",
		} {
			if got := m.Header.Get(k); got != want {
				t.Errorf("header %s = %q, want %q", k, got, want)
			}
		}
		if !strings.HasPrefix(m.Header.Get("Message-Id"), "<0123456789abcdef.") {
			t.Errorf("Message-Id = %q", m.Header.Get("Message-Id"))
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		for _, w := range tt.wantBody {
			if !strings.Contains(string(body), w) {
				t.Errorf("body lacks %q:\n%s", w, body)
			}
		}
		if strings.Contains(got.data, "fake-smtp-password") {
			t.Error("message contains the password")
		}
	}
}

func TestEmailPlainToLocalhost(t *testing.T) {
	srv := startSMTP(t, &smtpServer{})
	e := &alerting.Email{Addr: srv.ln.Addr().String(), From: "bot@example.com", To: []string{"ops@example.com"}, LocalName: "bot.local"}
	n := sampleNotification(alerting.StateFiring)
	n.Rule = "Evil\r\nBcc: victim@example.com"
	if err := e.Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	got := <-srv.msgs
	if got.tls || got.authed {
		t.Errorf("tls=%v authed=%v, want neither", got.tls, got.authed)
	}
	m, err := mail.ReadMessage(strings.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" {
		t.Errorf("header injection: Bcc = %q", m.Header.Get("Bcc"))
	}
}

func TestEmailErrors(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	const pw = "fake-smtp-pw-2"
	tests := []struct {
		name      string
		server    *smtpServer
		email     alerting.Email
		permanent bool
		code      int
		want      string
	}{
		{"TLS required but not offered", &smtpServer{}, alerting.Email{RequireTLS: true}, true, 0, "STARTTLS"},
		{"auth not offered", &smtpServer{}, alerting.Email{Username: "u", Password: secureheaders.NewSecret(pw)}, true, 0, "AUTH"},
		{"wrong password echoed", &smtpServer{tlsConfig: serverTLS, user: "u", pass: "right", echoPassword: true},
			alerting.Email{Username: "u", Password: secureheaders.NewSecret(pw), TLSConfig: clientTLS}, true, 535, "bad credentials"},
		{"mailbox busy is retried", &smtpServer{rcptCode: 450}, alerting.Email{}, false, 450, "mailbox busy"},
		{"mailbox refused", &smtpServer{rcptCode: 550}, alerting.Email{}, true, 550, "mailbox busy"},
		{"untrusted certificate", &smtpServer{tlsConfig: serverTLS}, alerting.Email{}, false, 0, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.server)
			e := tt.email
			e.Addr, e.From, e.To = srv.ln.Addr().String(), "bot@example.com", []string{"ops@example.com"}
			err := e.Notify(context.Background(), sampleNotification(alerting.StateFiring))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Notify = %v, want error mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("error %q reveals the password", err)
			}
			var pe *alerting.PermanentError
			if errors.As(err, &pe) != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", !tt.permanent, tt.permanent, err)
			}
			var se *alerting.SendError
			if !errors.As(err, &se) || se.StatusCode != tt.code || se.Notifier != "email" {
				t.Errorf("SendError = %+v, want code %d", se, tt.code)
			}
		})
	}

	invalid := []alerting.Email{
		{Addr: "127.0.0.1:25", From: "not an address", To: []string{"a@b.c"}},
		{Addr: "127.0.0.1:25", From: "a@b.c"},
		{Addr: "127.0.0.1:25", From: "a@b.c", To: []string{"@@"}},
		{Addr: "no-port", From: "a@b.c", To: []string{"a@b.c"}},
	}
	for _, e := range invalid {
		err := e.Notify(context.Background(), sampleNotification(alerting.StateFiring))
		var pe *alerting.PermanentError
		if !errors.As(err, &pe) {
			t.Errorf("Notify(%+v) = %v, want a permanent error", e, err)
		}
	}
}

func TestEmailHonoursContext(t *testing.T) {
	// A server that accepts and never greets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	e := &alerting.Email{Addr: ln.Addr().String(), From: "a@b.c", To: []string{"a@b.c"}}
	done := make(chan error)
	go func() { done <- e.Notify(ctx, sampleNotification(alerting.StateFiring)) }()
	c := <-accepted
	defer c.Close()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Notify after cancel = %v, want context.Canceled", err)
	}
}
