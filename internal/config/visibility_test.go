package config

import (
	"flag"
	"strings"
	"testing"
)

func TestUnpublishedPrivate(t *testing.T) {
	c := Default()
	if c.UnpublishedPrivate {
		t.Error("UnpublishedPrivate is on by default, want off as in MISP")
	}
	env := map[string]string{"RAZMENA_UNPUBLISHED_PRIVATE": "true"}
	if err := c.Env(func(k string) string { return env[k] }); err != nil || !c.UnpublishedPrivate {
		t.Errorf("Env(RAZMENA_UNPUBLISHED_PRIVATE=true) = %v, UnpublishedPrivate %v; want on", err, c.UnpublishedPrivate)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse([]string{"-unpublished-private=false"}); err != nil || c.UnpublishedPrivate {
		t.Errorf("-unpublished-private=false: %v, UnpublishedPrivate %v; want off", err, c.UnpublishedPrivate)
	}
	var b strings.Builder
	if err := c.Dump(&b); err != nil || !strings.Contains(b.String(), "unpublished-private") {
		t.Errorf("Dump() = %v, %q; want the setting listed", err, b.String())
	}
	bad := Default()
	if err := bad.Env(func(k string) string { return map[string]string{"RAZMENA_UNPUBLISHED_PRIVATE": "maybe"}[k] }); err == nil {
		t.Error("Env(RAZMENA_UNPUBLISHED_PRIVATE=maybe) = nil, want an error")
	}
}
