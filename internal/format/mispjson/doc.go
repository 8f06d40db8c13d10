// Package mispjson reads request bodies in the MISP JSON format and builds
// MISP's response envelopes (misp-core-format §0, misp-rest-api §1.5).
//
// Decoding is lenient the way MISP is: an element may come wrapped in its
// model name ({"Event": {...}}) or bare, inside {"request": ...} or
// {"response": ...}, as a one-element list, with a single object where a
// list is expected, with Tag[] or EventTag[]/AttributeTag[] rows, and with
// numbers and booleans in any of MISP's spellings. Unknown keys are
// ignored. A body that is not JSON, or holds a value of the wrong shape,
// gives an *InputError, which matches misp.ErrInvalid.
//
// Every decoder reports which keys the body held (see Fields), because MISP
// applies defaults only to absent keys and an edit keeps the stored value of
// every absent key.
//
// The views (EventView, EventIndexItem, AttributeView, ObjectView, ...)
// return values that encoding/json marshals to MISP's output shapes; Write
// encodes them without HTML escaping, as MISP does.
package mispjson
