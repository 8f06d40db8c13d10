// Package storetest is the conformance suite every implementation of the
// misp store interfaces must pass (STYLE §10). Each dialect package runs
//
//	func TestConformance(t *testing.T) { storetest.Run(t, openTestStore) }
//
// where openTestStore returns a fresh, migrated, empty store whose clock
// reads Stores.Clock.
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/razmena/razmena/internal/misp"
)

// Store is everything a complete store implementation provides.
type Store interface {
	misp.RoleStore
	misp.OrgStore
	misp.UserStore
	misp.AuthKeyStore
	misp.TagStore
	misp.EventStore
	misp.AttributeStore
	misp.ObjectStore
	misp.SettingStore
	misp.AuditStore
	misp.SharingGroupStore
	misp.AttributeSearchStore
	misp.EventSearchStore
	misp.TaxonomyStore
	misp.GalaxyStore
	misp.ObjectTemplateStore
	misp.WarninglistStore
	misp.CorrelationStore
	Optimizer
}

// Optimizer refreshes the database's planner statistics (sqlstore
// DB.Optimize, run by the server at start and hourly).
type Optimizer interface {
	Optimize(ctx context.Context) error
}

// Stores bundles the per-aggregate interfaces under test and the clock the
// store takes its timestamps from.
type Stores struct {
	Roles      misp.RoleStore
	Orgs       misp.OrgStore
	Users      misp.UserStore
	AuthKeys   misp.AuthKeyStore
	Tags       misp.TagStore
	Events     misp.EventStore
	Attributes misp.AttributeStore
	Objects    misp.ObjectStore
	Settings   misp.SettingStore
	Audit      misp.AuditStore
	// SharingGroups is the sharing-group store.
	SharingGroups misp.SharingGroupStore
	// AttributeSearch finds attributes across events.
	AttributeSearch misp.AttributeSearchStore
	// EventSearch selects events for events/restSearch.
	EventSearch misp.EventSearchStore
	// The knowledge libraries.
	Taxonomies      misp.TaxonomyStore
	Galaxies        misp.GalaxyStore
	ObjectTemplates misp.ObjectTemplateStore
	Warninglists    misp.WarninglistStore
	// Correlations manages the correlation engine.
	Correlations misp.CorrelationStore
	// Optimizer refreshes planner statistics.
	Optimizer Optimizer
	// Clock must be the store's clock: the suite sets and advances it.
	Clock *Clock
	// SetUnpublishedPrivate switches the store's MISP.unpublishedprivate
	// policy; the implementation's test sets it, nil skips those tests.
	SetUnpublishedPrivate func(on bool)
}

// NewStores bundles one implementation of every interface with its clock.
func NewStores(s Store, clock *Clock) *Stores {
	return &Stores{Roles: s, Orgs: s, Users: s, AuthKeys: s, Tags: s, Events: s,
		Attributes: s, Objects: s, Settings: s, Audit: s, SharingGroups: s, AttributeSearch: s, EventSearch: s, Optimizer: s, Clock: clock,
		Taxonomies: s, Galaxies: s, ObjectTemplates: s, Warninglists: s, Correlations: s}
}

// Start is the time a fresh Clock reads.
var Start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock for stores under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading Start.
func NewClock() *Clock { return &Clock{t: Start} }

// Now returns the clock's time; use it as the store's clock function.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by the given number of seconds (the
// resolution of MISP timestamps).
func (c *Clock) Advance(seconds int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Duration(seconds) * time.Second)
}

// Unix returns the clock's time in Unix seconds.
func (c *Clock) Unix() int64 { return c.Now().Unix() }

// Run runs the conformance suite; open must return a fresh, migrated,
// empty store for each call (the suite calls it once per test).
func Run(t *testing.T, open func(t *testing.T) *Stores) {
	run(t, open, conformance)
}

