// Package text writes the restSearch "text" return format: every distinct
// attribute value of the answer, one per line, as MISP's TextExport does.
//
// Composite values are written whole ("file.exe|d41d8…"), not split: MISP
// keys its result set by Attribute.value. Values are written as stored; a
// value holding a newline therefore spans two lines, as in MISP.
package text

import (
	"bufio"
	"io"

	"github.com/razmena/razmena/internal/export"
	"github.com/razmena/razmena/internal/export/hashset"
	"github.com/razmena/razmena/internal/misp"
)

// Format is the "text" returnFormat. It is restrictive (to_ids=1 and
// published=1 unless asked otherwise). The events scope writes the values
// of every attribute of each event, object attributes included, as MISP's
// flattened event fetch does.
var Format = export.Format{
	Name:        "text",
	ContentType: "text/plain; charset=UTF-8",
	Restrictive: true,
	Attributes:  func(w io.Writer, _ export.Options) export.AttributeWriter { return newWriter(w) },
}

// writer writes each value the first time it is seen. MISP collects the
// values as keys of a PHP array and writes them in the footer; writing on
// first sight gives the same bytes in the same order without holding the
// values, only their hashes (see hashset for the memory bound).
type writer struct {
	bw   *bufio.Writer
	seen *hashset.Set
}

func newWriter(w io.Writer) *writer {
	return &writer{bw: bufio.NewWriter(w), seen: hashset.New()}
}

func (w *writer) Write(h misp.AttributeHit) error {
	v := h.Attribute.Value
	if !w.seen.Add(v) {
		return nil
	}
	if _, err := w.bw.WriteString(v); err != nil {
		return err
	}
	return w.bw.WriteByte('\n')
}

// Close ends the answer. MISP's footer is implode("\n", values) . "\n",
// so an empty answer is a single newline.
func (w *writer) Close() error {
	if w.seen.Len() == 0 {
		if err := w.bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
