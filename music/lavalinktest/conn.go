package lavalinktest

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// websocketGoingAway is the close code of a Lavalink shutdown.
	websocketGoingAway = websocket.CloseGoingAway
	// writeTimeout bounds one frame write to a client that stopped reading.
	writeTimeout = 10 * time.Second
)

// wsConn is one client websocket. Frames are queued under its own lock and
// written by its writer goroutine in order; the handler goroutine reads
// (and discards) what the client sends and notices the end.
type wsConn struct {
	ws      *websocket.Conn
	session *session // guarded by Node.mu

	mu     sync.Mutex
	queue  [][]byte
	frozen bool
	queued uint64
	sent   uint64
	sentCh chan struct{} // closed and replaced when sent grows

	notify     chan struct{}
	stop       chan struct{} // closed when the writer must quit
	stopOnce   sync.Once
	writerDone chan struct{}
	ended      chan struct{} // closed once the node has handled the end
}

func newWSConn(ws *websocket.Conn, frozen bool) *wsConn {
	return &wsConn{
		ws:         ws,
		frozen:     frozen,
		sentCh:     make(chan struct{}),
		notify:     make(chan struct{}, 1),
		stop:       make(chan struct{}),
		writerDone: make(chan struct{}),
		ended:      make(chan struct{}),
	}
}

// enqueue queues a frame and returns its sequence number.
func (c *wsConn) enqueue(frame []byte) uint64 {
	c.mu.Lock()
	c.queue = append(c.queue, frame)
	c.queued++
	seq := c.queued
	c.mu.Unlock()
	c.wake()
	return seq
}

func (c *wsConn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *wsConn) setFrozen(frozen bool) {
	c.mu.Lock()
	c.frozen = frozen
	c.mu.Unlock()
	c.wake()
}

// lastQueued returns the sequence number of the newest frame.
func (c *wsConn) lastQueued() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queued
}

// waitSent waits until frame seq has been written, the connection ends,
// the writer is frozen or ctx is done.
func (c *wsConn) waitSent(ctx context.Context, seq uint64) {
	for {
		c.mu.Lock()
		if c.sent >= seq || c.frozen {
			c.mu.Unlock()
			return
		}
		ch := c.sentCh
		c.mu.Unlock()
		select {
		case <-ch:
		case <-c.writerDone:
			return
		case <-ctx.Done():
			return
		}
	}
}

// unsent removes and returns the frames the writer never wrote. Call it
// after the writer has stopped.
func (c *wsConn) unsent() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.queue
	c.queue = nil
	return q
}

// writeLoop writes queued frames until stopped or a write fails.
func (c *wsConn) writeLoop() {
	defer close(c.writerDone)
	for {
		c.mu.Lock()
		if c.frozen || len(c.queue) == 0 {
			c.mu.Unlock()
			select {
			case <-c.notify:
				continue
			case <-c.stop:
				return
			}
		}
		frame := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			_ = c.ws.NetConn().Close()
			return
		}
		c.mu.Lock()
		c.sent++
		close(c.sentCh)
		c.sentCh = make(chan struct{})
		c.mu.Unlock()
	}
}

// close ends the connection: with code 0 by dropping it, otherwise with a
// close frame first. The reader then notices and the node handles the end.
func (c *wsConn) close(code int, reason string) {
	if code != 0 {
		msg := websocket.FormatCloseMessage(code, reason)
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	}
	_ = c.ws.NetConn().Close()
}

// stopWriter stops the writer and waits for it.
func (c *wsConn) stopWriter() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.writerDone
}
