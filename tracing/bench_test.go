package tracing_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/tunekit/tunekit/tracing"
)

func nothing(context.Context) error { return nil }

func BenchmarkTraceCommand(b *testing.B) {
	ctx := context.Background()
	b.Run("noop provider", func(b *testing.B) {
		tr := tracing.New(tracing.WithTracerProvider(noop.NewTracerProvider()))
		b.ReportAllocs()
		for b.Loop() {
			_ = tr.TraceCommand(ctx, "play", "817327181659111454", "123456789012345678", nothing)
		}
	})
	b.Run("sdk not sampled", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		tr := tracing.New(tracing.WithTracerProvider(tp))
		b.ReportAllocs()
		for b.Loop() {
			_ = tr.TraceCommand(ctx, "play", "817327181659111454", "123456789012345678", nothing)
		}
	})
	b.Run("sdk sampled", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider() // no processor: spans are built, then dropped
		tr := tracing.New(tracing.WithTracerProvider(tp))
		b.ReportAllocs()
		for b.Loop() {
			_ = tr.TraceCommand(ctx, "play", "817327181659111454", "123456789012345678", nothing)
		}
	})
}

func BenchmarkStatement(b *testing.B) {
	args := []any{"evalsha", "a42f", 1, "ratelimit:{play}:42", "10"}
	b.ReportAllocs()
	for b.Loop() {
		_ = tracing.Statement(args, true)
	}
}
