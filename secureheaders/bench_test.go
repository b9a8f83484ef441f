package secureheaders_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/tunekit/tunekit/secureheaders"
)

// nopHandler accepts everything and does nothing, so benchmarks measure the
// redacting layer alone.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

func cleanRecord() slog.Record {
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "track started", 0)
	r.AddAttrs(slog.String("guild", "123456789012345678"), slog.Int("position", 42),
		slog.String("title", "Never Gonna Give You Up"), slog.Bool("autoplay", true),
		slog.Duration("elapsed", 3*time.Second))
	return r
}

func benchSecrets() []secureheaders.Secret {
	return []secureheaders.Secret{secureheaders.NewSecret("youshallnotpass"), secureheaders.NewSecret("Bot fake-bot-token-for-benchmarks.abcdefgh")}
}

func TestRedactingHandlerCleanRecordAllocs(t *testing.T) {
	h := secureheaders.NewRedactingHandler(nopHandler{}, benchSecrets()...)
	derived := h.WithAttrs([]slog.Attr{slog.String("component", "music")}).WithGroup("player")
	errRec := slog.NewRecord(time.Time{}, slog.LevelError, "failed", 0)
	errRec.AddAttrs(slog.Any("err", errors.New("node unreachable")))
	ctx := context.Background()
	tests := []struct {
		name string
		h    slog.Handler
		r    slog.Record
	}{
		{"strings and scalars", h, cleanRecord()},
		{"derived handler", derived, cleanRecord()},
		{"error value", h, errRec},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, func() { _ = tt.h.Handle(ctx, tt.r) }); n != 0 {
			t.Errorf("%s: Handle allocates %.0f times per clean record, want 0", tt.name, n)
		}
	}
}

func BenchmarkRedactingHandler(b *testing.B) {
	ctx := context.Background()
	type payload struct {
		Name, Address string
		Secure        bool
	}
	anyRec := slog.NewRecord(time.Time{}, slog.LevelDebug, "node", 0)
	anyRec.AddAttrs(slog.Any("config", payload{"main", "localhost:2333", false}))
	errRec := slog.NewRecord(time.Time{}, slog.LevelError, "failed", 0)
	errRec.AddAttrs(slog.Any("err", errors.New("node unreachable")))
	leakRec := slog.NewRecord(time.Time{}, slog.LevelDebug, "sending Authorization youshallnotpass", 0)
	leakRec.AddAttrs(slog.String("guild", "123"), slog.Int("n", 1))
	redacting := secureheaders.NewRedactingHandler(nopHandler{}, benchSecrets()...)
	cases := []struct {
		name string
		h    slog.Handler
		r    slog.Record
	}{
		{"baseline-nop", nopHandler{}, cleanRecord()},
		{"no-secrets", secureheaders.NewRedactingHandler(nopHandler{}), cleanRecord()},
		{"clean", redacting, cleanRecord()},
		{"clean-derived", redacting.WithAttrs([]slog.Attr{slog.String("c", "music")}).WithGroup("g"), cleanRecord()},
		{"clean-error", redacting, errRec},
		{"clean-struct", redacting, anyRec},
		{"secret-in-message", redacting, leakRec},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.h.Handle(ctx, c.r)
			}
		})
	}
}

func BenchmarkSecretEqual(b *testing.B) {
	x, y := benchSecrets()[0], secureheaders.NewSecret("youshallnotpass")
	b.ReportAllocs()
	for b.Loop() {
		_ = x.Equal(y)
	}
}
