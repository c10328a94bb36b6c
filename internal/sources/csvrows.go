package sources

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"haloleads/internal/lead"
)

// csvRows reads the data rows of a CSV export.
type csvRows struct {
	name     string
	src      lead.Source
	bind     binding
	enc      textEncoding
	sc       *csvScanner
	fellBack int // rows of a UTF-8 file with a cell read as Windows-1252
}

// newCSVRows reads the header, recognises the provider and binds the columns.
func newCSVRows(br *bufio.Reader, enc textEncoding, o options, name string) (*csvRows, error) {
	sc := &csvScanner{br: br, line: 1, maxRow: o.maxRowBytes, maxField: o.maxFieldBytes}
	if sep, ok := sepLine(br); ok {
		sc.comma, sc.line = sep, 2
	} else {
		sc.comma = sniffComma(br)
	}
	c := &csvRows{name: name, sc: sc, enc: enc}
	rec, err := sc.scan()
	switch {
	case errors.Is(err, io.EOF):
		return nil, &FormatError{File: name, Reason: "the file is empty: no header row"}
	case err != nil:
		return nil, c.fatal(err, 1)
	case rec.problem != "":
		return nil, &FormatError{File: name, Line: rec.start, Reason: "the header row cannot be read: " + rec.problem}
	}
	header := make([]string, sc.width())
	for i := range header {
		text, _, ok := enc.cellText(sc.cell(i))
		if !ok {
			return nil, &FormatError{File: name, Line: rec.start, Reason: fmt.Sprintf("the header row is not %s text", enc.name)}
		}
		header[i] = text
	}
	header = trimmed(header)
	if c.src, err = Detect(header); err != nil {
		var up *UnknownProviderError
		if errors.As(err, &up) {
			up.File = name
		}
		return nil, err
	}
	c.bind = bind(c.src, header)
	sc.rowSeps = c.bind.width - 1
	return c, nil
}

// next reads one data row into r.
func (c *csvRows) next(r *row) (int, string, error) {
	rec, err := c.sc.scan()
	switch {
	case errors.Is(err, io.EOF):
		return 0, "", io.EOF
	case err != nil:
		return 0, "", c.fatal(err, c.sc.line)
	}
	line := rec.start
	if rec.problem != "" {
		reason := c.describe(rec.problem)
		if c.sc.retry(rec) {
			reason += "; the lines after it are read as rows of their own"
		}
		return line, reason, nil
	}
	n := c.fit(c.sc.width())
	if n != c.bind.width {
		reason := fmt.Sprintf("row has %d fields, header has %d", c.sc.width(), c.bind.width)
		return line, c.broken(rec, reason), nil
	}
	fellBack := false
	for i := range min(n, c.sc.width()) {
		text, fb, ok := c.enc.cellText(c.sc.cell(i))
		if !ok {
			return line, fmt.Sprintf("column %q is neither UTF-8 nor Windows-1252 text; save the export as \"CSV UTF-8\"",
				c.bind.names[i]), nil
		}
		fellBack = fellBack || fb
		r.set(c.bind.cols[i], text)
	}
	if fellBack {
		c.fellBack++
	}
	return line, "", nil
}

// broken returns the reason a record of the wrong width is rejected. When an open quote carried
// the record over several lines, only its first line is rejected: the lines after it are read
// again as rows.
func (c *csvRows) broken(rec scanned, reason string) string {
	if !c.sc.retry(rec) {
		return reason
	}
	return fmt.Sprintf("a quote opened on this line is not closed where the row should end (%s); the lines after it are read as rows of their own", reason)
}

// describe names the column in a scanner problem ("column 3" → `column "Email"`).
func (c *csvRows) describe(problem string) string {
	for i := len(c.bind.names); i >= 1; i-- {
		num := fmt.Sprintf("column %d ", i)
		if strings.Contains(problem, num) && c.bind.names[i-1] != "" {
			return strings.Replace(problem, num, fmt.Sprintf("column %q ", c.bind.names[i-1]), 1)
		}
	}
	return problem
}

// fit returns how many cells of the last record count: trailing separators (cells past the
// header's width that are all blank) are dropped, and a row may stop short of header cells that
// have no name (a header written with a trailing separator).
func (c *csvRows) fit(n int) int {
	w := c.bind.width
	if n > w {
		for i := w; i < n; i++ {
			if len(bytes.TrimSpace(c.sc.cell(i))) > 0 {
				return n
			}
		}
		return w
	}
	for i := n; i < w; i++ {
		if c.bind.names[i] != "" {
			return n
		}
	}
	return w
}

// fatal wraps a read error that ends the export as a *FormatError at line.
func (c *csvRows) fatal(err error, line int) error {
	return &FormatError{File: c.name, Line: line, Reason: err.Error()}
}

// sepLine reads Excel's "sep=;" first line, which names the separator, and drops it.
func sepLine(br *bufio.Reader) (byte, bool) {
	head, _ := br.Peek(16)
	line := head
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	} else if len(head) == 16 {
		return 0, false
	}
	text := strings.Trim(string(line), `"`)
	if len(text) != 5 || !strings.EqualFold(text[:4], "sep=") {
		return 0, false
	}
	skip := len(line)
	if skip < len(head) && head[skip] == '\r' {
		skip++
	}
	if skip < len(head) && head[skip] == '\n' {
		skip++
	}
	_, _ = br.Discard(skip)
	return text[4], true
}

// sniffComma picks the separator of the header line: the most frequent of ",", ";" and tab
// outside quotes (Excel in many European locales saves CSV with ";", its "Unicode text" with tabs).
func sniffComma(br *bufio.Reader) byte {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[b]++
		}
	}
	best := byte(',')
	for _, b := range []byte{';', '\t'} {
		if counts[b] > counts[best] {
			best = b
		}
	}
	return best
}
