package restapi

import (
	"net/http"
	"slices"
	"testing"
)

// TestRestSearchEnforceWarninglist checks that enforceWarninglist leaves
// out, in both scopes, the attributes whose value is on an enabled
// warninglist, and only with the parameter.
func TestRestSearchEnforceWarninglist(t *testing.T) {
	e := newTestEnv(t)
	e.withDNSWarninglist(t)
	e.emptyEvent(t)
	for _, v := range []string{"8.8.8.8", "203.0.113.5"} {
		e.callObj(t, "POST", "/attributes/add/1", e.AUser.Key, obj{"type": "ip-dst", "value": v}, http.StatusOK)
	}
	values := func(scope string, enforce bool) []string {
		t.Helper()
		out := e.callObj(t, "POST", "/"+scope+"/restSearch", e.AUser.Key, obj{"returnFormat": "json", "enforceWarninglist": enforce}, http.StatusOK)
		var attrs []any
		if scope == "attributes" {
			attrs = dig(t, out, "response", "Attribute").([]any)
		} else {
			attrs = dig(t, out, "response", 0, "Event", "Attribute").([]any)
		}
		var got []string
		for _, a := range attrs {
			got = append(got, a.(obj)["value"].(string))
		}
		slices.Sort(got)
		return got
	}
	for _, scope := range []string{"attributes", "events"} {
		if got := values(scope, false); !slices.Equal(got, []string{"203.0.113.5", "8.8.8.8"}) {
			t.Errorf("%s/restSearch = %v, want both values", scope, got)
		}
		if got := values(scope, true); !slices.Equal(got, []string{"203.0.113.5"}) {
			t.Errorf("%s/restSearch enforceWarninglist = %v, want 8.8.8.8 left out", scope, got)
		}
	}
}
