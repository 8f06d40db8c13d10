package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

// testConcurrentWrites runs writers against one event and creates the same
// new tag from several imports at once: every write must succeed (the
// store serialises or retries them) and none may be lost.
func testConcurrentWrites(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	e := mustCreateEvent(t, s, f.a, newEvent("busy"))
	const workers, each = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*(each+1))
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				a := newAttr("ip-dst", "Network activity", fmt.Sprintf("10.0.%d.%d", w, i))
				if err := s.Attributes.CreateAttribute(ctx, f.a, int64(e.ID), a, false); err != nil {
					errs <- fmt.Errorf("CreateAttribute(%s) = %w", a.Value, err)
				}
			}
		}()
	}
	close(start)
	wg.Wait()

	// All imports create the same new tag at once.
	start = make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			imp := newEvent(fmt.Sprintf("import %d", w))
			imp.Tag = []*misp.AttachedTag{{Name: "shared:new-tag"}}
			<-start
			if err := s.Events.CreateEvent(ctx, f.a, imp, true); err != nil {
				errs <- fmt.Errorf("CreateEvent(%s) = %w", imp.Info, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := mustFindEvent(t, s, f.a, e.ID)
	if got.AttributeCount != workers*each || len(got.Attribute) != workers*each {
		t.Errorf("after concurrent writes: attribute_count %d, %d attributes; want %d", got.AttributeCount, len(got.Attribute), workers*each)
	}
	tag, err := s.Tags.FindTagByName(ctx, "shared:new-tag")
	if err != nil {
		t.Fatalf("FindTagByName() = %v", err)
	}
	if _, n, err := s.Events.FindEvents(ctx, f.a, misp.EventFilter{TagSets: [][]int64{{int64(tag.ID)}}}); err != nil || n != workers {
		t.Errorf("events carrying the shared tag = %d, %v; want %d", n, err, workers)
	}
}

// testLargeEvent writes and reads events bigger than one insert batch or
// IN list, checking that every row keeps its identity.
func testLargeEvent(t *testing.T, s *Stores) {
	ctx := t.Context()
	f := newFixture(t, s)
	const standalone, inObject, added = 1234, 700, 600
	e := newEvent("large")
	for i := range standalone {
		a := newAttr("ip-dst", "Network activity", fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256))
		if i%100 == 0 {
			a.Tag = []*misp.AttachedTag{{Name: fmt.Sprintf("batch:%d", i/500)}}
		}
		e.Attribute = append(e.Attribute, a)
	}
	o := newObject()
	for i := range inObject {
		o.Attribute = append(o.Attribute, newObjectAttr("filename", "filename", "Payload delivery", fmt.Sprintf("f%d.exe", i)))
	}
	e.Object = []*misp.Object{o}
	mustCreateEvent(t, s, f.a, e)

	values := map[misp.Int]string{}
	for _, a := range append(append([]*misp.Attribute(nil), e.Attribute...), o.Attribute...) {
		values[a.ID] = a.Value
	}
	if len(values) != standalone+inObject {
		t.Fatalf("distinct attribute ids = %d, want %d", len(values), standalone+inObject)
	}
	check := func(what string, wantStandalone int, wantComment string) {
		t.Helper()
		got := mustFindEvent(t, s, f.a, e.ID)
		if len(got.Attribute) != wantStandalone || len(got.Object) != 1 || len(got.Object[0].Attribute) != inObject ||
			int(got.AttributeCount) != wantStandalone+inObject {
			t.Fatalf("%s: %d standalone, %d objects, count %d", what, len(got.Attribute), len(got.Object), got.AttributeCount)
		}
		tagged := 0
		for i, a := range append(got.Attribute, got.Object[0].Attribute...) {
			if v, ok := values[a.ID]; ok && v != a.Value {
				t.Fatalf("%s: attribute %d has value %q, created as %q", what, a.ID, a.Value, v)
			}
			if i < standalone && a.Comment != wantComment {
				t.Fatalf("%s: attribute %d comment %q, want %q", what, a.ID, a.Comment, wantComment)
			}
			tagged += len(a.Tag)
		}
		if tagged != (standalone+99)/100 {
			t.Errorf("%s: %d attribute tags, want %d", what, tagged, (standalone+99)/100)
		}
	}
	check("created", standalone, "")

	s.Clock.Advance(10)
	in := *e
	in.Timestamp, in.Tag, in.Object = 0, nil, nil
	in.Attribute = nil
	for _, a := range e.Attribute {
		c := *a
		c.Timestamp, c.Comment, c.Tag = 0, "edited", nil
		in.Attribute = append(in.Attribute, &c)
	}
	for i := range added {
		in.Attribute = append(in.Attribute, newAttr("domain", "Network activity", fmt.Sprintf("d%d.test", i)))
	}
	if _, err := s.Events.EditEvent(ctx, f.a, int64(e.ID), &in, false); err != nil {
		t.Fatalf("EditEvent() = %v", err)
	}
	check("edited", standalone+added, "edited")

	page, err := s.Attributes.FindAttributes(ctx, f.a, misp.AttributeFilter{EventID: int64(e.ID), Limit: 100, Page: 3})
	if err != nil || len(page) != 100 {
		t.Fatalf("FindAttributes(page 3) = %d, %v", len(page), err)
	}
	all, err := s.Attributes.FindAttributes(ctx, f.a, misp.AttributeFilter{EventID: int64(e.ID)})
	if err != nil || len(all) != standalone+inObject+added {
		t.Fatalf("FindAttributes() = %d, %v", len(all), err)
	}
	if page[0].ID != all[200].ID {
		t.Errorf("page 3 starts at attribute %d, want %d", page[0].ID, all[200].ID)
	}
}
