package misp

import "context"

// Setting keys the application stores.
const (
	// SettingInstanceUUID is this instance's UUID (MISP.uuid).
	SettingInstanceUUID = "instance_uuid"
	// SettingHostOrgID is the id of the host organisation (MISP.host_org_id).
	SettingHostOrgID = "host_org_id"
)

// SettingStore persists instance settings (instance uuid, host org id, ...).
type SettingStore interface {
	// Setting returns the value stored under key. ErrNotFound if there is none.
	Setting(ctx context.Context, key string) (string, error)
	// SetSetting stores value under key, replacing any previous value.
	SetSetting(ctx context.Context, key, value string) error
}
