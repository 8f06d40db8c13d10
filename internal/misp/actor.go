package misp

// Actor is the authenticated principal of a request: the user as stored,
// its role as stored, its organisation, and the permissions in force for
// this request (a read-only key clears most of them). ACL-sensitive store
// and service calls take it explicitly.
type Actor struct {
	User  *User
	Role  *Role
	Org   *Organisation
	Perms Perms
	// AuthKeyID is the key that authenticated the request (0 for the CLI).
	AuthKeyID   int64
	ReadOnlyKey bool
}

// NewActor builds the actor for user u with role r and organisation o,
// reducing the permissions for a read-only key.
func NewActor(u *User, r *Role, o *Organisation, keyID int64, readOnly bool) *Actor {
	p := r.Perms
	if readOnly {
		p = p.ReadOnly()
	}
	return &Actor{User: u, Role: r, Org: o, Perms: p, AuthKeyID: keyID, ReadOnlyKey: readOnly}
}

// UserID is the acting user's id.
func (a *Actor) UserID() int64 { return int64(a.User.ID) }

// OrgID is the acting user's organisation id.
func (a *Actor) OrgID() int64 { return int64(a.User.OrgID) }

// SiteAdmin reports whether the actor bypasses data-visibility rules.
func (a *Actor) SiteAdmin() bool { return bool(a.Perms.SiteAdmin) }

// CanModifyEvent is ACLComponent::canModifyEvent: a site admin, a user with
// perm_modify_org of the creator org, or the creating user with perm_modify.
func (a *Actor) CanModifyEvent(e *Event) bool {
	if a.SiteAdmin() {
		return true
	}
	if a.Perms.ModifyOrg && int64(e.OrgcID) == a.OrgID() {
		return true
	}
	return bool(a.Perms.Modify) && int64(e.UserID) == a.UserID()
}

// CanPublishEvent is ACLComponent::canPublishEvent: a site admin, or a user
// with perm_publish of the creator org.
func (a *Actor) CanPublishEvent(e *Event) bool {
	if a.SiteAdmin() {
		return true
	}
	return bool(a.Perms.Publish) && int64(e.OrgcID) == a.OrgID()
}

// CanTagEvent is ACLComponent::canModifyTag: a site admin, or a tagger (or
// sync user) who may modify the event; host-organisation users may attach
// local tags to any event they see.
func (a *Actor) CanTagEvent(e *Event, local bool, hostOrgID int64) bool {
	if a.SiteAdmin() {
		return true
	}
	if !a.Perms.Tagger && !a.Perms.Sync {
		return false
	}
	if a.CanModifyEvent(e) {
		return true
	}
	return local && a.OrgID() == hostOrgID
}

// CanUseTag reports whether an org-/user-restricted tag may be attached by the actor.
func (a *Actor) CanUseTag(t *Tag) bool {
	if a.SiteAdmin() {
		return true
	}
	if t.OrgID != 0 && int64(t.OrgID) != a.OrgID() {
		return false
	}
	return t.UserID == 0 || int64(t.UserID) == a.UserID()
}
