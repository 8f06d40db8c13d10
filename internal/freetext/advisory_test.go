package freetext

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// advisories are the texts in testdata/ and what an analyst should be
// offered for each, in order.
var advisories = []struct {
	name string
	want []short
}{
	// An English CERT advisory with defanged indicators. Not proposed:
	// the date 12.03.2024, versions 6.22 and 1.2.3.4.5, "i.e.", the
	// ranges 2019-2021 and 8000-8080, "SHA256:" and "ssdeep:" labels.
	{"advisory-en", []short{
		{"invoice@posta-srbija.com", "email-src", ""},
		{"billing@rnicrosoft-support.com", "email-src", ""},
		{"Faktura_0324.pdf.zip", "filename", ""},
		{"https://www.virustotal.com/gui/file/4c2f3a9d8b1e7f6a5c4d3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a29180f7e6d", "link", ""},
		{"https://update-check.duckdns.org:8443/gate.php", "url", ""},
		{"185.220.101.47|8080", "ip-dst|port", "On port 8080"},
		{"2a0b:4140:d2c1::1|443", "ip-dst|port", "On port 443"},
		{"http://files.rnicrosoft-support.com/dl/Faktura_0324.pdf.zip", "url", ""},
		{"Faktura_0324.exe|9e107d9d372bb6826bd81d3542a419d6", "filename|md5", ""},
		{"4C2F3A9D8B1E7F6A5C4D3B2A1908F7E6D5C4B3A2918F7E6D5C4B3A29180F7E6D", "sha256", ""},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1", ""},
		{"24:VGXGP7L5e/Ixt3af/WKPPaYpzg4m3XWMCsXNCRs0:kYDxcfPZpelCs9Cm0", "ssdeep", ""},
		{`HKCU\Software\Microsoft\Windows\CurrentVersion\Run\WinUpdate`, "regkey", ""},
		{`%APPDATA%\Roaming\winupdate.exe`, "filename", ""},
		{"45.153.160.0/24", "ip-dst", ""},
		{"AS210644", "AS", ""},
		{"CVE-2023-38831", "vulnerability", ""},
		{"CVE-2021-40444", "vulnerability", ""},
		{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc", ""},
		{"incident@cert.rs", "email-src", ""},
		{"+381-11-3456-789", "phone-number", ""},
		{"https://www.cert.rs/vesti/2024-017.html", "url", ""},
	}},
	// The same in Serbian, Cyrillic with a Latin line, „quotes“, an IDN
	// domain and host, and a homoglyph URL (the "а" in "eupravа" is
	// Cyrillic). Not proposed: the amount 1.234,56 and "2024.".
	{"advisory-sr", []short{
		{"podrska@mup-gov.rs", "email-src", ""},
		{"mup.gov.rs", "domain", ""},
		{"https://eupravа-prijava.com/login", "url", ""},
		{"пореска-управа.срб", "domain", ""},
		{"xn--80awhdgm.xn----7sbbajo9a4aifgfi5a.xn--90a3ac", "hostname", ""},
		{"Обавештење.docx", "filename", ""},
		{"d41d8cd98f00b204e9800998ecf8427e", "md5", ""},
		{"91.219.236.174", "ip-dst", ""},
		{"http://91.219.236.174:443/payload.bin", "url", ""},
		{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "btc", ""},
		{"incident@cert.rs", "email-src", ""},
		{"011/3456-789", "phone-number", ""},
		{"c2.zlonamerni-sajt.net", "hostname", "On port 8443"},
	}},
	// Rows pasted from a spreadsheet: tabs, commas, semicolons, quoted
	// cells with doubled quotes, an Excel formula cell. Dates, column
	// names and "EVIL-CDN.NET" (a repeat) are not proposed.
	{"spreadsheet", []short{
		{"evil-cdn.net", "domain", ""},
		{"203.0.113.17", "ip-dst", ""},
		{"198.51.100.23", "ip-dst", ""},
		{"payload.dll", "filename", ""},
		{"6f5902ac237024bdd0c176cb93063dc4", "md5", ""},
		{"sub.evil-cdn.net", "hostname", "On port 8080"},
		{"http://198.51.100.23/a.php?id=1", "url", ""},
		{"AS64500", "AS", ""},
		{"http://evil-cdn.net/landing", "url", ""},
		{`C:\Program Files\Common Files\svc host.exe`, "filename", ""},
		{"host.exe", "filename", ""},
	}},
	// A phishing e-mail's headers. The Message-ID is no address and the
	// Authentication-Results value is read after its '='.
	{"email-headers", []short{
		{"bounce-4471@mailer.posta-srbija.com", "email-src", ""},
		{"mailer.posta-srbija.com", "hostname", ""},
		{"185.100.87.202", "ip-dst", ""},
		{"mx1.example.rs", "hostname", ""},
		{"jelena.petrovic@example.rs", "email-src", ""},
		{"10.0.0.15", "ip-dst", ""},
		{"45.137.21.9", "ip-dst", ""},
		{"obavestenja@posta-srbija.com", "email-src", ""},
		{"naplata.posta@gmail.com", "email-src", ""},
		{"20240312081402.3F2A1C0042@mailer.posta-srbija.com", "email-message-id", ""},
		{"https://github.com/PHPMailer/PHPMailer", "url", ""},
		{"posta-srbija.com", "domain", ""},
	}},
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAdvisories(t *testing.T) {
	for _, tt := range advisories {
		t.Run(tt.name, func(t *testing.T) {
			got := shorten(Parse(readTestdata(t, tt.name+".txt")))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(testdata/%s.txt) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

// TestGolden compares the JSON answer for each text with
// testdata/<name>.golden; go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, tt := range advisories {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.MarshalIndent(Parse(readTestdata(t, tt.name+".txt")), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("JSON for testdata/%s.txt mismatch (-want +got):\n%s", tt.name, cmp.Diff(string(want), string(got)))
			}
		})
	}
}
