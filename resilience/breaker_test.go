package resilience

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
)

func TestStateString(t *testing.T) {
	tests := []struct {
		s    State
		want string
	}{
		{StateClosed, "closed"},
		{StateHalfOpen, "half-open"},
		{StateOpen, "open"},
		{State(7), "state(7)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("State(%d).String() = %q, want %q", uint32(tt.s), got, tt.want)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	b := New("svc", Settings{})
	want := Settings{
		FailureRateThreshold:  DefaultFailureRateThreshold,
		MinimumRequests:       DefaultMinimumRequests,
		Window:                DefaultWindow,
		ResetTimeout:          DefaultResetTimeout,
		HalfOpenMaxCalls:      DefaultHalfOpenMaxCalls,
		SlowCallRateThreshold: DefaultSlowCallRate,
	}
	got := b.s
	if got.Timeout != want.Timeout || got.FailureRateThreshold != want.FailureRateThreshold ||
		got.MinimumRequests != want.MinimumRequests || got.Window != want.Window ||
		got.ResetTimeout != want.ResetTimeout || got.HalfOpenMaxCalls != want.HalfOpenMaxCalls ||
		got.SlowCallDuration != 0 || got.SlowCallRateThreshold != want.SlowCallRateThreshold {
		t.Errorf("New(Settings{}) settings = %+v, want %+v", got, want)
	}
	if b.Name() != "svc" || b.State() != StateClosed {
		t.Errorf("New: Name() = %q, State() = %v; want svc, closed", b.Name(), b.State())
	}
}

// TestOpensAtThreshold drives a closed breaker with a sequence of results
// (f = failure, s = success) and checks the state after each.
func TestOpensAtThreshold(t *testing.T) {
	tests := []struct {
		name      string
		threshold float64
		minimum   int
		results   string
		want      string // state after each result: c = closed, o = open
	}{
		{"below minimum never opens", 50, 4, "fff", "ccc"},
		{"opens when minimum reached", 50, 4, "ffff", "ccco"},
		{"rate exactly at threshold opens", 50, 4, "sfsf", "ccco"},
		{"rate below threshold stays closed", 50, 4, "ssfsf", "ccccc"},
		{"success can complete the minimum", 50, 4, "fffs", "ccco"},
		{"low threshold", 20, 5, "sssfs", "cccco"},
		{"100 percent opens on all failures", 100, 3, "fff", "cco"},
		{"100 percent ignores a mix", 100, 3, "sfff", "cccc"},
		{"minimum of one", 50, 1, "sf", "co"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			b := New("svc", Settings{FailureRateThreshold: tt.threshold, MinimumRequests: tt.minimum, Now: clk.Now})
			for i, r := range tt.results {
				fn := ok
				if r == 'f' {
					fn = fail
				}
				_ = b.Do(context.Background(), fn)
				want := StateClosed
				if tt.want[i] == 'o' {
					want = StateOpen
				}
				if got := b.State(); got != want {
					t.Fatalf("after %q: State() = %v, want %v", tt.results[:i+1], got, want)
				}
			}
		})
	}
}

// TestWindowSlides checks that failures age out of the rolling window.
func TestWindowSlides(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration // between the old failures and the new calls
		want    State
	}{
		{"failures still in window", 8 * time.Second, StateOpen},
		{"failures aged out", 10 * time.Second, StateClosed},
		{"far future", time.Hour, StateClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			b := New("svc", Settings{MinimumRequests: 4, Window: 10 * time.Second, Now: clk.Now})
			_ = calls(b, 3, fail)
			clk.Advance(tt.advance)
			_ = calls(b, 1, ok)
			if got := b.State(); got != tt.want {
				t.Errorf("3 failures, %v later 1 success: State() = %v, want %v (counts %+v)", tt.advance, got, tt.want, b.Counts())
			}
		})
	}
}

