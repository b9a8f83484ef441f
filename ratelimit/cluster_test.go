package ratelimit_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/ratelimit"
)

// startCluster starts a three-node Redis Cluster (three masters, no
// replicas) of redis-server processes on loopback ports, stopped in
// t.Cleanup, and returns a client for it. It skips or fails like
// redistest.Start when redis-server is missing.
func startCluster(t *testing.T) *redis.ClusterClient {
	t.Helper()
	if os.Getenv("TUNEKIT_REDIS_ADDR") != "" {
		t.Skip("cluster test needs redis-server processes of its own; TUNEKIT_REDIS_ADDR is set")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found on PATH; install it (apt-get install -y redis-server)"
		if os.Getenv("TUNEKIT_REQUIRE_REDIS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ports := freePorts(t, 6) // a client port and a cluster bus port per node
	dir := t.TempDir()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	var addrs []string
	var nodes []*redis.Client
	for i := range 3 {
		port, bus := strconv.Itoa(ports[2*i]), strconv.Itoa(ports[2*i+1])
		out := new(bytes.Buffer)
		cmd := exec.Command(bin,
			"--port", port, "--cluster-port", bus, "--bind", "127.0.0.1", "--protected-mode", "no",
			"--save", "", "--appendonly", "no", "--dir", dir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes-"+port+".conf",
			"--cluster-node-timeout", "2000")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start redis-server: %v", err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		addr := net.JoinHostPort("127.0.0.1", port)
		c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
		t.Cleanup(func() { _ = c.Close() })
		waitFor(t, deadline, "PING "+addr, func() error { return c.Ping(ctx).Err() }, out)
		addrs, nodes = append(addrs, addr), append(nodes, c)
	}
	for i, r := range [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}} {
		if err := nodes[i].ClusterAddSlotsRange(ctx, r[0], r[1]).Err(); err != nil {
			t.Fatalf("CLUSTER ADDSLOTSRANGE on node %d: %v", i, err)
		}
	}
	for i := 1; i < 3; i++ {
		if err := nodes[0].Do(ctx, "CLUSTER", "MEET", "127.0.0.1", ports[2*i], ports[2*i+1]).Err(); err != nil {
			t.Fatalf("CLUSTER MEET: %v", err)
		}
	}
	for i, c := range nodes {
		waitFor(t, deadline, fmt.Sprintf("cluster_state:ok on node %d", i), func() error {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:3") {
				return fmt.Errorf("not ready:\n%s", info)
			}
			return nil
		}, nil)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:        addrs,
		DialTimeout:  patientTimeout,
		ReadTimeout:  patientTimeout,
		WriteTimeout: patientTimeout,
	})
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// waitFor polls check until it succeeds or deadline passes: redis-server
// gives no readiness signal other than answering.
func waitFor(t *testing.T, deadline time.Time, what string, check func() error, out *bytes.Buffer) {
	t.Helper()
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log := ""
			if out != nil {
				log = out.String()
			}
			t.Fatalf("waiting for %s: %v\n%s", what, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePorts returns n distinct free loopback ports.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close() // held until all are chosen, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func TestRedisCluster(t *testing.T) {
	cc := startCluster(t)
	l := ratelimit.NewRedis(cc)
	testConcurrentExact(t, l, ratelimit.Key("g", "u", "play"))

	ctx := context.Background()
	slots := map[int64]bool{}
	for u := range 30 {
		var userSlot int64 = -1
		for _, cmd := range []string{"play", "skip", "queue"} {
			key := ratelimit.Key("g", strconv.Itoa(u), cmd)
			d, err := l.Allow(ctx, key, ratelimit.PerMinute(2))
			if err != nil || !d.Allowed {
				t.Fatalf("Allow(%s) = %+v, %v; want allowed", key, d, err)
			}
			slot, err := cc.ClusterKeySlot(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			if userSlot >= 0 && slot != userSlot {
				t.Errorf("user %d's keys hash to slots %d and %d", u, userSlot, slot)
			}
			userSlot = slot
		}
		slots[userSlot] = true
	}
	if len(slots) < 2 {
		t.Errorf("30 users hash to %d slots; want them spread", len(slots))
	}
	// Every key on every master has a TTL.
	var mu sync.Mutex
	var masters []*redis.Client
	err := cc.ForEachMaster(ctx, func(_ context.Context, c *redis.Client) error {
		mu.Lock()
		masters = append(masters, c)
		mu.Unlock()
		return nil
	})
	if err != nil || len(masters) != 3 {
		t.Fatalf("ForEachMaster found %d masters, %v; want 3", len(masters), err)
	}
	keys := 0
	for _, c := range masters {
		keys += checkKeysHaveTTL(t, c, time.Minute)
	}
	if keys != 1+30*3 {
		t.Errorf("found %d keys on the masters, want %d", keys, 1+30*3)
	}
}
