package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// apiPrefix is the REST path prefix: the API version disgo speaks.
const apiPrefix = "/api/v10"

// maxBody bounds a REST request body (Discord's upload limit for bots).
const maxBody = 25 << 20

// Request is one REST request the server answered.
type Request struct {
	Method string
	Path   string // the URL path below /api/v10, e.g. "/channels/123/messages"
	Route  string // the Discord route template, e.g. "/channels/{channel.id}/messages"; empty for unknown routes
	Status int
	// Body is the request's JSON (payload_json for multipart uploads); nil
	// when the request had none.
	Body json.RawMessage
}

// apiError is Discord's JSON error body.
type apiError struct {
	status  int
	Code    int    `json:"code"`
	Message string `json:"message"`
	Errors  object `json:"errors,omitempty"`
}

func newAPIError(status, code int, msg string) *apiError {
	return &apiError{status: status, Code: code, Message: msg}
}

var (
	errUnauthorized = func() *apiError { return newAPIError(http.StatusUnauthorized, 0, "401: Unauthorized") }
	errNotFound     = func() *apiError { return newAPIError(http.StatusNotFound, 0, "404: Not Found") }
	errBadJSON      = func() *apiError {
		return newAPIError(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	}
)

func unknown(code int, what string) *apiError {
	return newAPIError(http.StatusNotFound, code, "Unknown "+what)
}

// formErrors collects Discord's "Invalid Form Body" errors: a tree keyed by
// field path with an _errors list at each leaf.
type formErrors struct {
	tree object
	n    int
}

func (f *formErrors) add(code, msg string, path ...string) {
	f.n++
	if f.tree == nil {
		f.tree = object{}
	}
	node := f.tree
	for _, p := range path {
		next, ok := node[p].(object)
		if !ok {
			next = object{}
			node[p] = next
		}
		node = next
	}
	list, _ := node["_errors"].([]object)
	node["_errors"] = append(list, object{"code": code, "message": msg})
}

func (f *formErrors) err() *apiError {
	if f.tree == nil {
		return nil
	}
	e := newAPIError(http.StatusBadRequest, 50035, "Invalid Form Body")
	e.Errors = f.tree
	return e
}

// upload is a file part of a multipart request.
type upload struct {
	index    int
	filename string
	size     int
}

// restCall is what a route handler sees.
type restCall struct {
	r     *http.Request
	body  json.RawMessage
	files []upload
}

func (c *restCall) param(name string) string { return c.r.PathValue(name) }

// decode unmarshals the JSON body; an empty body decodes as {}.
func (c *restCall) decode(v any) *apiError {
	body := c.body
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errBadJSON()
	}
	return nil
}

type route struct {
	method  string
	path    string // ServeMux path below /api/v10
	name    string // Discord route template
	botAuth bool
	major   string // path value that is the major parameter, if any
	handle  func(*restCall) (int, any)
}

