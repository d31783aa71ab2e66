package main

import (
	"context"
	"errors"
	"log/slog"
)

func demo(ctx context.Context, cfg config, log *slog.Logger) error {
	return errors.New("demo: not wired yet")
}
