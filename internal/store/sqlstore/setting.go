package sqlstore

import (
	"context"
	"fmt"
)

// Setting returns the value stored under key. ErrNotFound if there is none.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read(ctx, func(tx *tx) error {
		return tx.get(ctx, "SELECT value FROM settings WHERE key = $1", []any{key}, &v)
	})
	if err != nil {
		return "", fmt.Errorf("setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores value under key, replacing any previous value.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	err := db.write(ctx, func(tx *tx) error {
		_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("set setting %q: %w", key, err)
	}
	return nil
}
