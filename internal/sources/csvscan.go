package sources

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvScanner splits CSV text into records, one at a time, in bounded memory. Unlike
// encoding/csv it ends lines at "\n", "\r\n" or a lone "\r" (old Mac and some Excel exports),
// takes a quote inside an unquoted cell literally, and lets its caller read a record's lines
// again one by one when a quote turns out to be broken, so that no line is ever lost.
type csvScanner struct {
	br       *bufio.Reader
	back     []byte // bytes to read again before br (see retry)
	comma    byte
	line     int // physical line of the next byte
	maxRow   int
	maxField int
	// rowSeps is the number of separators a whole row holds (the header's); 0 before the header.
	// A line inside a quoted cell that holds as many is a row the quote swallowed.
	rowSeps  int
	lineSeps int // separators on the current physical line so far

	// the record being read
	raw    []byte // its bytes as read, for retry; at most maxRow+1 of them
	second int    // offset in raw where its second physical line starts; -1 while on one line
	fields []byte // cell values back to back
	ends   []int  // end offset in fields of each cell
}

// scanned is one record.
type scanned struct {
	start, end int    // its first and last physical lines
	problem    string // why the record cannot be used as read; empty when it can
	tooLong    bool   // the record broke a size limit (its bytes were not all kept)
}

// multiLine reports whether the record spans more than one physical line.
func (s *csvScanner) multiLine() bool { return s.second >= 0 }

// cell returns the i-th cell of the last record.
func (s *csvScanner) cell(i int) []byte {
	from := 0
	if i > 0 {
		from = s.ends[i-1]
	}
	return s.fields[from:s.ends[i]]
}

// width returns the number of cells of the last record.
func (s *csvScanner) width() int { return len(s.ends) }

func (s *csvScanner) readByte() (byte, error) {
	if len(s.back) > 0 {
		b := s.back[0]
		s.back = s.back[1:]
		return b, nil
	}
	return s.br.ReadByte()
}

// peekLF consumes a "\n" that follows a "\r" (one line ending).
func (s *csvScanner) peekLF() {
	if len(s.back) > 0 {
		if s.back[0] == '\n' {
			s.back = s.back[1:]
			s.keep('\n')
		}
		return
	}
	if b, err := s.br.Peek(1); err == nil && b[0] == '\n' {
		_, _ = s.br.Discard(1)
		s.keep('\n')
	}
}

// keep appends b to the record's raw bytes (scan stops a record just past the row limit).
func (s *csvScanner) keep(b byte) { s.raw = append(s.raw, b) }

// endOfLine counts a line ending just read (its "\r" or "\n").
func (s *csvScanner) endOfLine(b byte) {
	if b == '\r' {
		s.peekLF()
	}
	s.line++
	s.lineSeps = 0
}

// endField closes the cell being read and returns where the next one starts.
func (s *csvScanner) endField() int {
	s.ends = append(s.ends, len(s.fields))
	return len(s.fields)
}

// endRecord closes the cell being read and the record, at the line ending b.
func (s *csvScanner) endRecord(b byte, rec *scanned) {
	s.endOfLine(b)
	s.endField()
	rec.end = s.line - 1
}

// Scanner states within a record.
const (
	stFieldStart = iota
	stUnquoted
	stQuoted
	stQuoteInQuoted // a quote inside a quoted cell: closes it, or is the first of a doubled pair
	stAfterQuote    // a quoted cell was closed; only blanks may come before the separator
)

