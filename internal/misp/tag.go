package misp

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strings"
)

// Tag is an instance-wide label. Events and attributes link to tags; the
// link carries local and relationship_type (see AttachedTag).
type Tag struct {
	ID             Int    `json:"id"`
	Name           string `json:"name"`
	Colour         string `json:"colour"`
	Exportable     Bool   `json:"exportable"`
	OrgID          Int    `json:"org_id"`
	UserID         Int    `json:"user_id"`
	HideTag        Bool   `json:"hide_tag"`
	NumericalValue *Int   `json:"numerical_value"`
	IsGalaxy       Bool   `json:"is_galaxy"`
	IsCustomGalaxy Bool   `json:"is_custom_galaxy"`
	LocalOnly      Bool   `json:"local_only"`
}

// AttachedTag is a tag as it appears inside an event or attribute: the tag
// (without org_id, which MISP does not export) plus the attachment fields.
// Deleted is input only: an entry with "deleted": true in an edit detaches
// the tag (PyMISP MISPTag.delete()).
type AttachedTag struct {
	ID               Int     `json:"id"`
	Name             string  `json:"name"`
	Colour           string  `json:"colour"`
	Exportable       Bool    `json:"exportable"`
	UserID           Int     `json:"user_id"`
	HideTag          Bool    `json:"hide_tag"`
	NumericalValue   *Int    `json:"numerical_value"`
	IsGalaxy         Bool    `json:"is_galaxy"`
	IsCustomGalaxy   Bool    `json:"is_custom_galaxy"`
	LocalOnly        Bool    `json:"local_only"`
	Local            Bool    `json:"local"`
	RelationshipType *string `json:"relationship_type"`
	Deleted          Bool    `json:"deleted,omitempty"`
}

// Attach returns the tag as attached with the given attachment fields.
func (t *Tag) Attach(local bool, relationshipType *string) *AttachedTag {
	return &AttachedTag{
		ID: t.ID, Name: t.Name, Colour: t.Colour, Exportable: t.Exportable,
		UserID: t.UserID, HideTag: t.HideTag, NumericalValue: t.NumericalValue,
		IsGalaxy: t.IsGalaxy, IsCustomGalaxy: t.IsCustomGalaxy, LocalOnly: t.LocalOnly,
		Local: Bool(local), RelationshipType: relationshipType,
	}
}

var (
	colourRE        = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	galaxyTagRE     = regexp.MustCompile(`^misp-galaxy:[^:="]+="[^"]+"$`)
	customGalaxyTag = regexp.MustCompile(`^misp-galaxy:[^:="]+="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"$`)
)

// TagColour is MISP's default colour for a tag name: "#" and the first six
// hex digits of md5(name) (Tag::tagColor), so every instance agrees.
func TagColour(name string) string {
	sum := md5.Sum([]byte(name))
	return "#" + hex.EncodeToString(sum[:])[:6]
}

// Validate normalises and checks a tag, filling the colour and the
// computed galaxy flags.
func (t *Tag) Validate() error {
	v := &ValidationError{}
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "":
		v.Add("name", "A name for the tag is required.")
	case len(t.Name) > 255:
		v.Add("name", "The tag name is too long (max 255 characters).")
	}
	if t.Colour == "" {
		t.Colour = TagColour(t.Name)
	} else if !colourRE.MatchString(t.Colour) {
		v.Add("colour", "A valid colour code (#rrggbb) is required.")
	}
	t.IsGalaxy = Bool(galaxyTagRE.MatchString(t.Name))
	t.IsCustomGalaxy = Bool(customGalaxyTag.MatchString(t.Name))
	return v.Err()
}

// TagFilter selects tags.
type TagFilter struct {
	// Names are matched case-insensitively; a name containing % is a LIKE
	// pattern. Empty = every tag.
	Names  []string
	Limit  int
	Offset int
}

// TagUpdate holds the fields of a tag edit; nil fields are kept.
type TagUpdate struct {
	Name           *string
	Colour         *string
	Exportable     *bool
	OrgID          *int64
	UserID         *int64
	HideTag        *bool
	NumericalValue **int64
	LocalOnly      *bool
}

// TagStore persists tags and their attachments to events and attributes.
type TagStore interface {
	// CreateTag stores t (validated by the caller), setting ID.
	// ErrConflict if a tag with that name (case-insensitive) exists.
	CreateTag(ctx context.Context, t *Tag) error
	// FindTagByID returns a tag. ErrNotFound.
	FindTagByID(ctx context.Context, id int64) (*Tag, error)
	// FindTagByName returns a tag by case-insensitive name. ErrNotFound.
	FindTagByName(ctx context.Context, name string) (*Tag, error)
	// FindTags lists tags ordered by name.
	FindTags(ctx context.Context, f TagFilter) ([]*Tag, error)
	// UpdateTag applies upd. ErrNotFound, ErrConflict.
	UpdateTag(ctx context.Context, id int64, upd TagUpdate) (*Tag, error)
	// DeleteTag removes a tag and every attachment of it. ErrNotFound.
	DeleteTag(ctx context.Context, id int64) error

	// AttachEventTag links a tag to an event visible to actor. A global
	// (non-local) attachment unpublishes the event and bumps its timestamp.
	// Attaching an already attached tag changes nothing and reports false.
	// ErrNotFound if the event is not visible or the tag does not exist.
	AttachEventTag(ctx context.Context, actor *Actor, eventID, tagID int64, local bool, relationshipType *string) (bool, error)
	// DetachEventTag removes the link; ErrNotFound if there was none.
	DetachEventTag(ctx context.Context, actor *Actor, eventID, tagID int64) error
	// AttachAttributeTag links a tag to an attribute visible to actor, with the
	// same rules as AttachEventTag (a global tag also bumps the attribute).
	AttachAttributeTag(ctx context.Context, actor *Actor, attributeID, tagID int64, local bool, relationshipType *string) (bool, error)
	// DetachAttributeTag removes the link; ErrNotFound if there was none.
	DetachAttributeTag(ctx context.Context, actor *Actor, attributeID, tagID int64) error
}
