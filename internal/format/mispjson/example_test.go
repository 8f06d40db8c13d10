package mispjson_test

import (
	"errors"
	"fmt"

	"github.com/razmena/razmena/internal/format/mispjson"
	"github.com/razmena/razmena/internal/misp"
)

// Defaults apply to absent keys only: to_ids:false is kept, the missing
// threat level and attribute distribution are filled.
func ExampleDecodeEvent() {
	body := []byte(`{"Event": {"info": "Phishing", "distribution": "1",
		"Attribute": [{"type": "ip-dst", "value": "203.0.113.17", "to_ids": false}]}}`)
	in, err := mispjson.DecodeEvent(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	if !in.Has("threat_level_id") {
		in.Event.ThreatLevelID = misp.ThreatLevelUndefined
	}
	for _, a := range in.Attributes {
		if !a.Has("distribution") {
			a.Attribute.Distribution = misp.DistributionInheritEvnt
		}
		fmt.Printf("%s to_ids given: %v, category given: %v, distribution %d\n",
			a.Attribute.Value, a.Has("to_ids"), a.Has("category"), a.Attribute.Distribution)
	}
	fmt.Printf("%s: distribution %d, threat level %d\n", in.Event.Info, in.Event.Distribution, in.Event.ThreatLevelID)

	_, err = mispjson.DecodeEvent([]byte(`{"Event": {"info": "x", "Attribute": 5}}`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, misp.ErrInvalid))
	// Output:
	// 203.0.113.17 to_ids given: true, category given: false, distribution 5
	// Phishing: distribution 1, threat level 4
	// Invalid JSON input: Event.Attribute: expected a list or an object, got a number
	// true
}
