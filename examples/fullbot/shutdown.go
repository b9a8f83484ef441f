package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// shutdownTimeout bounds the whole shutdown: stop taking commands, save
// every session, close the nodes and Discord, flush the traces.
const shutdownTimeout = 10 * time.Second

// shutdown is what run started and must stop, in the order it started.
type shutdown struct {
	steps []shutdownStep
}

type shutdownStep struct {
	name string
	stop func(context.Context) error
}

// push adds a step; steps run last first.
func (s *shutdown) push(name string, stop func(context.Context) error) {
	s.steps = append(s.steps, shutdownStep{name, stop})
}

// run stops everything, last started first, under one shutdownTimeout
// that ctx's cancellation (the signal that ended run) does not cut short.
// Every step runs, even after another failed or the time is up, so each
// can release what it holds.
func (s *shutdown) run(ctx context.Context, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	var errs []error
	for i := len(s.steps) - 1; i >= 0; i-- {
		step := s.steps[i]
		start := time.Now()
		if err := step.stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", step.name, err))
		}
		logger.Debug("stopped", "step", step.name, "took", time.Since(start))
	}
	s.steps = nil
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logger.Info("fullbot stopped")
	return nil
}
