package redistest

import (
	"bytes"
	"context"
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

// startTimeout bounds how long Start and Restart wait for PING.
const startTimeout = 10 * time.Second

// Server is a redis-server owned by one test.
type Server struct {
	t        testing.TB
	addr     string
	external bool
	db       int
	dir      string

	mu  sync.Mutex
	cmd *exec.Cmd
	out *bytes.Buffer
}

// Start returns a running Redis for t and registers its shutdown with
// t.Cleanup. It skips or fails t as the package documentation describes
// when no server can be had.
func Start(t testing.TB) *Server {
	t.Helper()
	if addr := os.Getenv("TUNEKIT_REDIS_ADDR"); addr != "" {
		return startExternal(t, addr)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redistest: redis-server not found on PATH; install it (apt-get install -y redis-server) or set TUNEKIT_REDIS_ADDR"
		if os.Getenv("TUNEKIT_REQUIRE_REDIS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("redistest: find a free port: %v", err)
	}
	s := &Server{t: t, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: t.TempDir()}
	if err := s.launch(bin); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	return s
}

func startExternal(t testing.TB, addr string) *Server {
	t.Helper()
	db := 15
	if v := os.Getenv("TUNEKIT_REDIS_DB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("redistest: TUNEKIT_REDIS_DB=%q is not a number", v)
		}
		db = n
	}
	s := &Server{t: t, addr: addr, external: true, db: db}
	c := s.NewClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("redistest: external Redis at TUNEKIT_REDIS_ADDR: %v", err)
	}
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// DB is the logical database the test should use (0 unless external).
func (s *Server) DB() int { return s.db }

// Client returns a new client connected to the server; it is closed in
// t.Cleanup.
func (s *Server) Client() *redis.Client {
	c := s.NewClient()
	s.t.Cleanup(func() { _ = c.Close() })
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
// server is a no-op.
func (s *Server) Stop() {
	s.t.Helper()
	if s.external {
		s.t.Skip("redistest: Stop needs a server started by redistest, not TUNEKIT_REDIS_ADDR")
	}
	s.kill()
}

// Restart starts the server again on the same address, with an empty data
// set, and waits until it answers PING.
func (s *Server) Restart() {
	s.t.Helper()
	if s.external {
		s.t.Skip("redistest: Restart needs a server started by redistest, not TUNEKIT_REDIS_ADDR")
	}
	s.kill()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	if err := s.launch(bin); err != nil {
		s.t.Fatal(err)
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
