package misp

import (
	"context"
	"strings"
)

// Organisation is a member of the community, or an organisation known from
// shared data (local=false).
type Organisation struct {
	ID                 Int      `json:"id"`
	Name               string   `json:"name"`
	DateCreated        DateTime `json:"date_created"`
	DateModified       DateTime `json:"date_modified"`
	Description        string   `json:"description"`
	Type               string   `json:"type"`
	Nationality        string   `json:"nationality"`
	Sector             string   `json:"sector"`
	CreatedBy          Int      `json:"created_by"`
	UUID               string   `json:"uuid"`
	Contacts           string   `json:"contacts"`
	Local              Bool     `json:"local"`
	RestrictedToDomain []string `json:"restricted_to_domain"`
	LandingPage        string   `json:"landingpage"`
	UserCount          *Int     `json:"user_count,omitempty"`
}

// OrgRef is the short organisation block MISP nests in events: {id,name,uuid,local}.
type OrgRef struct {
	ID    Int    `json:"id"`
	Name  string `json:"name"`
	UUID  string `json:"uuid"`
	Local Bool   `json:"local"`
}

// Ref returns the short form of o.
func (o *Organisation) Ref() OrgRef {
	return OrgRef{ID: o.ID, Name: o.Name, UUID: o.UUID, Local: o.Local}
}

// Validate checks the fields a client may set.
func (o *Organisation) Validate() error {
	v := &ValidationError{}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		v.Add("name", "Mandatory field not set.")
	}
	if len(o.Name) > 255 {
		v.Add("name", "Name too long (max 255 characters).")
	}
	if o.UUID != "" {
		o.UUID = NormalizeUUID(o.UUID)
		if !IsUUID(o.UUID) {
			v.Add("uuid", "Please provide a valid RFC 4122 UUID")
		}
	}
	if o.RestrictedToDomain == nil {
		o.RestrictedToDomain = []string{}
	}
	return v.Err()
}

// OrgFilter selects organisations.
type OrgFilter struct {
	// Scope is "local" (default), "external" or "all".
	Scope  string
	Search string // substring of the name
	Limit  int
	Offset int
}

// OrgUpdate holds the fields of an organisation edit; nil fields are kept.
type OrgUpdate struct {
	Name               *string
	Description        *string
	Type               *string
	Nationality        *string
	Sector             *string
	Contacts           *string
	Local              *bool
	RestrictedToDomain *[]string
	LandingPage        *string
}

// OrgStore persists organisations. Organisations are visible to every user
// (MISP.showorg); the admin endpoints are guarded by the HTTP layer.
type OrgStore interface {
	// CreateOrg stores o, setting ID, UUID (if empty) and dates.
	// ErrConflict if the name or UUID is taken.
	CreateOrg(ctx context.Context, o *Organisation) error
	// FindOrgByID returns an organisation. ErrNotFound if there is none.
	FindOrgByID(ctx context.Context, id int64) (*Organisation, error)
	// FindOrgByUUID returns an organisation. ErrNotFound if there is none.
	FindOrgByUUID(ctx context.Context, uuid string) (*Organisation, error)
	// FindOrgByName returns an organisation by case-insensitive name. ErrNotFound if there is none.
	FindOrgByName(ctx context.Context, name string) (*Organisation, error)
	// FindOrgs lists organisations with their user counts, ordered by name.
	FindOrgs(ctx context.Context, f OrgFilter) ([]*Organisation, error)
	// UpdateOrg applies upd. ErrNotFound, ErrConflict (name taken).
	UpdateOrg(ctx context.Context, id int64, upd OrgUpdate) (*Organisation, error)
	// DeleteOrg removes an organisation. ErrNotFound; ErrConflict while it
	// still has users or owns or created events.
	DeleteOrg(ctx context.Context, id int64) error
}
