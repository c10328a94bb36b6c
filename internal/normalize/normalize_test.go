package normalize

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"haloleads/internal/lead"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// sampleRecords are raw provider rows with the mess normalisation has to clean.
func sampleRecords() []lead.Record {
	seen := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return []lead.Record{
		{Source: lead.Apollo, SourceID: "a1", SeenAt: seen, Values: lead.Values{
			lead.FirstName: "  DANA ", lead.LastName: "okafor", lead.Email: "Dana.Okafor@BrightKettle.com",
			lead.PhoneDirect: "+1 512-555-0143", lead.PhoneMobile: "(512) 555 0199 x 12",
			lead.Company: "Bright  Kettle, Inc.", lead.Website: "http://www.brightkettle.com/about",
			lead.PersonCountry: "United States", lead.DoNotCall: "Yes", lead.EmailOptOut: "no",
		}},
		{Source: lead.ZoomInfo, SourceID: "z1", SeenAt: seen, Values: lead.Values{
			lead.FirstName: "Rosa", lead.LastName: "Lindqvist", lead.Email: "rosa.lindqvist+crm@gmail.com",
			lead.PhoneCompany: "020 7946 0958", lead.Company: "Northfjord Freight Ltd", lead.HQCountry: "UK",
		}},
		{Source: lead.Hunter, SeenAt: seen, Values: lead.Values{
			lead.Email: "email_not_unlocked@domain.com", lead.FirstName: "Zoe\u0308", lead.LastName: "Ødegård",
			lead.Domain: "https://WWW.Ødegård-tools.no/", lead.PhoneDirect: "not a phone",
		}},
		{Source: lead.Lusha, SeenAt: seen, Values: lead.Values{
			lead.FirstName: "Bob", lead.LastName: "Smith", lead.Email: "info@acme-tools.de",
			lead.PhoneMobile: "0151 23456789", lead.PersonCountry: "Deutschland", lead.JobTitle: "VP, Sales",
			lead.LinkedIn: "https://www.linkedin.com/in/Bob-Smith-42/", lead.Company: "ACME Tools GmbH",
		}},
	}
}

type goldenRecord struct {
	Values lead.Values `json:"values"`
	Keys   Keys        `json:"keys"`
}

func TestRecordGolden(t *testing.T) {
	t.Parallel()
	n := New(Options{})
	var got []goldenRecord
	for _, r := range sampleRecords() {
		clean := n.Record(r)
		got = append(got, goldenRecord{clean.Values, n.Keys(clean.Values)})
	}
	checkGolden(t, "records.golden.json", got)
}

// checkGolden compares v as indented JSON with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("encoding %s: %v", name, err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("writing golden file: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff\ngot:\n%s", name, got)
	}
}

func TestRecordIdempotent(t *testing.T) {
	t.Parallel()
	n := New(Options{})
	for i, r := range sampleRecords() {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			once := n.Record(r)
			twice := n.Record(once)
			if !reflect.DeepEqual(once.Values, twice.Values) {
				t.Errorf("normalising twice changed values:\n%v\n%v", once.Values, twice.Values)
			}
			if !reflect.DeepEqual(n.Keys(r.Values), n.Keys(once.Values)) {
				t.Errorf("keys of raw and clean values differ:\n%+v\n%+v", n.Keys(r.Values), n.Keys(once.Values))
			}
		})
	}
}

func TestRecordDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	r := sampleRecords()[0]
	before := fmt.Sprint(r.Values)
	_ = Record(r)
	if fmt.Sprint(r.Values) != before {
		t.Error("Record modified its input")
	}
}

