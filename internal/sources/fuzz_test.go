package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"haloleads/internal/lead"
)

// fuzzHeaders are one real header per provider layout; the fuzzer varies the rows under them.
var fuzzHeaders = []string{
	"First Name,Last Name,Title,Company Name,Email,Email Status,Work Direct Phone,Mobile Phone,Do Not Call,Stage,# Employees,Annual Revenue,Technologies,Company Address,Company City,Apollo Contact Id",
	"ZoomInfo Contact ID,Last Name,First Name,Job Title,Direct Phone Number,Email Address,Mobile phone,Company Name,Website,Revenue (in 000s USD),Employees,Employee Range,Total Funding Amount (in 000s USD)",
	"Email address,First name,Last name,Full name,Confidence score,Type,Number of sources,Organization,Domain name,Phone number,Verification status",
	"First Name,Last Name,Title,Email,Email Status,Phone Number,Mobile Direct Dial,Job Sub Function,Company Name,Domain,Employees,Revenue",
	"First Name,Last Name,Work Email,Direct Email,Additional Email 1,Phone 1,Phone 1 Type,Phone 2,Phone 2 Type,Company Name,Company Size,Company Revenue",
}

// FuzzCSV checks that no export crashes the reader, that rows come in line order, one record or
// one rejection each, and that when no quote can join lines every non-blank line is one row.
func FuzzCSV(f *testing.F) {
	for i, name := range []string{"apollo.csv", "zoominfo.csv", "hunter.csv", "uplead.csv", "lusha.csv"} {
		if data, err := os.ReadFile(samplePath(f, name)); err == nil {
			_, body, _ := bytes.Cut(data, []byte("\n"))
			f.Add(uint8(i), body)
		}
	}
	f.Add(uint8(0), []byte("a,b,\"c\nd\",e\n\n,,,\n\"x\"y,z\n"))
	f.Add(uint8(0), []byte("a,\"b\nc,d\rx,y\r\n\"z"))
	f.Add(uint8(4), []byte("Y,T,y@lw.example.net,,,'+44 7700 900412,Mobile,,,L,51-200,$10M - $50M"))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		header := fuzzHeaders[int(which)%len(fuzzHeaders)]
		export := append([]byte(header+"\n"), body...)
		lines := physicalLines(export)
		r, err := NewReader(bytes.NewReader(export), "fuzz.csv", WithMaxRowBytes(4096), WithMaxFieldBytes(512))
		if err != nil {
			t.Fatalf("NewReader on a known header: %v", err)
		}
		got, last := 0, 1
		for ; ; got++ {
			rec, rej, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("Next error %v is not a *FormatError", err)
				}
				return
			}
			line := checkRow(t, rec, rej)
			if line <= last || line > len(lines) {
				t.Fatalf("row at line %d after a row at line %d (the export has %d lines)", line, last, len(lines))
			}
			last = line
		}
		if bytes.ContainsRune(body, '"') {
			return
		}
		want := 0
		for _, l := range lines[1:] {
			if len(l) > 0 {
				want++
			}
		}
		if got != want {
			t.Fatalf("reader gave %d rows, the export has %d non-blank data lines", got, want)
		}
	})
}

