package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/razmena/razmena/internal/auth"
	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/misp"
	"github.com/razmena/razmena/internal/store/sqlstore"
)

const adminUsage = `Usage: razmena admin [-database DB] <noun> <verb> [flags]

  org list [-scope local|external|all]
  org add -name NAME [-uuid UUID] [-type T] [-nationality N] [-sector S] [-external]
  user list [-org ORG]
  user add -email E -org ORG [-role ID] [-password P]   (password generated when absent)
  user set-password -email E [-password P]
  user disable -email E | user enable -email E
  role list
  key add -user EMAIL|ID [-read-only] [-comment C] [-expires YYYY-MM-DD] [-allowed-ips CIDR,CIDR]
  key list [-user EMAIL|ID]
  key revoke -id ID

ORG is an organisation id, UUID or name. New secrets are printed once.
The password is read from RAZMENA_PASSWORD when -password is not given.
`

// admin is one admin CLI invocation.
type admin struct {
	db  *sqlstore.DB
	io  stdio
	now func() time.Time
}

func runAdmin(ctx context.Context, args []string, io stdio) error {
	cfg := config.Default()
	if err := cfg.Env(io.getenv); err != nil {
		return err
	}
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(io.stderr)
	fs.Usage = func() { fmt.Fprint(io.stderr, adminUsage) }
	fs.StringVar(&cfg.Database, "database", cfg.Database, "SQLite file, or postgres:// URL (env RAZMENA_DATABASE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 2 {
		fmt.Fprint(io.stderr, adminUsage)
		return errors.New("admin: want a noun and a verb")
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a := &admin{db: db, io: io, now: time.Now}
	cmd := rest[0] + " " + rest[1]
	flags := rest[2:]
	switch cmd {
	case "org list":
		return a.orgList(ctx, flags)
	case "org add":
		return a.orgAdd(ctx, flags)
	case "user list":
		return a.userList(ctx, flags)
	case "user add":
		return a.userAdd(ctx, flags)
	case "user set-password":
		return a.userSetPassword(ctx, flags)
	case "user disable", "user enable":
		return a.userEnable(ctx, flags, rest[1] == "enable")
	case "role list":
		return a.roleList(ctx)
	case "key add":
		return a.keyAdd(ctx, flags)
	case "key list":
		return a.keyList(ctx, flags)
	case "key revoke":
		return a.keyRevoke(ctx, flags)
	}
	fmt.Fprint(io.stderr, adminUsage)
	return fmt.Errorf("admin: unknown command %q", cmd)
}

func (a *admin) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.io.stderr)
	return fs
}

func (a *admin) table() *tabwriter.Writer {
	return tabwriter.NewWriter(a.io.stdout, 0, 4, 2, ' ', 0)
}

// findOrg resolves an organisation id, UUID or name.
func (a *admin) findOrg(ctx context.Context, s string) (*misp.Organisation, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return a.db.FindOrgByID(ctx, id)
	}
	if misp.IsUUID(s) {
		return a.db.FindOrgByUUID(ctx, misp.NormalizeUUID(s))
	}
	return a.db.FindOrgByName(ctx, s)
}

// findUser resolves a user id or e-mail.
func (a *admin) findUser(ctx context.Context, s string) (*misp.User, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return a.db.FindUserByID(ctx, id)
	}
	return a.db.FindUserByEmail(ctx, s)
}

