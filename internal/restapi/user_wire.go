package restapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/razmena/razmena/internal/httpserver"
	"github.com/razmena/razmena/internal/misp"
)

// MISP masks the password differently in its user views (UsersController
// view/admin_view: five stars) and in its add/edit answers (six stars).
// PyMISP drops any all-star password it reads back.
const (
	maskedPasswordView = "*****"
	maskedPasswordEdit = "******"
)

// userBlock is the "User" block of MISP's user answers: the stored user
// with the password masked; the hash and the legacy authkey column never
// leave the server.
type userBlock struct {
	*misp.User
	// ServerID shadows misp.User's server_id (encoding/json lets the
	// shallower field win): MISP's views unset it, its add and edit
	// answers keep it.
	ServerID *misp.Int `json:"server_id,omitempty"`
	Password string    `json:"password"`
	TOTP     string    `json:"totp,omitempty"`
	// Authkey is the fresh key's raw value, only in the admin add answer.
	Authkey string `json:"authkey,omitempty"`
}

// editedUser is the User block of admin add/edit answers.
func editedUser(u *misp.User) userBlock {
	sid := u.ServerID
	return userBlock{User: u, ServerID: &sid, Password: maskedPasswordEdit}
}

// userView is MISP's users/view and admin/users/view answer
// (UsersController::__massageUserObject). PyMISP requires the Role and
// UserSetting keys.
type userView struct {
	User userBlock `json:"User"`
	Role roleBlock `json:"Role"`
	// UserSetting is always empty: Razmena keeps no user settings yet.
	// MISP serialises an empty setting map as [], which PyMISP accepts.
	UserSetting  []struct{}         `json:"UserSetting"`
	Organisation *misp.Organisation `json:"Organisation"`
}

func newUserView(u *misp.User, role *misp.Role, org *misp.Organisation) userView {
	return userView{
		User:         userBlock{User: u, Password: maskedPasswordView, TOTP: maskedPasswordView},
		Role:         newRoleBlock(role),
		UserSetting:  []struct{}{},
		Organisation: org,
	}
}

// decodeModelBody decodes a body holding one entity into v: wrapped in its
// model ({"User": {...}}), inside MISP's {"request": ...} envelope, or bare
// (PyMISP sends users, organisations and keys bare). An empty body reads
// as {}. Malformed JSON answers MISP's 405; a value of the wrong type is a
// 403 save failure named fail, as MISP's validation would answer.
func decodeModelBody(r *http.Request, body []byte, model, fail string, v any) error {
	if emptyBody(body) {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		var probe any
		return invalidJSON(r, json.Unmarshal(body, &probe))
	}
	raw := json.RawMessage(body)
	for range 2 {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			break // not an object: reported below
		}
		if inner, ok := m[model]; ok {
			raw = inner
			break
		}
		inner, ok := m["request"]
		if !ok {
			break
		}
		raw = inner
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				return httpserver.NewSaveFailure(r, fail, "Expected a JSON object.")
			}
			return httpserver.NewSaveFailure(r, fail, map[string][]string{field: {"Invalid value type."}})
		}
		return httpserver.NewSaveFailure(r, fail, "Invalid value: "+err.Error())
	}
	return nil
}

// validationFailure turns a *misp.ValidationError into MISP's 403
// save-fail answer named name; other errors are returned as they are.
func validationFailure(r *http.Request, name string, err error) error {
	var ve *misp.ValidationError
	if errors.As(err, &ve) {
		return httpserver.NewSaveFailure(r, name, ve.Fields)
	}
	return err
}
