package discordtest

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/disgoorg/snowflake/v2"
)

// tokenTail is the second and third part of every token Token makes: valid
// base64url text that says plainly the token is fake ("discordtest").
const tokenTail = ".ZGlzY29yZHRlc3Q.fake-token-for-tests-only"

// errMalformedToken is returned by ApplicationIDFromToken.
var errMalformedToken = errors.New("discordtest: malformed bot token")

// Token returns an obviously fake but well-formed bot token for the
// application appID: three dot-separated base64url parts, the first being
// the base64 of the decimal ID, which is how Discord tokens start and what
// disgo decodes to learn the application ID. Real Discord rejects it.
func Token(appID snowflake.ID) string {
	return base64.RawStdEncoding.EncodeToString([]byte(appID.String())) + tokenTail
}

// ApplicationIDFromToken decodes the application ID from the first part of a
// bot token, as Discord and disgo do. It fails for anything that is not three
// dot-separated parts starting with a base64 decimal snowflake.
func ApplicationIDFromToken(token string) (snowflake.ID, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return 0, errMalformedToken
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
		if err != nil {
			return 0, errMalformedToken
		}
	}
	id, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil || id == 0 {
		return 0, errMalformedToken
	}
	return snowflake.ID(id), nil
}
