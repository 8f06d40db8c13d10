package misp

import (
	"context"
	"strings"
)

// Object groups attributes according to an object template.
type Object struct {
	ID              Int                `json:"id"`
	Name            string             `json:"name"`
	MetaCategory    string             `json:"meta-category"`
	Description     string             `json:"description"`
	TemplateUUID    string             `json:"template_uuid"`
	TemplateVersion Int                `json:"template_version"`
	EventID         Int                `json:"event_id"`
	UUID            string             `json:"uuid"`
	Timestamp       Int                `json:"timestamp"`
	Distribution    Distribution       `json:"distribution"`
	SharingGroupID  Int                `json:"sharing_group_id"`
	Comment         string             `json:"comment"`
	Deleted         Bool               `json:"deleted"`
	FirstSeen       *MicroTime         `json:"first_seen"`
	LastSeen        *MicroTime         `json:"last_seen"`
	ObjectReference []*ObjectReference `json:"ObjectReference"`
	Attribute       []*Attribute       `json:"Attribute"`
	// SharingGroup is as Event.SharingGroup, for distribution 4.
	SharingGroup *SharingGroup `json:"SharingGroup,omitempty"`
}

// Validate checks the object's own fields and that it has at least one
// attribute, each with an object_relation. Attributes are validated by the caller.
func (o *Object) Validate() error {
	v := &ValidationError{}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		v.Add("name", "The name field is required.")
	}
	if strings.TrimSpace(o.MetaCategory) == "" {
		v.Add("meta-category", "The meta-category field is required.")
	}
	if o.UUID != "" {
		o.UUID = NormalizeUUID(o.UUID)
		if !IsUUID(o.UUID) {
			v.Add("uuid", "Please provide a valid RFC 4122 UUID")
		}
	}
	if o.TemplateUUID != "" {
		o.TemplateUUID = NormalizeUUID(o.TemplateUUID)
	}
	if o.Distribution < DistributionOrgOnly || o.Distribution > DistributionInheritEvnt {
		v.Add("distribution", "Options: 0, 1, 2, 3, 4, 5")
	}
	if o.Distribution == DistributionSharingGrp && o.SharingGroupID <= 0 {
		v.Add("sharing_group_id", "If the distribution is set to \"Sharing Group\", a sharing group has to be selected.")
	}
	if o.Distribution != DistributionSharingGrp {
		o.SharingGroupID = 0
	}
	if o.FirstSeen != nil && o.LastSeen != nil && *o.LastSeen < *o.FirstSeen {
		v.Add("last_seen", "Last seen value should be greater than first seen value")
	}
	live := 0
	for _, a := range o.Attribute {
		if a.ObjectRelation == nil || strings.TrimSpace(*a.ObjectRelation) == "" {
			v.Add("Attribute", "Every object attribute needs an object_relation.")
			break
		}
		if !a.Deleted {
			live++
		}
	}
	if live == 0 && !o.Deleted {
		v.Add("Attribute", "An object needs at least one attribute.")
	}
	return v.Err()
}

// ObjectReference is a typed link from an object to an attribute or object
// of the same event.
type ObjectReference struct {
	ID               Int    `json:"id"`
	UUID             string `json:"uuid"`
	Timestamp        Int    `json:"timestamp"`
	ObjectID         Int    `json:"object_id"`
	EventID          Int    `json:"event_id"`
	SourceUUID       string `json:"source_uuid,omitempty"`
	ReferencedUUID   string `json:"referenced_uuid"`
	ReferencedID     Int    `json:"referenced_id"`
	ReferencedType   Int    `json:"referenced_type"` // 0 attribute, 1 object
	RelationshipType string `json:"relationship_type"`
	Comment          string `json:"comment"`
	Deleted          Bool   `json:"deleted"`
	ObjectUUID       string `json:"object_uuid"`
}

// Reference target types.
const (
	ReferencedAttribute = 0
	ReferencedObject    = 1
)

// Validate checks a reference's fields.
func (r *ObjectReference) Validate() error {
	v := &ValidationError{}
	r.ReferencedUUID = NormalizeUUID(r.ReferencedUUID)
	if r.ReferencedUUID == "" && r.ReferencedID == 0 {
		v.Add("referenced_uuid", "The referenced element is required.")
	} else if r.ReferencedUUID != "" && !IsUUID(r.ReferencedUUID) {
		v.Add("referenced_uuid", "Please provide a valid RFC 4122 UUID")
	}
	r.RelationshipType = strings.TrimSpace(r.RelationshipType)
	if r.RelationshipType == "" {
		v.Add("relationship_type", "The relationship type is required.")
	}
	if len(r.RelationshipType) > 255 {
		v.Add("relationship_type", "The relationship type is too long (max 255 characters).")
	}
	if r.UUID != "" {
		r.UUID = NormalizeUUID(r.UUID)
		if !IsUUID(r.UUID) {
			v.Add("uuid", "Please provide a valid RFC 4122 UUID")
		}
	}
	return v.Err()
}

// ObjectStore persists objects and their references. Visibility of the
// event and of the object applies to every method (ErrNotFound otherwise).
type ObjectStore interface {
	// CreateObject adds a validated object with its attributes (and
	// references) to an event in one transaction, unpublishing the event.
	CreateObject(ctx context.Context, actor *Actor, eventID int64, o *Object, createTags bool) error
	// FindObjectByID returns an object with its visible attributes and references.
	FindObjectByID(ctx context.Context, actor *Actor, id int64, deleted bool) (*Object, error)
	// FindObjectByUUID is FindObjectByID by UUID.
	FindObjectByUUID(ctx context.Context, actor *Actor, uuid string, deleted bool) (*Object, error)
	// UpdateObject merges o into the stored object o.ID: object fields are
	// replaced, attributes merged by UUID (new ones added). ErrNotNewer.
	UpdateObject(ctx context.Context, actor *Actor, o *Object, createTags bool) (*Object, error)
	// DeleteObject soft-deletes an object and its attributes, or hard-deletes them.
	DeleteObject(ctx context.Context, actor *Actor, id int64, hard bool) error
	// CreateObjectReference adds a reference from r.ObjectID to an attribute
	// or object of the same event named by r.ReferencedUUID (or
	// r.ReferencedID with r.ReferencedType), always with a new UUID.
	// ErrInvalid if the target is not in the event.
	CreateObjectReference(ctx context.Context, actor *Actor, r *ObjectReference) error
	// FindObjectReferenceByID returns a reference, soft-deleted ones
	// included. ErrNotFound.
	FindObjectReferenceByID(ctx context.Context, actor *Actor, id int64) (*ObjectReference, error)
	// FindObjectReferenceByUUID is FindObjectReferenceByID by UUID.
	FindObjectReferenceByUUID(ctx context.Context, actor *Actor, uuid string) (*ObjectReference, error)
	// DeleteObjectReference soft- or hard-deletes a reference.
	DeleteObjectReference(ctx context.Context, actor *Actor, id int64, hard bool) error
}
