package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// hunterState is where the streaming Hunter parser stands.
type hunterState int

const (
	atTop      hunterState = iota // between top-level values
	inList                        // inside a top-level array of responses
	inResponse                    // inside {"data":..., "meta":...}
	inData                        // inside "data": organisation fields, then "emails"
	inEmails                      // inside "data.emails"
)

// hunterCompany maps domain-search organisation keys to columns (b2b-sources.md §3.2).
var hunterCompany = map[string]col{
	"domain": cDomain, "organization": cCompany, "description": cDescription, "industry": cIndustry,
	"technologies": cTechnologies, "country": cHQCountry, "state": cHQState, "city": cHQCity,
	"postal_code": cHQPostcode, "street": cHQStreet, "headcount": cEmployees,
}

// hunterEmail maps the keys of one emails[] entry to columns.
var hunterEmail = map[string]col{
	"value": cEmail, "confidence": cEmailConfidence, "first_name": cFirstName, "last_name": cLastName,
	"position": cJobTitle, "seniority": cManagementLevel, "department": cDepartment,
	"linkedin": cLinkedIn, "phone_number": cPhoneAny,
}

// hunterRows streams the people of Hunter domain-search responses
// ({"data":{"domain":...,"organization":...,"emails":[...]},"meta":{...}}), one emails[] entry
// per row. The file may hold one response, several in a row, or an array of them. Organisation
// fields apply to the emails that follow them, as in Hunter's own key order.
type hunterRows struct {
	name     string
	dec      *json.Decoder
	lines    *lineCounter
	lim      *limitReader
	state    hunterState
	inArray  bool
	company  row
	sawEmail bool
}

func newHunterRows(lim *limitReader, name string) *hunterRows {
	lc := &lineCounter{r: lim, line: 1}
	return &hunterRows{name: name, dec: json.NewDecoder(lc), lines: lc, lim: lim}
}

// next walks the document until the next emails[] entry.
func (h *hunterRows) next(r *row) (int, string, error) {
	for {
		h.lim.reset()
		var err error
		switch h.state {
		case atTop:
			err = h.top()
		case inList:
			err = h.listItem()
		case inResponse:
			err = h.responseKey()
		case inData:
			err = h.dataKey()
		case inEmails:
			if h.dec.More() {
				return h.email(r)
			}
			err = h.closing(inData)
		}
		if err != nil {
			return 0, "", err
		}
	}
}

// top reads the next top-level value: a response object or an array of them.
func (h *hunterRows) top() error {
	tok, err := h.dec.Token()
	if errors.Is(err, io.EOF) {
		if !h.sawEmail {
			return h.fatal(errors.New(`no "data.emails" list: this is not a Hunter domain-search response`))
		}
		return io.EOF
	}
	if err != nil {
		return h.fatal(err)
	}
	switch tok {
	case json.Delim('{'):
		h.state, h.inArray = inResponse, false
	case json.Delim('['):
		h.state, h.inArray = inList, true
	default:
		return h.fatal(fmt.Errorf("unexpected %v: expected a Hunter domain-search response object", tok))
	}
	return nil
}

// listItem opens the next response of a top-level array.
func (h *hunterRows) listItem() error {
	if !h.dec.More() {
		return h.closing(atTop)
	}
	if err := h.expect('{'); err != nil {
		return err
	}
	h.state = inResponse
	return nil
}

// responseKey reads one key of a response; "data" is entered, anything else skipped.
func (h *hunterRows) responseKey() error {
	if !h.dec.More() {
		if h.inArray {
			return h.closing(inList)
		}
		return h.closing(atTop)
	}
	key, err := h.key()
	if err != nil {
		return err
	}
	if key != "data" {
		return h.skip()
	}
	if err := h.expect('{'); err != nil {
		return err
	}
	h.company, h.state = row{}, inData
	return nil
}

