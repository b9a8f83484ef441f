// Package secureheaders keeps credentials out of logs, errors, dumps and
// encoded output, and hands them to HTTP requests only at send time.
//
// # Secrets
//
// A [Secret] holds one credential (a Lavalink password, a bot token, a
// webhook URL). Every way of printing it shows [Mask] ("[REDACTED]"):
// String, GoString, Format for every verb and flag, slog's LogValuer, JSON
// and text marshalling, and therefore also every struct, slice or map that
// contains one. Only [Secret.Reveal] returns the value. Decoding from JSON or
// text does accept a value, so configuration files and environment loaders
// can fill a Secret; [FromEnv] reads one variable and fails with an
// [*EnvError] (matching [ErrMissingEnv]) that names the variable, never a
// value.
//
// Design choices:
//   - The value lives behind a pointer to an unexported struct. A string type
//     with a String method leaks through %#v, through fmt's printing of
//     unexported fields (which ignores methods) and through reflection-based
//     encoders; a pointer prints as an address.
//   - The bytes behind the pointer are XOR-ed with a per-process random key,
//     so tools that read unexported memory with package unsafe (go-spew, the
//     failure diffs of testify) print noise. reflect.DeepEqual still
//     compares Secrets by value within a process.
//   - The zero Secret prints as "" rather than the mask, so an unset
//     credential is visible in a configuration dump.
//   - Decoding the mask itself fails with [ErrMaskInput]: a redacted dump
//     written back as configuration would otherwise replace the credential.
//   - [Secret.Equal] compares SHA-256 digests in constant time, so neither
//     the value nor its length shows in timing.
//
// # Credentials for HTTP
//
// A [Manager] holds one credential per service name. [Manager.Transport]
// wraps an [http.RoundTripper] and sets Authorization (plus User-Agent and a
// fresh X-Request-Id) on a clone of each request, so the caller never holds
// the header; [Manager.Header] returns the same headers for clients that
// build requests themselves (websocket dialers). A missing service is a
// [*CredentialError] matching [ErrNoCredential], naming the service only.
// The transport does not send the credential after a redirect to another
// host. [Redact] copies an [http.Header] with credential headers masked, for
// logging.
//
// # Logs
//
// [NewRedactingHandler] wraps a [log/slog.Handler] and masks every
// registered secret wherever it occurs in a record: the message, keys,
// nested groups, error texts, Stringers, byte slices, resolved LogValuers
// and the fmt and JSON renderings of any other value. It is defence in depth
// for libraries that log what they should not (disgolink logs raw websocket
// payloads at debug level and keeps the node password in a plain string
// field with a JSON tag). Records without a secret pass through unchanged
// and, for strings and scalar values, without allocation. See
// [RedactingHandler] for exactly what is matched.
//
// # Concurrency
//
// Secrets are immutable. [Manager] and [RedactingHandler] are safe for
// concurrent use, including adding credentials or secrets while requests or
// log records are in flight.
package secureheaders
