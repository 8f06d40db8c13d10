package restapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// This file applies sharing groups to data (misp-access-control §8.2,
// misp-core-format §1.1, §1.2): which group new data may name, and the
// SharingGroup blocks of the event views.
//
// New data with distribution 4 must name a group the actor may use
// (misp.SharingGroup.Usable: active, and its data visible to the actor).
// A group the data already had is kept as it is, even if it has become
// inactive since: only a change of group is new use. What happens
// otherwise depends on the path, as in MISP:
//
//   - events/add: the event's group → 405 "Invalid Sharing Group or not
//     authorised."; its attributes and objects are saved with
//     distribution 0 (Event::captureSGForElement).
//   - events/edit: the event's group → 403 save failure; its attributes
//     and objects are left out (MispAttribute::editAttribute,
//     MispObject::editObject drop them).
//   - attributes/add, attributes/edit, objects/add, objects/edit (the
//     object's own group) → 403 "Invalid Sharing Group or not
//     authorised."; the attributes of objects/edit are left out.
//
// A sync user (perm_sync) may instead nest the group itself, as MISP
// peers push it; it is captured by uuid (captureSharingGroup) and, when
// that fails, the same fallback applies. Other users' nested groups are
// ignored: their sharing_group_id counts.
//
// MISP checks the children of events/add and events/edit against
// checkIfAuthorised (the owner organisation too, and inactive groups);
// Razmena holds them to Usable like everything else.

// sgUnusable is MISP's refusal of a sharing group in new data.
const sgUnusable = "Invalid Sharing Group or not authorised."

// sgCache looks sharing groups up once per request, as actor may view
// them; nil means missing or not viewable.
type sgCache struct {
	a     *API
	actor *misp.Actor
	m     map[int64]*misp.SharingGroup
}

func (c *sgCache) get(ctx context.Context, id int64) (*misp.SharingGroup, error) {
	if g, ok := c.m[id]; ok {
		return g, nil
	}
	if c.m == nil {
		c.m = map[int64]*misp.SharingGroup{}
	}
	var g *misp.SharingGroup
	if id > 0 {
		var err error
		g, err = c.a.st.SharingGroups.FindSharingGroupByID(ctx, c.actor, id)
		if errors.Is(err, misp.ErrNotFound) {
			g, err = nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("find sharing group %d: %w", id, err)
		}
	}
	c.m[id] = g
	return g, nil
}

// usable reports whether the actor may share new data with group id.
func (c *sgCache) usable(ctx context.Context, id int64) (bool, error) {
	g, err := c.get(ctx, id)
	if err != nil || g == nil {
		return false, err
	}
	return g.Usable(c.actor), nil
}

// usableSharingGroup reports whether actor may share new data with group
// id (attributes/add|edit, objects/add|edit).
func (a *API) usableSharingGroup(ctx context.Context, actor *misp.Actor, id misp.Int) (bool, error) {
	c := sgCache{a: a, actor: actor}
	return c.usable(ctx, int64(id))
}

// sameSharingGroup reports whether an element keeps the distribution-4
// group it had.
func sameSharingGroup(storedDist misp.Distribution, storedSG misp.Int, dist misp.Distribution, sg misp.Int) bool {
	return storedDist == misp.DistributionSharingGrp && dist == misp.DistributionSharingGrp && storedSG == sg
}

// applySG applies the sharing-group rule to a child element: an element
// without distribution 4, or keeping its group (unchanged), stays; a sync
// user's nested group is captured; otherwise the group must be usable.
// An element failing that is saved with distribution 0 (sgDowngrade) or
// left out (sgDrop, keep false).
func (b *treeBuilder) applySG(ctx context.Context, d *misp.Distribution, sg *misp.Int, nested *mispjson.SharingGroupInput, unchanged bool) (keep bool, err error) {
	if *d != misp.DistributionSharingGrp {
		return true, nil
	}
	ok := unchanged
	switch {
	case nested != nil && bool(b.actor.Perms.Sync):
		id, err := b.capture(ctx, nested)
		if err != nil {
			return false, err
		}
		ok = id != 0
		if ok {
			*sg = misp.Int(id)
		}
	case !ok:
		if ok, err = b.sgs.usable(ctx, int64(*sg)); err != nil {
			return false, err
		}
	}
	if ok {
		return true, nil
	}
	if b.policy == sgDrop {
		return false, nil
	}
	*d, *sg = misp.DistributionOrgOnly, 0
	return true, nil
}

