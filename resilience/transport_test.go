package resilience

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
)

// server answers with the given status codes in turn, then repeats the last.
func server(t *testing.T, codes ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1)) - 1
		w.WriteHeader(codes[min(n, len(codes)-1)])
		io.WriteString(w, "body")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func get(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func TestTransport500Then200(t *testing.T) {
	srv, hits := server(t, 500, 500, 200)
	clk := fakeclock.New(t0)
	b := New("lavalink-1", Settings{MinimumRequests: 2, ResetTimeout: 45 * time.Second, Now: clk.Now})
	client := &http.Client{Transport: Transport(b, srv.Client().Transport)}

	for i := range 2 {
		if code, err := get(client, srv.URL); err != nil || code != 500 {
			t.Fatalf("request %d = (%d, %v), want (500, nil): the response still reaches the caller", i+1, code, err)
		}
	}
	if s := b.State(); s != StateOpen {
		t.Fatalf("State() after two 500s = %v, want open", s)
	}
	_, err := get(client, srv.URL)
	if !errors.Is(err, ErrOpen) {
		t.Fatalf("request while open = %v, want ErrOpen", err)
	}
	if _, isUE := errors.AsType[*UnavailableError](err); !isUE {
		t.Errorf("request while open = %v, want an *UnavailableError", err)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("server saw %d requests, want 2: an open breaker must not touch the network", n)
	}

	clk.Advance(45 * time.Second)
	if code, err := get(client, srv.URL); err != nil || code != 200 {
		t.Fatalf("probe = (%d, %v), want (200, nil)", code, err)
	}
	if s := b.State(); s != StateClosed {
		t.Errorf("State() after a 200 probe = %v, want closed", s)
	}
}

func TestTransport4xxDoesNotTrip(t *testing.T) {
	srv, _ := server(t, 404, 400, 429, 401)
	b := New("api", Settings{MinimumRequests: 1})
	client := &http.Client{Transport: Transport(b, srv.Client().Transport)}
	for range 10 {
		if _, err := get(client, srv.URL); err != nil {
			t.Fatalf("get = %v", err)
		}
	}
	if got, want := b.Counts(), (Counts{Requests: 10, Successes: 10}); got != want || b.State() != StateClosed {
		t.Errorf("after 10 4xx: Counts() = %+v, State() = %v; want %+v, closed", got, b.State(), want)
	}
}

func TestTransportErrorIsFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.Client().Transport
	url := srv.URL
	srv.Close() // nothing listens there any more
	b := New("api", Settings{MinimumRequests: 1})
	client := &http.Client{Transport: Transport(b, base)}
	if _, err := get(client, url); err == nil || errors.Is(err, ErrOpen) {
		t.Fatalf("get from a closed server = %v, want a transport error", err)
	}
	if s := b.State(); s != StateOpen {
		t.Errorf("State() after a transport error = %v, want open", s)
	}
}

func TestTransportTimeout(t *testing.T) {
	unblock := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
			case <-unblock:
			}
			return
		}
		io.WriteString(w, strings.Repeat("x", 1<<16))
	}))
	defer srv.Close()
	defer close(unblock)
	// A fast answer: the body stays readable after RoundTrip returned,
	// although the timeout context is released only when it is consumed.
	roomy := &http.Client{Transport: Transport(New("api", Settings{Timeout: time.Minute}), srv.Client().Transport)}
	resp, err := roomy.Get(srv.URL + "/fast")
	if err != nil {
		t.Fatalf("fast get = %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(body) != 1<<16 {
		t.Fatalf("reading the body = %d bytes, %v; want 65536, nil", len(body), err)
	}

	// A slow answer: the short timeout fires and counts.
	b := New("api", Settings{MinimumRequests: 1, Timeout: 50 * time.Millisecond})
	client := &http.Client{Transport: Transport(b, srv.Client().Transport)}
	_, err = get(client, srv.URL+"/slow")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow get = %v, want DeadlineExceeded", err)
	}
	if _, isTE := errors.AsType[*TimeoutError](err); !isTE {
		t.Errorf("slow get = %v, want a *TimeoutError", err)
	}
	if s := b.State(); s != StateOpen {
		t.Errorf("State() after a timeout = %v, want open", s)
	}
}

func TestTransportCallerCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	for _, timeout := range []time.Duration{0, time.Hour} {
		b := New("api", Settings{MinimumRequests: 1, Timeout: timeout})
		rt := Transport(b, srv.Client().Transport)
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		done := make(chan error)
		go func() {
			_, err := rt.RoundTrip(req)
			done <- err
		}()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("RoundTrip cancelled by caller = %v, want Canceled", err)
		}
		if got := b.Counts(); got != (Counts{}) {
			t.Errorf("Counts() after caller cancel (timeout %v) = %+v, want zero", timeout, got)
		}
		req2, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if _, err := rt.RoundTrip(req2); err != context.Canceled {
			t.Errorf("RoundTrip with a done ctx = %v, want Canceled", err)
		}
	}
}

type trackedBody struct {
	io.Reader
	closed bool
}

func (b *trackedBody) Close() error { b.closed = true; return nil }

func TestTransportOpenClosesRequestBody(t *testing.T) {
	b := New("api", Settings{MinimumRequests: 1})
	_ = b.Do(context.Background(), fail)
	rt := Transport(b, nil)
	body := &trackedBody{Reader: strings.NewReader("{}")}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
	resp, err := rt.RoundTrip(req)
	if resp != nil || !errors.Is(err, ErrOpen) {
		t.Fatalf("RoundTrip while open = (%v, %v), want (nil, ErrOpen)", resp, err)
	}
	if !body.closed {
		t.Error("RoundTrip while open left the request body open")
	}
	if tr, isTr := rt.(*transport); !isTr || tr.base != http.DefaultTransport {
		t.Errorf("Transport(b, nil) base = %v, want http.DefaultTransport", rt)
	}
}