func TestWindowCountsAgeOut(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("svc", Settings{MinimumRequests: 100, Window: 10 * time.Second, Now: clk.Now})
	_ = calls(b, 2, fail)
	clk.Advance(5 * time.Second)
	_ = calls(b, 3, ok)
	want := Counts{Requests: 5, Successes: 3, Failures: 2}
	if got := b.Counts(); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	clk.Advance(5 * time.Second) // the first bucket leaves the window
	want = Counts{Requests: 3, Successes: 3}
	if got := b.Counts(); got != want {
		t.Errorf("Counts() 10s after the failures = %+v, want %+v", got, want)
	}
	clk.Advance(5 * time.Second)
	if got := b.Counts(); got != (Counts{}) {
		t.Errorf("Counts() after the whole window = %+v, want zero", got)
	}
}

func TestOpenToHalfOpenAfterResetTimeout(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("redis", Settings{MinimumRequests: 1, ResetTimeout: 30 * time.Second, Now: clk.Now})
	trip(t, b)

	clk.Advance(30*time.Second - time.Millisecond)
	called := false
	err := b.Do(context.Background(), func(context.Context) error { called = true; return nil })
	if called {
		t.Fatal("Do on an open breaker called fn")
	}
	if !errors.Is(err, ErrOpen) {
		t.Fatalf("Do on an open breaker = %v, want ErrOpen", err)
	}
	ue, isUE := errors.AsType[*UnavailableError](err)
	if !isUE || ue.Service != "redis" || ue.RetryAfter != time.Millisecond {
		t.Fatalf("Do on an open breaker = %#v, want *UnavailableError{Service: redis, RetryAfter: 1ms}", err)
	}
	if got := err.Error(); got != "redis temporarily unavailable: resilience: circuit breaker is open" {
		t.Errorf("Error() = %q", got)
	}
	if got := b.Counts().Rejected; got != 1 {
		t.Errorf("Counts().Rejected = %d, want 1", got)
	}

	clk.Advance(time.Millisecond)
	if got := b.State(); got != StateHalfOpen {
		t.Fatalf("State() after ResetTimeout = %v, want half-open", got)
	}
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatalf("probe: Do = %v, want nil", err)
	}
	if got := b.State(); got != StateClosed {
		t.Errorf("State() after a successful probe = %v, want closed", got)
	}
}

// TestHalfOpenAdmitsExactlyN starts 100 concurrent callers against a
// half-open breaker and checks that exactly HalfOpenMaxCalls get through,
// and that each transition is reported once.
func TestHalfOpenAdmitsExactlyN(t *testing.T) {
	for _, n := range []int{1, 3, 10} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			clk := fakeclock.New(t0)
			var mu sync.Mutex
			var seen []transition
			b := New("svc", Settings{
				MinimumRequests:  1,
				ResetTimeout:     time.Second,
				HalfOpenMaxCalls: n,
				Now:              clk.Now,
				OnStateChange: func(_ string, from, to State) {
					mu.Lock()
					seen = append(seen, transition{from, to})
					mu.Unlock()
				},
			})
			trip(t, b)
			clk.Advance(time.Second)

			release := make(chan struct{})
			admitted := make(chan bool, 100)
			var wg sync.WaitGroup
			for range 100 {
				wg.Go(func() {
					err := b.Do(context.Background(), func(context.Context) error {
						admitted <- true
						<-release
						return nil
					})
					if err != nil {
						if !errors.Is(err, ErrOpen) {
							t.Errorf("refused Do = %v, want ErrOpen", err)
						}
						admitted <- false
					}
				})
			}
			got := 0
			for range 100 {
				if <-admitted {
					got++
				}
			}
			close(release)
			wg.Wait()
			if got != n {
				t.Errorf("half-open admitted %d of 100 callers, want %d", got, n)
			}
			if s := b.State(); s != StateClosed {
				t.Errorf("State() after %d successful probes = %v, want closed", n, s)
			}
			want := []transition{{StateClosed, StateOpen}, {StateOpen, StateHalfOpen}, {StateHalfOpen, StateClosed}}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(seen, want) {
				t.Errorf("OnStateChange saw %v, want %v", seen, want)
			}
		})
	}
}

