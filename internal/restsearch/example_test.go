package restsearch_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/razmena/razmena/internal/restsearch"
)

func ExampleParse() {
	// What PyMISP's search(controller="attributes", value="8.8.8.8",
	// tags=["tlp:white", "!tlp:red"], last="7d", to_ids=1) sends.
	body := []byte(`{"returnFormat": "json", "value": "8.8.8.8", "tags": ["tlp:white", "!tlp:red"],
		"publish_timestamp": "7d", "to_ids": 1, "withAttachments": 0, "quickFilter": null}`)
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

	r, err := restsearch.Parse("attributes", nil, nil, "POST", body, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.ReturnFormat, r.Value.OR, r.Tags.OR, r.Tags.NOT)
	fmt.Println(time.Unix(r.PublishTimestamp.Min, 0).UTC().Format(time.DateTime), *r.ToIDS, r.Given["published"])

	_, err = restsearch.Parse("events", nil, nil, "GET", nil, now)
	var e *restsearch.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status)
	}
	// Output:
	// json [8.8.8.8] [tlp:white] [tlp:red]
	// 2024-06-08 12:00:00 true false
	// 400
}