func (s *Server) routes() []route {
	return []route{
		{"GET", "/gateway", "/gateway", false, "", s.getGateway},
		{"GET", "/gateway/bot", "/gateway/bot", true, "", s.getGatewayBot},
		{"GET", "/users/@me", "/users/@me", true, "", s.getSelf},

		{"GET", "/applications/{app}/commands", "/applications/{application.id}/commands", true, "", s.getCommands},
		{"PUT", "/applications/{app}/commands", "/applications/{application.id}/commands", true, "", s.putCommands},
		{"POST", "/applications/{app}/commands", "/applications/{application.id}/commands", true, "", s.postCommand},
		{"GET", "/applications/{app}/commands/{cmd}", "/applications/{application.id}/commands/{command.id}", true, "", s.getCommand},
		{"DELETE", "/applications/{app}/commands/{cmd}", "/applications/{application.id}/commands/{command.id}", true, "", s.deleteCommand},
		{"GET", "/applications/{app}/guilds/{guild}/commands", "/applications/{application.id}/guilds/{guild.id}/commands", true, "guild", s.getCommands},
		{"PUT", "/applications/{app}/guilds/{guild}/commands", "/applications/{application.id}/guilds/{guild.id}/commands", true, "guild", s.putCommands},
		{"POST", "/applications/{app}/guilds/{guild}/commands", "/applications/{application.id}/guilds/{guild.id}/commands", true, "guild", s.postCommand},
		{"GET", "/applications/{app}/guilds/{guild}/commands/{cmd}", "/applications/{application.id}/guilds/{guild.id}/commands/{command.id}", true, "guild", s.getCommand},
		{"DELETE", "/applications/{app}/guilds/{guild}/commands/{cmd}", "/applications/{application.id}/guilds/{guild.id}/commands/{command.id}", true, "guild", s.deleteCommand},

		{"POST", "/interactions/{id}/{token}/callback", "/interactions/{interaction.id}/{interaction.token}/callback", false, "token", s.postCallback},
		{"GET", "/webhooks/{app}/{token}/messages/@original", "/webhooks/{application.id}/{interaction.token}/messages/@original", false, "token", s.getWebhookMessage},
		{"PATCH", "/webhooks/{app}/{token}/messages/@original", "/webhooks/{application.id}/{interaction.token}/messages/@original", false, "token", s.patchWebhookMessage},
		{"DELETE", "/webhooks/{app}/{token}/messages/@original", "/webhooks/{application.id}/{interaction.token}/messages/@original", false, "token", s.deleteWebhookMessage},
		{"POST", "/webhooks/{app}/{token}", "/webhooks/{application.id}/{interaction.token}", false, "token", s.postFollowup},
		{"GET", "/webhooks/{app}/{token}/messages/{msg}", "/webhooks/{application.id}/{interaction.token}/messages/{message.id}", false, "token", s.getWebhookMessage},
		{"PATCH", "/webhooks/{app}/{token}/messages/{msg}", "/webhooks/{application.id}/{interaction.token}/messages/{message.id}", false, "token", s.patchWebhookMessage},
		{"DELETE", "/webhooks/{app}/{token}/messages/{msg}", "/webhooks/{application.id}/{interaction.token}/messages/{message.id}", false, "token", s.deleteWebhookMessage},

		{"GET", "/channels/{channel}", "/channels/{channel.id}", true, "channel", s.getChannel},
		{"GET", "/channels/{channel}/messages", "/channels/{channel.id}/messages", true, "channel", s.getMessages},
		{"POST", "/channels/{channel}/messages", "/channels/{channel.id}/messages", true, "channel", s.postMessage},
		{"GET", "/channels/{channel}/messages/{msg}", "/channels/{channel.id}/messages/{message.id}", true, "channel", s.getMessage},
		{"PATCH", "/channels/{channel}/messages/{msg}", "/channels/{channel.id}/messages/{message.id}", true, "channel", s.patchMessage},
		{"DELETE", "/channels/{channel}/messages/{msg}", "/channels/{channel.id}/messages/{message.id}", true, "channel", s.deleteMessage},

		{"GET", "/guilds/{guild}", "/guilds/{guild.id}", true, "guild", s.getGuild},
		{"GET", "/guilds/{guild}/channels", "/guilds/{guild.id}/channels", true, "guild", s.getGuildChannels},
		{"GET", "/guilds/{guild}/members/{user}", "/guilds/{guild.id}/members/{user.id}", true, "guild", s.getMember},
	}
}

func (s *Server) restHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.HandleFunc(rt.method+" "+apiPrefix+rt.path, func(w http.ResponseWriter, r *http.Request) { s.serveRoute(w, r, rt) })
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.serveRoute(w, r, route{}) })
	return mux
}

// serveRoute runs one REST request: body, auth, rate limits, handler,
// response, record.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt route) {
	call := &restCall{r: r}
	status, resp := s.answer(w, call, rt)
	h := w.Header()
	h.Set("Via", "1.1 google") // Discord's front end adds it; disgo uses it to tell Cloudflare bans apart
	if resp == nil {
		w.WriteHeader(status)
	} else {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(raw(resp))
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: r.Method,
		Path:   strings.TrimPrefix(r.URL.Path, apiPrefix),
		Route:  rt.name,
		Status: status,
		Body:   call.body,
	})
	s.notifyLocked()
	s.mu.Unlock()
}

func (s *Server) answer(w http.ResponseWriter, call *restCall, rt route) (int, any) {
	if apiErr := call.readBody(); apiErr != nil {
		return apiErr.status, apiErr
	}
	if rt.handle == nil {
		e := errNotFound()
		return e.status, e
	}
	if rt.botAuth && call.r.Header.Get("Authorization") != "Bot "+s.token {
		e := errUnauthorized()
		return e.status, e
	}
	if status, body, limited := s.rateLimit(w.Header(), call, rt); limited {
		return status, body
	}
	status, resp := rt.handle(call)
	if e, ok := resp.(*apiError); ok {
		return e.status, e
	}
	return status, resp
}

// readBody reads a JSON or multipart body into call.
func (c *restCall) readBody() *apiError {
	data, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody+1))
	if err != nil || len(data) > maxBody {
		return newAPIError(http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
	}
	if len(data) == 0 {
		return nil
	}
	mediaType, params, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		c.body = data
		return nil
	}
	mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errBadJSON()
		}
		content, err := io.ReadAll(part)
		if err != nil {
			return errBadJSON()
		}
		name := part.FormName()
		switch {
		case name == "payload_json":
			c.body = content
		case strings.HasPrefix(name, "files[") && strings.HasSuffix(name, "]"):
			idx, err := strconv.Atoi(name[len("files[") : len(name)-1])
			if err != nil {
				return errBadJSON()
			}
			c.files = append(c.files, upload{index: idx, filename: part.FileName(), size: len(content)})
		}
	}
}