func TestHalfOpenProbes(t *testing.T) {
	tests := []struct {
		name    string
		probes  int
		results string // per probe: s = success, f = failure, c = caller cancelled
		want    State
	}{
		{"all succeed closes", 3, "sss", StateClosed},
		{"not all finished stays half-open", 3, "ss", StateHalfOpen},
		{"first failure reopens", 3, "f", StateOpen},
		{"late failure reopens", 3, "ssf", StateOpen},
		{"cancelled probe frees its slot", 2, "csc", StateHalfOpen},
		{"cancelled probe then successes close", 2, "css", StateClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(t0)
			b := New("svc", Settings{MinimumRequests: 1, ResetTimeout: time.Second, HalfOpenMaxCalls: tt.probes, Now: clk.Now})
			trip(t, b)
			clk.Advance(time.Second)
			for i, r := range tt.results {
				var err error
				switch r {
				case 's':
					err = b.Do(context.Background(), ok)
				case 'f':
					err = b.Do(context.Background(), fail)
				case 'c':
					ctx, cancel := context.WithCancel(context.Background())
					err = b.Do(ctx, func(context.Context) error { cancel(); return context.Canceled })
				}
				if errors.Is(err, ErrOpen) {
					t.Fatalf("probe %d (%c) refused: %v", i+1, r, err)
				}
			}
			if got := b.State(); got != tt.want {
				t.Errorf("probes %q: State() = %v, want %v", tt.results, got, tt.want)
			}
		})
	}
}

func TestHalfOpenRefusesBeyondN(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("svc", Settings{MinimumRequests: 1, ResetTimeout: time.Second, HalfOpenMaxCalls: 1, Now: clk.Now})
	trip(t, b)
	clk.Advance(time.Second)
	inner := errors.New("unset")
	err := b.Do(context.Background(), func(context.Context) error {
		inner = b.Do(context.Background(), ok) // a second caller while the probe runs
		return nil
	})
	if err != nil {
		t.Fatalf("probe Do = %v, want nil", err)
	}
	ue, isUE := errors.AsType[*UnavailableError](inner)
	if !isUE || !errors.Is(inner, ErrOpen) || ue.RetryAfter != 0 {
		t.Errorf("second caller while half-open = %v, want *UnavailableError matching ErrOpen with RetryAfter 0", inner)
	}
}

func TestOnStateChangeEachOnce(t *testing.T) {
	clk := fakeclock.New(t0)
	var seen []string
	b := New("lavalink-1", Settings{
		MinimumRequests: 2,
		ResetTimeout:    time.Second,
		Now:             clk.Now,
		OnStateChange: func(name string, from, to State) {
			seen = append(seen, name+":"+from.String()+">"+to.String())
		},
	})
	_ = calls(b, 5, fail) // opens on the 2nd, then refuses
	clk.Advance(time.Second)
	_ = b.State()
	_ = b.State()
	_ = calls(b, 1, fail) // probe fails: reopens
	clk.Advance(time.Second)
	_ = calls(b, 3, ok) // probe succeeds: closes
	want := []string{
		"lavalink-1:closed>open",
		"lavalink-1:open>half-open",
		"lavalink-1:half-open>open",
		"lavalink-1:open>half-open",
		"lavalink-1:half-open>closed",
	}
	if !slices.Equal(seen, want) {
		t.Errorf("OnStateChange calls = %q, want %q", seen, want)
	}
}

// TestOnStateChangeMayCallBreaker proves the hook runs outside the lock: it
// calls State, Counts and even Do (which itself causes a transition).
func TestOnStateChangeMayCallBreaker(t *testing.T) {
	clk := fakeclock.New(t0)
	var b *Breaker
	var seen []string
	b = New("svc", Settings{
		MinimumRequests: 1,
		ResetTimeout:    time.Second,
		Now:             clk.Now,
		OnStateChange: func(_ string, from, to State) {
			c := b.Counts()
			seen = append(seen, from.String()+">"+to.String()+"/"+b.State().String())
			if to == StateOpen && c.Failures != 1 {
				t.Errorf("Counts() in hook on opening = %+v, want 1 failure", c)
			}
			if to == StateHalfOpen {
				_ = b.Do(context.Background(), ok) // closes the breaker from inside the hook
			}
		},
	})
	within(t, "Do with a re-entrant hook", func() {
		_ = b.Do(context.Background(), fail)
		clk.Advance(time.Second)
		_ = b.State()
	})
	want := []string{"closed>open/open", "open>half-open/half-open", "half-open>closed/closed"}
	if !slices.Equal(seen, want) {
		t.Errorf("hook saw %q, want %q", seen, want)
	}
}

