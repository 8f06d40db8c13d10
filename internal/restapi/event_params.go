package restapi

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// harvestParams collects the filter parameters of a request as MISP's
// AppController::_harvestParameters does: named parameters and the query
// string, overridden by the keys of a JSON object body. Only the keys in
// allowed are kept (others are dropped silently, quirk #13). A string
// holding "||" (not at its start) is split into a list (quirk #8); a list
// gives one value per element; an operator object {"OR":…,"NOT":…,"AND":…}
// gives its OR and AND terms as they are and its NOT terms prefixed with
// "!". Values are rendered as PHP renders scalars (true "1", false "").
func harvestParams(r *http.Request, allowed []string) (map[string][]string, error) {
	ok := make(map[string]bool, len(allowed))
	for _, k := range allowed {
		ok[k] = true
	}
	out := map[string][]string{}
	for k, vs := range Named(r) {
		if ok[k] {
			for _, v := range vs {
				out[k] = append(out[k], splitOr(v)...)
			}
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return out, nil
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if emptyBody(body) {
		return out, nil
	}
	var m map[string]any
	if err := decodeJSON(r, body, &m); err != nil {
		// A JSON body that is not an object holds no parameters.
		var v any
		if json.Unmarshal(body, &v) == nil {
			return out, nil
		}
		return nil, err
	}
	if inner, isMap := m["request"].(map[string]any); isMap {
		m = inner
	}
	for k, v := range m {
		if !ok[k] || v == nil {
			continue
		}
		out[k] = filterValues(v)
	}
	return out, nil
}

// filterValues flattens one body filter value (see harvestParams).
func filterValues(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, filterValues(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, op := range []string{"OR", "AND"} {
			if terms, ok := x[op]; ok {
				out = append(out, filterValues(terms)...)
			}
		}
		if terms, ok := x["NOT"]; ok {
			for _, t := range filterValues(terms) {
				out = append(out, "!"+t)
			}
		}
		return out
	case string:
		return splitOr(strings.TrimSpace(x))
	case bool:
		// "0" rather than PHP's "": a filter set to false still filters.
		if x {
			return []string{"1"}
		}
		return []string{"0"}
	}
	return []string{phpString(v)}
}

// splitOr splits "a||b" into its terms (not when "||" starts the string).
func splitOr(s string) []string {
	if i := strings.Index(s, "||"); i > 0 {
		var out []string
		for _, p := range strings.Split(s, "||") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	return []string{s}
}

// namedTruthy reports whether the last value of a parameter is true in PHP.
func namedTruthy(vs []string) bool {
	return len(vs) > 0 && phpTruthy(vs[len(vs)-1])
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
