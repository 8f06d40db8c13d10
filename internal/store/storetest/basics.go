package storetest

import (
	"testing"

	"github.com/razmena/razmena/internal/misp"
)

func testRoles(t *testing.T, s *Stores) {
	ctx := t.Context()
	all := func(p misp.Perms) misp.Perms { return p }
	want := []struct {
		id    int64
		name  string
		def   bool
		perms misp.Perms
	}{
		{1, "admin", false, all(misp.Perms{Add: true, Modify: true, ModifyOrg: true, Publish: true,
			Delegate: true, Sync: true, Admin: true, Audit: true, Auth: true, SiteAdmin: true,
			RegexpAccess: true, Tagger: true, Template: true, SharingGroup: true, TagEditor: true,
			Sighting: true, ObjectTemplate: true, PublishZMQ: true, PublishKafka: true, Decaying: true,
			GalaxyEditor: true, Warninglist: true, ViewFeedCorrelations: true, AnalystData: true})},
		{2, "Org Admin", false, misp.Perms{Add: true, Modify: true, ModifyOrg: true, Publish: true,
			Delegate: true, Admin: true, Audit: true, Auth: true, Tagger: true, Template: true,
			SharingGroup: true, TagEditor: true, Sighting: true, PublishZMQ: true, PublishKafka: true,
			Decaying: true, GalaxyEditor: true, AnalystData: true}},
		{3, "User", true, misp.Perms{Add: true, Modify: true, ModifyOrg: true, Audit: true, Auth: true,
			Tagger: true, Sighting: true, Decaying: true, GalaxyEditor: true, AnalystData: true}},
		{4, "Publisher", false, misp.Perms{Add: true, Modify: true, ModifyOrg: true, Publish: true,
			Delegate: true, Audit: true, Auth: true, Tagger: true, Sighting: true, PublishZMQ: true,
			PublishKafka: true, Decaying: true, GalaxyEditor: true, AnalystData: true}},
		{5, "Sync user", false, misp.Perms{Add: true, Modify: true, ModifyOrg: true, Publish: true,
			Delegate: true, Sync: true, Audit: true, Auth: true, Tagger: true, SharingGroup: true,
			TagEditor: true, Sighting: true, PublishZMQ: true, PublishKafka: true, Decaying: true,
			GalaxyEditor: true, AnalystData: true}},
		{6, "Read Only", false, misp.Perms{Audit: true, Auth: true}},
	}
	roles, err := s.Roles.FindRoles(ctx)
	if err != nil {
		t.Fatalf("FindRoles() = %v", err)
	}
	if len(roles) != len(want) {
		t.Fatalf("FindRoles() returned %d roles, want %d", len(roles), len(want))
	}
	for i, w := range want {
		r := roles[i]
		if int64(r.ID) != w.id || r.Name != w.name || bool(r.DefaultRole) != w.def {
			t.Errorf("role %d = {id %d, %q, default %t}, want {id %d, %q, default %t}",
				i, r.ID, r.Name, r.DefaultRole, w.id, w.name, w.def)
		}
		if d := diff(w.perms, r.Perms); d != "" {
			t.Errorf("role %q perms (-want +got):\n%s", w.name, d)
		}
		if r.RestrictedToSiteAdmin || r.EnforceRateLimit {
			t.Errorf("role %q restricted/rate-limited, want neither", w.name)
		}
		got, err := s.Roles.FindRoleByID(ctx, w.id)
		if err != nil {
			t.Fatalf("FindRoleByID(%d) = %v", w.id, err)
		}
		if d := diff(r, got); d != "" {
			t.Errorf("FindRoleByID(%d) differs from FindRoles (-want +got):\n%s", w.id, d)
		}
	}
	def, err := s.Roles.FindDefaultRole(ctx)
	if err != nil || def.ID != misp.RoleUser {
		t.Errorf("FindDefaultRole() = %v, %v, want role %d", def, err, misp.RoleUser)
	}
	_, err = s.Roles.FindRoleByID(ctx, 99)
	wantErr(t, "FindRoleByID(99)", err, misp.ErrNotFound)
}