func TestOnStateChangePanicKeepsDelivering(t *testing.T) {
	clk := fakeclock.New(t0)
	var seen []State
	b := New("svc", Settings{
		MinimumRequests: 1,
		ResetTimeout:    time.Second,
		Now:             clk.Now,
		OnStateChange: func(_ string, _, to State) {
			seen = append(seen, to)
			if to == StateOpen {
				panic("hook failed")
			}
		},
	})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("hook panic did not reach the caller")
			}
		}()
		_ = b.Do(context.Background(), fail)
	}()
	clk.Advance(time.Second)
	_ = b.State()
	if want := []State{StateOpen, StateHalfOpen}; !slices.Equal(seen, want) {
		t.Errorf("hook saw %v, want %v", seen, want)
	}
}

func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New("db", Settings{Timeout: 3 * time.Second, MinimumRequests: 1})
		start := time.Now()
		var deadline time.Time
		err := b.Do(context.Background(), func(ctx context.Context) error {
			deadline, _ = ctx.Deadline()
			<-ctx.Done()
			return ctx.Err()
		})
		if !deadline.Equal(start.Add(3 * time.Second)) {
			t.Errorf("fn's ctx deadline = %v, want start+3s", deadline.Sub(start))
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Do past Timeout = %v, want DeadlineExceeded", err)
		}
		te, isTE := errors.AsType[*TimeoutError](err)
		if !isTE || te.Service != "db" || te.Timeout != 3*time.Second {
			t.Errorf("Do past Timeout = %#v, want *TimeoutError{db, 3s}", err)
		}
		if got := b.State(); got != StateOpen {
			t.Errorf("State() after a timeout with MinimumRequests 1 = %v, want open (counts %+v)", got, b.Counts())
		}
	})
}

func TestTimeoutLateSuccessIsFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New("db", Settings{Timeout: time.Second, MinimumRequests: 10})
		v, err := Execute(context.Background(), b, func(context.Context) (int, error) {
			time.Sleep(2 * time.Second) // ignores its context
			return 42, nil
		})
		if v != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Execute with a late answer = (%d, %v), want (0, DeadlineExceeded)", v, err)
		}
		if te, isTE := errors.AsType[*TimeoutError](err); !isTE || te.Err != nil {
			t.Errorf("late success error = %#v, want *TimeoutError with nil Err", err)
		}
		if got := b.Counts(); got.Failures != 1 {
			t.Errorf("Counts() = %+v, want 1 failure", got)
		}
		if got, want := err.Error(), "resilience: db: no answer within 1s"; got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	})
}

func TestTimeoutNotHitIsNotFailure(t *testing.T) {
	b := New("db", Settings{Timeout: time.Hour})
	if err := b.Do(context.Background(), ok); err != nil {
		t.Fatalf("Do = %v", err)
	}
	err := b.Do(context.Background(), fail)
	if !errors.Is(err, errBoom) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do failing fast under a Timeout = %v, want errBoom unwrapped", err)
	}
	if got, want := b.Counts(), (Counts{Requests: 2, Successes: 1, Failures: 1}); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
}

func TestCallerCancellationIsNotCounted(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Hour} {
		t.Run("timeout="+timeout.String(), func(t *testing.T) {
			b := New("svc", Settings{MinimumRequests: 1, Timeout: timeout})
			ctx, cancel := context.WithCancel(context.Background())
			err := b.Do(ctx, func(ctx context.Context) error {
				cancel()
				<-ctx.Done()
				return errors.New("read: connection closed") // whatever the client says
			})
			if err == nil {
				t.Fatal("Do = nil, want fn's error")
			}
			if got := b.Counts(); got != (Counts{}) {
				t.Errorf("Counts() after caller cancellation = %+v, want zero", got)
			}
			if got := b.State(); got != StateClosed {
				t.Errorf("State() = %v, want closed", got)
			}
		})
	}
}

