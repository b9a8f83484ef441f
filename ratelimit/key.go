package ratelimit

import "strings"

// Key returns the limiter key for a user's command in a guild:
// "rl:{guild:user}:command". The part in braces is a Redis hash tag, so a
// Redis Cluster keeps all of one user's keys in a guild on one slot, and a
// Ring on one shard.
//
// The IDs are escaped ('%', ':', '{' and '}' become %XX), so no choice of
// IDs can break the hash tag or make two different triples share a key.
// Pass "" as guildID for direct messages.
func Key(guildID, userID, command string) string {
	return "rl:{" + escape(guildID) + ":" + escape(userID) + "}:" + command
}

// escape percent-encodes the characters that would change the key's
// structure.
func escape(s string) string {
	if !strings.ContainsAny(s, "%:{}") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := range len(s) {
		switch c := s[i]; c {
		case '%':
			b.WriteString("%25")
		case ':':
			b.WriteString("%3A")
		case '{':
			b.WriteString("%7B")
		case '}':
			b.WriteString("%7D")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