func testSettings(t *testing.T, s *Stores) {
	ctx := t.Context()
	_, err := s.Settings.Setting(ctx, misp.SettingHostOrgID)
	wantErr(t, "Setting(missing)", err, misp.ErrNotFound)
	for _, v := range []string{"1", "2"} {
		if err := s.Settings.SetSetting(ctx, misp.SettingHostOrgID, v); err != nil {
			t.Fatalf("SetSetting(%q) = %v", v, err)
		}
		got, err := s.Settings.Setting(ctx, misp.SettingHostOrgID)
		if err != nil || got != v {
			t.Errorf("Setting() = %q, %v, want %q", got, err, v)
		}
	}
	if err := s.Settings.SetSetting(ctx, misp.SettingInstanceUUID, "u"); err != nil {
		t.Fatalf("SetSetting() = %v", err)
	}
	if got, err := s.Settings.Setting(ctx, misp.SettingHostOrgID); err != nil || got != "2" {
		t.Errorf("Setting(host org) after another key = %q, %v, want %q", got, err, "2")
	}
}

func testOrgs(t *testing.T, s *Stores) {
	ctx := t.Context()
	a := &misp.Organisation{Name: "CIRCL", Local: true, Description: "d", Sector: "CERT",
		RestrictedToDomain: []string{"circl.lu"}, UUID: "55F6EA5E-2C60-40E5-964F-47A8950D210F"}
	if err := s.Orgs.CreateOrg(ctx, a); err != nil {
		t.Fatalf("CreateOrg() = %v", err)
	}
	if a.ID == 0 || a.UUID != "55f6ea5e-2c60-40e5-964f-47a8950d210f" || int64(a.DateCreated) != s.Clock.Unix() {
		t.Errorf("CreateOrg() set id %d, uuid %q, date %d", a.ID, a.UUID, a.DateCreated)
	}
	ext := &misp.Organisation{Name: "Remote Org"}
	if err := s.Orgs.CreateOrg(ctx, ext); err != nil {
		t.Fatalf("CreateOrg(external) = %v", err)
	}
	if !misp.IsUUID(ext.UUID) || ext.RestrictedToDomain == nil {
		t.Errorf("CreateOrg(external) uuid %q, domains %v", ext.UUID, ext.RestrictedToDomain)
	}

	finds := []struct {
		name string
		find func() (*misp.Organisation, error)
	}{
		{"FindOrgByID", func() (*misp.Organisation, error) { return s.Orgs.FindOrgByID(ctx, int64(a.ID)) }},
		{"FindOrgByUUID", func() (*misp.Organisation, error) {
			return s.Orgs.FindOrgByUUID(ctx, "55F6EA5E-2C60-40E5-964F-47A8950D210F")
		}},
		{"FindOrgByName", func() (*misp.Organisation, error) { return s.Orgs.FindOrgByName(ctx, "circl") }},
	}
	for _, f := range finds {
		got, err := f.find()
		if err != nil {
			t.Fatalf("%s = %v", f.name, err)
		}
		if d := diff(a, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", f.name, d)
		}
	}
	_, err := s.Orgs.FindOrgByID(ctx, 999)
	wantErr(t, "FindOrgByID(999)", err, misp.ErrNotFound)
	_, err = s.Orgs.FindOrgByUUID(ctx, misp.NewUUID())
	wantErr(t, "FindOrgByUUID(unknown)", err, misp.ErrNotFound)
	_, err = s.Orgs.FindOrgByName(ctx, "nobody")
	wantErr(t, "FindOrgByName(unknown)", err, misp.ErrNotFound)

	err = s.Orgs.CreateOrg(ctx, &misp.Organisation{Name: "circl"})
	wantErr(t, "CreateOrg(same name, other case)", err, misp.ErrConflict)
	err = s.Orgs.CreateOrg(ctx, &misp.Organisation{Name: "Other", UUID: a.UUID})
	wantErr(t, "CreateOrg(same uuid)", err, misp.ErrConflict)

	u := mustCreateUser(t, s, a, misp.RoleUser, "u@circl.lu")
	b := mustCreateOrg(t, s, "Bank", true)
	lists := []struct {
		name string
		f    misp.OrgFilter
		want []string
	}{
		{"local", misp.OrgFilter{}, []string{"Bank", "CIRCL"}},
		{"external", misp.OrgFilter{Scope: "external"}, []string{"Remote Org"}},
		{"all", misp.OrgFilter{Scope: "all"}, []string{"Bank", "CIRCL", "Remote Org"}},
		{"search", misp.OrgFilter{Scope: "all", Search: "IRC"}, []string{"CIRCL"}},
		{"limit", misp.OrgFilter{Scope: "all", Limit: 1, Offset: 1}, []string{"CIRCL"}},
	}
	for _, l := range lists {
		orgs, err := s.Orgs.FindOrgs(ctx, l.f)
		if err != nil {
			t.Fatalf("FindOrgs(%+v) = %v", l.f, err)
		}
		var got []string
		for _, o := range orgs {
			got = append(got, o.Name)
			want := misp.Int(0)
			if o.ID == a.ID {
				want = 1
			}
			if o.UserCount == nil || *o.UserCount != want {
				t.Errorf("FindOrgs(%+v): %q user_count = %v, want %d", l.f, o.Name, o.UserCount, want)
			}
		}
		if d := diff(l.want, got); d != "" {
			t.Errorf("FindOrgs(%s) (-want +got):\n%s", l.name, d)
		}
	}

	s.Clock.Advance(60)
	upd, err := s.Orgs.UpdateOrg(ctx, int64(a.ID), misp.OrgUpdate{Name: ptr("CIRCL.lu"), Description: ptr("new"),
		Local: ptr(false), RestrictedToDomain: &[]string{"a.lu", "b.lu"}})
	if err != nil {
		t.Fatalf("UpdateOrg() = %v", err)
	}
	want := *a
	want.Name, want.Description, want.Local = "CIRCL.lu", "new", false
	want.RestrictedToDomain = []string{"a.lu", "b.lu"}
	want.DateModified = misp.DateTime(s.Clock.Unix())
	if d := diff(&want, upd); d != "" {
		t.Errorf("UpdateOrg() (-want +got):\n%s", d)
	}
	if got, err := s.Orgs.FindOrgByID(ctx, int64(a.ID)); err != nil || diff(&want, got) != "" {
		t.Errorf("FindOrgByID() after update = %+v, %v, want %+v", got, err, want)
	}
	_, err = s.Orgs.UpdateOrg(ctx, int64(a.ID), misp.OrgUpdate{Name: ptr("BANK")})
	wantErr(t, "UpdateOrg(name taken)", err, misp.ErrConflict)
	_, err = s.Orgs.UpdateOrg(ctx, 999, misp.OrgUpdate{Name: ptr("x")})
	wantErr(t, "UpdateOrg(999)", err, misp.ErrNotFound)

	wantErr(t, "DeleteOrg(with user)", s.Orgs.DeleteOrg(ctx, int64(a.ID)), misp.ErrConflict)
	creator := mustActor(t, s, mustCreateUser(t, s, b, misp.RoleUser, "u@bank.test"), b)
	if err := s.Users.DeleteUser(ctx, int64(creator.User.ID)); err != nil {
		t.Fatalf("DeleteUser() = %v", err)
	}
	mustCreateEvent(t, s, creator, newEvent("owned by the bank"))
	wantErr(t, "DeleteOrg(owning events)", s.Orgs.DeleteOrg(ctx, int64(b.ID)), misp.ErrConflict)

	if err := s.Users.DeleteUser(ctx, int64(u.ID)); err != nil {
		t.Fatalf("DeleteUser() = %v", err)
	}
	wantErr(t, "DeleteOrg(empty)", s.Orgs.DeleteOrg(ctx, int64(a.ID)), nil)
	_, err = s.Orgs.FindOrgByID(ctx, int64(a.ID))
	wantErr(t, "FindOrgByID(deleted)", err, misp.ErrNotFound)
	wantErr(t, "DeleteOrg(again)", s.Orgs.DeleteOrg(ctx, int64(a.ID)), misp.ErrNotFound)
}