// capture captures a nested group once per request: a pushed event
// repeats its group on every element that shares it.
func (b *treeBuilder) capture(ctx context.Context, in *mispjson.SharingGroupInput) (int64, error) {
	uuid := misp.NormalizeUUID(in.Group.UUID)
	if id, ok := b.captured[uuid]; ok {
		return id, nil
	}
	id, err := b.a.captureSharingGroup(ctx, b.actor, in)
	if err != nil {
		return 0, err
	}
	b.captured[uuid] = id
	return id, nil
}

// eventSharingGroup applies the sharing-group rule to the event of
// events/add or events/edit: it reports whether the event may have its
// distribution and group, after capturing a sync user's nested group
// (whose id it sets). stored is the event before the edit, nil on add.
func (b *treeBuilder) eventSharingGroup(ctx context.Context, in *mispjson.EventInput, stored *misp.Event) (bool, error) {
	e := in.Event
	if e.Distribution != misp.DistributionSharingGrp {
		return true, nil
	}
	if in.SharingGroup != nil && bool(b.actor.Perms.Sync) {
		id, err := b.capture(ctx, in.SharingGroup)
		if err != nil || id == 0 {
			return false, err
		}
		e.SharingGroupID = misp.Int(id)
		return true, nil
	}
	if stored != nil && sameSharingGroup(stored.Distribution, stored.SharingGroupID, e.Distribution, e.SharingGroupID) {
		return true, nil
	}
	return b.sgs.usable(ctx, int64(e.SharingGroupID))
}

// attachSharingGroups sets the SharingGroup of a full event and of its
// distribution-4 attributes and objects to their group, with members,
// when the actor may view it (core format §1, §2); this instance's server
// entry is described by the base URL, as Event::fetchEvent does.
func (a *API) attachSharingGroups(ctx context.Context, actor *misp.Actor, e *misp.Event) error {
	c := sgCache{a: a, actor: actor}
	lookup := func(d misp.Distribution, id misp.Int) (*misp.SharingGroup, error) {
		if d != misp.DistributionSharingGrp {
			return nil, nil
		}
		if _, seen := c.m[int64(id)]; !seen {
			g, err := c.get(ctx, int64(id))
			if err != nil || g == nil {
				return nil, err
			}
			a.nameLocalServer(g, a.cfg.BaseURL)
		}
		return c.m[int64(id)], nil
	}
	var err error
	if e.SharingGroup, err = lookup(e.Distribution, e.SharingGroupID); err != nil {
		return err
	}
	attach := func(attrs []*misp.Attribute) error {
		for _, at := range attrs {
			if at.SharingGroup, err = lookup(at.Distribution, at.SharingGroupID); err != nil {
				return err
			}
		}
		return nil
	}
	if err := attach(e.Attribute); err != nil {
		return err
	}
	for _, o := range e.Object {
		if o.SharingGroup, err = lookup(o.Distribution, o.SharingGroupID); err != nil {
			return err
		}
		if err := attach(o.Attribute); err != nil {
			return err
		}
	}
	return nil
}

// indexSharingGroups sets the SharingGroup of the distribution-4 events
// of an index page whose group the actor may view, for the {id, name,
// uuid} block of events/index.
func (a *API) indexSharingGroups(ctx context.Context, actor *misp.Actor, events []*misp.Event) error {
	c := sgCache{a: a, actor: actor}
	for _, e := range events {
		if e.Distribution != misp.DistributionSharingGrp {
			continue
		}
		g, err := c.get(ctx, int64(e.SharingGroupID))
		if err != nil {
			return err
		}
		e.SharingGroup = g
	}
	return nil
}