// scan reads the next record. It returns io.EOF when none is left. Blank lines are skipped.
func (s *csvScanner) scan() (scanned, error) {
	s.raw, s.fields, s.ends, s.second = s.raw[:0], s.fields[:0], s.ends[:0], -1
	var rec scanned
	state := stFieldStart
	quoteLine, fieldStart := 0, 0
	for {
		b, err := s.readByte()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return rec, err
			}
			if rec.start == 0 {
				return rec, io.EOF
			}
			if state == stQuoted {
				rec.problem = fmt.Sprintf("a quote opened in column %d at line %d is never closed", len(s.ends)+1, quoteLine)
			}
			s.ends = append(s.ends, len(s.fields))
			rec.end = s.line
			return rec, nil
		}
		if rec.start == 0 {
			if b == '\r' || b == '\n' { // blank line
				s.endOfLine(b)
				s.raw = s.raw[:0]
				continue
			}
			rec.start = s.line
		}
		s.keep(b)
		if b == s.comma {
			s.lineSeps++
		}
		switch state {
		case stFieldStart, stUnquoted:
			switch {
			case b == s.comma:
				fieldStart, state = s.endField(), stFieldStart
			case b == '\r' || b == '\n':
				s.endRecord(b, &rec)
				return rec, nil
			case b == '"' && state == stFieldStart:
				state, quoteLine = stQuoted, s.line
			default:
				s.fields = append(s.fields, b)
				state = stUnquoted
			}
		case stQuoted:
			switch b {
			case '"':
				state = stQuoteInQuoted
			case '\r', '\n':
				swallowed := s.second >= 0 && s.rowSeps > 0 && s.lineSeps >= s.rowSeps
				s.endOfLine(b)
				if s.second < 0 {
					s.second = len(s.raw)
				}
				if swallowed {
					rec.problem = fmt.Sprintf("a quote opened in column %d at line %d runs over line %d, which reads as a row of its own", len(s.ends)+1, quoteLine, s.line-1)
					return s.finishBroken(rec)
				}
				s.fields = append(s.fields, '\n')
			default:
				s.fields = append(s.fields, b)
			}
		case stQuoteInQuoted, stAfterQuote:
			switch {
			case b == '"' && state == stQuoteInQuoted:
				s.fields = append(s.fields, '"')
				state = stQuoted
			case b == s.comma:
				fieldStart, state = s.endField(), stFieldStart
			case b == '\r' || b == '\n':
				s.endRecord(b, &rec)
				return rec, nil
			case b == ' ' || b == '\t':
				state = stAfterQuote
			default:
				rec.problem = fmt.Sprintf("text follows the closing quote of column %d at line %d", len(s.ends)+1, s.line)
				return s.finishBroken(rec)
			}
		}
		if len(s.fields)-fieldStart > s.maxField {
			rec.problem = fmt.Sprintf("the value in column %d is longer than %d bytes", len(s.ends)+1, s.maxField)
			rec.tooLong = true
			return s.finishBroken(rec)
		}
		if len(s.raw) > s.maxRow {
			rec.problem = fmt.Sprintf("the value in column %d makes the row longer than %d bytes", len(s.ends)+1, s.maxRow)
			rec.tooLong = true
			return s.finishBroken(rec)
		}
	}
}

// finishBroken ends a record that cannot be used. On one line, the rest of that line is read
// and dropped with it. Spanning lines (an open quote carried it on), it ends at once: the
// caller rejects its first line and reads the others again with retry.
func (s *csvScanner) finishBroken(rec scanned) (scanned, error) {
	if s.multiLine() {
		rec.end = s.line
		return rec, nil
	}
	if err := s.skipLine(); err != nil {
		return rec, err
	}
	rec.end = s.line - 1
	return rec, nil
}

// skipLine drops everything up to and including the next line ending, without keeping it.
func (s *csvScanner) skipLine() error {
	for len(s.back) > 0 {
		b := s.back[0]
		s.back = s.back[1:]
		if b == '\r' || b == '\n' {
			s.endOfLine(b)
			return nil
		}
	}
	for {
		buf, err := s.br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				s.line++
				return nil
			}
			return err
		}
		buf, _ = s.br.Peek(s.br.Buffered())
		if i := bytes.IndexAny(buf, "\r\n"); i >= 0 {
			b := buf[i]
			_, _ = s.br.Discard(i + 1)
			s.endOfLine(b)
			return nil
		}
		_, _ = s.br.Discard(len(buf))
	}
}

// retry makes the lines of the last record after its first one readable again: its first line
// is dropped (the caller rejects it) and the rest are read as records of their own. It reports
// false when the record spanned a single line.
func (s *csvScanner) retry(rec scanned) bool {
	if !s.multiLine() {
		return false
	}
	rest := s.raw[s.second:]
	back := make([]byte, 0, len(rest)+len(s.back))
	back = append(append(back, rest...), s.back...)
	s.back = back
	s.line = rec.start + 1
	return true
}
