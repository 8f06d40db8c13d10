package freetext

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchText returns about size bytes of advisory-like text: prose with,
// every dozen words or so, an indicator in one of the forms Parse
// recognises, many defanged and many distinct, and the testdata texts.
func benchText(tb testing.TB, size int) string {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields(`the actor used a loader to fetch the second stage from its command and
		control server after the victim opened the attachment, e.g. an invoice; versions 6.22 and 2.0.1
		were affected between 2019-2021 and on 12.03.2024 at 10:30, see section 4.2 of the report.
		Нападачи су користили лажне поруке и домене у периоду од марта до маја`)
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for i := range b {
			b[i] = digits[rng.IntN(16)]
		}
		return string(b)
	}
	indicators := []func() string{
		func() string {
			return fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		},
		func() string {
			return fmt.Sprintf("%d[.]%d[.]%d[.]%d:%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254), 1+rng.IntN(65535))
		},
		func() string { return fmt.Sprintf("evil-%d[.]com", rng.IntN(100000)) },
		func() string { return fmt.Sprintf("cdn%d.bad-%d.net", rng.IntN(100), rng.IntN(100000)) },
		func() string {
			return fmt.Sprintf("hxxps://update-%d[.]org/gate.php?id=%d", rng.IntN(100000), rng.IntN(1000))
		},
		func() string { return fmt.Sprintf("user%d[@]mail-%d.rs", rng.IntN(1000), rng.IntN(100000)) },
		func() string { return hex(32) },
		func() string { return strings.ToUpper(hex(64)) },
		func() string { return fmt.Sprintf("dropper_%d.exe|%s", rng.IntN(1000), hex(40)) },
		func() string { return fmt.Sprintf("CVE-20%02d-%d", rng.IntN(25), 1000+rng.IntN(90000)) },
		func() string { return fmt.Sprintf(`HKCU\Software\Run\svc%d`, rng.IntN(1000)) },
		func() string { return fmt.Sprintf("report_%d.pdf", rng.IntN(1000)) },
	}
	var b strings.Builder
	for _, name := range []string{"advisory-en.txt", "advisory-sr.txt", "spreadsheet.txt", "email-headers.txt"} {
		b.WriteString(readTestdata(tb, name))
	}
	for b.Len() < size {
		for range 8 + rng.IntN(8) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString(indicators[rng.IntN(len(indicators))]())
		if rng.IntN(6) == 0 {
			b.WriteString(".\n")
		} else {
			b.WriteString(", ")
		}
	}
	return b.String()
}

func BenchmarkParse1MB(b *testing.B) {
	text := benchText(b, 1<<20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(Parse(text))
	}
	b.ReportMetric(float64(n), "proposals")
}