func testUsers(t *testing.T, s *Stores) {
	ctx := t.Context()
	org := mustCreateOrg(t, s, "A", true)
	other := mustCreateOrg(t, s, "B", true)
	exp := misp.Int(1900000000)
	u := &misp.User{Email: "alice@a.test", OrgID: org.ID, RoleID: misp.RoleUser, PasswordHash: "$2y$hash",
		Autoalert: true, GPGKey: "key", Expiration: &exp, NidsSID: 4000000}
	if err := s.Users.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser() = %v", err)
	}
	if u.ID == 0 || int64(u.DateCreated) != s.Clock.Unix() || u.DateModified != u.DateCreated {
		t.Errorf("CreateUser() set id %d, created %d, modified %d", u.ID, u.DateCreated, u.DateModified)
	}
	for _, find := range []func() (*misp.User, error){
		func() (*misp.User, error) { return s.Users.FindUserByID(ctx, int64(u.ID)) },
		func() (*misp.User, error) { return s.Users.FindUserByEmail(ctx, "ALICE@a.test") },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find user = %v", err)
		}
		if d := diff(u, got); d != "" {
			t.Errorf("find user (-want +got):\n%s", d)
		}
	}
	_, err := s.Users.FindUserByID(ctx, 999)
	wantErr(t, "FindUserByID(999)", err, misp.ErrNotFound)
	_, err = s.Users.FindUserByEmail(ctx, "nobody@a.test")
	wantErr(t, "FindUserByEmail(unknown)", err, misp.ErrNotFound)

	creates := []struct {
		name string
		u    *misp.User
		want error
	}{
		{"email taken (case-insensitive)", &misp.User{Email: "Alice@A.test", OrgID: org.ID, RoleID: misp.RoleUser}, misp.ErrConflict},
		{"unknown org", &misp.User{Email: "x@a.test", OrgID: 999, RoleID: misp.RoleUser}, misp.ErrInvalid},
		{"unknown role", &misp.User{Email: "y@a.test", OrgID: org.ID, RoleID: 99}, misp.ErrInvalid},
	}
	for _, c := range creates {
		wantErr(t, "CreateUser("+c.name+")", s.Users.CreateUser(ctx, c.u), c.want)
	}

	bob := mustCreateUser(t, s, other, misp.RoleReadOnly, "bob@b.test")
	carol := mustCreateUser(t, s, org, misp.RoleUser, "carol@a.test")
	lists := []struct {
		f    misp.UserFilter
		want []misp.Int
	}{
		{misp.UserFilter{}, []misp.Int{u.ID, bob.ID, carol.ID}},
		{misp.UserFilter{OrgID: int64(org.ID)}, []misp.Int{u.ID, carol.ID}},
		{misp.UserFilter{Search: "B@B"}, []misp.Int{bob.ID}},
		{misp.UserFilter{Limit: 1, Offset: 2}, []misp.Int{carol.ID}},
	}
	for _, l := range lists {
		users, err := s.Users.FindUsers(ctx, l.f)
		if err != nil {
			t.Fatalf("FindUsers(%+v) = %v", l.f, err)
		}
		var got []misp.Int
		for _, x := range users {
			got = append(got, x.ID)
		}
		if d := diff(l.want, got); d != "" {
			t.Errorf("FindUsers(%+v) (-want +got):\n%s", l.f, d)
		}
	}

	s.Clock.Advance(10)
	upd, err := s.Users.UpdateUser(ctx, int64(u.ID), misp.UserUpdate{RoleID: ptr(int64(misp.RolePublisher)),
		Disabled: ptr(true), PasswordHash: ptr("new"), OrgID: ptr(int64(other.ID))})
	if err != nil {
		t.Fatalf("UpdateUser() = %v", err)
	}
	want := *u
	want.RoleID, want.Disabled, want.PasswordHash, want.OrgID = misp.RolePublisher, true, "new", other.ID
	want.DateModified = misp.Int(s.Clock.Unix())
	if d := diff(&want, upd); d != "" {
		t.Errorf("UpdateUser() (-want +got):\n%s", d)
	}
	if got, err := s.Users.FindUserByID(ctx, int64(u.ID)); err != nil || diff(&want, got) != "" {
		t.Errorf("FindUserByID() after update = %+v, %v, want %+v", got, err, want)
	}
	_, err = s.Users.UpdateUser(ctx, int64(u.ID), misp.UserUpdate{Email: ptr("bob@b.test")})
	wantErr(t, "UpdateUser(email taken)", err, misp.ErrConflict)
	_, err = s.Users.UpdateUser(ctx, int64(u.ID), misp.UserUpdate{RoleID: ptr(int64(42))})
	wantErr(t, "UpdateUser(unknown role)", err, misp.ErrInvalid)
	_, err = s.Users.UpdateUser(ctx, 999, misp.UserUpdate{})
	wantErr(t, "UpdateUser(999)", err, misp.ErrNotFound)

	k := &misp.AuthKey{UserID: u.ID, Hash: []byte("hash-of-alice"), AuthkeyStart: "abcd", AuthkeyEnd: "wxyz"}
	if err := s.AuthKeys.CreateAuthKey(ctx, k); err != nil {
		t.Fatalf("CreateAuthKey() = %v", err)
	}
	wantErr(t, "DeleteUser()", s.Users.DeleteUser(ctx, int64(u.ID)), nil)
	_, err = s.Users.FindUserByID(ctx, int64(u.ID))
	wantErr(t, "FindUserByID(deleted)", err, misp.ErrNotFound)
	_, err = s.AuthKeys.FindAuthKeyByID(ctx, int64(k.ID))
	wantErr(t, "FindAuthKeyByID(key of deleted user)", err, misp.ErrNotFound)
	wantErr(t, "DeleteUser(again)", s.Users.DeleteUser(ctx, int64(u.ID)), misp.ErrNotFound)
}

