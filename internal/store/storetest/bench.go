package storetest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// EventIndexBench sizes the world of BenchEventIndexVisibility.
type EventIndexBench struct {
	Events int // default 100,000
	Orgs   int // default 50
	Groups int // sharing groups, default 10
	// Placeholder renders the n-th (1-based) bind placeholder of the
	// dialect: "$1" for PostgreSQL, "?1" for SQLite.
	Placeholder func(n int) string
	// Analyze, if set, runs after loading: for PostgreSQL, VACUUM
	// ANALYZE, which autovacuum soon does on a real instance (statistics,
	// and the visibility map index-only scans need).
	Analyze string
}

// BenchEventIndexVisibility measures one events/index page (FindEvents,
// 60 events sorted by timestamp descending) as a normal organisation user
// and as a site admin, and the same page as raw SQL without any
// visibility predicate, over a store loaded with bulk INSERTs: events of
// every distribution spread over the organisations, a fifth of them
// shared with sharing groups. Each query shape runs unfiltered and with
// two filters (published since a date; one creator organisation). The
// store s and the handle db must be the same empty, migrated database.
//
// The raw baseline runs in a read-only transaction what FindEvents runs —
// the page query, the count and the tag query of the page — without any
// visibility predicate, so that user/raw isolates the predicate's cost.
func BenchEventIndexVisibility(b *testing.B, s *Stores, db *sql.DB, cfg EventIndexBench) {
	if cfg.Events == 0 {
		cfg.Events = 100_000
	}
	if cfg.Orgs == 0 {
		cfg.Orgs = 50
	}
	if cfg.Groups == 0 {
		cfg.Groups = 10
	}
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(1, 2))

	// Organisations, a user of the first, a site admin, tags and sharing
	// groups go through the store. Each organisation is a member of one
	// group (five members a group); the first group also lists this
	// instance with all_orgs.
	must := func(what string, err error) {
		if err != nil {
			b.Fatalf("%s: %v", what, err)
		}
	}
	actor := func(org *misp.Organisation, role int64, email string) *misp.Actor {
		u := &misp.User{Email: email, OrgID: org.ID, RoleID: misp.Int(role), PasswordHash: "x"}
		must("CreateUser", s.Users.CreateUser(ctx, u))
		r, err := s.Roles.FindRoleByID(ctx, role)
		must("FindRoleByID", err)
		return misp.NewActor(u, r, org, 0, false)
	}
	var orgs []*misp.Organisation
	for i := range cfg.Orgs {
		o := &misp.Organisation{Name: fmt.Sprintf("Bench org %02d", i), Local: true}
		must("CreateOrg", s.Orgs.CreateOrg(ctx, o))
		orgs = append(orgs, o)
	}
	user := actor(orgs[0], misp.RoleUser, "user@bench.test")
	admin := actor(orgs[1], misp.RoleAdmin, "admin@bench.test")
	var tags []int64
	for _, n := range []string{"tlp:white", "tlp:green", "tlp:amber", "tlp:red"} {
		tag := &misp.Tag{Name: n, Exportable: true}
		must("CreateTag", s.Tags.CreateTag(ctx, tag))
		tags = append(tags, int64(tag.ID))
	}
	var groups []int64
	for i := range cfg.Groups {
		g := newSharingGroup(fmt.Sprintf("Bench group %02d", i), orgs[i%cfg.Orgs])
		for j := range 5 {
			g.SharingGroupOrg = append(g.SharingGroupOrg, &misp.SharingGroupOrg{OrgID: orgs[(i*5+j)%cfg.Orgs].ID})
		}
		if i == 0 {
			g.SharingGroupServer = []*misp.SharingGroupServer{{ServerID: misp.LocalServerID, AllOrgs: true}}
		}
		must("CreateSharingGroup", s.SharingGroups.CreateSharingGroup(ctx, g))
		groups = append(groups, int64(g.ID))
	}

	// Events: raw multi-row INSERTs in one transaction. Distribution mix:
	// 30% org only, 10% community, 10% connected, 30% all, 20% sharing
	// group; 70% published; timestamps over a year.
	start := Start.Unix() - 365*24*3600
	cols := []string{"uuid", "org_id", "orgc_id", "user_id", "date", "info", "distribution", "sharing_group_id",
		"published", "publish_timestamp", "timestamp", "attribute_count"}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	const perStmt = 500
	for first := 0; first < cfg.Events; first += perStmt {
		var q strings.Builder
		q.WriteString("INSERT INTO events (" + strings.Join(cols, ", ") + ") VALUES ")
		var args []any
		for i := first; i < min(first+perStmt, cfg.Events); i++ {
			if i > first {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for c := range cols {
				if c > 0 {
					q.WriteString(", ")
				}
				q.WriteString(cfg.Placeholder(len(args) + c + 1))
			}
			q.WriteString(")")
			org := orgs[rng.IntN(cfg.Orgs)]
			dist, sgID := 0, int64(0)
			switch r := rng.IntN(10); {
			case r < 3:
			case r < 4:
				dist = 1
			case r < 5:
				dist = 2
			case r < 8:
				dist = 3
			default:
				dist, sgID = 4, groups[rng.IntN(len(groups))]
			}
			ts := start + int64(i)*365*24*3600/int64(cfg.Events) + rng.Int64N(3600)
			published := rng.IntN(10) < 7
			pubTS := int64(0)
			if published {
				pubTS = ts
			}
			args = append(args, misp.NewUUID(), int64(org.ID), int64(org.ID), 0,
				Start.AddDate(0, 0, -365+i*365/cfg.Events).Format("2006-01-02"), "bench event "+strconv.Itoa(i),
				dist, sgID, published, pubTS, ts, rng.IntN(50))
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatalf("insert events: %v", err)
		}
	}
	// One TLP tag per event; the four tags were created in a row.
	if tags[3] != tags[0]+3 {
		b.Fatalf("tag ids %v are not consecutive", tags)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO event_tags (event_id, tag_id, local) SELECT id, "+
		cfg.Placeholder(1)+" + id % 4, FALSE FROM events", tags[0]); err != nil {
		b.Fatalf("insert event tags: %v", err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if cfg.Analyze != "" {
		if _, err := db.ExecContext(ctx, cfg.Analyze); err != nil {
			b.Fatal(err)
		}
	}

	since := Start.AddDate(0, -3, 0).Format("2006-01-02")
	variants := []struct {
		name string
		f    misp.EventFilter
		raw  string // WHERE clause of the raw baseline
		args []any
	}{
		{"page", misp.EventFilter{}, "TRUE", nil},
		{"published-since", misp.EventFilter{Published: ptr(true), DateFrom: since},
			"e.published = " + cfg.Placeholder(1) + " AND e.date >= " + cfg.Placeholder(2), []any{true, since}},
		{"orgc", misp.EventFilter{OrgcIDs: []int64{int64(orgs[7].ID)}},
			"e.orgc_id IN (" + cfg.Placeholder(1) + ")", []any{int64(orgs[7].ID)}},
	}
	for _, v := range variants {
		f := v.f
		f.Limit, f.Page, f.Sort, f.Desc = 60, 1, "timestamp", true
		for _, who := range []struct {
			name  string
			actor *misp.Actor
		}{{"user", user}, {"admin", admin}} {
			b.Run(v.name+"/"+who.name, func(b *testing.B) {
				for b.Loop() {
					events, total, err := s.Events.FindEvents(ctx, who.actor, f)
					if err != nil || len(events) == 0 || total == 0 {
						b.Fatalf("FindEvents() = %d events of %d, %v", len(events), total, err)
					}
				}
			})
		}
		b.Run(v.name+"/raw", func(b *testing.B) {
			q := `SELECT e.id, e.uuid, e.org_id, e.orgc_id, e.user_id, e.date, e.info, e.threat_level_id,
				e.analysis, e.distribution, e.sharing_group_id, e.published, e.publish_timestamp, e.timestamp,
				e.sighting_timestamp, e.attribute_count, e.proposal_email_lock, e.locked,
				e.disable_correlation, e.extends_uuid, e.protected,
				o.name, o.uuid, o.local, oc.name, oc.uuid, oc.local
				FROM events e JOIN organisations o ON o.id = e.org_id JOIN organisations oc ON oc.id = e.orgc_id
				WHERE ` + v.raw + ` ORDER BY e.timestamp DESC, e.id DESC LIMIT 60`
			count := "SELECT COUNT(*) FROM events e WHERE " + v.raw
			for b.Loop() {
				if err := benchRawPage(b, db, q, count, v.args, cfg.Placeholder); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRawPage runs the raw page query, the count and the tag query of
// the page in a read-only transaction.
func benchRawPage(b *testing.B, db *sql.DB, q, count string, args []any, ph func(int) string) error {
	ctx := b.Context()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() {
		// Read-only: after a failure, the error that caused it matters.
		_ = tx.Rollback()
	}()
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	var ids []any
	for rows.Next() {
		vals := make([]any, 27)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, vals[0])
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("raw page is empty")
	}
	var total int64
	if err := tx.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
		return err
	}
	in := make([]string, len(ids))
	for i := range ids {
		in[i] = ph(i + 1)
	}
	rows, err = tx.QueryContext(ctx, `SELECT t.id, t.name, t.colour, t.exportable, t.org_id, t.user_id, t.hide_tag,
		t.numerical_value, t.is_galaxy, t.is_custom_galaxy, t.local_only, et.event_id, et.local, et.relationship_type
		FROM event_tags et JOIN tags t ON t.id = et.tag_id WHERE et.event_id IN (`+strings.Join(in, ", ")+") ORDER BY et.id", ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return tx.Commit()
}
