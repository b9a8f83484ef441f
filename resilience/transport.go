package resilience

import (
	"context"
	"io"
	"net/http"
)

// Transport returns an [http.RoundTripper] that sends requests through base
// (http.DefaultTransport if nil) guarded by b. Transport errors and 5xx
// responses count as failures; other responses, 4xx included, count as
// successes (the server answered). Settings.IsFailure is consulted for
// transport errors only.
//
// While b refuses calls, RoundTrip returns its [*UnavailableError] (which
// http.Client wraps in a *url.Error) without touching the network, and
// closes the request body as the RoundTripper contract requires. The
// result is recorded when the response headers arrive. Settings.Timeout
// bounds the whole exchange, reading the body included, as
// http.Client.Timeout does; only expiry before the headers counts as a
// failure. Settings.Fallback is not used: a RoundTripper must answer with a
// response or an error.
func Transport(b *Breaker, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{b: b, base: base}
}

type transport struct {
	b    *Breaker
	base http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	b := tr.b
	t, err := b.admit()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	defer b.abandon(&t)
	var cctx context.Context
	var cancel context.CancelFunc
	if b.s.Timeout > 0 {
		cctx, cancel = context.WithTimeout(ctx, b.s.Timeout)
		req = req.WithContext(cctx)
	}
	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		o := b.classify(ctx, err)
		if cancel != nil {
			if cctx.Err() != nil && ctx.Err() == nil {
				o = failure
				err = &TimeoutError{Service: b.name, Timeout: b.s.Timeout, Err: err}
			}
			cancel()
		}
		b.record(&t, o)
		return nil, err
	}
	o := success
	if resp.StatusCode >= 500 {
		o = failure
	}
	b.record(&t, o)
	if cancel != nil {
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	}
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// cancelBody releases the timeout context once the body is read or closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err != nil {
		c.cancel()
	}
	return n, err
}

func (c *cancelBody) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
