package restapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// This file describes the leak matrix's world as plain data (leakWorld)
// and builds it in a test environment. The oracle (leak_oracle_test.go)
// reads only the description; the store is never asked what is visible.

// leakDist is a distribution level, with the sharing group's key for 4.
type leakDist struct {
	Level int
	SG    string
}

func (d leakDist) String() string {
	if d.Level == 4 {
		return "4:" + d.SG
	}
	return strconv.Itoa(d.Level)
}

// slot names a standalone attribute of distribution d: d0 … d5, d4AC.
func (d leakDist) slot() string { return "d" + strconv.Itoa(d.Level) + d.SG }

// leakSG is a sharing group: its owner, member organisations and servers.
type leakSG struct {
	Key, UUID string
	Owner     string   // organisation key
	Orgs      []string // member organisations
	// LocalAll lists this instance (server 0) with all_orgs.
	LocalAll bool
	// RemoteAll lists another instance with all_orgs, which grants
	// nothing locally.
	RemoteAll bool
	Active    bool
}

// leakAttr is an attribute, standalone or in an object.
type leakAttr struct {
	UUID, Slot, Value string
	Dist              leakDist
	Deleted           bool
	Tag               string // name of the plain tag attached to it
	LocalTag          bool
	// GalaxyTag is the tag of a cluster of the world (leakCluster),
	// attached too.
	GalaxyTag string
}

// leakRef is an object reference to an attribute or object of the event.
type leakRef struct {
	UUID, Target string // Target is the uuid of an attribute or object
	Deleted      bool
}

// leakObject is an object with its attributes and references.
type leakObject struct {
	UUID, Slot string
	Dist       leakDist
	Deleted    bool
	Attrs      []*leakAttr
	Refs       []*leakRef
}

// leakEvent is an event: Owner is org_id, Orgc the creator organisation,
// Creator the key of the user who created it.
type leakEvent struct {
	UUID, Info, Owner, Orgc, Creator string
	Dist                             leakDist
	Published                        bool
	Tags                             []leakEventTag
	Attrs                            []*leakAttr
	Objects                          []*leakObject
}

type leakEventTag struct {
	Name  string
	Local bool
}

// leakUser is a user of organisation Org with default role Role; the
// flags are what misp-access-control §9.2 gives that role.
type leakUser struct {
	Key, Org, Email string
	Role            int64
	SiteAdmin, Sync bool
	Audit           bool
	OrgAdmin        bool // perm_admin
}

// leakWorld is the whole description.
type leakWorld struct {
	Orgs   []string
	SGs    []*leakSG
	Users  []*leakUser
	Events []*leakEvent
	// Galaxies and Clusters are the galaxy clusters whose tags the events
	// and attributes carry (leak_galaxy_test.go), clusters in id order.
	Galaxies []*leakGalaxy
	Clusters []*leakCluster
	// Logged lists the authors of the audit log's entries once the world
	// is built: user keys (each sends one POST events/index, which is
	// recorded) and leakSystem (a failed authentication).
	Logged []string
}

// leakSystem is the author of the audit entries no user caused.
const leakSystem = "SYSTEM"

// leakRemoteServer is the id of the other instance the "remote" group
// lists; this instance is server 0.
const leakRemoteServer = 7

// leakRoles are MISP's default roles (misp-access-control §9.2) with the
// flags that decide visibility: site admin, sync (deleted elements),
// audit (event_creator_email, the audit log) and admin (the audit log of
// the organisation).
var leakRoles = []struct {
	id                            int64
	name                          string
	siteAdmin, sync, audit, admin bool
}{
	{1, "admin", true, true, true, true},
	{2, "orgadmin", false, false, true, true},
	{3, "user", false, false, true, false},
	{4, "publisher", false, false, true, false},
	{5, "sync", false, true, true, false},
	{6, "readonly", false, false, true, false},
}

// leakUUID is the n-th fixture uuid.
func leakUUID(n int) string { return fmt.Sprintf("1ea4e000-0000-4000-8000-%012x", n) }

// leakSGUUID is the uuid of the n-th sharing group.
func leakSGUUID(n int) string { return fmt.Sprintf("5a4e0000-0000-4000-8000-%012x", n) }

