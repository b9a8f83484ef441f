package metrics

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultNamespace is the prefix of every series unless [WithNamespace]
// changes it: tunekit_command_duration_seconds and so on.
const DefaultNamespace = "tunekit"

// DefaultMaxBreakers is how many distinct breaker names get a series of
// their own unless [WithMaxBreakers] changes it.
const DefaultMaxBreakers = 64

// DefaultMaxNodes is how many distinct Lavalink node names get a series
// of their own unless [WithMaxNodes] changes it.
const DefaultMaxNodes = 64

// ErrNilRegisterer is returned by [New] when it is given no registerer.
var ErrNilRegisterer = errors.New("metrics: nil prometheus.Registerer")

// ErrInvalidOption is matched (errors.Is) by every [*OptionError].
var ErrInvalidOption = errors.New("metrics: invalid option")

// OptionError reports an option value [New] cannot use.
type OptionError struct {
	Option string // the option, such as "WithNamespace"
	Value  string // the offending value
	Reason string // why it was refused
}

// Error describes the refused option.
func (e *OptionError) Error() string {
	return fmt.Sprintf("metrics: %s(%q): %s", e.Option, e.Value, e.Reason)
}

// Is reports whether target is [ErrInvalidOption].
func (e *OptionError) Is(target error) bool { return target == ErrInvalidOption }

// Option configures [New].
type Option func(*config)

type config struct {
	namespace   string
	constLabels prometheus.Labels
	native      bool
	commands    []string
	maxBreakers int
	maxNodes    int
}

func newConfig(opts []Option) config {
	c := config{
		namespace:   DefaultNamespace,
		commands:    DefaultCommands(),
		maxBreakers: DefaultMaxBreakers,
		maxNodes:    DefaultMaxNodes,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithNamespace sets the prefix of every series name. An empty namespace
// means no prefix. It must be a legacy Prometheus name ([a-zA-Z_][a-zA-Z0-9_]*)
// so every scraper and promtool accept the result. Default: [DefaultNamespace].
func WithNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// WithConstLabels adds labels with fixed values to every series, such as
// {"shard": "3"}. Names follow the same rule as [WithNamespace], may not
// begin with "__", and may not reuse a label name of a series; values are 1
// to 256 bytes of printable UTF-8. Default: none.
func WithConstLabels(l prometheus.Labels) Option {
	return func(c *config) {
		c.constLabels = make(prometheus.Labels, len(l))
		for k, v := range l {
			c.constLabels[k] = v
		}
	}
}

// WithNativeHistograms turns Prometheus native histograms on or off for
// every histogram. The classic buckets stay on either way, so scrapers
// without native-histogram support see the same series. Default: off.
func WithNativeHistograms(on bool) Option { return func(c *config) { c.native = on } }

// WithCommands sets the command names command_duration_seconds and
// rate_limited_total know; any other command is recorded as [Other]. Names
// are matched case-insensitively, with a leading "/" ignored. An empty list
// records every command as [Other]. Default: [DefaultCommands].
func WithCommands(names []string) Option {
	return func(c *config) { c.commands = append([]string(nil), names...) }
}

// WithMaxBreakers bounds how many distinct breaker names get series of
// their own; names seen after that are recorded as [Other]. Default:
// [DefaultMaxBreakers].
func WithMaxBreakers(n int) Option { return func(c *config) { c.maxBreakers = n } }

// WithMaxNodes bounds how many distinct Lavalink node names get series
// of their own in lavalink_players; names seen after that are recorded as
// [Other]. Default: [DefaultMaxNodes].
func WithMaxNodes(n int) Option { return func(c *config) { c.maxNodes = n } }

var legacyName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// validate checks c and normalizes the command names.
func (c *config) validate() error {
	if c.namespace != "" && !legacyName.MatchString(c.namespace) {
		return &OptionError{Option: "WithNamespace", Value: c.namespace, Reason: "not a Prometheus name ([a-zA-Z_][a-zA-Z0-9_]*)"}
	}
	for name, value := range c.constLabels {
		if !legacyName.MatchString(name) || strings.HasPrefix(name, "__") {
			return &OptionError{Option: "WithConstLabels", Value: name, Reason: "not a Prometheus label name"}
		}
		if !validConstValue(value) {
			return &OptionError{Option: "WithConstLabels", Value: value, Reason: "label value must be 1 to 256 bytes of printable UTF-8"}
		}
	}
	for i, name := range c.commands {
		norm := normalizeCommand(name)
		if !validLabelValue(norm) {
			return &OptionError{Option: "WithCommands", Value: name, Reason: "command name must be 1 to 64 bytes of printable UTF-8"}
		}
		c.commands[i] = norm
	}
	if c.maxBreakers < 0 {
		return &OptionError{Option: "WithMaxBreakers", Value: fmt.Sprint(c.maxBreakers), Reason: "must not be negative"}
	}
	if c.maxNodes < 0 {
		return &OptionError{Option: "WithMaxNodes", Value: fmt.Sprint(c.maxNodes), Reason: "must not be negative"}
	}
	return nil
}

// normalizeCommand strips a leading slash and lower-cases ASCII letters;
// it allocates only when there is an upper-case letter.
func normalizeCommand(s string) string {
	s = strings.TrimPrefix(s, "/")
	if hasUpper(s) {
		s = strings.ToLower(s)
	}
	return s
}
