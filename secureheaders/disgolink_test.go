package secureheaders_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/disgoorg/disgolink/v3/disgolink"

	"github.com/tunekit/tunekit/secureheaders"
)

// TestRedactingHandlerDisgolinkNodeConfig logs the real disgolink.NodeConfig
// (a plain Password field with a JSON tag) the ways a library might.
func TestRedactingHandlerDisgolinkNodeConfig(t *testing.T) {
	const pass = "youshallnotpass-42"
	cfg := disgolink.NodeConfig{Name: "main", Address: "localhost:2333", Password: pass, SessionID: "s1"}
	for _, kind := range []string{"text", "json"} {
		var buf bytes.Buffer
		var next slog.Handler = slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
		if kind == "json" {
			next = slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
		}
		l := slog.New(secureheaders.NewRedactingHandler(next, secureheaders.NewSecret(pass)))
		l.Debug("adding node", "config", cfg, "ptr", &cfg)
		l.With(slog.Group("node", "config", cfg)).Info("connected")
		l.Debug("received message", slog.String("data", `{"op":"ready","resumed":false,"sessionId":"s1","password":"`+pass+`"}`))
		out := buf.String()
		if strings.Contains(out, pass) {
			t.Errorf("%s output leaks the node password:\n%s", kind, out)
		}
		if strings.Count(out, secureheaders.Mask) < 4 {
			t.Errorf("%s output masks fewer values than expected:\n%s", kind, out)
		}
		if !strings.Contains(out, "localhost:2333") {
			t.Errorf("%s output lost the rest of the config:\n%s", kind, out)
		}
	}
}
