package misp

import "context"

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
}
