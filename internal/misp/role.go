package misp

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// Perms are a role's perm_* flags (misp-access-control §9.1).
type Perms struct {
	Add                  Bool `json:"perm_add"`
	Modify               Bool `json:"perm_modify"`
	ModifyOrg            Bool `json:"perm_modify_org"`
	Publish              Bool `json:"perm_publish"`
	Delegate             Bool `json:"perm_delegate"`
	Sync                 Bool `json:"perm_sync"`
	Admin                Bool `json:"perm_admin"`
	Audit                Bool `json:"perm_audit"`
	Auth                 Bool `json:"perm_auth"`
	SiteAdmin            Bool `json:"perm_site_admin"`
	RegexpAccess         Bool `json:"perm_regexp_access"`
	Tagger               Bool `json:"perm_tagger"`
	Template             Bool `json:"perm_template"`
	SharingGroup         Bool `json:"perm_sharing_group"`
	TagEditor            Bool `json:"perm_tag_editor"`
	Sighting             Bool `json:"perm_sighting"`
	ObjectTemplate       Bool `json:"perm_object_template"`
	PublishZMQ           Bool `json:"perm_publish_zmq"`
	PublishKafka         Bool `json:"perm_publish_kafka"`
	Decaying             Bool `json:"perm_decaying"`
	GalaxyEditor         Bool `json:"perm_galaxy_editor"`
	Warninglist          Bool `json:"perm_warninglist"`
	ViewFeedCorrelations Bool `json:"perm_view_feed_correlations"`
	AnalystData          Bool `json:"perm_analyst_data"`
	SkipOTP              Bool `json:"perm_skip_otp"`
}

// ReadOnly returns the flags a read-only auth key leaves: everything cleared
// but perm_auth and perm_audit (AuthKey::setUserData).
func (p Perms) ReadOnly() Perms {
	return Perms{Auth: p.Auth, Audit: p.Audit}
}

// Permission levels of the virtual Role.permission field.
const (
	PermissionReadOnly  = 0
	PermissionManageOwn = 1
	PermissionManageOrg = 2
	PermissionPublish   = 3
)

// Permission computes the virtual permission level from the flags
// (Role::$virtualFields): add∧modify∧publish → 3, add∧modify_org → 2,
// add → 1, else 0.
func (p Perms) Permission() int {
	switch {
	case bool(p.Add && p.Modify && p.Publish):
		return PermissionPublish
	case bool(p.Add && p.ModifyOrg):
		return PermissionManageOrg
	case bool(p.Add):
		return PermissionManageOwn
	}
	return PermissionReadOnly
}

// PermissionDescription names a permission level as MISP does.
func PermissionDescription(level int) string {
	switch level {
	case PermissionManageOwn:
		return "manage_own"
	case PermissionManageOrg:
		return "manage_org"
	case PermissionPublish:
		return "publish"
	}
	return "read_only"
}

// ParsePermission reads a permission level as admin/roles/add and /edit
// accept it: a number 0–3 (or its string) or one of the names
// read_only, manage_own, manage_org, publish. ok is false for anything
// else.
func ParsePermission(s string) (level int, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= PermissionReadOnly && n <= PermissionPublish
	}
	for l := PermissionReadOnly; l <= PermissionPublish; l++ {
		if s == PermissionDescription(l) {
			return l, true
		}
	}
	return 0, false
}

// SetPermission overwrites add/modify/modify_org/publish from a permission
// level, as MISP's Role::beforeSave does.
func (p *Perms) SetPermission(level int) {
	p.Add = Bool(level >= PermissionManageOwn)
	p.Modify = Bool(level >= PermissionManageOwn)
	p.ModifyOrg = Bool(level >= PermissionManageOrg)
	p.Publish = Bool(level >= PermissionPublish)
}

// Role is a named set of permissions.
type Role struct {
	ID       Int      `json:"id"`
	Name     string   `json:"name"`
	Created  DateTime `json:"created"`
	Modified DateTime `json:"modified"`
	Perms
	DefaultRole           Bool   `json:"default_role"`
	MemoryLimit           string `json:"memory_limit"`
	MaxExecutionTime      string `json:"max_execution_time"`
	RestrictedToSiteAdmin Bool   `json:"restricted_to_site_admin"`
	EnforceRateLimit      Bool   `json:"enforce_rate_limit"`
	RateLimitCount        Int    `json:"rate_limit_count"`
}

// limitRE is what memory_limit and max_execution_time accept: empty (the
// instance default), -1 (unlimited), or a number with an optional K, M or
// G unit (PHP's shorthand; units only mean something for memory).
var limitRE = regexp.MustCompile(`^(-1|[0-9]+[KMGkmg]?)?$`)

// Validate checks the fields a role save needs: a name, and well-formed
// limits. Uniqueness of the name is the store's job (ErrConflict).
func (r *Role) Validate() error {
	v := &ValidationError{}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		v.Add("name", "Mandatory field not set.")
	}
	if len(r.Name) > 255 {
		v.Add("name", "Name too long (max 255 characters).")
	}
	r.MemoryLimit = strings.TrimSpace(r.MemoryLimit)
	if !limitRE.MatchString(r.MemoryLimit) {
		v.Add("memory_limit", "Invalid memory limit: leave empty, use -1, or a number with an optional K, M or G unit.")
	}
	r.MaxExecutionTime = strings.TrimSpace(r.MaxExecutionTime)
	if !limitRE.MatchString(r.MaxExecutionTime) || strings.ContainsAny(r.MaxExecutionTime, "KMGkmg") {
		v.Add("max_execution_time", "Invalid execution time: leave empty, use -1, or a number of seconds.")
	}
	if r.RateLimitCount < 0 {
		v.Add("rate_limit_count", "The rate limit cannot be negative.")
	}
	return v.Err()
}

// Default role ids, seeded by the first migration with MISP's default roles
// (misp-access-control §9.2).
const (
	RoleAdmin     = 1
	RoleOrgAdmin  = 2
	RoleUser      = 3
	RolePublisher = 4
	RoleSyncUser  = 5
	RoleReadOnly  = 6
)

// RoleStore persists roles.
type RoleStore interface {
	// FindRoleByID returns a role. ErrNotFound if there is none.
	FindRoleByID(ctx context.Context, id int64) (*Role, error)
	// FindRoles returns every role, ordered by id. Roles are not secret.
	FindRoles(ctx context.Context) ([]*Role, error)
	// FindDefaultRole returns the role flagged default_role. ErrNotFound if none is.
	FindDefaultRole(ctx context.Context) (*Role, error)
	// CreateRole stores r, setting ID, Created and Modified. The role is
	// never created as the default one (see SetDefaultRole). A
	// *ValidationError for bad fields; ErrConflict if the name is taken
	// (case-insensitively).
	CreateRole(ctx context.Context, r *Role) error
	// UpdateRole saves every field of r over the stored role r.ID except
	// Created and DefaultRole, and sets Modified. Users of the role see
	// the change on their next request: roles are read per request, never
	// cached. ErrNotFound; *ValidationError; ErrConflict if the name is
	// taken by another role.
	UpdateRole(ctx context.Context, r *Role) error
	// DeleteRole removes a role. ErrNotFound; ErrConflict while users have
	// the role, and for the default role.
	DeleteRole(ctx context.Context, id int64) error
	// SetDefaultRole makes role id the one new users get, and clears the
	// flag on every other role, so that exactly one role is the default.
	// ErrNotFound.
	SetDefaultRole(ctx context.Context, id int64) error
}
