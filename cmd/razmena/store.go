package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/store/postgres"
	"github.com/razmena/razmena/internal/store/sqlite"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

// openStore opens and migrates the database the configuration names.
func openStore(ctx context.Context, cfg config.Config) (*sqlstore.DB, error) {
	var (
		db  *sqlstore.DB
		err error
	)
	if cfg.Postgres() {
		db, err = postgres.Open(ctx, cfg.Database)
	} else {
		if dir := filepath.Dir(cfg.Database); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		db, err = sqlite.Open(ctx, cfg.Database)
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", config.MaskDSN(cfg.Database), err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return db, nil
}
