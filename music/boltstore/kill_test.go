package boltstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/boltstore"
	"github.com/tunekit/tunekit/music/storetest"
)

// childEnv carries the database path to the writer process; childStart its
// first sequence number.
const (
	childEnv   = "TUNEKIT_BOLTSTORE_KILL_WRITER"
	childStart = "TUNEKIT_BOLTSTORE_KILL_START"
)

const killGuilds = 5

func killGuild(seq int) snowflake.ID { return snowflake.ID(1000 + seq%killGuilds) }

// killSnapshot is what the writer saves at seq: queue lengths cycle up to
// 900 tracks, so values span many pages and successive saves of one guild
// grow and shrink.
func killSnapshot(seq int) music.Snapshot {
	return storetest.Snapshot(killGuild(seq), seq, (seq*137)%900, seq%7)
}

// TestKillWriterProcess is the writer half of TestSurvivesKill: run as a
// child process, it saves snapshots in a loop and prints "seq" after each
// commit until it is killed.
func TestKillWriterProcess(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("the writer process of TestSurvivesKill; runs only as its child")
	}
	start, err := strconv.Atoi(os.Getenv(childStart))
	if err != nil {
		t.Fatal(err)
	}
	s, err := boltstore.Open(path, boltstore.WithLockTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for seq := start; ; seq++ {
		if err := s.Save(ctx, killSnapshot(seq)); err != nil {
			t.Fatal(err)
		}
		if seq%3 == 0 {
			if err := s.Put(ctx, killGuild(seq), storetest.Settings(seq)); err != nil {
				t.Fatal(err)
			}
		}
		// A write to a pipe is one system call: once it returns, the parent
		// can read the line even if this process dies next.
		if _, err := fmt.Fprintf(os.Stdout, "committed %d\n", seq); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSurvivesKill SIGKILLs a process that is saving snapshots in a loop,
// three times over on the same file, and checks after each kill that the
// file opens and that every guild holds an intact snapshot at least as new
// as the last save reported committed.
func TestSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "tunekit.db")
	committed := map[snowflake.ID]int{}         // guild → last committed seq
	settingsCommitted := map[snowflake.ID]int{} // guild → last committed settings seq
	next := 1
	for round := range 3 {
		last := runAndKill(t, path, next, 40+round*15)
		for seq := next; seq <= last; seq++ {
			committed[killGuild(seq)] = seq
			if seq%3 == 0 {
				settingsCommitted[killGuild(seq)] = seq
			}
		}
		next = last + 100 // leave room: the child may have committed past last
		verifyAfterKill(t, path, committed, settingsCommitted, next)
	}
}

// runAndKill starts the writer at seq start, waits until it reports want
// commits, kills it with SIGKILL and returns the last seq it reported.
func runAndKill(t *testing.T, path string, start, want int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillWriterProcess$")
	cmd.Env = append(os.Environ(), childEnv+"="+path, childStart+"="+strconv.Itoa(start))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				seq, err := strconv.Atoi(n)
				if err == nil {
					lines <- seq
				}
			}
		}
	}()
	last, seen := start-1, 0
	timeout := time.NewTimer(2 * time.Minute)
	defer timeout.Stop()
	for seen < want {
		select {
		case seq, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("writer exited after %d commits:\n%s", seen, stderr.String())
			}
			last, seen = seq, seen+1
		case <-timeout.C:
			_ = cmd.Process.Kill()
			t.Fatalf("writer reported only %d of %d commits in 2 minutes:\n%s", seen, want, stderr.String())
		}
	}
	// Kill while the writer is inside its next Save.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for seq := range lines { // commits reported before it died count too
		last = seq
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
		t.Fatalf("writer ended with %v, not by the signal:\n%s", err, stderr.String())
	}
	return last
}

func verifyAfterKill(t *testing.T, path string, committed, settingsCommitted map[snowflake.ID]int, limit int) {
	t.Helper()
	ctx := t.Context()
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open after kill: %v", err)
	}
	defer s.Close()
	ids, err := s.List(ctx)
	if err != nil {
		t.Fatalf("List after kill: %v", err)
	}
	if len(ids) != len(committed) {
		t.Errorf("List after kill = %v, want the %d guilds written", ids, len(committed))
	}
	for g, min := range committed {
		got, err := s.Load(ctx, g)
		if err != nil {
			t.Errorf("guild %v: Load after kill: %v", g, err)
			continue
		}
		seq, err := strconv.Atoi(strings.TrimPrefix(got.NodeSessionID, "session-"))
		if err != nil || seq < min || seq >= limit || killGuild(seq) != g {
			t.Errorf("guild %v: snapshot after kill is from save %q; want one from a save ≥ %d of this guild", g, got.NodeSessionID, min)
			continue
		}
		if want := killSnapshot(seq); !got.Equal(want) {
			t.Errorf("guild %v: snapshot of save %d is damaged after kill (queue %d tracks, want %d)", g, seq, len(got.Queue), len(want.Queue))
		}
	}
	for g, min := range settingsCommitted {
		got, err := s.Get(ctx, g)
		if err != nil {
			t.Errorf("guild %v: Get after kill: %v", g, err)
			continue
		}
		ok := false
		for seq := min; seq < limit && !ok; seq += 3 * killGuilds {
			ok = got == storetest.Settings(seq)
		}
		if !ok {
			t.Errorf("guild %v: settings after kill = %v; want those of a save ≥ %d", g, got, min)
		}
	}
}
