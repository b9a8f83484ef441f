package redistest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startTimeout bounds how long Start, Run and Restart wait for PING.
const startTimeout = 10 * time.Second

// ErrNotFound is returned by [Run], and reported by [Start], when
// redis-server is not on PATH and TUNEKIT_REDIS_ADDR is not set.
var ErrNotFound = errors.New("redistest: redis-server not found on PATH; install it (apt-get install -y redis-server) or set TUNEKIT_REDIS_ADDR")

// Server is a redis-server owned by one test, or by the caller of [Run].
// Its methods are safe for concurrent use.
type Server struct {
	t        testing.TB // nil for a server from Run
	addr     string
	external bool
	db       int
	dir      string
	ownDir   bool // dir was made by Run and is removed by Close

	mu      sync.Mutex
	cmd     *exec.Cmd
	out     *bytes.Buffer
	clients []*redis.Client // made by Client on a server from Run
	closed  bool
}

// Start returns a running Redis for t and registers its shutdown with
// t.Cleanup. It skips or fails t as the package documentation describes
// when no server can be had.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := start(t, t.TempDir())
	switch {
	case errors.Is(err, ErrNotFound) && os.Getenv("TUNEKIT_REQUIRE_REDIS") != "1":
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Run starts a Redis like [Start] for code that has no testing.TB, such as
// a TestMain that shares one server among a package's tests, or an example.
// The caller stops it with [Server.Close]. Without a server to use it
// returns [ErrNotFound], whatever TUNEKIT_REQUIRE_REDIS says.
func Run() (*Server, error) {
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s, err := start(nil, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.ownDir = true
	return s, nil
}

// start starts a server keeping its files in dir, or connects to the one
// TUNEKIT_REDIS_ADDR names.
func start(t testing.TB, dir string) (*Server, error) {
	if addr := os.Getenv("TUNEKIT_REDIS_ADDR"); addr != "" {
		return startExternal(t, addr)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotFound
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("redistest: find a free port: %w", err)
	}
	s := &Server{t: t, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
	if err := s.launch(bin); err != nil {
		return nil, err
	}
	return s, nil
}

func startExternal(t testing.TB, addr string) (*Server, error) {
	db := 15
	if v := os.Getenv("TUNEKIT_REDIS_DB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("redistest: TUNEKIT_REDIS_DB=%q is not a number", v)
		}
		db = n
	}
	s := &Server{t: t, addr: addr, external: true, db: db}
	c := s.NewClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.FlushDB(ctx).Err(); err != nil {
		return nil, fmt.Errorf("redistest: external Redis at TUNEKIT_REDIS_ADDR: %w", err)
	}
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// DB is the logical database the test should use (0 unless external).
func (s *Server) DB() int { return s.db }

// Client returns a new client connected to the server; it is closed in
// t.Cleanup, or by [Server.Close] on a server from [Run].
func (s *Server) Client() *redis.Client {
	c := s.NewClient()
	if s.t != nil {
		s.t.Cleanup(func() { _ = c.Close() })
		return c
	}
	s.mu.Lock()
	s.clients = append(s.clients, c)
	s.mu.Unlock()
	return c
}

// NewClient returns a new client for the server that the caller closes.
// Its dial and read timeouts are short so fault tests see errors quickly.
func (s *Server) NewClient() *redis.Client {
	return redis.NewClient(s.Options())
}

// Options returns client options for the server: short dial, read and write
// timeouts and no retries, so a stopped server shows up as an error at once.
func (s *Server) Options() *redis.Options {
	return &redis.Options{
		Addr:         s.addr,
		DB:           s.db,
		DialTimeout:  time.Second,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		MaxRetries:   -1,
	}
}

// Stop stops the server; its port is kept for Restart. Stopping a stopped
// server is a no-op. On an external server (TUNEKIT_REDIS_ADDR) it skips
// the test, or panics on a server from [Run].
func (s *Server) Stop() {
	if s.t != nil {
		s.t.Helper()
	}
	if s.external {
		s.fail(true, "redistest: Stop needs a server started by redistest, not TUNEKIT_REDIS_ADDR")
		return
	}
	s.kill()
}

// Restart starts the server again on the same address, with an empty data
// set, and waits until it answers PING. It fails the test when the server
// does not come back, or panics on a server from [Run], as
// httptest.NewServer does when it cannot listen. On an external server it
// skips the test, or panics on a server from Run.
func (s *Server) Restart() {
	if s.t != nil {
		s.t.Helper()
	}
	if s.external {
		s.fail(true, "redistest: Restart needs a server started by redistest, not TUNEKIT_REDIS_ADDR")
		return
	}
	s.kill()
	err := ErrNotFound
	if bin, lookErr := exec.LookPath("redis-server"); lookErr == nil {
		err = s.launch(bin)
	}
	if err != nil {
		s.fail(false, err.Error())
	}
}

// Close stops the server, closes the clients [Server.Client] made for a
// server from [Run], and removes the server's files. [Start] registers it
// with t.Cleanup; calling it twice is a no-op.
func (s *Server) Close() {
	s.kill()
	s.mu.Lock()
	clients, closed := s.clients, s.closed
	s.clients, s.closed = nil, true
	s.mu.Unlock()
	if closed {
		return
	}
	for _, c := range clients {
		_ = c.Close()
	}
	if s.ownDir {
		_ = os.RemoveAll(s.dir)
	}
}

// fail skips or fails the test, or panics when there is none.
func (s *Server) fail(skip bool, msg string) {
	if s.t != nil {
		s.t.Helper()
	}
	switch {
	case s.t == nil:
		panic(msg)
	case skip:
		s.t.Skip(msg)
	default:
		s.t.Fatal(msg)
	}
}

func (s *Server) launch(bin string) error {
	_, port, _ := net.SplitHostPort(s.addr)
	out := new(bytes.Buffer)
	cmd := exec.Command(bin,
		"--port", port,
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--protected-mode", "no",
	)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: start redis-server: %w", err)
	}
	s.mu.Lock()
	s.cmd, s.out = cmd, out
	s.mu.Unlock()

	c := redis.NewClient(&redis.Options{Addr: s.addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.kill()
			return fmt.Errorf("redistest: redis-server on %s did not answer PING within %v: %v\n%s", s.addr, startTimeout, err, out.String())
		}
		// Polling a child process that gives no readiness signal.
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
