package restapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// registerLogs adds the audit-log endpoints (misp-rest-api §3.7
// admin/logs/index, misp-access-control §8.3; LogsController::admin_index).
// PyMISP's search_logs posts to admin/logs/index; admin/audit_logs/index
// answers the same.
func (a *API) registerLogs(mux *http.ServeMux) {
	a.route(mux, "GET POST", "/admin/logs/index", a.logIndex)
	a.route(mux, "GET POST", "/admin/audit_logs/index", a.logIndex)
}

// logParams are the filters of admin/logs/index.
var logParams = []string{"id", "title", "created", "model", "model_id", "action", "user_id",
	"change", "email", "org", "description", "ip", "limit", "page"}

// Page sizes of admin/logs/index. MISP returns every matching entry when
// no limit is given; Razmena caps the answer so that one call cannot
// materialise an audit log of millions of rows.
const (
	defaultLogLimit = 1000
	maxLogLimit     = 10000
)

// logBlock is MISP's Log as admin/logs/index renders it.
type logBlock struct {
	ID          misp.Int `json:"id"`
	Title       string   `json:"title"`
	Created     string   `json:"created"`
	Model       string   `json:"model"`
	ModelID     misp.Int `json:"model_id"`
	Action      string   `json:"action"`
	UserID      misp.Int `json:"user_id"`
	Change      string   `json:"change"`
	Email       string   `json:"email"`
	Org         string   `json:"org"`
	Description string   `json:"description"`
	IP          string   `json:"ip"`
}

// logEntry is {"Log":{…}}.
type logEntry struct {
	Log logBlock `json:"Log"`
}

// logIndex is GET|POST /admin/logs/index (perm_audit): the audit entries
// the actor may read — all for a site admin, their organisation's for an
// organisation admin, their own for anyone else — newest first, filtered
// by the MISP filters in named parameters, the query string or a JSON
// body: [{"Log":{…}}].
func (a *API) logIndex(w http.ResponseWriter, r *http.Request, actor *misp.Actor) error {
	if err := requirePerm(r, actor.Perms.Audit); err != nil {
		return err
	}
	p, err := harvestParams(r, logParams)
	if err != nil {
		return err
	}
	f, ok := logFilter(p, a.now())
	out := []logEntry{}
	if ok {
		entries, err := a.st.Audit.FindAuditEntries(r.Context(), actor, f)
		if err != nil {
			return err
		}
		for _, e := range entries {
			out = append(out, logEntry{Log: logBlock{
				ID: misp.Int(e.ID), Title: e.Title, Created: time.Unix(e.Created, 0).UTC().Format(time.DateTime),
				Model: e.Model, ModelID: misp.Int(e.ModelID), Action: e.Action, UserID: misp.Int(e.UserID),
				Change: e.Change, Email: e.Email, Org: e.Org, Description: e.Description, IP: e.IP,
			}})
		}
	}
	httpserver.WriteJSON(w, r, http.StatusOK, out)
	return nil
}

// logFilter turns harvested parameters into a store filter. ok is false
// when a filter can match nothing (only non-numeric ids, say).
func logFilter(p map[string][]string, now time.Time) (f misp.AuditFilter, ok bool) {
	ints := func(key string, dst *[]int64) bool {
		vs := p[key]
		for _, v := range vs {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				*dst = append(*dst, n)
			}
		}
		return len(vs) == 0 || len(*dst) > 0
	}
	if !ints("id", &f.IDs) || !ints("user_id", &f.UserIDs) || !ints("model_id", &f.ModelIDs) {
		return f, false
	}
	strs := func(key string) []string {
		var out []string
		for _, v := range p[key] {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	f.Titles, f.Models, f.Actions = strs("title"), strs("model"), strs("action")
	f.Changes, f.Emails, f.Orgs = strs("change"), strs("email"), strs("org")
	f.Descriptions, f.IPs = strs("description"), strs("ip")
	f.CreatedFrom, f.CreatedUntil = timeRange(p["created"], now)

	f.Limit = defaultLogLimit
	if vs := p["limit"]; len(vs) > 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(vs[len(vs)-1])); err == nil && n > 0 {
			f.Limit = min(n, maxLogLimit)
		}
	}
	if vs := p["page"]; len(vs) > 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(vs[len(vs)-1])); err == nil && n > 1 {
			f.Offset = (n - 1) * f.Limit
		}
	}
	return f, true
}
