package sqlstore

import (
	"database/sql"
	"fmt"

	"github.com/razmena/razmena/internal/misp"
)

// This file is the single place where data visibility becomes SQL
// (misp-access-control §2–§4, decisions in docs/access-control.md). Every
// read and write of events, attributes, objects, references and tag links
// joins the event row and adds these predicates, so that an event or
// element the actor may not see behaves exactly as a missing one, and
// index counts and pages are filtered in the database.
//
// The predicates are composable strings over table aliases chosen by the
// caller; values are bound through args, the distribution levels are
// constants. For a site admin every predicate is TRUE, for a nil actor
// FALSE.

// Policy is the instance configuration that changes who sees what.
type Policy struct {
	// UnpublishedPrivate is MISP.unpublishedprivate: an unpublished event
	// (and everything in it) is visible only to its owner organisation
	// and site admins.
	UnpublishedPrivate bool
}

// noActor reports an actor that may see nothing.
func noActor(actor *misp.Actor) bool { return actor == nil || actor.User == nil }

// authorisedGroups returns the ids of the sharing groups whose data
// organisation org may see (SharingGroup::authorizedIds): the groups
// listing the organisation as a member, and those listing this instance
// (server 0) with all_orgs. The group's owner is not a member by
// ownership alone, and the active flag is ignored (§2, §13 #2, #10).
//
// The set is read once per transaction and bound into the predicates as
// a list, rather than written as a subquery: PostgreSQL costs a hashed
// subquery per row and then prefers whole-table plans for keyset pages
// (docs/benchmarks.md). A failed read fails the transaction (see
// tx.fail) and the predicates admit no group meanwhile.
func (t *tx) authorisedGroups(org int64) []int64 {
	if ids, ok := t.groups[org]; ok {
		return ids
	}
	ids := []int64{}
	err := t.each(t.ctx, `SELECT sharing_group_id FROM sharing_group_orgs WHERE org_id = $1
		UNION SELECT sharing_group_id FROM sharing_group_servers WHERE server_id = 0 AND all_orgs = TRUE
		ORDER BY 1`, []any{org}, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		t.fail(fmt.Errorf("read authorised sharing groups: %w", err))
		return nil
	}
	if t.groups == nil {
		t.groups = map[int64][]int64{}
	}
	t.groups[org] = ids
	return ids
}

// groupIn returns the predicate "column col holds one of the sharing
// groups authorised for actor", binding the ids into a.
func (t *tx) groupIn(a *args, col string, actor *misp.Actor) string {
	return inGroups(col, inList(a, t.authorisedGroups(actor.OrgID())))
}

// eventVisible returns the predicate under which the events row aliased e
// is visible to actor (misp-access-control §3): its owner organisation
// (org_id, not orgc_id) sees it; everybody sees distributions 1–3, and
// the authorised organisations of its sharing group distribution 4 —
// those two only once published when the policy makes unpublished events
// private.
//
// It is eventVisibleBranches combined with CASE, not OR: given an OR of
// indexable terms (events_visibility_idx), SQLite — which has no
// statistics unless ANALYZE ran — answers an events/index page with a
// multi-index OR and a sort of every visible event instead of walking
// events_timestamp_idx for 60 rows. CASE keeps the predicate a filter.
func (t *tx) eventVisible(a *args, e string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	v := t.eventVisibility(a, e, actor)
	then := "TRUE"
	if v.published != "" {
		then = v.published
	}
	return "(CASE WHEN " + v.own + " THEN TRUE WHEN " + v.everyone + " THEN " + then +
		" WHEN " + v.group + " THEN " + then + " ELSE FALSE END)"
}