// leakDescribe generates the world: organisations A, B, C; five sharing
// groups (A+C; this instance with all_orgs; owned by B without B as a
// member; inactive with A+B; a remote server with all_orgs); a user of
// every organisation with every default role; and events owned by A at
// every event distribution, published and not, plus events owned by B
// but created by C (pushed by B's sync user). Every event holds the same
// slots: standalone attributes at every element distribution and
// deleted ones, objects hiding or showing their attributes, a deleted
// object, and references to visible, hidden and deleted targets. Every
// event carries the tag of every galaxy cluster of the world
// (leakDescribeClusters) and every attribute one of them. Every user and
// the system have entries in the audit log.
func leakDescribe() *leakWorld {
	w := &leakWorld{Orgs: []string{"A", "B", "C"}}
	w.SGs = []*leakSG{
		{Key: "AC", Owner: "A", Orgs: []string{"A", "C"}, Active: true},
		{Key: "all", Owner: "C", Orgs: []string{"C"}, LocalAll: true, Active: true},
		{Key: "Bown", Owner: "B", Orgs: []string{"C"}, Active: true},
		{Key: "ABoff", Owner: "A", Orgs: []string{"A", "B"}, Active: false},
		{Key: "remote", Owner: "A", RemoteAll: true, Active: true},
	}
	for i, g := range w.SGs {
		g.UUID = leakSGUUID(i + 1)
	}
	for _, org := range w.Orgs {
		for _, r := range leakRoles {
			w.Users = append(w.Users, &leakUser{
				Key: org + "-" + r.name, Org: org, Role: r.id,
				Email:     fmt.Sprintf("leak-%s@%s.example", r.name, org),
				SiteAdmin: r.siteAdmin, Sync: r.sync, Audit: r.audit, OrgAdmin: r.admin,
			})
		}
	}
	for _, u := range w.Users {
		w.Logged = append(w.Logged, u.Key)
	}
	w.Logged = append(w.Logged, leakSystem)

	eventDists := []leakDist{{Level: 0}, {Level: 1}, {Level: 2}, {Level: 3}}
	elemDists := []leakDist{{Level: 0}, {Level: 1}, {Level: 2}, {Level: 3}}
	for _, g := range w.SGs {
		eventDists = append(eventDists, leakDist{Level: 4, SG: g.Key})
		elemDists = append(elemDists, leakDist{Level: 4, SG: g.Key})
	}
	elemDists = append(elemDists, leakDist{Level: 5})

	n := 0
	next := func() string { n++; return leakUUID(n) }
	newEvent := func(owner, orgc, creator string, d leakDist, published bool) {
		state := "draft"
		if published {
			state = "published"
		}
		ev := &leakEvent{UUID: next(), Owner: owner, Orgc: orgc, Creator: creator, Dist: d, Published: published,
			Info: fmt.Sprintf("leak %s/%s %s %s", owner, orgc, d, state),
			Tags: []leakEventTag{{Name: "leak:event"}, {Name: "leak:event-local", Local: true}}}
		slots := 0
		attr := func(slot string, d leakDist, deleted bool) *leakAttr {
			slots++
			return &leakAttr{UUID: next(), Slot: slot, Value: "leak-" + slot + ".example", Dist: d,
				Deleted: deleted, Tag: "leak:" + slot, LocalTag: slots%2 == 0}
		}
		bySlot := map[string]string{}
		for _, d := range elemDists {
			a := attr(d.slot(), d, false)
			ev.Attrs = append(ev.Attrs, a)
			bySlot[a.Slot] = a.UUID
		}
		for _, a := range []*leakAttr{attr("del-5", leakDist{Level: 5}, true), attr("del-0", leakDist{Level: 0}, true)} {
			ev.Attrs = append(ev.Attrs, a)
			bySlot[a.Slot] = a.UUID
		}
		object := func(slot string, d leakDist, deleted bool, attrs ...*leakAttr) *leakObject {
			o := &leakObject{UUID: next(), Slot: slot, Dist: d, Deleted: deleted, Attrs: attrs}
			ev.Objects = append(ev.Objects, o)
			bySlot[slot] = o.UUID
			return o
		}
		d5, d0, d3 := leakDist{Level: 5}, leakDist{Level: 0}, leakDist{Level: 3}
		object("o0", d0, false, attr("o0.a5", d5, false))
		object("o5", d5, false, attr("o5.a5", d5, false), attr("o5.a0", d0, false), attr("o5.a4AC", leakDist{4, "AC"}, false))
		object("o4AC", leakDist{4, "AC"}, false, attr("o4AC.a3", d3, false))
		object("o4Bown", leakDist{4, "Bown"}, false, attr("o4Bown.a5", d5, false))
		object("o3hid", d3, false, attr("o3hid.a0", d0, false), attr("o3hid.a4remote", leakDist{4, "remote"}, false))
		object("odel", d5, true, attr("odel.a5", d5, true))
		holder := object("oref", d5, false, attr("oref.a5", d5, false))
		for _, target := range []string{"d0", "d3", "d4AC", "d4remote", "del-5", "o4AC", "o5", "o3hid", "odel"} {
			holder.Refs = append(holder.Refs, &leakRef{UUID: next(), Target: bySlot[target]})
		}
		holder.Refs = append(holder.Refs, &leakRef{UUID: next(), Target: bySlot["d1"], Deleted: true})
		w.Events = append(w.Events, ev)
	}
	for _, d := range eventDists {
		for _, published := range []bool{false, true} {
			newEvent("A", "A", "A-user", d, published)
		}
	}
	// Owned by B (B's sync user stored them) but created by C: visibility
	// follows B, event_creator_email follows C.
	for _, d := range []leakDist{{Level: 0}, {Level: 3}, {Level: 4, SG: "Bown"}, {Level: 4, SG: "AC"}} {
		newEvent("B", "C", "B-sync", d, true)
	}
	newEvent("B", "C", "B-sync", leakDist{Level: 3}, false)
	leakDescribeClusters(w)
	leakAttachClusters(w)
	return w
}

