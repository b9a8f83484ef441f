package disgobot

import "context"

// WaitIdle waits until the Bot has no now-playing work queued or
// running, so tests can assert what did not happen.
func WaitIdle(ctx context.Context, b *Bot) error { return b.work.waitIdle(ctx) }