// RateLimit makes the next matching REST requests answer 429 Too Many
// Requests with Discord's body and headers (Retry-After in whole seconds,
// rounded up, X-RateLimit-* with the exact reset), after which they are
// served normally again.
type RateLimit struct {
	Method string // "" matches every method
	// Route is the Discord route template, which is disgo's
	// rest.Endpoint.Route (rest.CreateMessage.Route is
	// "/channels/{channel.id}/messages"); "" matches every route.
	Route      string
	Count      int           // how many requests to refuse; values below 1 mean 1
	RetryAfter time.Duration // the retry_after Discord reports
	Global     bool          // a global limit: X-RateLimit-Global, no bucket headers
	// Scope is X-RateLimit-Scope: "user" (the default), "shared" or
	// "global" (the default when Global is set).
	Scope string
}

// RateLimit arranges for 429 responses; see [RateLimit].
func (s *Server) RateLimit(rl RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rl.Count = max(rl.Count, 1)
	rl.RetryAfter = max(rl.RetryAfter, 0)
	if rl.Scope == "" {
		rl.Scope = "user"
		if rl.Global {
			rl.Scope = "global"
		}
	}
	s.limits = append(s.limits, &rl)
}

type bucket struct {
	remaining int
	reset     time.Time
}

// rateLimit decides whether the request is refused, setting the rate-limit
// headers either way.
func (s *Server) rateLimit(h http.Header, call *restCall, rt route) (int, any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.now()
	bucketID := bucketHash(rt.method + rt.name)
	for i, rl := range s.limits {
		if (rl.Method != "" && rl.Method != rt.method) || (rl.Route != "" && rl.Route != rt.name) {
			continue
		}
		rl.Count--
		if rl.Count == 0 {
			s.limits = slices.Delete(s.limits, i, i+1)
		}
		limit := max(s.cfg.bucketLimit, 1)
		return s.tooManyRequests(h, now, rl.RetryAfter, limit, bucketID, rl.Global, rl.Scope)
	}
	if s.cfg.bucketLimit < 1 || s.cfg.bucketWindow < time.Millisecond {
		return 0, nil, false
	}
	key := rt.method + " " + rt.name
	if rt.major != "" {
		key += " " + call.param(rt.major)
	}
	b := s.buckets[key]
	if b == nil || !now.Before(b.reset) {
		b = &bucket{remaining: s.cfg.bucketLimit, reset: now.Add(s.cfg.bucketWindow)}
		s.buckets[key] = b
	}
	if b.remaining == 0 {
		return s.tooManyRequests(h, now, b.reset.Sub(now), s.cfg.bucketLimit, bucketID, false, "user")
	}
	b.remaining--
	setLimitHeaders(h, s.cfg.bucketLimit, b.remaining, now, b.reset.Sub(now), bucketID)
	return 0, nil, false
}

func (s *Server) tooManyRequests(h http.Header, now time.Time, retry time.Duration, limit int, bucketID string, global bool, scope string) (int, any, bool) {
	if global {
		h.Set("X-RateLimit-Global", "true")
	} else {
		setLimitHeaders(h, limit, 0, now, retry, bucketID)
	}
	h.Set("X-RateLimit-Scope", scope)
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	return http.StatusTooManyRequests, object{
		"message":     "You are being rate limited.",
		"retry_after": math.Round(retry.Seconds()*1000) / 1000,
		"global":      global,
	}, true
}

func setLimitHeaders(h http.Header, limit, remaining int, now time.Time, resetAfter time.Duration, bucketID string) {
	reset := now.Add(resetAfter)
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(resetAfter.Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", bucketID)
}

func bucketHash(s string) string {
	f := fnv.New64a()
	_, _ = f.Write([]byte(s))
	return fmt.Sprintf("%016x", f.Sum64())
}

// Requests lists every REST request in the order they were answered.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// getGateway answers GET /gateway, which disgo's bot.New calls to learn the
// gateway URL.
func (s *Server) getGateway(*restCall) (int, any) {
	return http.StatusOK, object{"url": s.gatewayURL}
}

// getGatewayBot answers GET /gateway/bot, which disgo's sharding calls to
// learn the shard count and identify concurrency.
func (s *Server) getGatewayBot(*restCall) (int, any) {
	return http.StatusOK, object{
		"url":    s.gatewayURL,
		"shards": s.cfg.shardCount,
		"session_start_limit": object{
			"total":           1000,
			"remaining":       1000,
			"reset_after":     0,
			"max_concurrency": s.cfg.maxConcurrency,
		},
	}
}

func (s *Server) getSelf(*restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[s.cfg.appID].wire()
	return http.StatusOK, object{
		"id": u.ID, "username": u.Username, "discriminator": u.Discriminator, "global_name": nil,
		"avatar": nil, "bot": true, "verified": true, "mfa_enabled": false, "flags": 0, "email": nil,
		"locale": "en-US", "premium_type": 0, "public_flags": 0, "banner": nil, "accent_color": nil,
	}
}