func (a *admin) orgList(ctx context.Context, args []string) error {
	fs := a.flags("org list")
	scope := fs.String("scope", "all", "local, external or all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	orgs, err := a.db.FindOrgs(ctx, misp.OrgFilter{Scope: *scope})
	if err != nil {
		return err
	}
	tw := a.table()
	fmt.Fprintln(tw, "ID\tNAME\tUUID\tLOCAL\tUSERS")
	for _, o := range orgs {
		users := int64(0)
		if o.UserCount != nil {
			users = int64(*o.UserCount)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%d\n", o.ID, o.Name, o.UUID, bool(o.Local), users)
	}
	return tw.Flush()
}

func (a *admin) orgAdd(ctx context.Context, args []string) error {
	fs := a.flags("org add")
	o := &misp.Organisation{}
	fs.StringVar(&o.Name, "name", "", "organisation name (required)")
	fs.StringVar(&o.UUID, "uuid", "", "UUID (generated when absent)")
	fs.StringVar(&o.Type, "type", "", "type, e.g. CERT")
	fs.StringVar(&o.Nationality, "nationality", "", "nationality")
	fs.StringVar(&o.Sector, "sector", "", "sector")
	external := fs.Bool("external", false, "an organisation without users on this instance")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Local = misp.Bool(!*external)
	if err := o.Validate(); err != nil {
		return err
	}
	if err := a.db.CreateOrg(ctx, o); err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	fmt.Fprintf(a.io.stdout, "organisation %d %q created (uuid %s)\n", o.ID, o.Name, o.UUID)
	return nil
}

func (a *admin) userList(ctx context.Context, args []string) error {
	fs := a.flags("user list")
	orgRef := fs.String("org", "", "only users of this organisation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := misp.UserFilter{}
	if *orgRef != "" {
		o, err := a.findOrg(ctx, *orgRef)
		if err != nil {
			return fmt.Errorf("organisation %q: %w", *orgRef, err)
		}
		f.OrgID = int64(o.ID)
	}
	users, err := a.db.FindUsers(ctx, f)
	if err != nil {
		return err
	}
	tw := a.table()
	fmt.Fprintln(tw, "ID\tEMAIL\tORG\tROLE\tDISABLED")
	for _, u := range users {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%v\n", u.ID, u.Email, u.OrgID, u.RoleID, bool(u.Disabled))
	}
	return tw.Flush()
}

// password returns the given password, RAZMENA_PASSWORD, or a generated one.
func (a *admin) password(given string) (string, bool, error) {
	if given == "" {
		given = a.io.getenv("RAZMENA_PASSWORD")
	}
	if given == "" {
		return auth.GeneratePassword(), true, nil
	}
	if err := auth.ValidatePassword(given); err != nil {
		return "", false, err
	}
	return given, false, nil
}

func (a *admin) userAdd(ctx context.Context, args []string) error {
	fs := a.flags("user add")
	email := fs.String("email", "", "e-mail (required)")
	orgRef := fs.String("org", "", "organisation id, UUID or name (required)")
	roleID := fs.Int64("role", 0, "role id (default: the default role); see `razmena admin role list`")
	given := fs.String("password", "", "password (generated when absent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	org, err := a.findOrg(ctx, *orgRef)
	if err != nil {
		return fmt.Errorf("organisation %q: %w", *orgRef, err)
	}
	if *roleID == 0 {
		r, err := a.db.FindDefaultRole(ctx)
		if err != nil {
			return fmt.Errorf("default role: %w", err)
		}
		*roleID = int64(r.ID)
	}
	pw, generated, err := a.password(*given)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	u := &misp.User{Email: *email, OrgID: org.ID, RoleID: misp.Int(*roleID), PasswordHash: hash}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := a.db.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	fmt.Fprintf(a.io.stdout, "user %d %s created in organisation %q\n", u.ID, u.Email, org.Name)
	if generated {
		fmt.Fprintf(a.io.stdout, "password: %s\n", pw)
	}
	return nil
}

func (a *admin) userSetPassword(ctx context.Context, args []string) error {
	fs := a.flags("user set-password")
	email := fs.String("email", "", "e-mail or id of the user (required)")
	given := fs.String("password", "", "new password (generated when absent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := a.findUser(ctx, *email)
	if err != nil {
		return fmt.Errorf("user %q: %w", *email, err)
	}
	pw, generated, err := a.password(*given)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if _, err := a.db.UpdateUser(ctx, int64(u.ID), misp.UserUpdate{PasswordHash: &hash}); err != nil {
		return err
	}
	fmt.Fprintf(a.io.stdout, "password of %s changed\n", u.Email)
	if generated {
		fmt.Fprintf(a.io.stdout, "password: %s\n", pw)
	}
	return nil
}

func (a *admin) userEnable(ctx context.Context, args []string, enable bool) error {
	fs := a.flags("user enable")
	email := fs.String("email", "", "e-mail or id of the user (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := a.findUser(ctx, *email)
	if err != nil {
		return fmt.Errorf("user %q: %w", *email, err)
	}
	disabled := !enable
	if _, err := a.db.UpdateUser(ctx, int64(u.ID), misp.UserUpdate{Disabled: &disabled}); err != nil {
		return err
	}
	fmt.Fprintf(a.io.stdout, "user %s %s\n", u.Email, map[bool]string{true: "enabled", false: "disabled"}[enable])
	return nil
}

func (a *admin) roleList(ctx context.Context) error {
	roles, err := a.db.FindRoles(ctx)
	if err != nil {
		return err
	}
	tw := a.table()
	fmt.Fprintln(tw, "ID\tNAME\tPERMISSION\tSITE ADMIN\tORG ADMIN\tSYNC\tDEFAULT")
	for _, r := range roles {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%v\t%v\t%v\n", r.ID, r.Name, misp.PermissionDescription(r.Permission()),
			bool(r.SiteAdmin), bool(r.Admin), bool(r.Sync), bool(r.DefaultRole))
	}
	return tw.Flush()
}

func (a *admin) keyAdd(ctx context.Context, args []string) error {
	fs := a.flags("key add")
	userRef := fs.String("user", "", "e-mail or id of the key's user (required)")
	readOnly := fs.Bool("read-only", false, "a key that can only read")
	comment := fs.String("comment", "", "what the key is for")
	expires := fs.String("expires", "", "expiry date YYYY-MM-DD (default: never)")
	ips := fs.String("allowed-ips", "", "comma-separated addresses or CIDRs the key may be used from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := a.findUser(ctx, *userRef)
	if err != nil {
		return fmt.Errorf("user %q: %w", *userRef, err)
	}
	k := &misp.AuthKey{UserID: u.ID, ReadOnly: misp.Bool(*readOnly), Comment: *comment}
	if *expires != "" {
		t, err := time.Parse(time.DateOnly, *expires)
		if err != nil {
			return fmt.Errorf("-expires: want YYYY-MM-DD: %w", err)
		}
		if !t.After(a.now()) {
			return errors.New("-expires: the date must be in the future")
		}
		k.Expiration = misp.Int(t.Unix())
	}
	for _, ip := range strings.Split(*ips, ",") {
		if ip = strings.TrimSpace(ip); ip != "" {
			k.AllowedIPs = append(k.AllowedIPs, ip)
		}
	}
	raw := auth.GenerateKey()
	if err := auth.NewAuthKey(k, raw); err != nil {
		return err
	}
	if err := k.Validate(); err != nil {
		return err
	}
	if err := a.db.CreateAuthKey(ctx, k); err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	fmt.Fprintf(a.io.stdout, "key %d created for %s (shown only once):\n%s\n", k.ID, u.Email, raw)
	return nil
}

func (a *admin) keyList(ctx context.Context, args []string) error {
	fs := a.flags("key list")
	userRef := fs.String("user", "", "only keys of this user (e-mail or id)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := misp.AuthKeyFilter{}
	if *userRef != "" {
		u, err := a.findUser(ctx, *userRef)
		if err != nil {
			return fmt.Errorf("user %q: %w", *userRef, err)
		}
		f.UserID = int64(u.ID)
	}
	keys, err := a.db.FindAuthKeys(ctx, f)
	if err != nil {
		return err
	}
	tw := a.table()
	fmt.Fprintln(tw, "ID\tUSER\tKEY\tREAD-ONLY\tEXPIRES\tLAST USED\tCOMMENT")
	for _, k := range keys {
		exp := "never"
		if k.Expiration != 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.DateOnly)
		}
		last := "never"
		if k.LastUsed != 0 {
			last = time.Unix(int64(k.LastUsed), 0).UTC().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s…%s\t%v\t%s\t%s\t%s\n", k.ID, k.UserID, k.AuthkeyStart, k.AuthkeyEnd, bool(k.ReadOnly), exp, last, k.Comment)
	}
	return tw.Flush()
}

func (a *admin) keyRevoke(ctx context.Context, args []string) error {
	fs := a.flags("key revoke")
	id := fs.Int64("id", 0, "key id (required); see `razmena admin key list`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id <= 0 {
		return errors.New("key revoke: -id is required")
	}
	if err := a.db.DeleteAuthKey(ctx, *id); err != nil {
		return fmt.Errorf("revoke key %d: %w", *id, err)
	}
	fmt.Fprintf(a.io.stdout, "key %d revoked\n", *id)
	return nil
}