// eventVisibleBranches returns eventVisible as mutually exclusive
// predicates: owned by the actor's organisation; owned by another and
// shared with everybody; owned by another and shared with an authorised
// group. Counting each branch separately lets the database count index
// ranges (events_visibility_idx) instead of testing every event, which
// keeps a user's unfiltered events/index total as cheap as a site
// admin's (docs/benchmarks.md).
func (t *tx) eventVisibleBranches(a *args, e string, actor *misp.Actor) []string {
	switch {
	case noActor(actor):
		return []string{"FALSE"}
	case actor.SiteAdmin():
		return []string{"TRUE"}
	}
	v := t.eventVisibility(a, e, actor)
	published := ""
	if v.published != "" {
		published = " AND " + v.published
	}
	return []string{
		"(" + v.own + ")",
		"(" + v.other + " AND " + v.everyone + published + ")",
		"(" + v.other + " AND " + v.group + published + ")",
	}
}

// eventVisibility holds the terms eventVisible and eventVisibleBranches
// are built from, for a non-site-admin.
type eventVisibility struct {
	own, other      string // owned by the actor's organisation, or not
	everyone, group string // distribution 1–3; 4 with an authorised group
	published       string // "" unless the policy hides unpublished events
}

func (t *tx) eventVisibility(a *args, e string, actor *misp.Actor) eventVisibility {
	org := a.add(actor.OrgID())
	v := eventVisibility{
		own:      e + ".org_id = " + org,
		other:    e + ".org_id <> " + org,
		everyone: e + ".distribution BETWEEN 1 AND 3",
		group:    "(" + e + ".distribution = 4 AND " + t.groupIn(a, e+".sharing_group_id", actor) + ")",
	}
	if t.policy.UnpublishedPrivate {
		v.published = e + ".published = TRUE"
	}
	return v
}

// elementDistVisible is the element part of §4.1 for the attributes or
// objects row x of the events row e, for a non-site-admin of organisation
// org: distributions 1, 2, 3 and 5 (inherit: the event check passed
// already), 0 for the event's owner organisation, 4 for an authorised
// sharing group. A distribution-4 element of a group outside the actor's
// authorised set is hidden from the owner organisation too: MISP's
// fetchEvent removes it (§4.1 second pass, §13 #15), and Razmena applies
// that on every path, not only on events/view.
func elementDistVisible(e, x, org, groups string) string {
	return "(" + x + ".distribution BETWEEN 1 AND 3 OR " + x + ".distribution = 5 OR (" + x + ".distribution = 0 AND " + e + ".org_id = " + org +
		") OR (" + x + ".distribution = 4 AND " + inGroups(x+".sharing_group_id", groups) + "))"
}

// elementTerms binds what elementDistVisible needs for actor: the org
// placeholder, and the placeholders of the authorised groups ("" for
// none).
func (t *tx) elementTerms(a *args, actor *misp.Actor) (org, groups string) {
	return a.add(actor.OrgID()), inList(a, t.authorisedGroups(actor.OrgID()))
}

// inGroups is "col IN (groups)", FALSE for no groups.
func inGroups(col, groups string) string {
	if groups == "" {
		return "FALSE"
	}
	return col + " IN (" + groups + ")"
}

// attributeDistVisible is elementDistVisible for the attributes row x,
// adding that the object of an object attribute must be visible too: its
// attributes are only reachable through it (§4.1, §4.2).
func attributeDistVisible(e, x, org, groups string) string {
	xo := x + "_ob"
	return "(" + elementDistVisible(e, x, org, groups) + " AND (" + x + ".object_id = 0 OR EXISTS (SELECT 1 FROM objects " + xo +
		" WHERE " + xo + ".id = " + x + ".object_id AND " + elementDistVisible(e, xo, org, groups) + ")))"
}

// attributeVisible returns the predicate for the attributes row x of the
// events row e (misp-access-control §4.2): the event is visible, and so
// are the attribute and, for an object attribute, its object.
func (t *tx) attributeVisible(a *args, e, x string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	org, groups := t.elementTerms(a, actor)
	return "(" + t.eventVisible(a, e, actor) + " AND " + attributeDistVisible(e, x, org, groups) + ")"
}