// RunStreams runs the part of the conformance suite that streams
// attributes, for a store run again with another way of reading them.
func RunStreams(t *testing.T, open func(t *testing.T) *Stores) {
	run(t, open, []test{
		{"RestSearchFilters", testRestSearchFilters},
		{"StreamRechecksContext", testStreamRechecksContext},
		{"StreamWindows", testStreamWindows},
	})
}

type test struct {
	name string
	fn   func(t *testing.T, s *Stores)
}

func run(t *testing.T, open func(t *testing.T) *Stores, tests []test) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var conformance = []test{
	{"Roles", testRoles},
	{"RoleWrites", testRoleWrites},
	{"Settings", testSettings},
	{"Orgs", testOrgs},
	{"Users", testUsers},
	{"AuthKeys", testAuthKeys},
	{"Tags", testTags},
	{"CreateEvent", testCreateEvent},
	{"CreateEventOrgc", testCreateEventOrgc},
	{"CreateEventConflicts", testCreateEventConflicts},
	{"CreateEventDuplicates", testCreateEventDuplicates},
	{"CreateEventTags", testCreateEventTags},
	{"CreateEventReferences", testCreateEventReferences},
	{"FindEventOptions", testFindEventOptions},
	{"LoadEvents", testLoadEvents},
	{"FindEvents", testFindEvents},
	{"FindEventsFilters", testFindEventsFilters},
	{"FindEventsFilterLeaks", testFindEventsFilterLeaks},
	{"EditEvent", testEditEvent},
	{"EditEventMerge", testEditEventMerge},
	{"PublishAndDelete", testPublishAndDelete},
	{"Attributes", testAttributes},
	{"AttributeEditTags", testAttributeEditTags},
	{"AttributeDelete", testAttributeDelete},
	{"SearchAttributes", testSearchAttributes},
	{"SearchAttributePageTags", testSearchAttributePageTags},
	{"RestSearchFilters", testRestSearchFilters},
	{"StreamRechecksContext", testStreamRechecksContext},
	{"StreamWindows", testStreamWindows},
	{"Optimize", testOptimize},
	{"Objects", testObjects},
	{"ObjectDelete", testObjectDelete},
	{"ObjectReferences", testObjectReferences},
	{"TagAttachments", testTagAttachments},
	{"Visibility", testVisibility},
	{"DistributionEvents", testDistributionEvents},
	{"DistributionElements", testDistributionElements},
	{"DistributionReferences", testDistributionReferences},
	{"DistributionCreatorEmail", testDistributionCreatorEmail},
	{"DistributionUnpublishedPrivate", testDistributionUnpublishedPrivate},
	{"ConcurrentWrites", testConcurrentWrites},
	{"LargeEvent", testLargeEvent},
	{"Audit", testAudit},
	{"SharingGroups", testSharingGroups},
	{"SharingGroupMembers", testSharingGroupMembers},
	{"SharingGroupDelete", testSharingGroupDelete},
	{"SharingGroupVisibility", testSharingGroupVisibility},
	{"Taxonomies", testTaxonomies},
	{"Galaxies", testGalaxies},
	{"ObjectTemplates", testObjectTemplates},
	{"Warninglists", testWarninglists},
	{"Correlations", testCorrelations},
	{"CorrelationRules", testCorrelationRules},
	{"CorrelationExclusions", testCorrelationExclusions},
	{"CorrelationLimit", testCorrelationLimit},
	{"CorrelationWrites", testCorrelationWrites},
	{"CorrelationRebuild", testCorrelationRebuild},
	{"CorrelationLeaks", testCorrelationLeaks},
	{"CorrelationConcurrent", testCorrelationConcurrent},
	{"CorrelationCIDR", testCorrelationCIDR},
	{"CorrelationCIDRLimit", testCorrelationCIDRLimit},
	{"CorrelationCIDRRebuild", testCorrelationCIDRRebuild},
	{"CorrelationCIDRLeaks", testCorrelationCIDRLeaks},
	{"CorrelationCIDRSwitchConcurrent", testCorrelationCIDRSwitchConcurrent},
}
