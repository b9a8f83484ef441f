package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/snowflake/v2"
)

// Server is a stand-in Discord: a gateway websocket and a REST API on
// loopback, with one application (the bot) and the guilds a test declares.
// Create it with [New] or [Start]; stop it with [Server.Close].
//
// A Server is safe for concurrent use.
type Server struct {
	cfg   config
	token string
	log   *slog.Logger

	gatewayURL string
	restURL    string
	servers    []*http.Server
	wg         sync.WaitGroup // serve loops, handlers and connection writers

	closeOnce sync.Once
	closeErr  error

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced on every state change
	lastID  snowflake.ID

	users        map[snowflake.ID]*user
	guilds       map[snowflake.ID]*guild
	guildOrder   []snowflake.ID
	channels     map[snowflake.ID]*channel
	messages     map[snowflake.ID]*message
	msgOrder     []snowflake.ID
	interactions map[snowflake.ID]*interaction
	byToken      map[string]*interaction
	responses    []Response
	commands     map[snowflake.ID]*commandSet // key 0 is the global set
	sessions     []*session
	conns        map[*conn]struct{}
	voiceReqs    []VoiceRequest
	requests     []Request
	limits       []*RateLimit
	buckets      map[string]*bucket
	clients      map[*bot.Client]*clientClose // by CloseClient
}

// New starts a Server on 127.0.0.1 with a free port for the gateway and
// another for REST. Point disgo at it with rest.WithURL([Server.RestURL]);
// disgo then learns the gateway URL from GET /gateway (or GET /gateway/bot
// when sharding), as it does from Discord.
func New(opts ...Option) (*Server, error) {
	s := newState(newConfig(opts))
	gwLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	restLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = gwLn.Close()
		return nil, err
	}
	s.gatewayURL = "ws://" + gwLn.Addr().String()
	s.restURL = "http://" + restLn.Addr().String() + apiPrefix

	for _, p := range []struct {
		ln net.Listener
		h  http.Handler
	}{{gwLn, http.HandlerFunc(s.serveGateway)}, {restLn, s.restHandler()}} {
		hs := &http.Server{
			Handler:           s.track(p.h),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		}
		s.servers = append(s.servers, hs)
		ln := p.ln
		s.wg.Go(func() { _ = hs.Serve(ln) })
	}
	return s, nil
}

// newState returns a server with its world but no listeners.
func newState(cfg config) *Server {
	s := &Server{
		cfg:          cfg,
		token:        Token(cfg.appID),
		log:          cfg.logger.With(slog.String("component", "discordtest")),
		changed:      make(chan struct{}),
		users:        map[snowflake.ID]*user{},
		guilds:       map[snowflake.ID]*guild{},
		channels:     map[snowflake.ID]*channel{},
		messages:     map[snowflake.ID]*message{},
		interactions: map[snowflake.ID]*interaction{},
		byToken:      map[string]*interaction{},
		commands:     map[snowflake.ID]*commandSet{},
		conns:        map[*conn]struct{}{},
		buckets:      map[string]*bucket{},
		clients:      map[*bot.Client]*clientClose{},
	}
	s.users[cfg.appID] = &user{id: cfg.appID, name: cfg.botName, bot: true}
	return s
}

// Start is [New] for tests: it fails t if the server cannot start and
// closes the server in t.Cleanup. Register it before the disgo client so
// the client (closed by a later cleanup, which runs first) goes away first.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("discordtest: start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("discordtest: close: %v", err)
		}
	})
	return s
}

// track counts handlers in s.wg so Close can wait for them, including
// gateway handlers, which run for as long as their connection lives.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "closed", http.StatusServiceUnavailable)
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		h.ServeHTTP(w, r)
	})
}

// Close stops both listeners, closes every gateway connection (clients see
// the connection drop) and waits until every goroutine the server started
// has returned, or ctx ends, in which case it returns ctx.Err(). Calling it
// again returns the first call's result; waiting honours the first ctx.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := make([]*conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.notifyLocked()
		s.mu.Unlock()

		var errs []error
		for _, hs := range s.servers {
			if err := hs.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		for _, c := range conns {
			c.kill()
		}
		waited := make(chan struct{})
		go func() {
			s.wg.Wait()
			close(waited)
		}()
		select {
		case <-waited:
		case <-ctx.Done():
			errs = append(errs, ctx.Err())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Token is the bot token of the server's application, made by [Token].
// IDENTIFY and REST calls with any other token are rejected.
func (s *Server) Token() string { return s.token }

// ApplicationID is the application's ID.
func (s *Server) ApplicationID() snowflake.ID { return s.cfg.appID }

// BotID is the bot user's ID, which equals the application ID as it does for
// every application created since 2019.
func (s *Server) BotID() snowflake.ID { return s.cfg.appID }

// RestURL is the REST base URL including the API version, the value for
// disgo's rest.WithURL, e.g. "http://127.0.0.1:40123/api/v10".
func (s *Server) RestURL() string { return s.restURL }

// GatewayURL is the gateway websocket URL, the value for disgo's
// gateway.WithURL and what GET /gateway returns, e.g. "ws://127.0.0.1:40124".
func (s *Server) GatewayURL() string { return s.gatewayURL }

// nextIDLocked returns a new snowflake for the current time, unique and
// increasing within the server.
func (s *Server) nextIDLocked() snowflake.ID {
	id := snowflake.New(s.cfg.now())
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return id
}

// notifyLocked wakes everyone waiting for a state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor calls check under the lock until it reports done, the server
// closes (ErrClosed) or ctx ends (ctx.Err()).
func waitFor[T any](ctx context.Context, s *Server, check func() (T, bool, error)) (T, error) {
	for {
		s.mu.Lock()
		v, ok, err := check()
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		if err != nil || ok {
			return v, err
		}
		if closed {
			return v, ErrClosed
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-ch:
		}
	}
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