// attributeScanVisible is attributeVisible written as one expression
// over both rows, for a scan of attributes joined with their events: its
// event half cannot be evaluated on the events rows alone, which is what
// keeps SQLite from building a Bloom filter of the visible events before
// the scan (a read of every event per statement: 7 ms at 20,000 events,
// paid again by every chunk of a stream, and growing with the instance).
func (t *tx) attributeScanVisible(a *args, e, x string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	v := t.eventVisibility(a, e, actor)
	org, groups := t.elementTerms(a, actor)
	d := attributeDistVisible(e, x, org, groups)
	then := d
	if v.published != "" {
		then = "(" + v.published + " AND " + d + ")"
	}
	return "(CASE WHEN " + v.own + " THEN " + d + " WHEN " + v.everyone + " THEN " + then +
		" WHEN " + v.group + " THEN " + then + " ELSE FALSE END)"
}

// objectVisible is attributeVisible for the objects row x.
func (t *tx) objectVisible(a *args, e, x string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	org, groups := t.elementTerms(a, actor)
	return "(" + t.eventVisible(a, e, actor) + " AND " + elementDistVisible(e, x, org, groups) + ")"
}

// referenceTargetVisible returns the predicate under which the target of
// the object_references row r (in the events row e) is visible to actor:
// an attribute or object of the same event that attributeVisible or
// objectVisible admits, and that is live or whose deletion the actor may
// see. MISP shows references to hidden targets with their uuid and
// relationship; Razmena drops them (§4.5, §13 #7). The event itself and
// the reference's source object are the caller's to check.
func (t *tx) referenceTargetVisible(a *args, e, r string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	org, groups := t.elementTerms(a, actor)
	deleted := deletedVisible(a, e, actor)
	ra, ro := r+"_at", r+"_ob"
	return "((" + r + ".referenced_type = 0 AND EXISTS (SELECT 1 FROM attributes " + ra + " WHERE " + ra + ".id = " + r +
		".referenced_id AND " + ra + ".event_id = " + r + ".event_id AND " + attributeDistVisible(e, ra, org, groups) +
		" AND (" + ra + ".deleted = FALSE OR " + deleted + "))) OR (" + r + ".referenced_type = 1 AND EXISTS (SELECT 1 FROM objects " + ro +
		" WHERE " + ro + ".id = " + r + ".referenced_id AND " + ro + ".event_id = " + r + ".event_id AND " +
		elementDistVisible(e, ro, org, groups) + " AND (" + ro + ".deleted = FALSE OR " + deleted + "))))"
}

// creatorEmailVisible reports whether actor receives the event's
// event_creator_email: site admins, and perm_audit users of the creator
// organisation (orgc_id, not the owner; misp-access-control §4.5).
func creatorEmailVisible(actor *misp.Actor, e *misp.Event) bool {
	if noActor(actor) {
		return false
	}
	return actor.SiteAdmin() || (bool(actor.Perms.Audit) && int64(e.OrgcID) == actor.OrgID())
}

// deletedVisible returns the predicate under which soft-deleted elements
// of the events row e are returned to actor: the owner organisation,
// site admins and sync users (misp-access-control §4.4, applied on every
// path as §13 #3 recommends).
func deletedVisible(a *args, e string, actor *misp.Actor) string {
	switch {
	case noActor(actor):
		return "FALSE"
	case actor.SiteAdmin() || bool(actor.Perms.Sync):
		return "TRUE"
	}
	return "(" + e + ".org_id = " + a.add(actor.OrgID()) + ")"
}

// deletedFilter returns the predicate selecting rows by their deleted
// column col according to f.
func deletedFilter(col string, f misp.DeletedFilter) string {
	switch f {
	case misp.DeletedInclude:
		return "TRUE"
	case misp.DeletedOnly:
		return col + " = TRUE"
	}
	return col + " = FALSE"
}

// elementDeleted returns the predicate for the deleted column col of an
// element of event e, honouring f only where the actor may see deleted
// elements and excluding them otherwise.
func elementDeleted(a *args, e, col string, f misp.DeletedFilter, actor *misp.Actor) string {
	if f == misp.DeletedExclude {
		return col + " = FALSE"
	}
	return "(" + deletedFilter(col, f) + " AND (" + col + " = FALSE OR " + deletedVisible(a, e, actor) + "))"
}
