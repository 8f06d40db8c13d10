package restapi

import "slices"

// leakOracle decides, from the world's description alone, what a user
// may receive. It restates shared/spec/misp-access-control.md §2–§4 and
// the decisions of docs/access-control.md in plain Go; it must never call
// the store or the misp predicates, so that a bug there cannot hide
// itself by being copied here.
type leakOracle struct {
	w                  *leakWorld
	unpublishedPrivate bool
}

func (o *leakOracle) sg(key string) *leakSG {
	for _, g := range o.w.SGs {
		if g.Key == key {
			return g
		}
	}
	panic("unknown sharing group " + key)
}

// sgAuthorised is SGIDS(U) ∋ g (§2): site admins, member organisations,
// and everyone when this instance is listed with all_orgs. Owning the
// group does not count, nor does a remote server's all_orgs; inactive
// groups count.
func (o *leakOracle) sgAuthorised(u *leakUser, key string) bool {
	g := o.sg(key)
	return u.SiteAdmin || slices.Contains(g.Orgs, u.Org) || g.LocalAll
}

// event is EventVisible (§3): site admins, the owner organisation (not
// the creator), distributions 1–3 for everybody and 4 for the group's
// authorised organisations — only once published under
// MISP.unpublishedprivate.
func (o *leakOracle) event(u *leakUser, e *leakEvent) bool {
	if u.SiteAdmin || e.Owner == u.Org {
		return true
	}
	if o.unpublishedPrivate && !e.Published {
		return false
	}
	switch e.Dist.Level {
	case 1, 2, 3:
		return true
	case 4:
		return o.sgAuthorised(u, e.Dist.SG)
	}
	return false
}

// element is the distribution test of an attribute or object inside a
// visible event (§4.1 with its second pass, decision §13 #15 applied on
// every path): 1, 2, 3 and 5 for everybody, 0 for the owner
// organisation, 4 for an authorised group only — owner included.
func (o *leakOracle) element(u *leakUser, e *leakEvent, d leakDist) bool {
	if u.SiteAdmin {
		return true
	}
	switch d.Level {
	case 1, 2, 3, 5:
		return true
	case 0:
		return e.Owner == u.Org
	case 4:
		return o.sgAuthorised(u, d.SG)
	}
	return false
}

// deletedOK is §4.4 as applied on every path (§13 #3): soft-deleted
// elements go to the owner organisation, sync users and site admins.
func (o *leakOracle) deletedOK(u *leakUser, e *leakEvent) bool {
	return u.SiteAdmin || u.Sync || e.Owner == u.Org
}

// live reports whether an element with the given deleted flag is
// returned when the request asks for deleted elements (withDeleted) or not.
func (o *leakOracle) live(u *leakUser, e *leakEvent, deleted, withDeleted bool) bool {
	return !deleted || (withDeleted && o.deletedOK(u, e))
}

// attribute reports whether attribute a (of object ob, nil when
// standalone) is visible: event, attribute and object (§4.2).
func (o *leakOracle) attribute(u *leakUser, e *leakEvent, ob *leakObject, a *leakAttr) bool {
	return o.event(u, e) && o.element(u, e, a.Dist) && (ob == nil || o.element(u, e, ob.Dist))
}

// object reports whether object ob is visible.
func (o *leakOracle) object(u *leakUser, e *leakEvent, ob *leakObject) bool {
	return o.event(u, e) && o.element(u, e, ob.Dist)
}

// target reports whether a reference's target (an attribute or object of
// e) is visible and, if deleted, one whose deletion u may see (§13 #7).
func (o *leakOracle) target(u *leakUser, e *leakEvent, uuid string) bool {
	for _, a := range e.Attrs {
		if a.UUID == uuid {
			return o.attribute(u, e, nil, a) && o.live(u, e, a.Deleted, true)
		}
	}
	for _, ob := range e.Objects {
		if ob.UUID == uuid {
			return o.object(u, e, ob) && o.live(u, e, ob.Deleted, true)
		}
		for _, a := range ob.Attrs {
			if a.UUID == uuid {
				return o.attribute(u, e, ob, a) && o.live(u, e, a.Deleted, true)
			}
		}
	}
	return false
}

// creatorEmail reports whether u receives event_creator_email (§4.5):
// site admins and perm_audit users of the creator organisation.
func (o *leakOracle) creatorEmail(u *leakUser, e *leakEvent) bool {
	return u.SiteAdmin || (u.Audit && u.Org == e.Orgc)
}

