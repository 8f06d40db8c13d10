package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/razmena/razmena/internal/config"
)

func runMigrate(ctx context.Context, args []string, io stdio) error {
	cfg := config.Default()
	if err := cfg.Env(io.getenv); err != nil {
		return err
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.stderr)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "SQLite file, or postgres:// URL (env RAZMENA_DATABASE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.stdout, "database %s is up to date\n", config.MaskDSN(cfg.Database))
	return db.Close()
}
