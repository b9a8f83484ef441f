package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/snowflake/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/secureheaders"
	"github.com/tunekit/tunekit/tracing"
)

func main() {
	os.Exit(cli(os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

// Exit statuses of cli.
const (
	exitOK     = 0
	exitFailed = 1 // the bot stopped on an error
	exitUsage  = 2 // bad flags or configuration
)

// cli reads the flags and the environment and runs the bot until SIGINT
// or SIGTERM. It returns the exit status.
func cli(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fullbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // -h prints the variables to stdout below
	markdown := fs.Bool("env-markdown", false, "print the environment variables as a Markdown table")
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		_ = writeHelp(stdout)
		return exitOK
	case err != nil:
		fmt.Fprintln(stderr, "Run fullbot -h for the usage.")
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "fullbot takes no arguments, got %q; it is configured by the environment (fullbot -h).\n", fs.Arg(0))
		return exitUsage
	case *markdown:
		_ = writeMarkdown(stdout)
		return exitOK
	}

	cfg, err := loadConfig(lookup)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	cfg.hooks.logOutput = stderr
	// go-redis logs through a logger of its own, process-wide; the process
	// is this function's, so it may route that one through the bot's.
	redis.SetLogger(redisLog{newLogger(cfg).With("component", "go-redis")})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(stderr, "fullbot:", mask(err.Error(), cfg.secrets))
		return exitFailed
	}
	return exitOK
}

// hooks let tests watch and steer run. Production leaves them zero.
type hooks struct {
	logOutput   io.Writer                                // default os.Stderr
	listener    net.Listener                             // serves METRICS_ADDR's routes instead of listening
	managerOpts []music.Option                           // tuning such as the failover grace period
	tracingOpts []tracing.Option                         // such as a console writer
	closeClient func(context.Context, *bot.Client) error // default: the client's Close
}

// run is the bot: it builds every part, connects and serves until ctx
// ends, then stops what it started, last first, within shutdownTimeout.
// It is the composition root: each part comes from its package, built
// with what the parts before it made.
func run(ctx context.Context, cfg config) (err error) {
	logger := newLogger(cfg)
	logger.Info("fullbot starting", "nodes", len(cfg.nodes), "redis", cfg.redis != nil, "shards", cfg.shards.String())

	var down shutdown
	defer func() {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			err = nil // a signal while starting is a shutdown, not a failure
		}
		err = errors.Join(err, down.run(ctx, logger))
	}()

	flushTraces, err := tracing.Setup(ctx, append([]tracing.Option{tracing.WithLookupEnv(cfg.lookup)}, cfg.hooks.tracingOpts...)...)
	if err != nil {
		return err
	}
	down.push("traces", flushTraces)
	tracer := tracing.New()

	reg := prometheus.NewRegistry()
	business, err := metrics.New(reg)
	if err != nil {
		return err
	}
	probes := &readiness{}
	ops, err := serveOps(cfg, reg, probes, logger)
	if err != nil {
		return err
	}
	down.push("http", ops.shutdown)

	store, limiter, closeStore, err := openStorage(cfg, business, tracer, logger)
	if err != nil {
		return err
	}
	down.push("storage", closeStore)

	client, err := disgo.New(cfg.token.Reveal(), discordOptions(cfg, logger)...)
	if err != nil {
		return fmt.Errorf("discord client: %w", err)
	}
	down.push("discord", func(ctx context.Context) error { return closeClient(ctx, cfg, client) })

	manager, err := music.NewManager(music.Config{
		Nodes:    cfg.nodes,
		UserID:   client.ApplicationID,
		Voice:    disgobot.Voice(client),
		Settings: store,
		Sessions: store,
		Limiter:  limiter,
		Metrics:  business,
		Tracer:   tracer,
		Logger:   logger,
		Owns:     cfg.shards.owns(),
	}, cfg.hooks.managerOpts...)
	if err != nil {
		return err
	}
	down.push("sessions", manager.Close) // saves every session, closes the nodes
	frontend, err := disgobot.New(client, manager, disgobot.WithLogger(logger))
	if err != nil {
		return err
	}
	down.push("commands", frontend.Close) // stops taking commands first

	var guilds []snowflake.ID // nil: global commands
	if cfg.devGuild != 0 {
		guilds = []snowflake.ID{cfg.devGuild}
	}
	if err := handler.SyncCommands(client, disgobot.Commands(), guilds); err != nil {
		return fmt.Errorf("register the slash commands: %w", err)
	}

	alerts := alerting.New(prometheus.Gatherers{reg, processRegistry()}, alertOptions(cfg, reg, logger)...)
	if err := alerts.Start(ctx); err != nil {
		return err
	}
	down.push("alerts", func(context.Context) error { alerts.Stop(); return nil })

	if err := manager.Start(ctx); err != nil {
		return err
	}
	if err := openGateway(ctx, client); err != nil {
		return err
	}
	probes.set(func() bool { return gatewayReady(client) }, manager.Ready, manager.Nodes)
	if ops.admin != nil {
		ops.admin.set(manager)
	}
	down.push("readiness", func(context.Context) error { probes.stop(); return nil })
	logger.Info("fullbot ready", "application", client.ApplicationID, "metrics", ops.addr)

	select {
	case <-ctx.Done():
		logger.Info("fullbot shutting down", "cause", context.Cause(ctx))
		return nil
	case err := <-ops.failed:
		return err
	}
}

// newLogger returns the logger every part logs through: text or JSON on
// the hook's writer (standard error), with every secret of cfg masked.
func newLogger(cfg config) *slog.Logger {
	out := cfg.hooks.logOutput
	if out == nil {
		out = os.Stderr
	}
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	var h slog.Handler = slog.NewTextHandler(out, opts)
	if cfg.logJSON {
		h = slog.NewJSONHandler(out, opts)
	}
	return slog.New(secureheaders.NewRedactingHandler(h, cfg.secrets...))
}

// alertOptions are the alert engine's: the default rules, a notifier per
// configured channel, and the engine's own metrics. Rules name only the
// channels that are configured (the auto_restart action of LavalinkDown
// never is), so an alert without a channel is evaluated and exported as
// a metric but told to no one.
func alertOptions(cfg config, reg prometheus.Registerer, logger *slog.Logger) []alerting.Option {
	opts := []alerting.Option{alerting.WithRegisterer(reg), alerting.WithLogger(logger)}
	configured := map[string]bool{}
	if !cfg.slack.IsZero() {
		opts = append(opts, alerting.WithNotifier(alerting.ActionSlack, &alerting.Slack{WebhookURL: cfg.slack}))
		configured[alerting.ActionSlack] = true
	}
	if cfg.email != nil {
		opts = append(opts, alerting.WithNotifier(alerting.ActionEmail, cfg.email))
		configured[alerting.ActionEmail] = true
	}
	rules := alerting.DefaultRules(metrics.DefaultNamespace)
	for i := range rules {
		rules[i].Actions = slices.DeleteFunc(slices.Clone(rules[i].Actions), func(a string) bool { return !configured[a] })
	}
	return append(opts, alerting.WithRules(rules...))
}

// mask replaces every secret in s with the mask.
func mask(s string, secrets []secureheaders.Secret) string {
	for _, sec := range secrets {
		if !sec.IsZero() {
			s = strings.ReplaceAll(s, sec.Reveal(), secureheaders.Mask)
		}
	}
	return s
}
