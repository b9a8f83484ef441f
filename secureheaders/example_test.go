package secureheaders_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/tunekit/tunekit/secureheaders"
)

func ExampleSecret() {
	type Config struct {
		Node     string
		Password secureheaders.Secret `json:"password"`
	}
	var cfg Config
	_ = json.Unmarshal([]byte(`{"Node":"localhost:2333","password":"youshallnotpass"}`), &cfg)

	out, _ := json.Marshal(cfg)
	fmt.Printf("%+v\n", cfg)
	fmt.Printf("%#v\n", cfg.Password)
	fmt.Println(string(out))
	fmt.Println(cfg.Password.Reveal() == "youshallnotpass")
	// Output:
	// {Node:localhost:2333 Password:[REDACTED]}
	// secureheaders.Secret{/* redacted */}
	// {"Node":"localhost:2333","password":"[REDACTED]"}
	// true
}

func ExampleFromEnv() {
	_, err := secureheaders.FromEnv("TUNEKIT_EXAMPLE_UNSET")
	var envErr *secureheaders.EnvError
	fmt.Println(errors.Is(err, secureheaders.ErrMissingEnv), errors.As(err, &envErr), envErr.Name)
	fmt.Println(err)
	// Output:
	// true true TUNEKIT_EXAMPLE_UNSET
	// secureheaders: environment variable "TUNEKIT_EXAMPLE_UNSET" is not set
}

func ExampleNewRedactingHandler() {
	noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	password := secureheaders.NewSecret("youshallnotpass")
	h := secureheaders.NewRedactingHandler(slog.NewTextHandler(os.Stdout, noTime), password)
	logger := slog.New(h)

	// A library that logs what it should not: a config struct with a plain
	// password field, and a raw payload.
	type NodeConfig struct{ Address, Password string }
	logger.Info("connecting", "config", NodeConfig{"localhost:2333", "youshallnotpass"})
	logger.Debug("ignored below Info")
	logger.Warn("auth failed", "err", fmt.Errorf("dial: password youshallnotpass rejected"))

	// Secrets learnt later apply to loggers derived earlier too.
	child := logger.With("token", "fake-late-token")
	h.AddSecret(secureheaders.NewSecret("fake-late-token"))
	child.Info("ready")
	// Output:
	// level=INFO msg=connecting config="{Address:localhost:2333 Password:[REDACTED]}"
	// level=WARN msg="auth failed" err="dial: password [REDACTED] rejected"
	// level=INFO msg=ready token=[REDACTED]
}

func ExampleManager_Transport() {
	lavalink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "youshallnotpass" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"version":{"semver":"4.0.8"}}`)
	}))
	defer lavalink.Close()

	creds := secureheaders.NewManager()
	creds.Set("lavalink", secureheaders.NewSecret("youshallnotpass"))
	client := &http.Client{Transport: creds.Transport("lavalink", nil)}
	defer client.CloseIdleConnections()

	resp, err := client.Get(lavalink.URL + "/v4/info")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	fmt.Println(creds)

	_, err = creds.Header("redis")
	fmt.Println(errors.Is(err, secureheaders.ErrNoCredential), err)
	// Output:
	// 200 {"version":{"semver":"4.0.8"}}
	// secureheaders.Manager{lavalink:[REDACTED]}
	// true secureheaders: no credential for service "redis"
}

func ExampleRedact() {
	h := http.Header{}
	h.Set("Authorization", "Bearer abc.def.ghi")
	h.Set("Cookie", "sid=123; theme=dark")
	h.Set("Content-Type", "application/json")
	r := secureheaders.Redact(h)
	fmt.Println(r.Get("Authorization"))
	fmt.Println(r.Get("Cookie"))
	fmt.Println(r.Get("Content-Type"))
	// Output:
	// Bearer [REDACTED]
	// sid=[REDACTED]; theme=[REDACTED]
	// application/json
}
