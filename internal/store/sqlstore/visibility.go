package sqlstore

import "github.com/razmena/razmena/internal/misp"

// This file is the single place where data visibility becomes SQL. Every
// read and write of events, attributes, objects, references and tag links
// joins the event row and adds these predicates, so that an event the
// actor may not see behaves exactly as a missing one. Widening the rules
// to distribution levels and sharing groups (misp-access-control §3, §4)
// means changing these functions only.

// eventVisible returns the predicate under which the events row aliased e
// is visible to actor (misp-access-control §3). Today: a site admin sees
// every event, others the events their organisation owns (org_id, not
// orgc_id).
func eventVisible(a *args, e string, actor *misp.Actor) string {
	switch {
	case actor == nil || actor.User == nil:
		return "FALSE"
	case actor.SiteAdmin():
		return "TRUE"
	}
	return "(" + e + ".org_id = " + a.add(actor.OrgID()) + ")"
}

// attributeVisible returns the predicate for the attributes row x of the
// events row e (misp-access-control §4.2). Today attributes share their
// event's visibility.
func attributeVisible(a *args, e, x string, actor *misp.Actor) string {
	_ = x // element distribution is not applied yet
	return eventVisible(a, e, actor)
}

// objectVisible is attributeVisible for the objects row x.
func objectVisible(a *args, e, x string, actor *misp.Actor) string {
	_ = x
	return eventVisible(a, e, actor)
}

// deletedVisible returns the predicate under which soft-deleted elements
// of the events row e are returned to actor: the owner organisation,
// site admins and sync users (misp-access-control §4.4, applied on every
// path as §13 #3 recommends).
func deletedVisible(a *args, e string, actor *misp.Actor) string {
	switch {
	case actor == nil || actor.User == nil:
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