// leakFixture is a built world: the description, the test environment
// and what the store assigned (ids, users' keys).
type leakFixture struct {
	*leakWorld
	env   *testEnv
	orgs  map[string]*misp.Organisation
	users map[string]*testUser
	sgIDs map[string]int64
	ids   map[string]int64 // uuid → id of every event, attribute, object and reference
}

// leakBuild creates the world in env: organisations C (A and B are the
// environment's), users, sharing groups (plain INSERTs: the fixture does
// not depend on the sharing-group store) and events, through the store,
// then the audit entries, through the API.
func leakBuild(t *testing.T, env *testEnv, w *leakWorld) *leakFixture {
	t.Helper()
	ctx := context.Background()
	f := &leakFixture{leakWorld: w, env: env, orgs: map[string]*misp.Organisation{"A": env.OrgA, "B": env.OrgB},
		users: map[string]*testUser{}, sgIDs: map[string]int64{}, ids: map[string]int64{}}
	f.orgs["C"] = env.mustOrg(t, "ORGNAME-C", "33333333-3333-4333-8333-333333333333")
	for i, u := range w.Users {
		f.users[u.Key] = env.mustUser(t, u.Email, f.orgs[u.Org], u.Role, 100+i)
	}
	leakInsertSGs(t, f)
	leakInsertClusters(t, f)

	for _, le := range w.Events {
		creator := f.users[le.Creator]
		ev := &misp.Event{UUID: le.UUID, Info: le.Info, Date: "2026-01-10", ThreatLevelID: misp.ThreatLevelLow,
			Analysis: misp.AnalysisInitial, Distribution: misp.Distribution(le.Dist.Level),
			SharingGroupID: misp.Int(f.sgID(le.Dist)), Published: misp.Bool(le.Published),
			OrgcID: f.orgs[le.Orgc].ID}
		for _, tg := range le.Tags {
			ev.Tag = append(ev.Tag, &misp.AttachedTag{Name: tg.Name, Local: misp.Bool(tg.Local)})
		}
		for _, la := range le.Attrs {
			ev.Attribute = append(ev.Attribute, f.attribute(la, ""))
		}
		for _, lo := range le.Objects {
			o := &misp.Object{UUID: lo.UUID, Name: "leak-" + lo.Slot, MetaCategory: "misc",
				TemplateUUID: "a1b2c3d4-0000-4000-8000-000000000001", TemplateVersion: 1,
				Distribution: misp.Distribution(lo.Dist.Level), SharingGroupID: misp.Int(f.sgID(lo.Dist)),
				Deleted: misp.Bool(lo.Deleted)}
			for _, la := range lo.Attrs {
				o.Attribute = append(o.Attribute, f.attribute(la, "text"))
			}
			for _, lr := range lo.Refs {
				o.ObjectReference = append(o.ObjectReference, &misp.ObjectReference{UUID: lr.UUID,
					ReferencedUUID: lr.Target, RelationshipType: "related-to", Deleted: misp.Bool(lr.Deleted)})
			}
			ev.Object = append(ev.Object, o)
		}
		if err := env.DB.CreateEvent(ctx, creator.Actor(), ev, true); err != nil {
			t.Fatalf("CreateEvent(%s): %v", le.Info, err)
		}
		f.ids[ev.UUID] = int64(ev.ID)
		for _, a := range ev.Attribute {
			f.ids[a.UUID] = int64(a.ID)
		}
		for _, o := range ev.Object {
			f.ids[o.UUID] = int64(o.ID)
			for _, a := range o.Attribute {
				f.ids[a.UUID] = int64(a.ID)
			}
			for _, r := range o.ObjectReference {
				f.ids[r.UUID] = int64(r.ID)
			}
		}
	}
	// Every element of the description must exist, or the matrix would
	// test less than it claims.
	for _, le := range w.Events {
		le.each(func(uuid string) {
			if f.ids[uuid] == 0 {
				t.Fatalf("fixture element %s of %q was not stored", uuid, le.Info)
			}
		})
	}
	leakAudit(t, f)
	return f
}

