package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/secureheaders"
)

// maxDrainWait bounds the wait parameter of the drain route: long enough
// for a node with hundreds of players at the migration limits, short
// enough that a forgotten request does not hang on.
const maxDrainWait = 15 * time.Minute

// minAdminToken is the shortest ADMIN_TOKEN loadConfig accepts.
const minAdminToken = 16

// adminRealm names the protection space in WWW-Authenticate.
const adminRealm = "tunekit-admin"

// admin serves the operator's routes on METRICS_ADDR, registered only
// when ADMIN_TOKEN is set:
//
//	POST /admin/nodes/{name}/drain[?wait=DURATION]
//	POST /admin/nodes/{name}/undrain
//
// Every request needs "Authorization: Bearer <ADMIN_TOKEN>", compared in
// constant time ([secureheaders.Secret.Equal]). The routes answer 503
// until run has started the Manager, and once it has closed.
type admin struct {
	token   secureheaders.Secret
	logger  *slog.Logger
	manager atomic.Pointer[music.Manager]
}

// set gives the routes the Manager, once it has started.
func (a *admin) set(m *music.Manager) { a.manager.Store(m) }

// register adds the routes to mux.
func (a *admin) register(mux *http.ServeMux) {
	mux.Handle("POST /admin/nodes/{name}/drain", a.authorized(a.drain))
	mux.Handle("POST /admin/nodes/{name}/undrain", a.authorized(a.undrain))
}

// authorized runs next for requests that carry the token, and answers
// 401 to the others. The log names the refused request, never what its
// Authorization header held.
func (a *admin) authorized(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.token.Equal(secureheaders.NewSecret(bearer(r.Header.Get("Authorization")))) {
			a.logger.WarnContext(r.Context(), "admin request refused: no valid token", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+adminRealm+`"`)
			reply(w, http.StatusUnauthorized, "unauthorized: send Authorization: Bearer <ADMIN_TOKEN>\n")
			return
		}
		next(w, r)
	})
}

// started returns the Manager, or answers 503 and returns nil before run
// has started it.
func (a *admin) started(w http.ResponseWriter) *music.Manager {
	m := a.manager.Load()
	if m == nil {
		reply(w, http.StatusServiceUnavailable, "starting\n")
	}
	return m
}

// bearer returns the token of an "Authorization: Bearer <token>" header
// value, or "" for any other.
func bearer(header string) string {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// drain starts draining the node and waits up to the wait parameter (0
// by default: not at all) for it to hold no player. It answers 200 once
// the node is empty and 202 while players are still moving off it; the
// drain goes on either way, until the node is undrained.
func (a *admin) drain(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	wait, err := drainWait(r.URL.Query().Get("wait"))
	if err != nil {
		reply(w, http.StatusBadRequest, err.Error()+"\n")
		return
	}
	m := a.started(w)
	if m == nil {
		return
	}
	a.logger.InfoContext(r.Context(), "admin: drain lavalink node", "node", name, "wait", wait, "remote", r.RemoteAddr)
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	err = m.DrainNode(ctx, name)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		a.fail(w, name, err)
		return
	}
	// DrainNode returns when the node empties or the wait ends, whichever
	// it notices first; the node's status says which holds now.
	for _, n := range m.Nodes() {
		if n.Name != name {
			continue
		}
		if n.Players == 0 {
			reply(w, http.StatusOK, fmt.Sprintf("node %s: drained, no players\n", name))
		} else {
			reply(w, http.StatusAccepted, fmt.Sprintf("node %s: draining, %d players left\n", name, n.Players))
		}
		return
	}
	a.fail(w, name, music.ErrUnknownNode)
}

// undrain lets new players go to the node again.
func (a *admin) undrain(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	m := a.started(w)
	if m == nil {
		return
	}
	a.logger.InfoContext(r.Context(), "admin: undrain lavalink node", "node", name, "remote", r.RemoteAddr)
	if err := m.UndrainNode(name); err != nil {
		a.fail(w, name, err)
		return
	}
	reply(w, http.StatusOK, fmt.Sprintf("node %s: taking new players\n", name))
}

// fail answers an error of DrainNode or UndrainNode.
func (a *admin) fail(w http.ResponseWriter, name string, err error) {
	switch {
	case errors.Is(err, music.ErrUnknownNode):
		reply(w, http.StatusNotFound, fmt.Sprintf("no Lavalink node is named %q\n", clipName(name)))
	case errors.Is(err, music.ErrNotStarted):
		reply(w, http.StatusServiceUnavailable, "starting\n")
	case errors.Is(err, music.ErrManagerClosed):
		reply(w, http.StatusServiceUnavailable, "shutting down\n")
	default:
		a.logger.Error("admin: node command failed", "node", name, "error", err)
		reply(w, http.StatusInternalServerError, "internal error; see the bot's log\n")
	}
}

// drainWait parses the wait parameter: a Go duration from 0 to
// maxDrainWait, 0 when empty.
func drainWait(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > maxDrainWait {
		return 0, fmt.Errorf("wait=%q is not a duration from 0s to %s, such as 5m", clipName(s), maxDrainWait)
	}
	return d, nil
}

// clipName bounds a request's string echoed in an answer.
func clipName(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}

func reply(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}
