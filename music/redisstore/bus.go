package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/music"
)

// DefaultChannel is the pub/sub channel a [Bus] uses unless
// [WithChannel] says otherwise.
const DefaultChannel = DefaultPrefix + "events"

// BusOption configures [NewBus].
type BusOption func(*busConfig)

type busConfig struct {
	channel      string
	queueChannel string
	buffer       int
	logger       *slog.Logger
}

// WithChannel sets the pub/sub channel. Default: [DefaultChannel]. Every
// instance of a bot must use the same one, and different bots different
// ones.
func WithChannel(name string) BusOption { return func(c *busConfig) { c.channel = name } }

// WithBusQueueChannel sets the pub/sub channel on which the bus hears of
// queue changes for [Bus.WatchQueues]; "" hears none. Default:
// [DefaultQueueChannel]. It must be the channel the stores publish on
// ([WithQueueChannel]) and differ from the event channel ([WithChannel]);
// a bus given the event channel's name hears no queue changes.
func WithBusQueueChannel(name string) BusOption { return func(c *busConfig) { c.queueChannel = name } }

// WithBusBuffer sets how many events each local subscriber may fall
// behind before events to it are dropped. Default:
// [music.DefaultBusBuffer].
func WithBusBuffer(n int) BusOption { return func(c *busConfig) { c.buffer = n } }

// WithLogger sets the logger for messages that do not decode. Default:
// slog.Default().
func WithLogger(l *slog.Logger) BusOption { return func(c *busConfig) { c.logger = l } }

// Bus is a [music.EventBus] over Redis pub/sub, for a bot running as
// several processes: an event published by any of them reaches the
// subscribers of all of them, its own included.
//
// Publish encodes the event with [music.MarshalEvent] and PUBLISHes it; it
// waits for Redis, not for subscribers, and fails when Redis does. One
// goroutine per Bus receives from the channel and hands events to local
// subscribers through a [music.Bus], so a slow subscriber never holds up
// the others and overflow is dropped and counted. Every process sees the
// events in the order Redis received them.
//
// Redis pub/sub does not store messages: events published while a process
// is disconnected from Redis are lost to it (the connection is re-made and
// the channel re-subscribed automatically). A message that does not decode,
// such as an event type from a newer tunekit, is logged, counted
// ([Bus.Skipped]) and skipped.
//
// The same subscription carries the queue changes a [Store] announces,
// for [Bus.WatchQueues].
//
// A Bus is safe for concurrent use; [Bus.Close] stops its goroutines. It
// does not own the client.
type Bus struct {
	c       redis.UniversalClient
	channel string
	queues  string
	local   *music.Bus
	watch   watchers
	ps      *redis.PubSub
	logger  *slog.Logger
	skipped atomic.Uint64
	ctx     context.Context // lifecycle: cancelled by Close
	cancel  context.CancelFunc
	done    chan struct{}
	closed  atomic.Bool
	once    sync.Once
}

var (
	_ music.EventBus     = (*Bus)(nil)
	_ music.QueueWatcher = (*Bus)(nil)
)

// NewBus subscribes to the channel and returns once Redis has confirmed
// the subscription, so every event published after NewBus returns is
// received. It fails when Redis cannot be reached before ctx ends.
func NewBus(ctx context.Context, c redis.UniversalClient, opts ...BusOption) (*Bus, error) {
	if c == nil {
		return nil, ErrNilClient
	}
	cfg := busConfig{channel: DefaultChannel, queueChannel: DefaultQueueChannel, buffer: music.DefaultBusBuffer, logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	channels := []string{cfg.channel}
	if cfg.queueChannel != "" && cfg.queueChannel != cfg.channel {
		channels = append(channels, cfg.queueChannel)
	}
	ps := c.Subscribe(ctx, channels...)
	for range channels { // one confirmation per channel
		if _, err := ps.Receive(ctx); err != nil {
			_ = ps.Close()
			return nil, failed("subscribe to "+strings.Join(channels, ", "), err)
		}
	}
	b := &Bus{
		c:       c,
		channel: cfg.channel,
		queues:  cfg.queueChannel,
		local:   music.NewBus(music.WithBusBuffer(cfg.buffer)),
		ps:      ps,
		logger:  cfg.logger.With("component", "redisstore"),
		done:    make(chan struct{}),
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.receive(ps.Channel(redis.WithChannelSize(cfg.buffer)))
	return b, nil
}

func (b *Bus) receive(ch <-chan *redis.Message) {
	defer close(b.done)
	for msg := range ch {
		if msg.Channel == b.queues && msg.Channel != b.channel {
			b.queueChanged(msg.Payload)
			continue
		}
		e, err := music.UnmarshalEvent([]byte(msg.Payload))
		if err != nil {
			b.skipped.Add(1)
			b.logger.WarnContext(b.ctx, "skipping an event that does not decode", "channel", b.channel, "error", err)
			continue
		}
		// Publish fails only once the local bus is closed, in Close.
		_ = b.local.Publish(b.ctx, e)
	}
}

// Publish sends e to every process subscribed to the channel. It returns
// [music.ErrBusClosed] after Close and an error matching [ErrUnavailable]
// when Redis does not take the PUBLISH.
func (b *Bus) Publish(ctx context.Context, e music.Event) error {
	if b.closed.Load() {
		return music.ErrBusClosed
	}
	data, err := music.MarshalEvent(e)
	if err != nil {
		return err
	}
	if err := b.c.Publish(ctx, b.channel, data).Err(); err != nil {
		return failed("publish "+e.Type().String()+" event", err)
	}
	return nil
}

// Subscribe implements [music.EventBus], as [music.Bus.Subscribe] does.
func (b *Bus) Subscribe(f func(music.Event)) (cancel func()) { return b.local.Subscribe(f) }

// Dropped is how many deliveries to local subscribers were dropped because
// a subscriber's buffer was full.
func (b *Bus) Dropped() uint64 { return b.local.Dropped() }

// Skipped is how many received messages did not decode as events or
// queue changes.
func (b *Bus) Skipped() uint64 { return b.skipped.Load() }

// Close unsubscribes, stops the receiving goroutine, and closes the local
// bus, letting subscribers finish the events already received, as
// [music.Bus.Close] does. It is safe to call more than once.
func (b *Bus) Close(ctx context.Context) error {
	var err error
	b.once.Do(func() {
		b.closed.Store(true)
		err = b.ps.Close()
		select {
		case <-b.done:
		case <-ctx.Done():
			b.cancel()
			err = errors.Join(err, ctx.Err(), b.local.Close(ctx), b.watch.close(ctx))
			return
		}
		b.cancel()
		err = errors.Join(err, b.local.Close(ctx), b.watch.close(ctx))
	})
	if err != nil {
		return fmt.Errorf("redisstore: close bus: %w", err)
	}
	return nil
}
