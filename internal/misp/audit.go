package misp

import "context"

// Audit-log actions Razmena writes besides the CakePHP action names of
// state-changing requests (add, edit, delete, publish, addTag, …).
const (
	// AuditAuthFail is a refused API key (MISP's "auth_fail").
	AuditAuthFail = "auth_fail"
	// AuditAuthThrottle is a client address or key that failed to
	// authenticate too often and is refused for the rest of the window.
	AuditAuthThrottle = "auth_throttle"
)

// AuditSystem is the organisation and e-mail MISP writes on entries that
// no authenticated user caused (failed authentications).
const AuditSystem = "SYSTEM"

// AuditEntry is one audit-log record, MISP's Log: who (user, organisation,
// e-mail, client address), did what (action on model/model_id, request
// method, route pattern, path and answer status), when (Created) and in
// which request (RequestID, as in the access log).
//
// An entry never holds a secret: no API key beyond its first four
// characters, no Authorization header, no password, no request body.
type AuditEntry struct {
	ID int64
	// Created is set by the store (Unix seconds).
	Created int64
	// UserID and OrgID are the acting user and organisation; 0 when the
	// request did not authenticate.
	UserID int64
	OrgID  int64
	// Org and Email are the organisation name and user e-mail at the time
	// (MISP stores names, not ids); AuditSystem for unauthenticated entries.
	Org   string
	Email string
	// IP is the client address.
	IP        string
	RequestID string
	// Action is the CakePHP action of the request (add, edit, delete, …)
	// or one of the Audit* actions.
	Action string
	// Model is MISP's model name (Event, Attribute, MispObject, …) and
	// ModelID the id in the request path, 0 when there is none.
	Model   string
	ModelID int64
	// Title, Description and Change are MISP's free-text columns.
	Title       string
	Description string
	Change      string
	// Method, Route (the ServeMux pattern), Path and Status describe the
	// HTTP request and its answer.
	Method string
	Route  string
	Path   string
	Status int
}

// AuditFilter selects audit entries, as MISP's admin/logs/index filters
// do. Within a field the values are alternatives (OR); fields combine with
// AND. A string value that starts or ends with "%" is a SQL LIKE pattern,
// otherwise it must match exactly.
type AuditFilter struct {
	IDs          []int64
	UserIDs      []int64
	ModelIDs     []int64
	Models       []string
	Actions      []string
	Emails       []string
	Orgs         []string
	IPs          []string
	Titles       []string
	Descriptions []string
	Changes      []string
	// CreatedFrom and CreatedUntil bound Created (Unix seconds,
	// inclusive); 0 leaves that end open.
	CreatedFrom  int64
	CreatedUntil int64
	// Limit caps the number of entries (0 = no limit); Offset skips the
	// first entries of the order (newest first).
	Limit  int
	Offset int
}

// AuditStore persists the audit log.
type AuditStore interface {
	// CreateAuditEntry appends e, setting ID and Created. Entries are
	// never changed afterwards.
	CreateAuditEntry(ctx context.Context, e *AuditEntry) error
	// FindAuditEntries returns the entries matching f that actor may read
	// (misp-access-control §8.3), newest first: a site admin reads every
	// entry, an organisation admin (perm_admin) those of their
	// organisation, anyone else their own. Whether the actor may read the
	// log at all (perm_audit) is the caller's check. ErrUnauthenticated
	// for a nil actor.
	FindAuditEntries(ctx context.Context, actor *Actor, f AuditFilter) ([]*AuditEntry, error)
}
