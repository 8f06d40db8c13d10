package jsonfmt

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/exporttest"
	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// reflective is what AppendSearchAttribute must reproduce.
func reflective(t *testing.T, h misp.AttributeHit, o mispjson.SearchOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := mispjson.Write(&b, mispjson.SearchAttribute(h, o), false); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func checkSame(t *testing.T, h misp.AttributeHit, o mispjson.SearchOptions) {
	t.Helper()
	got, err := mispjson.AppendSearchAttribute(nil, h, o)
	if err != nil {
		t.Fatal(err)
	}
	if want := reflective(t, h, o); !bytes.Equal(got, want) {
		t.Fatalf("AppendSearchAttribute(%+v) differs from encoding/json:\n got %s\nwant %s", o, got, want)
	}
}

var allOptions = []mispjson.SearchOptions{{}, {EventTags: true}, {EventUUID: true}, {EventTags: true, EventUUID: true}, {Context: true}}

func TestAppendSearchAttributeDataset(t *testing.T) {
	for _, o := range allOptions {
		for _, h := range exporttest.Hits() {
			checkSame(t, h, o)
		}
	}
	// An attribute without its event, and one with no tags at all.
	h := exporttest.Hits()[1]
	h.Event = nil
	checkSame(t, h, mispjson.SearchOptions{EventTags: true, EventUUID: true})
	// An attribute with warnings takes the encoding/json path; its
	// galaxies are not part of attributes/restSearch (MISP shows them only
	// with includeGalaxy).
	h = exporttest.Hits()[0]
	a := *h.Attribute
	a.Galaxy = []*misp.EventGalaxy{randomGalaxy(rand.New(rand.NewPCG(1, 2)))}
	a.Warnings = []*misp.WarninglistHit{{Match: "8.8.8.8/32", Value: "8.8.8.8", WarninglistID: 3, WarninglistName: "DNS"}}
	h.Attribute = &a
	for _, o := range allOptions {
		checkSame(t, h, o)
		if b, err := mispjson.AppendSearchAttribute(nil, h, o); err != nil || bytes.Contains(b, []byte(`"Galaxy"`)) {
			t.Errorf("AppendSearchAttribute(%+v) = %s, %v, want no Galaxy", o, b, err)
		}
	}
	_ = export.ScopeAttributes
}

// randomString draws strings rich in what JSON must escape.
func randomString(r *rand.Rand) string {
	pieces := []string{"a", "Ž", "ћ", "\"", "\\", "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"\u2028", "\u2029", "\xff", "\xc3", "\xe2\x80", "😀", "%", "|", " ", "\ufffd"}
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestAppendSearchAttributeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	str := func() *string { s := randomString(r); return &s }
	for i := range 3000 {
		a := &misp.Attribute{ID: misp.Int(r.Int64()), Type: randomString(r), Category: randomString(r), ToIDS: misp.Bool(r.IntN(2) == 0),
			UUID: randomString(r), EventID: misp.Int(r.Int64N(1e6)), Distribution: misp.Distribution(r.IntN(6)), Timestamp: misp.Int(r.Int64()),
			Comment: randomString(r), SharingGroupID: misp.Int(r.IntN(9)), Deleted: misp.Bool(r.IntN(2) == 0),
			DisableCorrelation: misp.Bool(r.IntN(2) == 0), ObjectID: misp.Int(r.IntN(3)), Value: randomString(r)}
		if r.IntN(2) == 0 {
			a.ObjectRelation = str()
		}
		if r.IntN(2) == 0 {
			ts := misp.MicroTime(r.Int64N(4e15))
			a.FirstSeen, a.LastSeen = &ts, &ts
		}
		if r.IntN(4) == 0 {
			a.Data = randomString(r)
		}
		for range r.IntN(3) {
			tg := &misp.AttachedTag{ID: misp.Int(r.IntN(100)), Name: randomString(r), Colour: randomString(r), Exportable: misp.Bool(r.IntN(2) == 0),
				Local: misp.Bool(r.IntN(2) == 0), Deleted: misp.Bool(r.IntN(3) == 0), IsGalaxy: misp.Bool(r.IntN(2) == 0)}
			if r.IntN(2) == 0 {
				n := misp.Int(r.IntN(100))
				tg.NumericalValue = &n
			}
			if r.IntN(2) == 0 {
				tg.RelationshipType = str()
			}
			a.Tag = append(a.Tag, tg)
		}
		h := misp.AttributeHit{Attribute: a}
		if r.IntN(5) > 0 {
			h.Event = &misp.Event{ID: misp.Int(r.IntN(100)), OrgID: 1, OrgcID: 2, Info: randomString(r), UUID: randomString(r),
				Distribution: misp.Distribution(r.IntN(5)), Tag: a.Tag, Orgc: &misp.OrgRef{ID: 2, Name: randomString(r)}}
		}
		if r.IntN(3) == 0 {
			h.Object = &misp.Object{ID: misp.Int(r.IntN(100)), Distribution: misp.Distribution(r.IntN(6)), SharingGroupID: misp.Int(r.IntN(3))}
		}
		t.Run("", func(t *testing.T) { checkSame(t, h, allOptions[i%len(allOptions)]) })
	}
}

func BenchmarkSearchAttribute(b *testing.B) {
	hits := exporttest.Hits()
	o := mispjson.SearchOptions{EventTags: true}
	b.Run("append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			for _, h := range hits {
				buf, _ = mispjson.AppendSearchAttribute(buf[:0], h, o)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			for _, h := range hits {
				buf.Reset()
				_ = mispjson.Write(&buf, mispjson.SearchAttribute(h, o), false)
			}
		}
	})
}

