package misp

import (
	"context"
	"strings"
)

// SharingGroup is a named list of organisations (and instances) that an
// element with distribution 4 is shared with (misp-core-format §10).
type SharingGroup struct {
	ID               Int      `json:"id"`
	UUID             string   `json:"uuid"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Releasability    string   `json:"releasability"`
	Local            Bool     `json:"local"`
	Active           Bool     `json:"active"`
	Roaming          Bool     `json:"roaming"`
	OrgID            Int      `json:"org_id"`
	OrganisationUUID string   `json:"organisation_uuid"`
	SyncUserID       Int      `json:"sync_user_id"`
	Created          DateTime `json:"created"`
	Modified         DateTime `json:"modified"`

	Organisation       *OrgRef               `json:"Organisation,omitempty"`
	SharingGroupOrg    []*SharingGroupOrg    `json:"SharingGroupOrg"`
	SharingGroupServer []*SharingGroupServer `json:"SharingGroupServer"`
}

// SharingGroupOrg is a member organisation; Extend lets it add members.
type SharingGroupOrg struct {
	ID             Int     `json:"id"`
	SharingGroupID Int     `json:"sharing_group_id"`
	OrgID          Int     `json:"org_id"`
	Extend         Bool    `json:"extend"`
	Organisation   *OrgRef `json:"Organisation,omitempty"`
}

// LocalServerID is the server id of this instance in SharingGroupServer.
const LocalServerID = 0

// SharingGroupServer is a member instance; AllOrgs makes every
// organisation of that instance a member. ServerID 0 is this instance.
// Server describes the instance; the store leaves it nil, since what
// names this instance (its base URL) is configuration.
type SharingGroupServer struct {
	ID             Int        `json:"id"`
	SharingGroupID Int        `json:"sharing_group_id"`
	ServerID       Int        `json:"server_id"`
	AllOrgs        Bool       `json:"all_orgs"`
	Server         *ServerRef `json:"Server,omitempty"`
}

// ServerRef is the short server block MISP nests in sharing groups.
type ServerRef struct {
	ID   Int    `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Validate normalises and checks the group's own fields.
func (g *SharingGroup) Validate() error {
	v := &ValidationError{}
	g.Name = strings.TrimSpace(g.Name)
	switch {
	case g.Name == "":
		v.Add("name", "A name is required.")
	case len(g.Name) > 255:
		v.Add("name", "The name is too long (max 255 characters).")
	}
	if g.UUID != "" {
		g.UUID = NormalizeUUID(g.UUID)
		if !IsUUID(g.UUID) {
			v.Add("uuid", "Please provide a valid RFC 4122 UUID")
		}
	}
	return v.Err()
}

// HasOrg reports whether org is a member organisation.
func (g *SharingGroup) HasOrg(orgID int64) bool {
	for _, o := range g.SharingGroupOrg {
		if int64(o.OrgID) == orgID {
			return true
		}
	}
	return false
}

// LocalAllOrgs reports whether this instance is listed with all_orgs, which
// makes every local organisation a member.
func (g *SharingGroup) LocalAllOrgs() bool {
	for _, s := range g.SharingGroupServer {
		if s.ServerID == LocalServerID && s.AllOrgs {
			return true
		}
	}
	return false
}

// Authorised is SharingGroup::authorizedIds for one group: whether data
// shared with g is visible to actor. The owner organisation is not a
// member by ownership alone (misp-access-control §2, §13 #2); the active
// flag does not matter (§13 #10).
func (g *SharingGroup) Authorised(a *Actor) bool {
	return a.SiteAdmin() || g.HasOrg(a.OrgID()) || g.LocalAllOrgs()
}

// Usable reports whether actor may share new data with g: the group is
// active and its data visible to actor. It is SharingGroup::
// fetchAllAuthorised(U, 'name', active=1), which events/add and
// attributes/add|edit consult (misp-access-control §8.2). MISP is laxer
// for the children of an event (checkIfAuthorised: the owner organisation
// too, and inactive groups); Razmena applies Usable to them as well, so
// that an inactive group takes no new data and nobody files data under a
// group whose data they would not see.
func (g *SharingGroup) Usable(a *Actor) bool {
	return bool(g.Active) && g.Authorised(a)
}

// CanView is SharingGroup::checkIfAuthorised: a site admin, the owner
// organisation, a member, or any local organisation when the instance is
// listed with all_orgs. It governs viewing the group and referencing it.
func (g *SharingGroup) CanView(a *Actor) bool {
	return g.Authorised(a) || int64(g.OrgID) == a.OrgID()
}

// CanExtend is SharingGroup::checkIfAuthorisedExtend: a site admin, or a
// perm_sharing_group user of the owner organisation, of a member with
// extend, or the sync user that created the group.
func (g *SharingGroup) CanExtend(a *Actor) bool {
	if a.SiteAdmin() {
		return true
	}
	if !a.Perms.SharingGroup {
		return false
	}
	if int64(g.OrgID) == a.OrgID() || (g.SyncUserID != 0 && int64(g.SyncUserID) == a.UserID()) {
		return true
	}
	for _, o := range g.SharingGroupOrg {
		if int64(o.OrgID) == a.OrgID() && o.Extend {
			return true
		}
	}
	return false
}

// CanDelete is SharingGroup::checkIfOwner with perm_sharing_group.
func (g *SharingGroup) CanDelete(a *Actor) bool {
	return a.SiteAdmin() || (bool(a.Perms.SharingGroup) && int64(g.OrgID) == a.OrgID())
}

// SharingGroupFilter selects sharing groups.
type SharingGroupFilter struct {
	// Active selects active (true) or inactive (false) groups; nil = both.
	Active *bool
	Limit  int
	Offset int
}

// SharingGroupStore persists sharing groups. Lookups by id or uuid are
// limited to the groups the actor may view (CanView), the index to the
// groups whose data it may see (Authorised), both decided in SQL; a group
// outside that set behaves as a missing one (ErrNotFound). A group comes
// with its owner Organisation, its member organisations (each with
// Organisation) and its member servers, both ordered by row id. Writes
// take no actor: the caller has checked CanExtend or CanDelete.
type SharingGroupStore interface {
	// CreateSharingGroup stores g with its member organisations and
	// servers, setting the IDs (of members too), UUID (if empty), created
	// and modified. ErrConflict if the name or UUID is taken; ErrInvalid if
	// the owner or a member organisation does not exist.
	CreateSharingGroup(ctx context.Context, g *SharingGroup) error
	// FindSharingGroupByID returns a group with members. ErrNotFound.
	FindSharingGroupByID(ctx context.Context, actor *Actor, id int64) (*SharingGroup, error)
	// FindSharingGroupByUUID returns a group with members. ErrNotFound.
	FindSharingGroupByUUID(ctx context.Context, actor *Actor, uuid string) (*SharingGroup, error)
	// FindSharingGroups lists the groups whose data actor may see
	// (Authorised: all for a site admin), ordered by name, with members,
	// and the total number of matching groups (before Limit/Offset).
	FindSharingGroups(ctx context.Context, actor *Actor, f SharingGroupFilter) ([]*SharingGroup, int64, error)
	// UpdateSharingGroup replaces the group's own fields (name,
	// description, releasability, active, roaming, local), setting
	// modified, and adds or updates the member organisations and servers
	// listed in g, all in one transaction; members not listed, owner, uuid
	// and created are kept. ErrNotFound, ErrConflict (name taken),
	// ErrInvalid (a member organisation does not exist; nothing changes).
	UpdateSharingGroup(ctx context.Context, g *SharingGroup) error
	// DeleteSharingGroup removes a group with its members. ErrNotFound;
	// ErrConflict while an event, attribute or object uses it.
	DeleteSharingGroup(ctx context.Context, id int64) error
	// AddSharingGroupOrg adds (or updates the extend flag of) a member
	// organisation, setting the group's modified. ErrNotFound (group),
	// ErrInvalid (organisation).
	AddSharingGroupOrg(ctx context.Context, sgID, orgID int64, extend bool) error
	// RemoveSharingGroupOrg removes a member organisation, setting the
	// group's modified. ErrNotFound if it was not one.
	RemoveSharingGroupOrg(ctx context.Context, sgID, orgID int64) error
	// AddSharingGroupServer adds (or updates all_orgs of) a member server,
	// setting the group's modified; server 0 is this instance. ErrNotFound
	// (group).
	AddSharingGroupServer(ctx context.Context, sgID, serverID int64, allOrgs bool) error
	// RemoveSharingGroupServer removes a member server, setting the
	// group's modified. ErrNotFound if it was not one.
	RemoveSharingGroupServer(ctx context.Context, sgID, serverID int64) error
}