// fullEvent adds to s what events/view returns of e: the event, its
// tags, creator e-mail, visible live (or, withDeleted, deleted) attributes
// with their tags, objects with at least one such attribute, with
// their attributes and the references whose target is visible, the
// related events (leak_correlation_test.go), and the galaxy clusters of
// the event's and the attributes' tags that u may see
// (leak_galaxy_test.go).
func (o *leakOracle) fullEvent(s leakSet, u *leakUser, e *leakEvent, withDeleted bool) {
	if !o.event(u, e) {
		return
	}
	s.add("event", e.UUID)
	o.relatedEvents(s, u, e)
	for _, tg := range e.Tags {
		s.add("tag", e.UUID+" "+tg.Name)
	}
	o.eventClusters(s, u, e)
	if o.creatorEmail(u, e) {
		s.add("creator_email", e.UUID)
	}
	for _, a := range e.Attrs {
		if o.attribute(u, e, nil, a) && o.live(u, e, a.Deleted, withDeleted) {
			o.attrWithTags(s, a)
			o.attrClusters(s, u, a)
		}
	}
	for _, ob := range e.Objects {
		if !o.object(u, e, ob) || !o.live(u, e, ob.Deleted, withDeleted) {
			continue
		}
		var shown []*leakAttr
		for _, a := range ob.Attrs {
			if o.attribute(u, e, ob, a) && o.live(u, e, a.Deleted, withDeleted) {
				shown = append(shown, a)
			}
		}
		if len(shown) == 0 {
			continue // MISP drops objects left without attributes
		}
		s.add("object", ob.UUID)
		for _, a := range shown {
			o.attrWithTags(s, a)
			o.attrClusters(s, u, a)
		}
		o.refs(s, u, e, ob, withDeleted)
	}
}

// objectView adds what objects/view returns: a visible live object with
// its visible attributes (with tags) and references — deleted ones too
// for those who may see deletions, as the answer is the one objects/edit
// gives; unlike events, an object without attributes still shows.
func (o *leakOracle) objectView(s leakSet, u *leakUser, e *leakEvent, ob *leakObject) {
	if !o.object(u, e, ob) || ob.Deleted {
		return
	}
	s.add("object", ob.UUID)
	for _, a := range ob.Attrs {
		if o.attribute(u, e, ob, a) && o.live(u, e, a.Deleted, true) {
			o.attrWithTags(s, a)
		}
	}
	o.refs(s, u, e, ob, true)
}

func (o *leakOracle) refs(s leakSet, u *leakUser, e *leakEvent, ob *leakObject, withDeleted bool) {
	for _, r := range ob.Refs {
		if o.live(u, e, r.Deleted, withDeleted) && o.target(u, e, r.Target) {
			s.add("reference", r.UUID)
		}
	}
}

func (o *leakOracle) attrWithTags(s leakSet, a *leakAttr) {
	s.add("attribute", a.UUID)
	s.add("tag", a.UUID+" "+a.Tag)
	s.add("tag", a.UUID+" "+a.GalaxyTag)
}

// eachAttr calls fn for every attribute of every event with its object.
func (w *leakWorld) eachAttr(fn func(e *leakEvent, ob *leakObject, a *leakAttr)) {
	for _, e := range w.Events {
		for _, a := range e.Attrs {
			fn(e, nil, a)
		}
		for _, ob := range e.Objects {
			for _, a := range ob.Attrs {
				fn(e, ob, a)
			}
		}
	}
}

// sgListed reports whether sharing_groups/index lists group key to u
// (§8.2, docs "Sharing groups"): the groups u is authorised for (site
// admins: all) — the owner by ownership alone is not — whose active flag
// is the one asked for: active ones, or with /true inactive ones.
func (o *leakOracle) sgListed(u *leakUser, key string, inactive bool) bool {
	return o.sgAuthorised(u, key) && o.sg(key).Active != inactive
}

// sgViewable is CanView (SharingGroup::checkIfAuthorised): the groups u
// is authorised for, and those its organisation owns, active or not.
func (o *leakOracle) sgViewable(u *leakUser, key string) bool {
	return o.sgAuthorised(u, key) || o.sg(key).Owner == u.Org
}

// sgShown adds what a listing or view shows of group key: the group, its
// owner, its member organisations and its member servers (this instance
// or the remote one). Who may see the group sees its members
// (Security.hide_organisations_in_sharing_groups is off).
func (o *leakOracle) sgShown(s leakSet, key string) {
	g := o.sg(key)
	s.add("sharing_group", g.UUID)
	s.add("sg_owner", g.UUID+" "+g.Owner)
	for _, org := range g.Orgs {
		s.add("sg_org", g.UUID+" "+org)
	}
	if g.LocalAll {
		s.add("sg_server", g.UUID+" local all_orgs")
	}
	if g.RemoteAll {
		s.add("sg_server", g.UUID+" remote all_orgs")
	}
}

// logVisible reports whether u, who has perm_audit, reads the audit
// entries of author (§8.3, LogsController::index): site admins every
// entry, organisation admins (perm_admin) those of their organisation's
// users, anyone else their own. Nobody but site admins reads the entries
// no user caused.
func (o *leakOracle) logVisible(u *leakUser, author string) bool {
	if u.SiteAdmin || author == u.Key {
		return true
	}
	for _, a := range o.w.Users {
		if a.Key == author {
			return u.OrgAdmin && a.Org == u.Org
		}
	}
	return false
}