func testAuthKeys(t *testing.T, s *Stores) {
	ctx := t.Context()
	orgA := mustCreateOrg(t, s, "A", true)
	orgB := mustCreateOrg(t, s, "B", true)
	alice := mustCreateUser(t, s, orgA, misp.RoleUser, "alice@a.test")
	bob := mustCreateUser(t, s, orgB, misp.RoleUser, "bob@b.test")

	k := &misp.AuthKey{UserID: alice.ID, Hash: []byte{0, 1, 2, 0xff}, AuthkeyStart: "abcd", AuthkeyEnd: "wxyz",
		Comment: "ci", Expiration: 1900000000, ReadOnly: true, AllowedIPs: []string{"10.0.0.0/8", "192.0.2.1"}}
	if err := s.AuthKeys.CreateAuthKey(ctx, k); err != nil {
		t.Fatalf("CreateAuthKey() = %v", err)
	}
	if k.ID == 0 || !misp.IsUUID(k.UUID) || int64(k.Created) != s.Clock.Unix() || k.UniqueIPs == nil {
		t.Errorf("CreateAuthKey() set id %d, uuid %q, created %d, unique_ips %v", k.ID, k.UUID, k.Created, k.UniqueIPs)
	}
	kb := &misp.AuthKey{UserID: bob.ID, Hash: []byte("bob")}
	if err := s.AuthKeys.CreateAuthKey(ctx, kb); err != nil {
		t.Fatalf("CreateAuthKey(bob) = %v", err)
	}
	wantErr(t, "CreateAuthKey(unknown user)", s.AuthKeys.CreateAuthKey(ctx, &misp.AuthKey{UserID: 999, Hash: []byte("x")}), misp.ErrInvalid)
	wantErr(t, "CreateAuthKey(hash taken)", s.AuthKeys.CreateAuthKey(ctx, &misp.AuthKey{UserID: bob.ID, Hash: []byte{0, 1, 2, 0xff}}), misp.ErrConflict)

	for _, find := range []func() (*misp.AuthKey, error){
		func() (*misp.AuthKey, error) { return s.AuthKeys.FindAuthKeyByID(ctx, int64(k.ID)) },
		func() (*misp.AuthKey, error) { return s.AuthKeys.FindAuthKeyByHash(ctx, []byte{0, 1, 2, 0xff}) },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find key = %v", err)
		}
		if d := diff(k, got); d != "" {
			t.Errorf("find key (-want +got):\n%s", d)
		}
	}
	_, err := s.AuthKeys.FindAuthKeyByHash(ctx, []byte{0, 1, 2})
	wantErr(t, "FindAuthKeyByHash(prefix)", err, misp.ErrNotFound)

	// FindKeyHolder reads the key with its user, role and organisation.
	h, err := s.AuthKeys.FindKeyHolder(ctx, []byte{0, 1, 2, 0xff})
	if err != nil {
		t.Fatalf("FindKeyHolder() = %v", err)
	}
	if d := diff(k, h.Key); d != "" {
		t.Errorf("FindKeyHolder key (-want +got):\n%s", d)
	}
	if h.User == nil || h.User.ID != alice.ID || h.User.Email != "alice@a.test" ||
		h.Role == nil || h.Role.ID != alice.RoleID || h.Org == nil || h.Org.ID != orgA.ID || h.Org.Name != "A" {
		t.Errorf("FindKeyHolder() = user %+v, role %+v, org %+v; want alice, her role, org A", h.User, h.Role, h.Org)
	}
	_, err = s.AuthKeys.FindKeyHolder(ctx, []byte{0, 1, 2})
	wantErr(t, "FindKeyHolder(prefix)", err, misp.ErrNotFound)
	_, err = s.AuthKeys.FindAuthKeyByID(ctx, 999)
	wantErr(t, "FindAuthKeyByID(999)", err, misp.ErrNotFound)

	lists := []struct {
		f    misp.AuthKeyFilter
		want []misp.Int
	}{
		{misp.AuthKeyFilter{}, []misp.Int{k.ID, kb.ID}},
		{misp.AuthKeyFilter{UserID: int64(bob.ID)}, []misp.Int{kb.ID}},
		{misp.AuthKeyFilter{OrgID: int64(orgA.ID)}, []misp.Int{k.ID}},
	}
	for _, l := range lists {
		keys, err := s.AuthKeys.FindAuthKeys(ctx, l.f)
		if err != nil {
			t.Fatalf("FindAuthKeys(%+v) = %v", l.f, err)
		}
		var got []misp.Int
		for _, x := range keys {
			got = append(got, x.ID)
		}
		if d := diff(l.want, got); d != "" {
			t.Errorf("FindAuthKeys(%+v) (-want +got):\n%s", l.f, d)
		}
	}

	for i, ip := range []string{"192.0.2.1", "192.0.2.1", "2001:db8::1"} {
		if err := s.AuthKeys.TouchAuthKey(ctx, int64(k.ID), ip, int64(1800000000+i)); err != nil {
			t.Fatalf("TouchAuthKey(%q) = %v", ip, err)
		}
	}
	got, err := s.AuthKeys.FindAuthKeyByID(ctx, int64(k.ID))
	if err != nil {
		t.Fatalf("FindAuthKeyByID() = %v", err)
	}
	if got.LastUsed != 1800000002 {
		t.Errorf("last_used = %d, want 1800000002", got.LastUsed)
	}
	if d := diff([]string{"192.0.2.1", "2001:db8::1"}, got.UniqueIPs); d != "" {
		t.Errorf("unique_ips (-want +got):\n%s", d)
	}
	wantErr(t, "TouchAuthKey(999)", s.AuthKeys.TouchAuthKey(ctx, 999, "x", 1), misp.ErrNotFound)

	// An edit changes the editable fields and nothing else.
	edit := *got
	edit.Comment, edit.ReadOnly, edit.AllowedIPs, edit.Expiration = "rotated", true, []string{"10.0.0.0/8"}, 1900000000
	edit.Hash, edit.UserID, edit.LastUsed = []byte("not-this"), bob.ID, 1
	if err := s.AuthKeys.UpdateAuthKey(ctx, &edit); err != nil {
		t.Fatalf("UpdateAuthKey() = %v", err)
	}
	after, err := s.AuthKeys.FindAuthKeyByHash(ctx, []byte{0, 1, 2, 0xff})
	if err != nil {
		t.Fatalf("FindAuthKeyByHash(after edit) = %v", err)
	}
	if after.Comment != "rotated" || !after.ReadOnly || after.Expiration != 1900000000 ||
		diff([]string{"10.0.0.0/8"}, after.AllowedIPs) != "" {
		t.Errorf("after UpdateAuthKey: %+v, want the edited comment, read_only, allowed_ips, expiration", after)
	}
	if after.ID != k.ID || after.UserID != alice.ID || after.LastUsed != 1800000002 || after.UUID != k.UUID {
		t.Errorf("UpdateAuthKey changed identity or usage: %+v", after)
	}
	wantErr(t, "UpdateAuthKey(999)", s.AuthKeys.UpdateAuthKey(ctx, &misp.AuthKey{ID: 999}), misp.ErrNotFound)

	wantErr(t, "DeleteAuthKey()", s.AuthKeys.DeleteAuthKey(ctx, int64(k.ID)), nil)
	_, err = s.AuthKeys.FindAuthKeyByHash(ctx, []byte{0, 1, 2, 0xff})
	wantErr(t, "FindAuthKeyByHash(revoked)", err, misp.ErrNotFound)
	wantErr(t, "DeleteAuthKey(again)", s.AuthKeys.DeleteAuthKey(ctx, int64(k.ID)), misp.ErrNotFound)
}
