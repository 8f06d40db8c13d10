package objecttemplate

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/razmena/razmena/internal/library"
	"github.com/razmena/razmena/internal/misp"
)

const libraryDir = "../../../shared/misp-data/objects"

func loadLibrary(t *testing.T) (map[string]*Template, []Relationship) {
	t.Helper()
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("object library not available: %v", err)
	}
	templates, rels, rep := Load(libraryDir)
	for _, e := range rep.Errors {
		t.Errorf("Load: %v", e)
	}
	for _, m := range rep.Missing {
		t.Errorf("Load: missing %v", m)
	}
	byName := make(map[string]*Template, len(templates))
	for _, tmpl := range templates {
		byName[tmpl.Name] = tmpl
	}
	return byName, rels
}

func TestLoadLibrary(t *testing.T) {
	byName, rels := loadLibrary(t)
	if len(byName) != 424 {
		t.Errorf("Load returned %d templates, want 424", len(byName))
	}
	if len(rels) != 313 {
		t.Errorf("Load returned %d relationships, want 313", len(rels))
	}
	var relNames []string
	for _, r := range rels {
		relNames = append(relNames, r.Name)
	}
	for _, want := range []string{"derived-from", "related-to", "resolves-to"} {
		if !slices.Contains(relNames, want) {
			t.Errorf("relationships lack %q", want)
		}
	}

	file := byName["file"]
	if file == nil {
		t.Fatal("template file missing")
	}
	if file.UUID != "688c46fb-5edb-40a3-8273-1af7923e2215" || file.MetaCategory != "file" || !slices.Contains(file.RequiredOneOf, "sha256") {
		t.Errorf("file template = %s %s %q", file.UUID, file.MetaCategory, file.RequiredOneOf)
	}
	if e, ok := file.Element("filename"); !ok || e.Type != "filename" || !e.Multiple {
		t.Errorf("file filename element = %+v", e)
	}
	if e, ok := file.Element("state"); !ok || !slices.Contains(e.ValuesList, "Malicious") {
		t.Errorf("file state element = %+v, want a values_list with Malicious", e)
	}
	for _, name := range []string{"domain-ip", "url", "email", "ip-port", "person", "vulnerability"} {
		if byName[name] == nil {
			t.Errorf("template %s missing", name)
		}
	}

	// Every element type is a MISP attribute type, except the few the
	// library uses ahead of MISP 2.5.
	var unknown []string
	for _, tmpl := range byName {
		for _, e := range tmpl.Elements {
			if _, ok := misp.LookupType(e.Type); !ok {
				unknown = append(unknown, tmpl.Name+"/"+e.ObjectRelation+":"+e.Type)
			}
		}
	}
	slices.Sort(unknown)
	want := []string{"cti-evaluation/evaluation-id:uuid", "cti-transmute-conversion/uuid:uuid", "suricata/suricata:suricata"}
	if !slices.Equal(unknown, want) {
		t.Errorf("elements with types unknown to MISP = %q, want %q", unknown, want)
	}
}

func TestValidateLibraryTemplates(t *testing.T) {
	byName, _ := loadLibrary(t)
	tests := []struct {
		name     string
		template string
		attrs    []ObjectAttribute
		wantKind ProblemKind // 0: conforms (strictly)
	}{
		{"file by hashes", "file", []ObjectAttribute{
			attr("filename", "filename", "evil.exe"), attr("filename", "filename", "evil2.exe"),
			attr("sha256", "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
			attr("state", "text", "Malicious"),
		}, 0},
		{"file two sha256", "file", []ObjectAttribute{
			attr("sha256", "sha256", "a"), attr("sha256", "sha256", "b"),
		}, Repeated},
		{"file without one-of", "file", []ObjectAttribute{attr("mimetype", "mime-type", "text/plain")}, MissingOneOf},
		{"domain-ip", "domain-ip", []ObjectAttribute{
			attr("domain", "domain", "example.org"), attr("ip", "ip-dst", "192.0.2.1"), attr("ip", "ip-dst", "192.0.2.2"),
		}, 0},
		{"domain-ip ip-src for ip", "domain-ip", []ObjectAttribute{attr("ip", "ip-src", "192.0.2.1")}, WrongType},
		{"url", "url", []ObjectAttribute{attr("url", "url", "https://example.org/x"), attr("host", "hostname", "example.org")}, 0},
		{"email", "email", []ObjectAttribute{attr("from", "email-src", "a@example.org"), attr("subject", "email-subject", "hi")}, 0},
		{"c2-list without threat", "c2-list", []ObjectAttribute{attr("c2-ip", "ip-src", "192.0.2.1")}, MissingRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := byName[tt.template]
			if tmpl == nil {
				t.Fatalf("template %s missing", tt.template)
			}
			err := tmpl.ValidateStrict(tt.attrs)
			if tt.wantKind == 0 {
				if err != nil {
					t.Errorf("ValidateStrict() = %v, want nil", err)
				}
				return
			}
			var ce *ConformityError
			if !errors.As(err, &ce) || ce.Problems[0].Kind != tt.wantKind {
				t.Errorf("ValidateStrict() = %v, want a %v problem", err, tt.wantKind)
			}
		})
	}
}

