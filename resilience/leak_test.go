package resilience

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestNoGoroutineLeft runs every kind of call, including timed-out ones,
// and checks that nothing keeps running once they returned. (TestMain also
// checks the whole package.)
func TestNoGoroutineLeft(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
		}
	}))
	b := New("svc", Settings{Timeout: 20 * time.Millisecond, MinimumRequests: 100})
	ctx := context.Background()

	_ = b.Do(ctx, ok)
	_ = b.Do(ctx, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	_, _ = Execute(ctx, b, func(context.Context) (int, error) { return 1, nil })
	_, _ = WithFallback(b, func(context.Context, error) (int, error) { return 0, nil }).
		Execute(ctx, func(context.Context) (int, error) { return 0, errBoom })
	client := &http.Client{Transport: Transport(b, srv.Client().Transport)}
	if resp, err := client.Get(srv.URL); err == nil {
		resp.Body.Close()
	}
	if _, err := client.Get(srv.URL + "/slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow get = %v, want DeadlineExceeded", err)
	}
	_ = Retry(ctx, RetryPolicy{InitialInterval: time.Millisecond}, fail)
	srv.Close()

	goleak.VerifyNone(t)
}
