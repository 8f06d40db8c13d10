package sqlstore

import "testing"

func TestJSONIDs(t *testing.T) {
	for _, tc := range []struct {
		ids  []int64
		want string
	}{
		{nil, "[]"},
		{[]int64{7}, "[7]"},
		{[]int64{1, -2, 9223372036854775807}, "[1,-2,9223372036854775807]"},
	} {
		if got := JSONIDs(tc.ids); got != tc.want {
			t.Errorf("JSONIDs(%v) = %v, want %s", tc.ids, got, tc.want)
		}
	}
}
