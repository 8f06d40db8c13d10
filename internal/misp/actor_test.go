package misp

import "testing"

func TestActorRights(t *testing.T) {
	roles := map[string]Perms{
		"user":      {Auth: true, Add: true, Modify: true, ModifyOrg: true, Tagger: true},
		"own":       {Auth: true, Add: true, Modify: true},
		"publisher": {Auth: true, Add: true, Modify: true, ModifyOrg: true, Publish: true, Tagger: true},
		"readonly":  {Auth: true},
		"siteadmin": {Auth: true, SiteAdmin: true},
	}
	actor := func(role string, userID, orgID int64) *Actor {
		r := &Role{Perms: roles[role]}
		return NewActor(&User{ID: Int(userID), OrgID: Int(orgID)}, r, &Organisation{ID: Int(orgID)}, 0, false)
	}
	ev := &Event{OrgcID: 1, OrgID: 1, UserID: 10}
	const host = 1
	tests := []struct {
		name                    string
		a                       *Actor
		modify, publish, tagGlb bool
		tagLocal                bool
	}{
		{"creator org user", actor("user", 11, 1), true, false, true, true},
		{"creating user, own-events role", actor("own", 10, 1), true, false, false, false},
		{"other user of org, own-events role", actor("own", 12, 1), false, false, false, false},
		{"publisher of creator org", actor("publisher", 13, 1), true, true, true, true},
		{"publisher of other org", actor("publisher", 20, 2), false, false, false, false},
		{"read-only", actor("readonly", 14, 1), false, false, false, false},
		{"site admin elsewhere", actor("siteadmin", 30, 3), true, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.CanModifyEvent(ev); got != tt.modify {
				t.Errorf("CanModifyEvent = %v, want %v", got, tt.modify)
			}
			if got := tt.a.CanPublishEvent(ev); got != tt.publish {
				t.Errorf("CanPublishEvent = %v, want %v", got, tt.publish)
			}
			if got := tt.a.CanTagEvent(ev, false, host); got != tt.tagGlb {
				t.Errorf("CanTagEvent(global) = %v, want %v", got, tt.tagGlb)
			}
			if got := tt.a.CanTagEvent(ev, true, host); got != tt.tagLocal {
				t.Errorf("CanTagEvent(local) = %v, want %v", got, tt.tagLocal)
			}
		})
	}
	// A tagger of the host organisation may add local tags to events of others.
	hostTagger := actor("user", 40, host)
	other := &Event{OrgcID: 2, OrgID: 2, UserID: 50}
	if !hostTagger.CanTagEvent(other, true, host) || hostTagger.CanTagEvent(other, false, host) {
		t.Error("host-org tagger: want local tags allowed, global tags refused on another org's event")
	}
	// A read-only key reduces a publisher to nothing but auth and audit.
	ro := NewActor(&User{ID: 13, OrgID: 1}, &Role{Perms: roles["publisher"]}, &Organisation{ID: 1}, 5, true)
	if ro.CanModifyEvent(ev) || ro.CanPublishEvent(ev) {
		t.Error("read-only key: want no modification or publication rights")
	}
	restricted := &Tag{OrgID: 2}
	if actor("user", 11, 1).CanUseTag(restricted) || !actor("user", 20, 2).CanUseTag(restricted) {
		t.Error("org-restricted tag: want only its organisation to use it")
	}
}
