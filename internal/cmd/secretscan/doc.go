// Command secretscan fails a release that carries a credential in a file
// git tracks: code, tests, documents, examples and configuration alike.
//
// Usage, from the repository root:
//
//	go run ./internal/cmd/secretscan [-C dir] [-untracked] [file ...]
//
// With no file arguments it scans the files "git ls-files" lists in dir
// (default "."); -untracked adds the untracked files git does not ignore,
// which are what the next "git add" would pick up. With arguments it scans
// those files instead.
//
// # What it looks for
//
//   - Discord bot tokens: three base64url parts separated by dots, the first
//     the base64 of an application ID;
//   - Discord and Slack webhook URLs, Slack tokens;
//   - PEM private key blocks;
//   - AWS access key IDs and secret access keys, GitHub tokens;
//   - literal values assigned to names that say they hold a secret
//     (password, passwd, pass, passphrase, secret, token, api key, access
//     key, private key, client secret) with =, := or :, in code, JSON, YAML,
//     env files and shell; in Go files only quoted values count, since an
//     unquoted one is an expression;
//   - string literals passed to secureheaders.NewSecret;
//   - passwords in URLs (scheme://user:password@host).
//
// # Fake values in tests and documents
//
// Tests and documents need credential-shaped values. A value passes when it
// is obviously not a credential:
//
//   - it contains one of the words fake, test, example, dummy, sample,
//     placeholder, changeme, redacted or your, or xxxx (any case), such as
//     "fake-redis-password", "test-token", "https://hooks.slack.com/services/T000/B000/XXXX";
//   - it is Lavalink's documented default password, youshallnotpass;
//   - it is shorter than 6 characters, one character repeated, a generic
//     word (password, secret, token, none, null, ...), or a reference rather
//     than a value: $VAR, ${VAR}, <value>, {{ .Value }}, %s, or an
//     ENV_VAR_NAME;
//   - it is a token made by discordtest.Token, whose middle part is not the
//     six-character timestamp of a real token and whose last part says
//     "fake-token-for-tests-only".
//
// So write test secrets as "fake-" values ("fake-smtp-password-42") rather
// than realistic ones ("s3cret-pw"), and build private keys at run time
// (crypto/ecdsa, httptest.NewTLSServer) rather than committing them. A line
// with a real false positive can carry the comment "secretscan:allow";
// such lines are reported as warnings so a reviewer sees every one.
//
// Findings print the file, line and column, the check, and only the first
// four characters of the value, so the scan's own output leaks nothing.
//
// # Output
//
// One line per check (✓ nothing found, ⚠ only allowed or skipped
// findings, ✗ findings), each finding below it, and a summary. It exits 1
// when anything was found, 2 for bad usage.
package main