func TestCallerContextDoneBeforeCall(t *testing.T) {
	b := New("svc", Settings{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := b.Do(ctx, func(context.Context) error { called = true; return nil })
	if called || !errors.Is(err, context.Canceled) {
		t.Errorf("Do with a done ctx: called=%v err=%v, want not called, Canceled", called, err)
	}
}

// TestCallerDeadlineCounts documents that the caller's own deadline, unlike
// its cancellation, counts: the service was too slow for the caller.
func TestCallerDeadlineCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New("svc", Settings{MinimumRequests: 1})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		err := b.Do(ctx, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Do = %v, want DeadlineExceeded", err)
		}
		if got := b.State(); got != StateOpen {
			t.Errorf("State() = %v, want open", got)
		}
	})
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "status " + string(rune('0'+e.code/100)) + "xx" }

func TestIsFailure(t *testing.T) {
	b := New("api", Settings{
		MinimumRequests: 1,
		IsFailure: func(err error) bool {
			se, isSE := errors.AsType[*statusError](err)
			return !isSE || se.code >= 500
		},
	})
	err := b.Do(context.Background(), func(context.Context) error { return &statusError{404} })
	if _, isSE := errors.AsType[*statusError](err); !isSE {
		t.Errorf("Do = %v, want the 404 returned as is", err)
	}
	if got, want := b.Counts(), (Counts{Requests: 1, Successes: 1}); got != want {
		t.Errorf("Counts() after a 4xx = %+v, want %+v", got, want)
	}
	_ = b.Do(context.Background(), func(context.Context) error { return &statusError{503} })
	if got := b.State(); got != StateOpen {
		t.Errorf("State() after a 5xx = %v, want open", got)
	}
}

