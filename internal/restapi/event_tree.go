package restapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// This file prepares the children of an incoming event, object or
// attribute list for the store: MISP's defaults for absent keys of new
// elements, the stored values for absent keys of existing ones, the
// sharing-group rule (sharing_group_use.go), tag filtering, and
// validation of every element before anything is written.

// treeErrors collects validation errors by element path ("Event",
// "Event.Attribute[2]", "Event.Object[0].Attribute[1]"), each a MISP
// {field: [messages]} map.
type treeErrors map[string]map[string][]string

// add records the field errors of err under path. err must be nil or a
// *misp.ValidationError; any other error is returned.
func (t treeErrors) add(path string, err error) error {
	if err == nil {
		return nil
	}
	var ve *misp.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	if t[path] == nil {
		t[path] = map[string][]string{}
	}
	for k, msgs := range ve.Fields {
		t[path][k] = append(t[path][k], msgs...)
	}
	return nil
}

// sgPolicy is what happens to a child element with distribution 4 whose
// sharing group the actor may not use (treeBuilder.applySG).
type sgPolicy int

const (
	// sgDowngrade saves the element with distribution 0, as
	// Event::captureSGForElement does on events/add.
	sgDowngrade sgPolicy = iota
	// sgDrop leaves the element out, as MispAttribute::editAttribute and
	// MispObject::editObject do on events/edit.
	sgDrop
)

// newAttributeDefaults fills the absent keys of a new attribute: category
// and to_ids from its type, distribution 5 (inherit; MISP's default for
// MISP.default_attribute_distribution).
func newAttributeDefaults(in *mispjson.AttributeInput) {
	at := in.Attribute
	at.ApplyDefaults(in.Has("to_ids"))
	if !in.Has("distribution") {
		at.Distribution = misp.DistributionInheritEvnt
	}
	at.ID, at.EventID = 0, 0
}

// mergeStoredAttribute gives the absent keys of an incoming copy of a
// stored attribute their stored values (MISP edits keep what the request
// does not say). An absent timestamp stays 0: the store sets "now".
func mergeStoredAttribute(in *mispjson.AttributeInput, s *misp.Attribute) {
	at := in.Attribute
	keep := func(key string, f func()) {
		if !in.Has(key) {
			f()
		}
	}
	keep("type", func() { at.Type = s.Type })
	keep("category", func() { at.Category = s.Category })
	keep("to_ids", func() { at.ToIDS = s.ToIDS })
	keep("distribution", func() { at.Distribution = s.Distribution })
	keep("sharing_group_id", func() { at.SharingGroupID = s.SharingGroupID })
	keep("comment", func() { at.Comment = s.Comment })
	keep("value", func() { at.Value = s.Value })
	keep("deleted", func() { at.Deleted = s.Deleted })
	keep("disable_correlation", func() { at.DisableCorrelation = s.DisableCorrelation })
	keep("first_seen", func() { at.FirstSeen = copyMicro(s.FirstSeen) })
	keep("last_seen", func() { at.LastSeen = copyMicro(s.LastSeen) })
	keep("object_relation", func() { at.ObjectRelation = copyString(s.ObjectRelation) })
	at.ID, at.EventID, at.ObjectID = s.ID, s.EventID, s.ObjectID
}

// newObjectDefaults fills the absent keys of a new object: distribution 5.
func newObjectDefaults(in *mispjson.ObjectInput) {
	if !in.Has("distribution") {
		in.Object.Distribution = misp.DistributionInheritEvnt
	}
	in.Object.ID, in.Object.EventID = 0, 0
}

