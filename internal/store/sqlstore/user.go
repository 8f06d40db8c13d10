package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

const userCols = `u.id, u.org_id, u.server_id, u.email, u.autoalert, u.invited_by, u.gpgkey,
	u.certif_public, u.nids_sid, u.termsaccepted, u.newsread, u.role_id, u.change_pw,
	u.contactalert, u.disabled, u.expiration, u.current_login, u.last_login, u.force_logout,
	u.date_created, u.date_modified, u.password_hash`

func scanUser(s interface{ Scan(...any) error }) (*misp.User, error) {
	u := &misp.User{}
	err := s.Scan(&u.ID, &u.OrgID, &u.ServerID, &u.Email, scanBool(&u.Autoalert), &u.InviterID,
		&u.GPGKey, &u.CertifPublic, &u.NidsSID, scanBool(&u.TermsAccepted), &u.NewsRead,
		&u.RoleID, scanBool(&u.ChangePw), scanBool(&u.Contactalert), scanBool(&u.Disabled),
		scanNullInt(&u.Expiration), &u.CurrentLogin, &u.LastLogin, scanBool(&u.ForceLogout),
		&u.DateCreated, &u.DateModified, &u.PasswordHash)
	return u, err
}

// CreateUser stores u, setting ID and dates. ErrConflict if the e-mail is taken;
// ErrInvalid if the organisation or role does not exist.
func (db *DB) CreateUser(ctx context.Context, u *misp.User) error {
	err := db.write(ctx, func(tx *tx) error {
		u.DateCreated = misp.Int(tx.unix())
		u.DateModified = u.DateCreated
		return tx.get(ctx, `INSERT INTO users (org_id, role_id, server_id, email, password_hash,
				autoalert, invited_by, gpgkey, certif_public, nids_sid, termsaccepted, newsread,
				change_pw, contactalert, disabled, expiration, current_login, last_login,
				force_logout, date_created, date_modified)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
				$18, $19, $20, $21)
			RETURNING id`,
			[]any{int64(u.OrgID), int64(u.RoleID), int64(u.ServerID), u.Email, u.PasswordHash,
				bool(u.Autoalert), int64(u.InviterID), u.GPGKey, u.CertifPublic, int64(u.NidsSID),
				bool(u.TermsAccepted), int64(u.NewsRead), bool(u.ChangePw), bool(u.Contactalert),
				bool(u.Disabled), intPtrArg(u.Expiration), int64(u.CurrentLogin), int64(u.LastLogin),
				bool(u.ForceLogout), int64(u.DateCreated), int64(u.DateModified)},
			&u.ID)
	})
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Email, err)
	}
	return nil
}

// FindUserByID returns a user. ErrNotFound if there is none.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*misp.User, error) {
	return db.findUser(ctx, "u.id = $1", id)
}

// FindUserByEmail returns a user by (case-insensitive) e-mail. ErrNotFound.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*misp.User, error) {
	return db.findUser(ctx, "lower(u.email) = lower($1)", strings.TrimSpace(email))
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*misp.User, error) {
	var u *misp.User
	err := db.read(ctx, func(tx *tx) error {
		var err error
		u, err = findUser(ctx, tx, where, arg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find user %v: %w", arg, err)
	}
	return u, nil
}

func findUser(ctx context.Context, tx *tx, where string, arg any) (*misp.User, error) {
	var u *misp.User
	err := tx.one(ctx, "SELECT "+userCols+" FROM users u WHERE "+where, []any{arg}, func(rows *sql.Rows) error {
		var err error
		u, err = scanUser(rows)
		return err
	})
	return u, err
}

// FindUsers lists users ordered by id.
func (db *DB) FindUsers(ctx context.Context, f misp.UserFilter) ([]*misp.User, error) {
	var a args
	q := "SELECT " + userCols + " FROM users u WHERE TRUE"
	if f.OrgID != 0 {
		q += " AND u.org_id = " + a.add(f.OrgID)
	}
	if f.Search != "" {
		q += " AND lower(u.email) LIKE " + a.add(likePattern(f.Search)) + " ESCAPE '\\'"
	}
	q += " ORDER BY u.id" + limitOffset(&a, f.Limit, f.Offset)
	var users []*misp.User
	err := db.read(ctx, func(tx *tx) error {
		return tx.each(ctx, q, a, func(rows *sql.Rows) error {
			u, err := scanUser(rows)
			users = append(users, u)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return users, nil
}

// UpdateUser applies upd. ErrNotFound, ErrConflict, ErrInvalid.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd misp.UserUpdate) (*misp.User, error) {
	var u *misp.User
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if u, err = findUser(ctx, tx, "u.id = $1", id); err != nil {
			return err
		}
		setIf(&u.Email, upd.Email)
		setIf(&u.GPGKey, upd.GPGKey)
		setIf(&u.PasswordHash, upd.PasswordHash)
		setIntIf(&u.OrgID, upd.OrgID)
		setIntIf(&u.RoleID, upd.RoleID)
		setIntIf(&u.NidsSID, upd.NidsSID)
		setBoolIf(&u.Disabled, upd.Disabled)
		setBoolIf(&u.Autoalert, upd.Autoalert)
		setBoolIf(&u.Contactalert, upd.Contactalert)
		setBoolIf(&u.ChangePw, upd.ChangePw)
		setBoolIf(&u.TermsAccepted, upd.TermsAccepted)
		u.DateModified = misp.Int(tx.unix())
		_, err = tx.exec(ctx, `UPDATE users SET email = $1, gpgkey = $2, password_hash = $3,
				org_id = $4, role_id = $5, nids_sid = $6, disabled = $7, autoalert = $8,
				contactalert = $9, change_pw = $10, termsaccepted = $11, date_modified = $12
			WHERE id = $13`,
			u.Email, u.GPGKey, u.PasswordHash, int64(u.OrgID), int64(u.RoleID), int64(u.NidsSID),
			bool(u.Disabled), bool(u.Autoalert), bool(u.Contactalert), bool(u.ChangePw),
			bool(u.TermsAccepted), int64(u.DateModified), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, nil
}

// DeleteUser removes a user and (by cascade) its auth keys. ErrNotFound.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *tx) error {
		n, err := tx.execN(ctx, "DELETE FROM users WHERE id = $1", id)
		if err == nil && n == 0 {
			err = misp.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return nil
}

func setIntIf(dst *misp.Int, src *int64) {
	if src != nil {
		*dst = misp.Int(*src)
	}
}

func setBoolIf(dst *misp.Bool, src *bool) {
	if src != nil {
		*dst = misp.Bool(*src)
	}
}