// leakAudit makes the audit entries of w.Logged: the audit log records
// every state-changing request, POST events/index (a read) among them,
// and every failed authentication.
func leakAudit(t *testing.T, f *leakFixture) {
	t.Helper()
	for _, author := range f.Logged {
		key, want := strings.Repeat("x", 40), http.StatusForbidden // a key nobody has
		if author != leakSystem {
			key, want = f.users[author].Key, http.StatusOK
		}
		if status, _, body := f.env.do(t, "POST", "/events/index", key, obj{"limit": 1}); status != want {
			t.Fatalf("audit entry of %s: POST /events/index: %d %s, want %d", author, status, body, want)
		}
	}
}

// each calls fn with the uuid of the event and of every element in it.
func (le *leakEvent) each(fn func(uuid string)) {
	fn(le.UUID)
	for _, a := range le.Attrs {
		fn(a.UUID)
	}
	for _, o := range le.Objects {
		fn(o.UUID)
		for _, a := range o.Attrs {
			fn(a.UUID)
		}
		for _, r := range o.Refs {
			fn(r.UUID)
		}
	}
}

func (f *leakFixture) sgID(d leakDist) int64 {
	if d.Level != 4 {
		return 0
	}
	return f.sgIDs[d.SG]
}

// attribute is the stored form of la; relation is set for object attributes.
func (f *leakFixture) attribute(la *leakAttr, relation string) *misp.Attribute {
	a := &misp.Attribute{UUID: la.UUID, Type: "text", Category: "Other", Value: la.Value,
		Distribution: misp.Distribution(la.Dist.Level), SharingGroupID: misp.Int(f.sgID(la.Dist)),
		Deleted: misp.Bool(la.Deleted), Tag: []*misp.AttachedTag{{Name: la.Tag, Local: misp.Bool(la.LocalTag)}}}
	if la.GalaxyTag != "" {
		a.Tag = append(a.Tag, &misp.AttachedTag{Name: la.GalaxyTag, Local: misp.Bool(!la.LocalTag)})
	}
	if relation != "" {
		a.ObjectRelation = &relation
	}
	return a
}

// leakInsertSGs stores the sharing groups with plain INSERTs.
func leakInsertSGs(t *testing.T, f *leakFixture) {
	t.Helper()
	ctx := context.Background()
	db := f.env.DB.SQL()
	for _, g := range f.SGs {
		owner := f.orgs[g.Owner]
		var id int64
		err := db.QueryRowContext(ctx, leakSQL(`INSERT INTO sharing_groups (uuid, name, org_id, organisation_uuid, active, local, created, modified)
			VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id`),
			g.UUID, "leak "+g.Key, int64(owner.ID), owner.UUID, g.Active, testStart.Unix()).Scan(&id)
		if err != nil {
			t.Fatalf("insert sharing group %s: %v", g.Key, err)
		}
		f.sgIDs[g.Key] = id
		for _, org := range g.Orgs {
			if _, err := db.ExecContext(ctx, leakSQL("INSERT INTO sharing_group_orgs (sharing_group_id, org_id, extend) VALUES ($1, $2, FALSE)"),
				id, int64(f.orgs[org].ID)); err != nil {
				t.Fatalf("insert member %s of %s: %v", org, g.Key, err)
			}
		}
		for _, s := range []struct {
			on       bool
			serverID int64
		}{{g.LocalAll, 0}, {g.RemoteAll, leakRemoteServer}} {
			if !s.on {
				continue
			}
			if _, err := db.ExecContext(ctx, leakSQL("INSERT INTO sharing_group_servers (sharing_group_id, server_id, all_orgs) VALUES ($1, $2, TRUE)"),
				id, s.serverID); err != nil {
				t.Fatalf("insert server %d of %s: %v", s.serverID, g.Key, err)
			}
		}
	}
}

// leakSQL adapts a query written with PostgreSQL's $N placeholders to the
// current store: SQLite numbers them ?N.
func leakSQL(s string) string {
	if testStore == "postgres" {
		return s
	}
	return strings.ReplaceAll(s, "$", "?")
}