// physicalLines splits export at "\n", "\r\n" and lone "\r".
func physicalLines(export []byte) [][]byte {
	norm := bytes.ReplaceAll(bytes.ReplaceAll(export, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	lines := bytes.Split(norm, []byte("\n"))
	if len(lines) > 1 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// checkRow asserts that exactly one of rec and rej is set and that a record identifies a person
// and holds no empty values. It returns the row's line.
func checkRow(t *testing.T, rec lead.Record, rej *lead.Rejected) int {
	t.Helper()
	line := rec.Line
	if rej != nil {
		if rec.Values != nil || rej.Reason == "" {
			t.Fatalf("rejection %+v came with a record or without a reason", *rej)
		}
		line = rej.Line
	} else if identify(rec.Values) != "" {
		t.Fatalf("record at line %d cannot identify a person: %v", rec.Line, rec.Values)
	}
	for f, v := range rec.Values {
		if v == "" {
			t.Fatalf("record at line %d has an empty %s", rec.Line, f)
		}
	}
	return line
}

// FuzzHunterJSON checks that no document crashes the reader and that, when it reads a
// well-formed domain-search response to the end, every emails[] entry became one row.
func FuzzHunterJSON(f *testing.F) {
	if data, err := os.ReadFile(samplePath(f, "hunter-domain-search.json")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`[{"data":{"organization":"Q","emails":[{"value":"a@q.example.com"},1,null]}},{"data":{"emails":[]}}]`))
	f.Add([]byte(`{"data":{"emails":[{"value":"x@","first_name":"A","last_name":"B"}]}} {"data":{"emails":[{}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || (data[0] != '{' && data[0] != '[') {
			return // not JSON: the CSV path, covered by FuzzCSV
		}
		r, err := NewReader(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			t.Fatalf("NewReader: %v", err)
		}
		got := 0
		for ; ; got++ {
			rec, rej, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return
			}
			checkRow(t, rec, rej)
		}
		if want, ok := hunterEmailsOracle(data); ok && got != want {
			t.Fatalf("reader gave %d rows, the document has %d emails entries", got, want)
		}
	})
}

// hunterEmailsOracle counts data.emails entries with encoding/json. ok is false when the
// document is not a sequence of well-shaped responses or repeats a key (maps keep one copy).
func hunterEmailsOracle(data []byte) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	total, arrays := 0, 0
	for {
		var v any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return 0, false
		}
		items, isList := v.([]any)
		if !isList {
			items = []any{v}
		}
		for _, item := range items {
			resp, _ := item.(map[string]any)
			d, _ := resp["data"].(map[string]any)
			emails, ok := d["emails"].([]any)
			if !ok {
				return 0, false
			}
			total, arrays = total+len(emails), arrays+1
		}
	}
	return total, arrays > 0 && bytes.Count(data, []byte(`"emails"`)) == arrays &&
		bytes.Count(data, []byte(`"data"`)) == arrays && !strings.Contains(string(data), `\u`)
}

// TestHunterContract checks that the keys the Hunter JSON reader maps are properties of Hunter's
// published domain-search description.
func TestHunterContract(t *testing.T) {
	t.Parallel()
	path := filepath.Join(moduleRoot(t), "..", "shared", "contracts", "hunter", "hunter-domain-search-api-openapi.yml")
	spec, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("Hunter contract not available at %s (it lives beside the repository): %v", path, err)
	}
	keys := []string{"emails", "verification", "status", "date"}
	for k := range hunterCompany {
		keys = append(keys, k)
	}
	for k := range hunterEmail {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if !bytes.Contains(spec, []byte("\n        "+k+":")) && !bytes.Contains(spec, []byte("\n            "+k+":")) {
			t.Errorf("key %q is not a property in %s", k, filepath.Base(path))
		}
	}
}

// FuzzEncodings checks that an export saved as UTF-16 (LE or BE, with a BOM) or Windows-1252
// reads as the same rows as its UTF-8 original: same records, same rejections, same lines.
func FuzzEncodings(f *testing.F) {
	f.Add(uint8(0), "Zoë,Marchand,Café Lumière,zoe@cafe.example.fr\nJürgen,Müller,Kessel,\n")
	f.Add(uint8(1), "\"a\nb\",c,d,e\r\n,,,\rx,\"y\"z,,\n")
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		if !utf8.ValidString(body) || strings.ContainsRune(body, utf8.RuneError) || strings.ContainsRune(body, '\uFEFF') {
			return
		}
		export := "First Name,Last Name,Company Name,Email,Apollo Contact Id\n" + body
		want := readString(t, []byte(export))
		variants := map[string][]byte{}
		le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(export)
		be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(export)
		variants[EncUTF16LE], variants[EncUTF16BE] = []byte(le), []byte(be)
		if cp, err := charmap.Windows1252.NewEncoder().String(export); err == nil && !utf8.ValidString(cp) && !strings.ContainsAny(export, "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f") {
			variants[EncWindows1252] = []byte(cp)
		}
		for enc, data := range variants {
			got := readString(t, data)
			if got.encoding != enc {
				t.Fatalf("%s export read as %s", enc, got.encoding)
			}
			if got.rows != want.rows {
				t.Fatalf("%s export:\n%s\nUTF-8 original:\n%s", enc, got.rows, want.rows)
			}
		}
	})
}

type readResult struct{ rows, encoding string }

// readString reads an export and renders its rows (records and rejections, with lines) as text.
func readString(t *testing.T, data []byte) readResult {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "enc.csv", WithSeenAt(seen))
	if err != nil {
		return readResult{rows: "error: " + err.Error()}
	}
	var b strings.Builder
	for {
		rec, rej, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			break
		}
		if rej != nil {
			fmt.Fprintf(&b, "%d rejected: %s\n", rej.Line, rej.Reason)
			continue
		}
		fmt.Fprintf(&b, "%d %v\n", rec.Line, rec.Values)
	}
	return readResult{rows: b.String(), encoding: r.Encoding()}
}