// TestStaleResultIgnored: a call admitted while closed that finishes after
// the breaker opened is not counted against the new state.
func TestStaleResultIgnored(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("svc", Settings{MinimumRequests: 1, ResetTimeout: time.Second, Now: clk.Now})
	err := b.Do(context.Background(), func(context.Context) error {
		trip(t, b) // the breaker opens while this call runs
		clk.Advance(time.Second)
		if s := b.State(); s != StateHalfOpen {
			t.Fatalf("State() = %v, want half-open", s)
		}
		return errBoom // would reopen the breaker if it counted as a probe
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Do = %v, want errBoom", err)
	}
	if s := b.State(); s != StateHalfOpen {
		t.Errorf("State() after a stale failure = %v, want half-open", s)
	}
}

func TestPanicCountsAsFailure(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("svc", Settings{MinimumRequests: 1, ResetTimeout: time.Second, Now: clk.Now})
	trip(t, b)
	clk.Advance(time.Second)
	func() {
		defer func() {
			if r := recover(); r != "probe panicked" {
				t.Errorf("recover() = %v, want the probe's panic", r)
			}
		}()
		_ = b.Do(context.Background(), func(context.Context) error { panic("probe panicked") })
	}()
	if s := b.State(); s != StateOpen {
		t.Errorf("State() after a panicking probe = %v, want open", s)
	}
}

func TestSlowCalls(t *testing.T) {
	clk := fakeclock.New(t0)
	slowFn := func(context.Context) error { clk.Advance(2 * time.Second); return nil }
	b := New("svc", Settings{
		MinimumRequests:       4,
		SlowCallDuration:      time.Second,
		SlowCallRateThreshold: 50,
		ResetTimeout:          time.Minute,
		Now:                   clk.Now,
	})
	_ = calls(b, 2, ok)
	_ = calls(b, 1, slowFn)
	if got, want := b.Counts(), (Counts{Requests: 3, Successes: 3, SlowCalls: 1}); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	_ = calls(b, 1, slowFn)
	if s := b.State(); s != StateOpen {
		t.Fatalf("State() at 50%% slow calls = %v, want open", s)
	}
	clk.Advance(time.Minute)
	_ = calls(b, 1, slowFn) // a slow probe is not a recovery
	if s := b.State(); s != StateOpen {
		t.Errorf("State() after a slow successful probe = %v, want open", s)
	}
	if got, want := b.Counts(), (Counts{Requests: 1, Failures: 1, SlowCalls: 1}); got != want {
		t.Errorf("Counts() after the slow probe = %+v, want %+v", got, want)
	}
}

func TestSlowCallDefaultThreshold(t *testing.T) {
	clk := fakeclock.New(t0)
	slowFn := func(context.Context) error { clk.Advance(time.Second); return nil }
	b := New("svc", Settings{MinimumRequests: 2, SlowCallDuration: time.Second, Now: clk.Now})
	_ = calls(b, 1, slowFn)
	_ = calls(b, 1, ok)
	if s := b.State(); s != StateClosed {
		t.Fatalf("State() at 50%% slow with default threshold 100 = %v, want closed", s)
	}
	b2 := New("svc", Settings{MinimumRequests: 2, SlowCallDuration: time.Second, Now: clk.Now})
	_ = calls(b2, 2, slowFn)
	if s := b2.State(); s != StateOpen {
		t.Errorf("State() at 100%% slow = %v, want open", s)
	}
}

func TestCountsPerState(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("svc", Settings{MinimumRequests: 3, ResetTimeout: time.Second, HalfOpenMaxCalls: 2, Now: clk.Now})
	_ = calls(b, 1, ok)
	_ = calls(b, 2, fail)
	want := Counts{Requests: 3, Successes: 1, Failures: 2}
	if got := b.Counts(); got != want {
		t.Fatalf("Counts() on opening = %+v, want %+v", got, want)
	}
	_ = calls(b, 4, ok) // refused
	want.Rejected = 4
	if got := b.Counts(); got != want {
		t.Errorf("Counts() while open = %+v, want %+v", got, want)
	}
	clk.Advance(time.Second)
	if got := b.Counts(); got != (Counts{}) {
		t.Errorf("Counts() on turning half-open = %+v, want zero", got)
	}
	_ = calls(b, 1, ok)
	if got, want := b.Counts(), (Counts{Requests: 1, Successes: 1}); got != want {
		t.Errorf("Counts() after one probe = %+v, want %+v", got, want)
	}
	_ = calls(b, 1, ok)
	if got := b.Counts(); got != (Counts{}) || b.State() != StateClosed {
		t.Errorf("after closing: Counts() = %+v, State() = %v; want zero, closed", got, b.State())
	}
}

func TestClockGoingBackwards(t *testing.T) {
	clk := fakeclock.New(t0)
	b := New("svc", Settings{MinimumRequests: 3, Window: 10 * time.Second, Now: clk.Now})
	clk.Advance(5 * time.Second)
	_ = calls(b, 1, fail)
	clk.Advance(-time.Hour) // before New: treated as New's instant
	_ = calls(b, 2, fail)
	if s := b.State(); s != StateOpen {
		t.Errorf("State() = %v, want open: all three failures count", s)
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name  string
		s     Settings
		field string
	}{
		{"negative timeout", Settings{Timeout: -1}, "Timeout"},
		{"threshold over 100", Settings{FailureRateThreshold: 101}, "FailureRateThreshold"},
		{"negative threshold", Settings{FailureRateThreshold: -5}, "FailureRateThreshold"},
		{"NaN threshold", Settings{FailureRateThreshold: math.NaN()}, "FailureRateThreshold"},
		{"NaN slow threshold", Settings{SlowCallRateThreshold: math.NaN()}, "SlowCallRateThreshold"},
		{"negative minimum", Settings{MinimumRequests: -1}, "MinimumRequests"},
		{"negative window", Settings{Window: -time.Second}, "Window"},
		{"tiny window", Settings{Window: 5}, "Window"},
		{"negative reset", Settings{ResetTimeout: -time.Second}, "ResetTimeout"},
		{"negative probes", Settings{HalfOpenMaxCalls: -2}, "HalfOpenMaxCalls"},
		{"negative slow duration", Settings{SlowCallDuration: -time.Second}, "SlowCallDuration"},
		{"slow threshold over 100", Settings{SlowCallRateThreshold: 150}, "SlowCallRateThreshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if !errors.Is(err, ErrInvalidSettings) {
				t.Fatalf("Validate(%+v) = %v, want ErrInvalidSettings", tt.s, err)
			}
			if got := err.Error(); !contains(got, tt.field) {
				t.Errorf("Validate(%+v) = %q, want it to name %s", tt.s, got, tt.field)
			}
			// New still works, with the default in place of the bad field.
			d := New("svc", tt.s).s
			if err := d.Validate(); err != nil {
				t.Errorf("New(%+v) kept an invalid field: %v", tt.s, err)
			}
		})
	}
	for _, s := range []Settings{{}, Redis(), Database(), Lavalink()} {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", s, err)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
