package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
