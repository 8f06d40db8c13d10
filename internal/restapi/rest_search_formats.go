package restapi

import (
	"context"
	"errors"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/csv"
	"github.com/razmena/razmena/internal/export/hashes"
	"github.com/razmena/razmena/internal/export/jsonfmt"
	"github.com/razmena/razmena/internal/export/nids"
	"github.com/razmena/razmena/internal/export/openioc"
	"github.com/razmena/razmena/internal/export/rpz"
	"github.com/razmena/razmena/internal/export/stix2"
	"github.com/razmena/razmena/internal/export/text"
	"github.com/razmena/razmena/internal/export/xmlfmt"
	"github.com/razmena/razmena/internal/export/zeek"
	"github.com/razmena/razmena/internal/misp"
)

// formats are restSearch's return formats by returnFormat name.
var formats = registry(jsonfmt.Format, csv.Format, text.Format, hashes.Format, rpz.Format,
	nids.Suricata, nids.Snort, zeek.Format, openioc.Format, stix2.Format, xmlfmt.Format)

func registry(fs ...export.Format) map[string]export.Format {
	m := make(map[string]export.Format, len(fs))
	for _, f := range fs {
		m[f.Name] = f
	}
	return m
}

// hostOrg returns the host organisation, or nil when none is configured
// (or it was deleted).
func (a *API) hostOrg(ctx context.Context) (*misp.Organisation, error) {
	if a.cfg.HostOrgID == 0 {
		return nil, nil
	}
	o, err := a.st.Orgs.FindOrgByID(ctx, a.cfg.HostOrgID)
	if errors.Is(err, misp.ErrNotFound) {
		return nil, nil
	}
	return o, err
}