func TestRecordDomainSources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   lead.Values
		want string
	}{
		{"domain field wins", lead.Values{lead.Domain: "acme.com", lead.Website: "other.com"}, "acme.com"},
		{"from website", lead.Values{lead.Website: "https://shop.acme.co.uk/x"}, "acme.co.uk"},
		{"from work email", lead.Values{lead.Email: "jane@eu.acme.com"}, "acme.com"},
		{"not from free mail", lead.Values{lead.Email: "jane@gmail.com"}, ""},
		{"bad domain falls back", lead.Values{lead.Domain: "n/a", lead.Email: "jane@acme.io"}, "acme.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Record(lead.Record{Values: tt.in}).Values[lead.Domain]
			if got != tt.want {
				t.Errorf("domain = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeysRegion(t *testing.T) {
	t.Parallel()
	n := New(Options{DefaultRegion: "United Kingdom"})
	k := n.Keys(lead.Values{lead.PhoneDirect: "020 7946 0958", lead.PhoneMobile: "020 7946 0958"})
	if !reflect.DeepEqual(k.Phones, []string{"+442079460958"}) {
		t.Errorf("phones = %v, want one UK number", k.Phones)
	}
	k = n.Keys(lead.Values{lead.PhoneDirect: "(415) 256-2671", lead.HQCountry: "US"})
	if !reflect.DeepEqual(k.Phones, []string{"+14152562671"}) {
		t.Errorf("phones = %v, want the US number (HQ country)", k.Phones)
	}
	if k := KeysOf(lead.Values{lead.PhoneDirect: "911"}); len(k.Phones) != 0 {
		t.Errorf("service code kept as a phone key: %v", k.Phones)
	}
}

func TestLinkedInHandle(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://www.linkedin.com/in/Jane-Doe-123/?utm=x": "jane-doe-123",
		"linkedin.com/in/jane-doe":                        "jane-doe",
		"http://uk.linkedin.com/in/jane":                  "jane",
		"jane-doe":                                        "jane-doe",
		"https://www.linkedin.com/company/acme":           "",
		"https://example.com/jane":                        "",
		"":                                                "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := LinkedInHandle(in); got != want {
				t.Errorf("LinkedInHandle(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func FuzzLinkedInHandle(f *testing.F) {
	for _, s := range []string{"https://www.linkedin.com/in/Jane-Doe-123/?utm=x", "linkedin.com/in/", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		h := LinkedInHandle(raw)
		if h != "" && LinkedInHandle(h) != h {
			t.Errorf("handle %q of %q is not stable", h, raw)
		}
	})
}

func TestTruthy(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"true": true, "TRUE": true, " yes": true, "Y": true, "1": true, "false": false, "no": false, "": false, "0": false} {
		if got := Truthy(in); got != want {
			t.Errorf("Truthy(%q) = %v", in, got)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	recs := sampleRecords()
	n := New(Options{})
	for i := 0; b.Loop(); i++ {
		r := n.Record(recs[i%len(recs)])
		_ = n.Keys(r.Values)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// FuzzRecord checks that normalising is idempotent and that match keys do not depend on
// whether values were normalised first, for arbitrary cell contents.
func FuzzRecord(f *testing.F) {
	f.Add("JANE", "o'neil", "Jane.Doe+x@GoogleMail.com", "020 7946 0958 x1", "UK", "https://www.acme.co.uk/x", "Acme Ltd", "yes")
	f.Add("", "", "email_not_unlocked@domain.com", "+1 415-256-2671", "", "", "", "")
	f.Fuzz(func(t *testing.T, first, last, email, phone, country, website, company, dnc string) {
		n := New(Options{PhoneCacheSize: 1024})
		r := lead.Record{Values: lead.Values{
			lead.FirstName: first, lead.LastName: last, lead.Email: email, lead.PhoneDirect: phone,
			lead.PersonCountry: country, lead.Website: website, lead.Company: company, lead.DoNotCall: dnc,
		}}
		once := n.Record(r)
		twice := n.Record(once)
		if !reflect.DeepEqual(once.Values, twice.Values) {
			t.Errorf("not idempotent:\n%q\n%q", once.Values, twice.Values)
		}
		if raw, clean := n.Keys(r.Values), n.Keys(once.Values); raw.Email != clean.Email || raw.Domain != clean.Domain {
			t.Errorf("keys differ between raw and clean values: %+v vs %+v", raw, clean)
		}
	})
}
