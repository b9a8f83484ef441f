package main

import (
	"slices"
	"strings"
	"testing"
)

// The fixtures below are assembled from pieces so that this file, which
// secretscan scans too, holds no credential-shaped text itself.
var (
	// A well-formed but made-up Discord token: base64 of a snowflake, a
	// six-character timestamp, a 27-character signature.
	fakeDiscordToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ" + "." + "GhT2kq" + "." + "Zx8vQm3LpR7tWn2KdY5sJf9HbCe"
	fakeSlackHook    = "https://hooks.slack.com/" + "services/T024BE7LD/B01ABCD2EFG/q8WnR2vLk5TzY3mPc7HdJ6sF"
	fakeDiscordHook  = "https://discord.com/api/" + "webhooks/123456789012345678/Qw3rTy-Ui0pAs_Df"
	fakePrivateKey   = "-----BEGIN " + "EC PRIVATE KEY-----"
	fakeAWSKeyID     = "AKIA" + "Q3EGRJ7UVNF2HTK6"
	fakeAWSSecret    = "aws_secret_access_key" + " = " + "wJalrXUtnFEMIK7MDENGbPxRfiCYq8Wn2LkZ4TzY"
	fakeGitHubToken  = "ghp_" + strings.Repeat("a1B2c3D4e5", 4)
	fakeSlackToken   = "xoxb-" + "2048-" + "q8WnR2vLk5TzY3"
)

