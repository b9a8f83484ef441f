package alerting_test

import (
	"io"
	"log/slog"

	"github.com/tunekit/tunekit/internal/logtest"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func slogTo(w *logtest.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
