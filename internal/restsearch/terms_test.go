package restsearch

// termCases cover filter terms: strings, lists, operator objects,
// negations, IPv6 compression, aliases.
var termCases = []parseCase{
	{
		name:  "string with && and !",
		body:  `{"tags":"tlp:white && !tlp:red&&&&!"}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = Terms{OR: []string{"tlp:white"}, NOT: []string{"tlp:red"}} },
	},
	{
		name:  "list with negations",
		body:  `{"type":["md5"," !sha1 ","", "!", "sha256"]}`,
		given: "type",
		want:  func(r *Request) { r.Type = Terms{OR: []string{"md5", "sha256"}, NOT: []string{"sha1"}} },
	},
	{
		name:  "list elements are not split on &&",
		body:  `{"category":["a&&!b"]}`,
		given: "category",
		want:  func(r *Request) { r.Category = or("a&&!b") },
	},
	{
		name:  "operator object",
		body:  `{"tags":{"OR":["a","b"],"AND":"c","NOT":["d","!e",""],"XOR":["f"]}}`,
		given: "tags",
		want: func(r *Request) {
			r.Tags = Terms{OR: []string{"a", "b"}, AND: []string{"c"}, NOT: []string{"d", "!e"}}
		},
	},
	{
		name:  "operator object with AND only",
		body:  `{"request":{"tags":{"AND":["tlp:green","osint"]},"returnFormat":"json"}}`,
		given: "tags returnFormat",
		want:  func(r *Request) { r.Tags = Terms{AND: []string{"tlp:green", "osint"}} },
	},
	{
		name:  "operator keys are case-sensitive",
		body:  `{"tags":{"or":"a","not":"!b","and":["c"]}}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = Terms{OR: []string{"a"}, NOT: []string{"b"}} },
	},
	{
		name:  "null operators are absent",
		body:  `{"tags":{"OR":null,"x":"y"}}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = or("y") },
	},
	{
		name:  "numbers and booleans as terms",
		body:  `{"eventid":[5, 1e3, 2.5, true, false, null, ["nested"], {"o":1}],"org":7,"uuid":true,"sharinggroup":false}`,
		given: "eventid org uuid sharinggroup",
		want: func(r *Request) {
			r.EventID = or("5", "1000", "2.5", "1")
			r.Org = or("7")
			r.UUID = or("1")
		},
	},
	{
		name:  "scalar zero sets no filter, a listed zero does",
		body:  `{"value":"0","type":0,"category":["0"],"org":[0]}`,
		given: "value type category org",
		want:  func(r *Request) { r.Category = or("0"); r.Org = or("0") },
	},
	{
		name:  "eventid all",
		body:  `{"eventid":"all"}`,
		given: "eventid",
	},
	{
		name:  "eventid AND",
		body:  `{"eventid":{"AND":["1","2"]}}`,
		given: "eventid",
		want:  func(r *Request) { r.EventID = Terms{AND: []string{"1", "2"}} },
	},
	{
		name:  "value IPv6 compressed",
		body:  `{"value":["2001:0DB8:0000:0000:0000:0000:0000:0001","!2001:db8:0:0:1:0:0:1","0:0:0:0:0:0:102:304","0:0:0:0:0:ffff:102:304","::0:1","2001:db8::%","fe80:0::1%eth0","2001:db8::/32","1.2.3.4","%evil%"]}`,
		given: "value",
		want: func(r *Request) {
			r.Value = Terms{
				OR:  []string{"2001:db8::1", "::1.2.3.4", "::ffff:1.2.3.4", "::0:1", "2001:db8::%", "fe80:0::1%eth0", "2001:db8::/32", "1.2.3.4", "%evil%"},
				NOT: []string{"2001:db8::1:0:0:1"},
			}
		},
	},
	{
		name:  "value IPv6 in operator object",
		body:  `{"value":{"NOT":"2001:db8:0:0:0:0:0:2"}}`,
		given: "value",
		want:  func(r *Request) { r.Value = not("2001:db8::2") },
	},
	{
		name:  "value1 not compressed",
		scope: "attributes",
		body:  `{"value1":"2001:0db8::1"}`,
		given: "value1",
		want:  func(r *Request) { r.Value1 = or("2001:0db8::1") },
	},
	{
		name:  "type email-src adds email",
		body:  `{"type":"email-src&&!email-dst"}`,
		given: "type",
		want: func(r *Request) {
			r.Type = Terms{OR: []string{"email-src", "email"}, NOT: []string{"email-dst", "email"}}
		},
	},
	{
		name:  "type email-dst with email already",
		body:  `{"type":["email-dst","email"]}`,
		given: "type",
		want:  func(r *Request) { r.Type = or("email-dst", "email") },
	},
	{
		name:  "tag alias",
		body:  `{"tag":"tlp:amber"}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = or("tlp:amber") },
	},
	{
		name:  "tags beat tag",
		body:  `{"tag":"tlp:amber","tags":"tlp:green"}`,
		given: "tags",
		want:  func(r *Request) { r.Tags = or("tlp:green") },
	},
	{
		name:  "events-scope terms",
		body:  `{"event_tags":"!tlp:red","searchall":"%apt%","eventinfo":"%phish%","object_relation":"ip","sharinggroup":["1","!2"],"uuid":"5d7f1a23-0000-4000-8000-000000000001"}`,
		given: "event_tags searchall eventinfo object_relation sharinggroup uuid",
		want: func(r *Request) {
			r.EventTags = not("tlp:red")
			r.Searchall = or("%apt%")
			r.EventInfo = or("%phish%")
			r.ObjectRelation = or("ip")
			r.SharingGroup = Terms{OR: []string{"1"}, NOT: []string{"2"}}
			r.UUID = or("5d7f1a23-0000-4000-8000-000000000001")
		},
	},
}