// mergeStoredObject is mergeStoredAttribute for an object's own fields.
func mergeStoredObject(in *mispjson.ObjectInput, s *misp.Object) {
	o := in.Object
	keep := func(key string, f func()) {
		if !in.Has(key) {
			f()
		}
	}
	keep("name", func() { o.Name = s.Name })
	keep("meta-category", func() { o.MetaCategory = s.MetaCategory })
	keep("description", func() { o.Description = s.Description })
	keep("template_uuid", func() { o.TemplateUUID = s.TemplateUUID })
	keep("template_version", func() { o.TemplateVersion = s.TemplateVersion })
	keep("distribution", func() { o.Distribution = s.Distribution })
	keep("sharing_group_id", func() { o.SharingGroupID = s.SharingGroupID })
	keep("comment", func() { o.Comment = s.Comment })
	keep("deleted", func() { o.Deleted = s.Deleted })
	keep("first_seen", func() { o.FirstSeen = copyMicro(s.FirstSeen) })
	keep("last_seen", func() { o.LastSeen = copyMicro(s.LastSeen) })
	o.ID, o.EventID = s.ID, s.EventID
}

func copyMicro(t *misp.MicroTime) *misp.MicroTime {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func copyString(s *string) *string {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

// treeBuilder prepares the children of one request.
type treeBuilder struct {
	a      *API
	actor  *misp.Actor
	policy sgPolicy
	errs   treeErrors
	tags   map[string]*misp.Tag // tag lookups by lower-case name; nil = unknown
	sgs    sgCache
	// captured holds the local ids of the sharing groups captured in this
	// request, by uuid (0: not captured).
	captured map[string]int64
}

func (a *API) newTreeBuilder(actor *misp.Actor, policy sgPolicy) *treeBuilder {
	return &treeBuilder{a: a, actor: actor, policy: policy, errs: treeErrors{}, tags: map[string]*misp.Tag{},
		sgs: sgCache{a: a, actor: actor}, captured: map[string]int64{}}
}

// attributes prepares a list of incoming attributes at path: each is
// merged with the stored attribute of the same uuid in stored (if any) or
// given the defaults of a new one, passed through the sharing-group rule,
// its tags filtered, and validated. It returns the attributes to keep.
// inObject says whether the attributes belong to an object (which needs
// object_relation; standalone ones lose it).
func (b *treeBuilder) attributes(ctx context.Context, path string, in []*mispjson.AttributeInput, stored []*misp.Attribute, inObject bool) ([]*misp.Attribute, error) {
	byUUID := make(map[string]*misp.Attribute, len(stored))
	for _, s := range stored {
		byUUID[s.UUID] = s
	}
	out := make([]*misp.Attribute, 0, len(in))
	for i, ai := range in {
		at := ai.Attribute
		at.UUID = misp.NormalizeUUID(at.UUID)
		s, exists := byUUID[at.UUID]
		exists = exists && at.UUID != ""
		if exists {
			mergeStoredAttribute(ai, s)
		} else {
			newAttributeDefaults(ai)
		}
		keep, err := b.applySG(ctx, &at.Distribution, &at.SharingGroupID, ai.SharingGroup,
			exists && sameSharingGroup(s.Distribution, s.SharingGroupID, at.Distribution, at.SharingGroupID))
		if err != nil {
			return nil, err
		}
		if !keep {
			continue
		}
		if !inObject {
			at.ObjectRelation = nil
		}
		tags, err := b.usableTags(ctx, at.Tag)
		if err != nil {
			return nil, err
		}
		at.Tag = tags
		if err := b.errs.add(fmt.Sprintf("%s[%d]", path, i), at.Validate()); err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, nil
}

// objects prepares incoming objects as attributes does, with their
// attributes and references.
func (b *treeBuilder) objects(ctx context.Context, path string, in []*mispjson.ObjectInput, stored []*misp.Object) ([]*misp.Object, error) {
	byUUID := make(map[string]*misp.Object, len(stored))
	for _, s := range stored {
		byUUID[s.UUID] = s
	}
	out := make([]*misp.Object, 0, len(in))
	for i, oi := range in {
		o := oi.Object
		p := fmt.Sprintf("%s[%d]", path, i)
		o.UUID = misp.NormalizeUUID(o.UUID)
		s, exists := byUUID[o.UUID]
		exists = exists && o.UUID != ""
		var storedAttrs []*misp.Attribute
		if exists {
			mergeStoredObject(oi, s)
			storedAttrs = s.Attribute
		} else {
			newObjectDefaults(oi)
		}
		keep, err := b.applySG(ctx, &o.Distribution, &o.SharingGroupID, oi.SharingGroup,
			exists && sameSharingGroup(s.Distribution, s.SharingGroupID, o.Distribution, o.SharingGroupID))
		if err != nil {
			return nil, err
		}
		if !keep {
			continue
		}
		attrs, err := b.attributes(ctx, p+".Attribute", oi.Attributes, storedAttrs, true)
		if err != nil {
			return nil, err
		}
		o.Attribute = attrs
		if err := b.errs.add(p, validateObject(o, storedAttrs)); err != nil {
			return nil, err
		}
		for j, r := range o.ObjectReference {
			prepareReference(r)
			if err := b.errs.add(fmt.Sprintf("%s.ObjectReference[%d]", p, j), r.Validate()); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// validateObject validates o as it will be once merged with the stored
// attributes that the request does not mention (an edit may change an
// object's own fields without repeating its attributes).
func validateObject(o *misp.Object, stored []*misp.Attribute) error {
	if len(stored) == 0 {
		return o.Validate()
	}
	mentioned := make(map[string]bool, len(o.Attribute))
	for _, at := range o.Attribute {
		mentioned[at.UUID] = true
	}
	merged := append([]*misp.Attribute(nil), o.Attribute...)
	for _, s := range stored {
		if !mentioned[s.UUID] {
			merged = append(merged, s)
		}
	}
	c := *o
	c.Attribute = merged
	err := c.Validate()
	o.Name, o.UUID, o.TemplateUUID, o.SharingGroupID = c.Name, c.UUID, c.TemplateUUID, c.SharingGroupID
	return err
}

// prepareReference clears what the server sets on an incoming reference:
// local ids (meaningless across instances when the target uuid is known).
func prepareReference(r *misp.ObjectReference) {
	r.ID, r.EventID, r.ObjectID = 0, 0, 0
	if strings.TrimSpace(r.ReferencedUUID) != "" {
		r.ReferencedID = 0
	}
}

// usableTags filters the tags of an incoming event or attribute
// (Tag::captureTag): without perm_tagger or perm_sync none apply; a tag
// the actor may not attach (org- or user-restricted to someone else, or
// local-only attached globally) is dropped; an unknown name is kept only
// for tag editors, for the store to create. Tags are identified by name —
// ids are local to an instance — so ids are replaced by the local ones.
func (b *treeBuilder) usableTags(ctx context.Context, tags []*misp.AttachedTag) ([]*misp.AttachedTag, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	if !b.actor.SiteAdmin() && !bool(b.actor.Perms.Tagger || b.actor.Perms.Sync) {
		return nil, nil
	}
	out := make([]*misp.AttachedTag, 0, len(tags))
	for _, at := range tags {
		name := strings.TrimSpace(at.Name)
		if name == "" {
			continue
		}
		key := strings.ToLower(name)
		t, cached := b.tags[key]
		if !cached {
			var err error
			t, err = b.a.st.Tags.FindTagByName(ctx, name)
			if errors.Is(err, misp.ErrNotFound) {
				t, err = nil, nil
			}
			if err != nil {
				return nil, fmt.Errorf("find tag %q: %w", name, err)
			}
			b.tags[key] = t
		}
		switch {
		case t == nil && bool(at.Deleted || !b.actor.Perms.TagEditor):
			continue
		case t == nil:
			probe := misp.Tag{Name: name}
			if probe.Validate() != nil {
				continue
			}
			at.ID = 0
		case !b.actor.CanUseTag(t):
			continue
		case bool(t.LocalOnly && !at.Local && !at.Deleted):
			continue
		default:
			at.ID = t.ID
		}
		at.Name = name
		out = append(out, at)
	}
	return out, nil
}