func TestRules(t *testing.T) {
	tests := []struct {
		rule   string
		line   string
		goFile bool
		want   []string // values found, in order
	}{
		{"Discord bot tokens", `token := "` + fakeDiscordToken + `"`, true, []string{fakeDiscordToken}},
		{"Discord bot tokens", "Bot " + fakeDiscordToken, false, []string{fakeDiscordToken}},
		{"Discord bot tokens", fakeDiscordToken[:26] + ".ZGlzY29yZHRlc3Q.fake-token-for-tests-only", true, nil},
		{"Discord bot tokens", "a.b.c eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl", false, nil},
		{"Discord webhook URLs", "url: " + fakeDiscordHook, false, []string{fakeDiscordHook}},
		{"Slack webhook URLs", "SLACK_URL=" + fakeSlackHook, false, []string{fakeSlackHook}},
		{"Slack webhook URLs", "https://hooks.slack.com/" + "services/T000/B000/XXXXXXXX", false, nil},
		{"Slack tokens", fakeSlackToken, false, []string{fakeSlackToken}},
		{"private keys", fakePrivateKey, false, []string{fakePrivateKey}},
		{"private keys", "-----BEGIN " + "PRIVATE KEY-----", false, []string{"-----BEGIN " + "PRIVATE KEY-----"}},
		{"private keys", "-----BEGIN " + "PUBLIC KEY-----", false, nil},
		{"AWS access keys", "id=" + fakeAWSKeyID, false, []string{fakeAWSKeyID}},
		{"AWS access keys", "AKIA" + "IOSFODNN7EXAMPLE", false, nil},
		{"AWS secret keys", fakeAWSSecret, false, []string{fakeAWSSecret[len(fakeAWSSecret)-40:]}},
		{"GitHub tokens", "GITHUB_TOKEN " + fakeGitHubToken, false, []string{fakeGitHubToken}},

		{"secrets assigned to names", `pass` + `word: "h7Gq2-wKp9"`, false, []string{"h7Gq2-wKp9"}},
		{"secrets assigned to names", `REDIS_PASS` + `WORD=h7Gq2wKp9`, false, []string{"h7Gq2wKp9"}},
		{"secrets assigned to names", `const apiKey` + ` = "h7Gq2-wKp9"`, true, []string{"h7Gq2-wKp9"}},
		{"secrets assigned to names", `{"client_sec` + `ret": 'h7Gq2-wKp9', "tok` + "en\": `zz-h7Gq2-wKp9`}", false, []string{"h7Gq2-wKp9", "zz-h7Gq2-wKp9"}},
		{"secrets assigned to names", `smtpServer{user: "u", pa` + `ss: "h7Gq2-wKp9"}`, true, []string{"h7Gq2-wKp9"}},
		{"secrets assigned to names", `x.Pass` + `word = cfg.Pass` + `word`, true, nil},
		{"secrets assigned to names", `pass` + `word := os.Getenv("X")`, false, nil},
		{"secrets assigned to names", `if pass` + `word == "h7Gq2-wKp9" {`, true, nil},
		{"secrets assigned to names", `if tok` + `en != "h7Gq2-wKp9" {`, true, nil},
		{"secrets assigned to names", `PASS` + `WORD=${REDIS_PASSWORD}`, false, nil},
		{"secrets assigned to names", `pass` + `word: youshallnotpass`, false, nil},
		{"secrets assigned to names", `pass` + `word: "fake-redis-pw"`, false, nil},
		{"secrets assigned to names", `fakePass` + `word = "h7Gq2-wKp9"`, true, nil},
		{"secrets assigned to names", `"pass` + `word":"` + "`+pw+`" + `"`, true, nil},
		{"secrets assigned to names", `pass` + `word = "pa\"ss"`, true, nil},
		{"secrets assigned to names", `pass` + `word = "line\r\nX-Injected: 1"`, true, nil},
		{"secrets assigned to names", `bypass = "h7Gq2-wKp9"`, true, nil},
		{"secret literals in code", `secureheaders.NewSecret(` + `"h7Gq2-wKp9")`, true, []string{"h7Gq2-wKp9"}},
		{"secret literals in code", `secureheaders.NewSecret("fake-h7Gq2")`, true, nil},
		{"secret literals in code", `secureheaders.NewSecret(os.Getenv("TOKEN"))`, true, nil},
		{"passwords in URLs", `redis://:h7Gq2wKp9` + `@redis.internal:6379`, false, []string{"h7Gq2wKp9"}},
		{"passwords in URLs", `https://dj:h7Gq2wKp9@radio.example/live.mp3`, false, nil},
		{"passwords in URLs", `redis://user:${REDIS_PASSWORD}@redis:6379`, false, nil},
		{"passwords in URLs", `fmt.Sprintf("redis://%s:%s@%s", u, p, h)`, true, nil},
	}
	for _, tt := range tests {
		i := slices.IndexFunc(rules, func(r rule) bool { return r.name == tt.rule })
		if i < 0 {
			t.Fatalf("no rule %q", tt.rule)
		}
		var got []string
		for _, m := range rules[i].find(tt.line, tt.goFile) {
			got = append(got, m.value)
			if !strings.Contains(tt.line, m.value) && !strings.Contains(tt.line, strings.ReplaceAll(m.value, `"`, `\"`)) {
				t.Errorf("%s.find(%q) value %q is not on the line", tt.rule, tt.line, m.value)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s.find(%q) = %q, want %q", tt.rule, tt.line, got, tt.want)
		}
	}
}

func TestObvious(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"short", true},
		{"fake-redis-password", true},
		{"TEST_TOKEN_42", true},
		{"my-example-key", true},
		{"youshallnotpass-42", true},
		{"wrong-password", true},
		{"XXXXXXXXXXXX", true},
		{"**********", true},
		{"password", true},
		{"Secret", true},
		{"LAVALINK_PASSWORD", true},
		{"$REDIS_PASSWORD", true},
		{"${REDIS_PASSWORD}", true},
		{"<your token>", true},
		{"{{ .Password }}", true},
		{"%s-%d-%q", true},
		{"hunter2-s3cr3t", false},
		{"h7Gq2wKp9", false},
		{"ABCDEFGH", false},
		{"Zq81xKLm", false},
	}
	for _, tt := range tests {
		if got := obvious(tt.v); got != tt.want {
			t.Errorf("obvious(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `"***" (3 characters)`},
		{"h7Gq2wKp", `"********" (8 characters)`},
		{"h7Gq2wKp9", `"h7Gq…" (9 characters)`},
		{"ééééééééé", `"éééé…" (9 characters)`},
	}
	for _, tt := range tests {
		if got := mask(tt.in); got != tt.want {
			t.Errorf("mask(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
