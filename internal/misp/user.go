package misp

import (
	"context"
	"net/mail"
	"strings"
)

// User is an account. PasswordHash never leaves the server.
type User struct {
	ID            Int    `json:"id"`
	OrgID         Int    `json:"org_id"`
	ServerID      Int    `json:"server_id"`
	Email         string `json:"email"`
	Autoalert     Bool   `json:"autoalert"`
	InviterID     Int    `json:"invited_by"`
	GPGKey        string `json:"gpgkey"`
	CertifPublic  string `json:"certif_public"`
	NidsSID       Int    `json:"nids_sid"`
	TermsAccepted Bool   `json:"termsaccepted"`
	NewsRead      Int    `json:"newsread"`
	RoleID        Int    `json:"role_id"`
	ChangePw      Bool   `json:"change_pw"`
	Contactalert  Bool   `json:"contactalert"`
	Disabled      Bool   `json:"disabled"`
	Expiration    *Int   `json:"expiration"`
	CurrentLogin  Int    `json:"current_login"`
	LastLogin     Int    `json:"last_login"`
	ForceLogout   Bool   `json:"force_logout"`
	DateCreated   Int    `json:"date_created"`
	DateModified  Int    `json:"date_modified"`

	PasswordHash string `json:"-"`
}

// Validate checks the fields a client may set.
func (u *User) Validate() error {
	v := &ValidationError{}
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Email == "" {
		v.Add("email", "Mandatory field not set.")
	} else if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		v.Add("email", "An email address is required.")
	}
	if u.OrgID <= 0 {
		v.Add("org_id", "Mandatory field not set.")
	}
	if u.RoleID <= 0 {
		v.Add("role_id", "Mandatory field not set.")
	}
	return v.Err()
}

// UserFilter selects users.
type UserFilter struct {
	OrgID  int64 // 0 = every organisation
	Search string
	Limit  int
	Offset int
}

// UserUpdate holds the fields of a user edit; nil fields are kept.
type UserUpdate struct {
	Email         *string
	OrgID         *int64
	RoleID        *int64
	Disabled      *bool
	Autoalert     *bool
	Contactalert  *bool
	ChangePw      *bool
	TermsAccepted *bool
	GPGKey        *string
	NidsSID       *int64
	PasswordHash  *string
}

// UserStore persists users. Access rules (org admins manage their own org)
// are applied by callers; the store trusts its arguments.
type UserStore interface {
	// CreateUser stores u, setting ID and dates. ErrConflict if the e-mail is taken;
	// ErrInvalid if the organisation or role does not exist.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID returns a user. ErrNotFound if there is none.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail returns a user by (case-insensitive) e-mail. ErrNotFound.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUsers lists users ordered by id.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// UpdateUser applies upd. ErrNotFound, ErrConflict, ErrInvalid.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// DeleteUser removes a user and its auth keys. ErrNotFound.
	DeleteUser(ctx context.Context, id int64) error
}
