package ratelimit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/ratelimit"
)

// hashTag returns the part of key Redis Cluster hashes: the text between
// the first '{' and the first '}' after it, if not empty.
func hashTag(key string) string {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return key
	}
	return key[i+1 : i+1+j]
}

// unescape reverses Key's escaping of an ID.
func unescape(s string) string {
	r := strings.NewReplacer("%3A", ":", "%7B", "{", "%7D", "}", "%25", "%")
	return r.Replace(s)
}

// parseKey splits a key built by Key back into its parts.
func parseKey(key string) (guild, user, command string, ok bool) {
	rest, ok := strings.CutPrefix(key, "rl:{")
	if !ok {
		return "", "", "", false
	}
	tag, command, ok := strings.Cut(rest, "}:")
	if !ok {
		return "", "", "", false
	}
	guild, user, ok = strings.Cut(tag, ":")
	if !ok || strings.Contains(user, ":") {
		return "", "", "", false
	}
	return unescape(guild), unescape(user), command, true
}

func TestKey(t *testing.T) {
	tests := []struct {
		guild, user, command string
		want                 string
	}{
		{"123", "456", "play", "rl:{123:456}:play"},
		{"", "456", "skip", "rl:{:456}:skip"},
		{"1:2", "3", "x", "rl:{1%3A2:3}:x"},
		{"1", "2:3", "x", "rl:{1:2%3A3}:x"},
		{"{a}", "b}", "c{d}", "rl:{%7Ba%7D:b%7D}:c{d}"},
		{"100%", "u", "c", "rl:{100%25:u}:c"},
	}
	for _, tt := range tests {
		if got := ratelimit.Key(tt.guild, tt.user, tt.command); got != tt.want {
			t.Errorf("Key(%q, %q, %q) = %q, want %q", tt.guild, tt.user, tt.command, got, tt.want)
		}
	}
}

func FuzzKey(f *testing.F) {
	f.Add("123", "456", "play")
	f.Add("1:2", "3", "")
	f.Add("{", "}", "{x}")
	f.Add("%3A", ":", "%")
	f.Fuzz(func(t *testing.T, guild, user, command string) {
		key := ratelimit.Key(guild, user, command)
		g, u, c, ok := parseKey(key)
		if !ok || g != guild || u != user || c != command {
			t.Fatalf("Key(%q, %q, %q) = %q, which parses back as %q, %q, %q, %v", guild, user, command, key, g, u, c, ok)
		}
		// Every command of one user in one guild hashes to the same slot.
		if other := ratelimit.Key(guild, user, "other"); hashTag(key) != hashTag(other) {
			t.Fatalf("hash tags of %q and %q differ", key, other)
		}
		if tag := hashTag(key); strings.ContainsAny(tag, "{}") || tag == key {
			t.Fatalf("Key(%q, %q, %q) = %q has a broken hash tag %q", guild, user, command, key, tag)
		}
	})
}

func TestPolicy(t *testing.T) {
	p := ratelimit.DefaultPolicy()
	tests := []struct {
		command string
		want    ratelimit.Limit
	}{
		{"play", ratelimit.Limit{Rate: 5, Period: 10 * time.Second}},
		{"skip", ratelimit.PerMinute(10)},
		{"queue", ratelimit.PerMinute(10)},
	}
	for _, tt := range tests {
		if got := p.Limit(tt.command); got != tt.want {
			t.Errorf("DefaultPolicy().Limit(%q) = %v, want %v", tt.command, got, tt.want)
		}
	}
	if got, want := (ratelimit.Policy{}).Limit("any"), ratelimit.PerMinute(10); got != want {
		t.Errorf("zero Policy Limit = %v, want %v", got, want)
	}
	custom := ratelimit.Policy{Default: ratelimit.PerSecond(1)}
	if got, want := custom.Limit("any"), ratelimit.PerSecond(1); got != want {
		t.Errorf("custom Policy Limit = %v, want %v", got, want)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("DefaultPolicy().Validate() = %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		p    ratelimit.Policy
		want string
	}{
		{"bad default", ratelimit.Policy{Default: ratelimit.Limit{Rate: 1}}, "default"},
		{"bad command", ratelimit.Policy{Commands: map[string]ratelimit.Limit{"a": ratelimit.PerSecond(1), "b": {}, "c": {}}}, `command "b"`},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if !errors.Is(err, ratelimit.ErrInvalidLimit) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidLimit naming %s", tt.name, err, tt.want)
		}
	}
}

func TestPolicyAllow(t *testing.T) {
	var gotKey string
	var gotLimit ratelimit.Limit
	l := &scriptedLimiter{answer: func(_ context.Context, key string, limit ratelimit.Limit, _ int) (ratelimit.Decision, error) {
		gotKey, gotLimit = key, limit
		return ratelimit.Decision{Allowed: true}, nil
	}}
	d, err := ratelimit.DefaultPolicy().Allow(context.Background(), l, "g", "u", "play")
	if err != nil || !d.Allowed {
		t.Fatalf("Allow = %+v, %v", d, err)
	}
	if want := ratelimit.Key("g", "u", "play"); gotKey != want {
		t.Errorf("limiter got key %q, want %q", gotKey, want)
	}
	if want := (ratelimit.Limit{Rate: 5, Period: 10 * time.Second}); gotLimit != want {
		t.Errorf("limiter got limit %v, want %v", gotLimit, want)
	}
}
