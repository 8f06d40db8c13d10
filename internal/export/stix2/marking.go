package stix2

import (
	"slices"
	"strings"

	"github.com/razmena/razmena/internal/misp"
)

// tlpMarkings are the marking definitions of the TLP tags, as misp-stix
// maps them: TLP 1.0 tags to the four marking definitions STIX 2.1 §7.2.1.4
// fixes, and the TLP 2.0-only tags (tlp:clear, tlp:amber+strict) to the
// FIRST TLP 2.0 marking definitions of the extension
// extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d, which
// misp-stix imports back to the same tags. A marking definition is
// written into the bundle before the first object that refers to it.
var tlpMarkings = map[string]object{
	"tlp:white":        tlp1("613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"),
	"tlp:green":        tlp1("34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"),
	"tlp:amber":        tlp1("f88d31f6-486f-44da-b317-01333bde0b82", "amber"),
	"tlp:red":          tlp1("5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"),
	"tlp:clear":        tlp2("94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
	"tlp:amber+strict": tlp2("939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
}

// markingsByID indexes tlpMarkings by identifier.
var markingsByID = func() map[string]object {
	m := make(map[string]object, len(tlpMarkings))
	for _, o := range tlpMarkings {
		m[o.id()] = o
	}
	return m
}()

func tlp1(uuid, colour string) object {
	return object{
		{"type", "marking-definition"}, {"spec_version", "2.1"}, {"id", "marking-definition--" + uuid},
		{"created", "2017-01-20T00:00:00.000Z"}, {"definition_type", "tlp"},
		{"name", "TLP:" + strings.ToUpper(colour)}, {"definition", object{{"tlp", colour}}},
	}
}

func tlp2(uuid, colour string) object {
	return object{
		{"type", "marking-definition"}, {"spec_version", "2.1"}, {"id", "marking-definition--" + uuid},
		{"created", "2022-10-01T00:00:00.000Z"}, {"name", "TLP:" + strings.ToUpper(colour)},
		{"extensions", object{{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", object{
			{"extension_type", "property-extension"}, {"tlp_2_0", colour},
		}}}},
	}
}

// confidenceTags are MISP's confidence-level tags and the STIX confidence
// they give, as misp-stix maps them; the lowest of an object's wins.
var confidenceTags = map[string]int{
	`misp:confidence-level="completely-confident"`: 100,
	`misp:confidence-level="usually-confident"`:    75,
	`misp:confidence-level="fairly-confident"`:     50,
	`misp:confidence-level="rarely-confident"`:     25,
	`misp:confidence-level="unconfident"`:          0,
}

// tagging is what the tags of a MISP element become on its STIX object.
type tagging struct {
	labels     []string
	markings   []string
	confidence int // -1: none
}

// tagsOf sorts tag names into marking references (TLP tags), labels
// (everything else, including galaxy tags, as misp-stix does for tags
// without galaxy clusters) and a confidence (confidence-level tags, which
// also stay labels). Repeated tags count once.
func tagsOf(tags ...[]*misp.AttachedTag) tagging {
	t := tagging{confidence: -1}
	seen := map[string]bool{}
	for _, list := range tags {
		for _, tag := range list {
			name := clean(tag.Name)
			if seen[name] {
				continue
			}
			seen[name] = true
			if m, ok := tlpMarkings[strings.ToLower(name)]; ok {
				if !slices.Contains(t.markings, m.id()) {
					t.markings = append(t.markings, m.id())
				}
				continue
			}
			t.labels = append(t.labels, name)
			if c, ok := confidenceTags[name]; ok && (t.confidence < 0 || c < t.confidence) {
				t.confidence = c
			}
		}
	}
	return t
}

// apply sets labels (after the given ones), confidence and
// object_marking_refs on o. Empty lists are left out: the schemas want at
// least one item.
func (t tagging) apply(o *object, labels ...string) {
	labels = append(labels, t.labels...)
	if len(labels) > 0 {
		o.set("labels", labels)
	}
	if t.confidence >= 0 {
		o.set("confidence", t.confidence)
	}
	if len(t.markings) > 0 {
		o.set("object_marking_refs", t.markings)
	}
}
