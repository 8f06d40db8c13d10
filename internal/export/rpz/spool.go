package rpz

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// spool holds the lines of a section that is written after the ones
// still streaming: in memory up to limit bytes, then in a temporary file,
// so that a large answer costs disk rather than memory.
type spool struct {
	limit int
	mem   []byte
	f     *os.File
	fw    *bufio.Writer
	// name is set when the file could not be unlinked right after its
	// creation (not on Unix) and must be removed by close.
	name string
}

func (s *spool) write(p string) error {
	if s.f == nil {
		if len(s.mem)+len(p) <= s.limit {
			s.mem = append(s.mem, p...)
			return nil
		}
		f, err := os.CreateTemp("", "razmena-rpz-*")
		if err != nil {
			return fmt.Errorf("rpz: spool a section: %w", err)
		}
		// Unlink at once where the system allows it, so that the file
		// goes away with the process whatever happens.
		if os.Remove(f.Name()) != nil {
			s.name = f.Name()
		}
		s.f, s.fw = f, bufio.NewWriter(f)
		if _, err := s.fw.Write(s.mem); err != nil {
			return fmt.Errorf("rpz: spool a section: %w", err)
		}
		s.mem = nil
	}
	if _, err := s.fw.WriteString(p); err != nil {
		return fmt.Errorf("rpz: spool a section: %w", err)
	}
	return nil
}

// copyTo writes the spooled lines to w.
func (s *spool) copyTo(w io.Writer) error {
	if s.f == nil {
		_, err := w.Write(s.mem)
		return err
	}
	if err := s.fw.Flush(); err != nil {
		return fmt.Errorf("rpz: spool a section: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rpz: read a spooled section: %w", err)
	}
	_, err := io.Copy(w, s.f)
	return err
}

// close releases the temporary file, if any.
func (s *spool) close() error {
	s.mem = nil
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		if rerr := os.Remove(s.name); err == nil {
			err = rerr
		}
	}
	s.f, s.fw, s.name = nil, nil, ""
	return err
}