// TestWriteEventView compares the piecewise event encoding with
// encoding/json's on the dataset and on random events.
func TestWriteEventView(t *testing.T) {
	check := func(e *misp.Event) {
		t.Helper()
		var want, got bytes.Buffer
		if err := mispjson.Write(&want, mispjson.EventView(e), false); err != nil {
			t.Fatal(err)
		}
		if err := mispjson.WriteEventView(&got, e); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got.Bytes(), w) {
			t.Fatalf("WriteEventView differs from encoding/json:\n got %s\nwant %s", got.Bytes(), w)
		}
	}
	for _, e := range exporttest.Events() {
		check(e)
	}
	check(&misp.Event{Info: "empty"})
	r := rand.New(rand.NewPCG(7, 7))
	for range 300 {
		e := &misp.Event{ID: misp.Int(r.IntN(100)), Info: randomString(r) + `,"Attribute":[]`, UUID: randomString(r),
			Orgc: &misp.OrgRef{Name: randomString(r)}, Org: &misp.OrgRef{Name: `"Object":[]`}}
		for range r.IntN(4) {
			e.Attribute = append(e.Attribute, &misp.Attribute{ID: misp.Int(r.IntN(9)), Value: randomString(r), Comment: randomString(r),
				Tag: []*misp.AttachedTag{{Name: randomString(r)}}})
		}
		for range r.IntN(3) {
			e.Object = append(e.Object, &misp.Object{Name: randomString(r), Attribute: []*misp.Attribute{{Value: randomString(r)}}})
		}
		if r.IntN(2) == 0 {
			e.Tag = []*misp.AttachedTag{{Name: randomString(r)}}
		}
		if r.IntN(2) == 0 {
			// Galaxy lies between Attribute and Object: a meta key may
			// spell the keys WriteEventView looks for.
			e.Galaxy = []*misp.EventGalaxy{randomGalaxy(r)}
			e.RelatedEvent = []*misp.RelatedEvent{{Event: misp.RelatedEventInfo{ID: 3, Info: `,"Object":[]`}}}
		}
		if len(e.Attribute) > 0 && r.IntN(2) == 0 {
			e.Attribute[0].Galaxy = []*misp.EventGalaxy{randomGalaxy(r)}
			e.Attribute[0].Warnings = []*misp.WarninglistHit{{Match: randomString(r), Value: randomString(r), WarninglistID: 4}}
		}
		check(e)
	}
}

// randomGalaxy is a galaxy with one cluster whose meta spells the event
// view's list keys, with a relation and organisations.
func randomGalaxy(r *rand.Rand) *misp.EventGalaxy {
	return &misp.EventGalaxy{
		Galaxy: misp.Galaxy{ID: 2, Name: randomString(r), Type: "threat-actor"},
		GalaxyCluster: []*misp.EventCluster{{
			GalaxyCluster: misp.GalaxyCluster{ID: 9, Value: randomString(r), Authors: []string{randomString(r)},
				GalaxyClusterRelation: []*misp.GalaxyClusterRelation{{ID: 1, ReferencedGalaxyClusterType: randomString(r)}}},
			Org:   &misp.Organisation{ID: 3, Name: `"Object":[]`},
			Orgc:  map[string]any{"Attribute": []any{}, "Object": []any{}},
			Meta:  map[string][]string{"Object": {}, "Attribute": {}, randomString(r): {randomString(r)}},
			TagID: 5,
		}},
	}
}