func TestLoadBrokenFiles(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("object library not available: %v", err)
	}
	dir := t.TempDir()
	for _, name := range []string{"file", "domain-ip", "url"} {
		copyFile(t, filepath.Join(libraryDir, "objects", name, "definition.json"), filepath.Join(dir, "objects", name, "definition.json"))
	}
	writeFile(t, filepath.Join(dir, "objects", "broken", "definition.json"), `{"name": "broken", "uuid": "b", "attributes": {`)
	writeFile(t, filepath.Join(dir, "objects", "untyped", "definition.json"), `{"name": "untyped", "uuid": "u", "attributes": {"a": {}}}`)
	copyFile(t, filepath.Join(libraryDir, "objects", "url", "definition.json"), filepath.Join(dir, "objects", "zz-url-copy", "definition.json"))
	if err := os.MkdirAll(filepath.Join(dir, "objects", "empty"), 0o755); err != nil { // missing
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "objects", "README.md"), "not a template")
	writeFile(t, filepath.Join(dir, "relationships", "definition.json"), `{"values": [`)

	templates, rels, rep := Load(dir)
	var names []string
	for _, tmpl := range templates {
		names = append(names, tmpl.Name)
	}
	if want := []string{"domain-ip", "file", "url"}; !slices.Equal(names, want) {
		t.Errorf("templates = %q, want %q", names, want)
	}
	if rels != nil {
		t.Errorf("relationships = %v, want none", rels)
	}
	var got []string
	for _, e := range rep.Errors {
		rel, err := filepath.Rel(dir, e.Path)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{"objects/broken/definition.json", "objects/untyped/definition.json", "objects/zz-url-copy/definition.json", "relationships/definition.json"}
	if !slices.Equal(got, want) {
		t.Errorf("errors in %q, want %q (%v)", got, want, rep.Errors)
	}
	wantMissing := []library.Missing{{Item: `object template "empty"`, Path: filepath.Join(dir, "objects", "empty", "definition.json")}}
	if d := cmp.Diff(wantMissing, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}
}

// TestLoadMissingFiles removes a template's definition.json and the
// relationships from a copy of the library: both are reported missing,
// and the other templates load.
func TestLoadMissingFiles(t *testing.T) {
	if _, err := os.Stat(libraryDir); err != nil {
		t.Skipf("object library not available: %v", err)
	}
	dir := t.TempDir()
	for _, name := range []string{"file", "domain-ip", "url"} {
		copyFile(t, filepath.Join(libraryDir, "objects", name, "definition.json"), filepath.Join(dir, "objects", name, "definition.json"))
	}
	// ip-port keeps its directory, without definition.json.
	writeFile(t, filepath.Join(dir, "objects", "ip-port", "README.md"), "definition.json absent")

	templates, rels, rep := Load(dir)
	var names []string
	for _, tmpl := range templates {
		names = append(names, tmpl.Name)
	}
	if want := []string{"domain-ip", "file", "url"}; !slices.Equal(names, want) {
		t.Errorf("templates = %q, want %q", names, want)
	}
	if rels != nil || len(rep.Errors) != 0 {
		t.Errorf("relationships %v, errors %v; want none", rels, rep.Errors)
	}
	want := []library.Missing{
		{Item: `object template "ip-port"`, Path: filepath.Join(dir, "objects", "ip-port", "definition.json")},
		{Item: "object relationships", Path: filepath.Join(dir, "relationships", "definition.json")},
	}
	if d := cmp.Diff(want, rep.Missing); d != "" {
		t.Errorf("Load missing (-want +got):\n%s", d)
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	templates, rels, rep := Load(dir)
	if len(templates) != 0 || rels != nil || len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], os.ErrNotExist) {
		t.Errorf("Load(empty) = %v, %v, %+v, want one not-exist error for objects/", templates, rels, rep)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
