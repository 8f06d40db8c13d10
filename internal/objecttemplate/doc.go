// Package objecttemplate loads MISP object templates and object
// relationships (the misp-objects repository: objects/<name>/definition.json
// and relationships/definition.json) and checks an object's attributes
// against its template.
//
// Semantics follow MISP 2.5 (app/Model/ObjectTemplate.php,
// ObjectRelationship.php):
//
//   - A template's version defaults to 1; its elements keep the order of
//     the "attributes" object, as MISP numbers them. MISP imports neither
//     the elements' "to_ids" nor "recommended"; they are kept here for
//     clients that use them.
//   - Validate is ObjectTemplate::checkTemplateConformity: every "required"
//     relation is present, at least one "requiredOneOf" relation is present,
//     and a relation whose element is not "multiple" appears at most once.
//     That is all MISP checks when an object is added: it accepts
//     attributes whose relation the template does not know, whose type
//     differs from the element's misp-attribute, or whose value is not in
//     the element's values_list (its web form offers only the template's
//     types and values, but the API does not enforce them).
//     ValidateStrict adds those three checks, for callers that want them.
//   - Where MISP stops at the first failed check, both methods report every
//     problem, in MISP's order, and ConformityError.MISPMessage gives MISP's
//     message for the first one.
//
// A few library templates use attribute types MISP 2.5 does not define
// (uuid, suricata); MISP's form omits such elements with a warning. They
// load unchanged here.
//
// Template.MISP and Relationship.MISP give what MISP stores of them
// (misp.ObjectTemplate, with the definition as read in Raw for getRaw);
// ImportDir loads a checkout into a misp.ObjectTemplateStore, for the
// CLI and POST /objectTemplates/update; ValidateObject checks a
// misp.Object against a stored template.
package objecttemplate
