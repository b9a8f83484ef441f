package resilience

import "context"

// Guard runs calls that return a T through a [Breaker] and answers with a
// fallback value when the breaker refuses a call or the call fails. Create
// one with [WithFallback]; it is safe for concurrent use.
type Guard[T any] struct {
	b        *Breaker
	fallback func(ctx context.Context, err error) (T, error)
}

// WithFallback returns a [Guard] that runs calls through b and, when b
// refuses a call (err matches [ErrOpen]) or the call fails (a timeout, or an
// error Settings.IsFailure accepts), returns fallback(ctx, err) instead. It
// replaces Settings.Fallback for calls made through the Guard. Errors that
// are not failures and the caller's own cancellation are returned as they
// are.
func WithFallback[T any](b *Breaker, fallback func(ctx context.Context, err error) (T, error)) *Guard[T] {
	return &Guard[T]{b: b, fallback: fallback}
}

// Breaker returns the breaker the Guard runs calls through.
func (g *Guard[T]) Breaker() *Breaker { return g.b }

// Execute calls fn through the breaker like [Execute], with the Guard's
// fallback.
func (g *Guard[T]) Execute(ctx context.Context, fn func(ctx context.Context) (T, error)) (T, error) {
	v, failed, err := execute(ctx, g.b, fn)
	if failed {
		return g.fallback(ctx, err)
	}
	return v, err
}
