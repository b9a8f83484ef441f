package music

import (
	"errors"
	"strconv"

	"github.com/disgoorg/snowflake/v2"
)

// ErrInvalidID is matched (with [errors.Is]) by every error [ParseID]
// returns, and by the errors of functions given a zero guild ID.
var ErrInvalidID = errors.New("music: invalid ID")

// maxIDDigits is the length of the largest uint64, 18446744073709551615.
const maxIDDigits = 20

// InvalidIDError describes an ID that [ParseID] rejected.
type InvalidIDError struct {
	// Input is the rejected text, cut to 32 bytes.
	Input string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements the error interface.
func (e *InvalidIDError) Error() string {
	return "music: invalid ID " + strconv.Quote(e.Input) + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidID].
func (e *InvalidIDError) Is(target error) bool { return target == ErrInvalidID }

// ParseID parses a Discord snowflake (a guild, channel, user or role ID)
// written in decimal. It accepts what Discord can issue, any non-zero
// 64-bit unsigned value written without sign, space or leading zeros, and
// rejects everything else with an [*InvalidIDError] that matches
// [ErrInvalidID]. ParseID never panics and does not allocate on success.
func ParseID(s string) (snowflake.ID, error) {
	switch {
	case s == "":
		return 0, invalidID(s, "empty")
	case len(s) > maxIDDigits:
		return 0, invalidID(s, "longer than 20 digits")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, invalidID(s, "not a decimal number")
		}
	}
	if s[0] == '0' {
		if len(s) == 1 {
			return 0, invalidID(s, "zero is not an ID")
		}
		return 0, invalidID(s, "leading zero")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, invalidID(s, "larger than 64 bits")
	}
	return snowflake.ID(n), nil
}

func invalidID(s, reason string) error {
	const maxShown = 32
	if len(s) > maxShown {
		s = s[:maxShown]
	}
	return &InvalidIDError{Input: s, Reason: reason}
}
