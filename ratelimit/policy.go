package ratelimit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Policy maps command names to the [Limit] each user gets per guild.
//
// Commands missing from Commands get Default; the zero Policy gives every
// command 10 events per minute.
type Policy struct {
	Default  Limit
	Commands map[string]Limit
}

// DefaultPolicy returns tunekit's limits: 10 commands per minute, except
// play (5 per 10 seconds) and skip (10 per minute).
func DefaultPolicy() Policy {
	return Policy{
		Default: PerMinute(10),
		Commands: map[string]Limit{
			"play": {Rate: 5, Period: 10 * time.Second},
			"skip": PerMinute(10),
		},
	}
}

// Limit returns the limit for command.
func (p Policy) Limit(command string) Limit {
	if l, ok := p.Commands[command]; ok {
		return l
	}
	if p.Default == (Limit{}) {
		return PerMinute(10)
	}
	return p.Default
}

// Validate returns an error naming the first command, in sorted order,
// whose limit is invalid.
func (p Policy) Validate() error {
	if p.Default != (Limit{}) {
		if err := p.Default.Validate(); err != nil {
			return fmt.Errorf("default: %w", err)
		}
	}
	for _, cmd := range slices.Sorted(maps.Keys(p.Commands)) {
		if err := p.Commands[cmd].Validate(); err != nil {
			return fmt.Errorf("command %q: %w", cmd, err)
		}
	}
	return nil
}

// Allow asks l whether userID may run command in guildID now, under the
// command's limit and the key from [Key].
func (p Policy) Allow(ctx context.Context, l Limiter, guildID, userID, command string) (Decision, error) {
	return l.Allow(ctx, Key(guildID, userID, command), p.Limit(command))
}