// dataKey reads one key of "data": an organisation field, or the emails list.
func (h *hunterRows) dataKey() error {
	if !h.dec.More() {
		return h.closing(inResponse)
	}
	key, err := h.key()
	if err != nil {
		return err
	}
	if key == "emails" {
		if err := h.expect('['); err != nil {
			return err
		}
		h.state, h.sawEmail = inEmails, true
		return nil
	}
	var raw json.RawMessage
	if err := h.dec.Decode(&raw); err != nil {
		return h.fatal(err)
	}
	if c, ok := hunterCompany[key]; ok {
		h.company.set(c, scalarText(raw))
	}
	return nil
}

// email decodes one emails[] entry into r, with the organisation fields seen so far.
func (h *hunterRows) email(r *row) (int, string, error) {
	var raw json.RawMessage
	if err := h.dec.Decode(&raw); err != nil {
		return 0, "", h.fatal(err)
	}
	line := h.lines.lineAt(h.dec.InputOffset() - int64(len(raw)))
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return line, "emails entry is not a JSON object", nil
	}
	for key, c := range hunterEmail {
		r.set(c, scalarText(fields[key]))
	}
	var ver struct {
		Date   json.RawMessage `json:"date"`
		Status json.RawMessage `json:"status"`
	}
	if json.Unmarshal(fields["verification"], &ver) == nil {
		r.set(cEmailStatus, scalarText(ver.Status))
		r.set(cVerifiedAt, scalarText(ver.Date))
	}
	for c, v := range h.company {
		r.set(col(c), v)
	}
	return line, "", nil
}

// scalarText renders a JSON scalar (or a list of scalars, joined with "; ") as cell text.
func scalarText(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch t := v.(type) {
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			parts = appendNonEmpty(parts, scalar(e))
		}
		return strings.Join(parts, "; ")
	}
	return scalar(v)
}

// scalar renders a decoded JSON string, number or boolean; anything else is "".
func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// key reads an object key.
func (h *hunterRows) key() (string, error) {
	tok, err := h.dec.Token()
	if err != nil {
		return "", h.fatal(err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", h.fatal(fmt.Errorf("unexpected %v where a key belongs", tok))
	}
	return k, nil
}

// expect reads one delimiter token and fails if it is not d.
func (h *hunterRows) expect(d json.Delim) error {
	tok, err := h.dec.Token()
	if err != nil {
		return h.fatal(err)
	}
	if tok != d {
		return h.fatal(fmt.Errorf("unexpected %v: expected %v", tok, d))
	}
	return nil
}

// closing consumes the delimiter that ends the current object or array and moves to next.
func (h *hunterRows) closing(next hunterState) error {
	if _, err := h.dec.Token(); err != nil {
		return h.fatal(err)
	}
	h.state = next
	return nil
}

// skip consumes one value without keeping it.
func (h *hunterRows) skip() error {
	var raw json.RawMessage
	if err := h.dec.Decode(&raw); err != nil {
		return h.fatal(err)
	}
	return nil
}

// fatal wraps a JSON error as a *FormatError at the current line.
func (h *hunterRows) fatal(err error) error {
	reason := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		reason = "the JSON document ends too early"
	}
	return &FormatError{File: h.name, Line: h.lines.lineAt(h.dec.InputOffset()), Reason: reason}
}

// lineCounter counts the lines of what passes through it, so that a byte offset the decoder
// reports can be turned into a line number. Offsets must be asked in increasing order; it keeps
// only the newlines read ahead of the last offset asked.
type lineCounter struct {
	r        io.Reader
	offset   int64   // bytes read so far
	newlines []int64 // offsets of newlines not yet passed
	line     int     // line at the last offset asked
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.newlines = append(l.newlines, l.offset+int64(i))
		}
	}
	l.offset += int64(n)
	return n, err
}

// lineAt returns the 1-based line holding the byte at offset.
func (l *lineCounter) lineAt(offset int64) int {
	i := 0
	for i < len(l.newlines) && l.newlines[i] < offset {
		i++
	}
	l.line += i
	l.newlines = l.newlines[i:]
	return l.line
}
