package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/razmena/razmena/internal/misp"
)

const authKeyCols = `k.id, k.uuid, k.authkey_start, k.authkey_end, k.created, k.expiration,
	k.read_only, k.user_id, k.comment, k.allowed_ips, k.unique_ips, k.last_used, k.hash`

func scanAuthKey(s interface{ Scan(...any) error }) (*misp.AuthKey, error) {
	k := &misp.AuthKey{}
	err := s.Scan(&k.ID, &k.UUID, &k.AuthkeyStart, &k.AuthkeyEnd, &k.Created, &k.Expiration,
		scanBool(&k.ReadOnly), &k.UserID, &k.Comment, scanJSONList(&k.AllowedIPs),
		scanJSONList(&k.UniqueIPs), &k.LastUsed, &k.Hash)
	return k, err
}

// CreateAuthKey stores k (Hash, AuthkeyStart and AuthkeyEnd set by the
// caller), setting ID, UUID and Created. ErrInvalid if the user does not
// exist; ErrConflict if the hash or UUID is taken.
func (db *DB) CreateAuthKey(ctx context.Context, k *misp.AuthKey) error {
	err := db.write(ctx, func(tx *tx) error {
		if k.UUID == "" {
			k.UUID = misp.NewUUID()
		}
		k.UUID = misp.NormalizeUUID(k.UUID)
		k.Created = misp.Int(tx.unix())
		if k.AllowedIPs == nil {
			k.AllowedIPs = []string{}
		}
		if k.UniqueIPs == nil {
			k.UniqueIPs = []string{}
		}
		return tx.get(ctx, `INSERT INTO auth_keys (uuid, user_id, hash, authkey_start, authkey_end,
				created, expiration, read_only, comment, allowed_ips, unique_ips, last_used)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			[]any{k.UUID, int64(k.UserID), k.Hash, k.AuthkeyStart, k.AuthkeyEnd, int64(k.Created),
				int64(k.Expiration), bool(k.ReadOnly), k.Comment, jsonList(k.AllowedIPs),
				jsonList(k.UniqueIPs), int64(k.LastUsed)},
			&k.ID)
	})
	if err != nil {
		return fmt.Errorf("create auth key: %w", err)
	}
	return nil
}

// FindAuthKeyByID returns a key. ErrNotFound.
func (db *DB) FindAuthKeyByID(ctx context.Context, id int64) (*misp.AuthKey, error) {
	k, err := db.findAuthKey(ctx, "k.id = $1", id)
	if err != nil {
		return nil, fmt.Errorf("find auth key %d: %w", id, err)
	}
	return k, nil
}

// FindAuthKeyByHash returns the key with that hash. ErrNotFound.
func (db *DB) FindAuthKeyByHash(ctx context.Context, hash []byte) (*misp.AuthKey, error) {
	k, err := db.findAuthKey(ctx, "k.hash = $1", hash)
	if err != nil {
		return nil, fmt.Errorf("find auth key by hash: %w", err)
	}
	return k, nil
}

// FindKeyHolder returns the key with that hash and its user, role and
// organisation, in one read transaction. See misp.AuthKeyStore.
func (db *DB) FindKeyHolder(ctx context.Context, hash []byte) (*misp.KeyHolder, error) {
	var h misp.KeyHolder
	err := db.read(ctx, func(tx *tx) error {
		var err error
		if h.Key, err = findAuthKey(ctx, tx, "k.hash = $1", hash); err != nil {
			return err
		}
		// A missing row leaves its field nil for the authenticator to judge.
		optional := func(err error) error {
			if errors.Is(err, misp.ErrNotFound) {
				return nil
			}
			return err
		}
		if h.User, err = findUser(ctx, tx, "u.id = $1", int64(h.Key.UserID)); err != nil || h.User == nil {
			return optional(err)
		}
		if h.Role, err = findRole(ctx, tx, "id = $1", int64(h.User.RoleID)); optional(err) != nil {
			return err
		}
		h.Org, err = findOrg(ctx, tx, "o.id = $1", int64(h.User.OrgID))
		return optional(err)
	})
	if err != nil {
		return nil, fmt.Errorf("find auth key holder: %w", err)
	}
	return &h, nil
}

func (db *DB) findAuthKey(ctx context.Context, where string, arg any) (*misp.AuthKey, error) {
	var k *misp.AuthKey
	err := db.read(ctx, func(tx *tx) error {
		var err error
		k, err = findAuthKey(ctx, tx, where, arg)
		return err
	})
	return k, err
}

func findAuthKey(ctx context.Context, tx *tx, where string, arg any) (*misp.AuthKey, error) {
	var k *misp.AuthKey
	err := tx.one(ctx, "SELECT "+authKeyCols+" FROM auth_keys k WHERE "+where, []any{arg}, func(rows *sql.Rows) error {
		var err error
		k, err = scanAuthKey(rows)
		return err
	})
	return k, err
}

// FindAuthKeys lists keys ordered by id.
func (db *DB) FindAuthKeys(ctx context.Context, f misp.AuthKeyFilter) ([]*misp.AuthKey, error) {
	var a args
	q := "SELECT " + authKeyCols + " FROM auth_keys k JOIN users u ON u.id = k.user_id WHERE TRUE"
	if f.UserID != 0 {
		q += " AND k.user_id = " + a.add(f.UserID)
	}
	if f.OrgID != 0 {
		q += " AND u.org_id = " + a.add(f.OrgID)
	}
	q += " ORDER BY k.id"
	var keys []*misp.AuthKey
	err := db.read(ctx, func(tx *tx) error {
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			k, err := scanAuthKey(rows)
			keys = append(keys, k)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find auth keys: %w", err)
	}
	return keys, nil
}

// UpdateAuthKey saves the client-editable fields of k: comment,
// read_only, allowed_ips and expiration. ErrNotFound.
func (db *DB) UpdateAuthKey(ctx context.Context, k *misp.AuthKey) error {
	if k.AllowedIPs == nil {
		k.AllowedIPs = []string{}
	}
	err := db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, `UPDATE auth_keys SET comment = $1, read_only = $2, allowed_ips = $3,
				expiration = $4 WHERE id = $5`,
			k.Comment, bool(k.ReadOnly), jsonList(k.AllowedIPs), int64(k.Expiration), int64(k.ID))
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("update auth key %d: %w", k.ID, err)
	}
	return nil
}

// TouchAuthKey records a use of the key at Unix time now from ip
// (last_used, unique_ips). ErrNotFound.
func (db *DB) TouchAuthKey(ctx context.Context, id int64, ip string, now int64) error {
	err := db.write(ctx, func(tx *tx) error {
		k, err := findAuthKey(ctx, tx, "k.id = $1", id)
		if err != nil {
			return err
		}
		if ip != "" && !slices.Contains(k.UniqueIPs, ip) {
			k.UniqueIPs = append(k.UniqueIPs, ip)
		}
		_, err = tx.exec(ctx, "UPDATE auth_keys SET last_used = $1, unique_ips = $2 WHERE id = $3",
			now, jsonList(k.UniqueIPs), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("touch auth key %d: %w", id, err)
	}
	return nil
}

// DeleteAuthKey removes (revokes) a key. ErrNotFound.
func (db *DB) DeleteAuthKey(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, "DELETE FROM auth_keys WHERE id = $1", id)
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete auth key %d: %w", id, err)
	}
	return nil
}
