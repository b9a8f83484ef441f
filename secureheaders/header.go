package secureheaders

import (
	"net/http"
	"strings"
)

// sensitiveExact lists lower-case header names that always carry credentials.
var sensitiveExact = map[string]bool{
	"authorization":        true,
	"proxy-authorization":  true,
	"cookie":               true,
	"set-cookie":           true,
	"x-api-key":            true,
	"api-key":              true,
	"apikey":               true,
	"x-amz-security-token": true,
	"x-goog-api-key":       true,
	"private-token":        true,
	"session-id":           true, // Lavalink's session resume key
}

// sensitiveWords are lower-case fragments that mark a header name as
// credential-bearing: X-Auth-Token, X-Session-Secret, X-Hub-Signature...
var sensitiveWords = []string{"auth", "token", "secret", "passw", "apikey", "api-key", "cookie", "credential", "signature", "session"}

// authSchemes are Authorization schemes kept in the clear by [Redact]: they
// help debugging and are not secret.
var authSchemes = []string{"Basic", "Bearer", "Bot", "Digest", "Token", "Negotiate", "NTLM"}

// Redact returns a copy of h fit for logging: the values of credential
// headers are replaced by [Mask]. Credential headers are Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and every name holding
// one of auth, token, secret, passw, apikey, api-key, cookie, credential,
// signature or session (case-insensitive).
//
// What stays readable: the scheme of an Authorization value ("Bearer
// [REDACTED]"), cookie names ("sid=[REDACTED]") and Set-Cookie attributes
// ("Path=/; HttpOnly"). Redact(nil) is nil. h is not modified.
func Redact(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		if !sensitiveHeader(k) {
			out[k] = append([]string(nil), vs...)
			continue
		}
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = maskHeaderValue(strings.ToLower(k), v)
		}
		out[k] = masked
	}
	return out
}

func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	if sensitiveExact[n] {
		return true
	}
	for _, w := range sensitiveWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func maskHeaderValue(lname, v string) string {
	switch lname {
	case "authorization", "proxy-authorization":
		for _, s := range authSchemes {
			if len(v) > len(s) && v[len(s)] == ' ' && strings.EqualFold(v[:len(s)], s) {
				return v[:len(s)] + " " + Mask
			}
		}
		return Mask
	case "cookie":
		pairs := strings.Split(v, ";")
		for i, p := range pairs {
			pairs[i] = maskCookiePair(p)
		}
		return strings.Join(pairs, ";")
	case "set-cookie":
		first, attrs, found := strings.Cut(v, ";")
		if !found {
			return maskCookiePair(first)
		}
		return maskCookiePair(first) + ";" + attrs
	}
	return Mask
}

// maskCookiePair turns " name=value" into " name=[REDACTED]".
func maskCookiePair(p string) string {
	name, _, found := strings.Cut(p, "=")
	if !found {
		return Mask
	}
	return name + "=" + Mask
}
