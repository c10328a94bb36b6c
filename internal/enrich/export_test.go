package enrich_test

import (
	"bytes"
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"haloleads/internal/enrich"
	"haloleads/internal/lead"
	"haloleads/internal/sources"
)

// fullRecord has a value for every field an export carries.
func fullRecord(src lead.Source, id string) lead.Record {
	return lead.Record{Source: src, SourceID: id, Values: lead.Values{
		lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Email: "dana.okafor@brightkettle.example.com",
		lead.EmailStatus: "valid", lead.EmailConfidence: "93", lead.PhoneDirect: "+1 512-555-0142",
		lead.PhoneMobile: "+1 512-555-0199", lead.PhoneCompany: "+1 512-555-0100", lead.JobTitle: "IT Manager",
		lead.ManagementLevel: "manager", lead.Department: "Information Technology",
		lead.LinkedIn: "https://www.linkedin.com/in/dana-okafor-demo", lead.PersonCity: "Austin",
		lead.PersonState: "Texas", lead.PersonCountry: "United States", lead.Company: "Bright Kettle",
		lead.Website: "http://www.brightkettle.example.com", lead.Domain: "brightkettle.example.com",
		lead.Industry: "Accounting", lead.Employees: "120", lead.EmployeeRange: "100-249",
		lead.Revenue: "12000000", lead.RevenueRange: "$10M-$25M", lead.FoundedYear: "1999",
		lead.HQStreet: "100 Main Street", lead.HQCity: "Austin", lead.HQState: "Texas", lead.HQPostcode: "78701",
		lead.HQCountry: "United States", lead.TechnologyStack: "Microsoft 365; Veeam",
		lead.DoNotCall: "true", lead.EmailOptOut: "true", lead.DoNotContact: "true",
	}}
}

// derived are the fields package sources derives on reading; they are not compared.
var derived = []lead.Field{lead.ServicesOffered, lead.ProjectPipelines, lead.IntentSignals, lead.GrowthSignals}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	for _, src := range lead.Providers {
		t.Run(string(src), func(t *testing.T) {
			t.Parallel()
			id := "id-1"
			if src == lead.Hunter {
				id = ""
			}
			want := []lead.Record{fullRecord(src, id),
				{Source: src, Values: lead.Values{lead.Email: "rosa@northfjord.example.org", lead.EmailStatus: "invalid"}}}
			var buf bytes.Buffer
			if err := enrich.EncodeExport(&buf, src, want); err != nil {
				t.Fatal(err)
			}
			rd, err := sources.NewReader(bytes.NewReader(buf.Bytes()), "export.csv")
			if err != nil {
				t.Fatal(err)
			}
			if rd.Source() != src {
				t.Fatalf("export read as %s, want %s", rd.Source(), src)
			}
			got, err := enrich.DecodeExport(bytes.NewReader(buf.Bytes()), "export.csv")
			if err != nil {
				t.Fatal(err)
			}
			// The exports of earlier versions' pulls are files on the worker: read the same.
			path := filepath.Join(t.TempDir(), string(src)+".csv")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if fromFile, err := enrich.ReadExport(path); err != nil || len(fromFile) != len(got) {
				t.Fatalf("the export as a file reads as %d records (%v), want %d", len(fromFile), err, len(got))
			}
			if len(got) != len(want) {
				t.Fatalf("read %d records, want %d", len(got), len(want))
			}
			for i := range want {
				compareRecord(t, got[i], want[i])
			}
		})
	}
}

func compareRecord(t *testing.T, got, want lead.Record) {
	t.Helper()
	if got.Source != want.Source || got.SourceID != want.SourceID {
		t.Errorf("read %s/%q, want %s/%q", got.Source, got.SourceID, want.Source, want.SourceID)
	}
	values := maps.Clone(got.Values)
	for _, f := range derived {
		delete(values, f)
	}
	for _, f := range lead.AllFields {
		if values[f] != want.Values[f] {
			t.Errorf("%s = %q, want %q", f, values[f], want.Values[f])
		}
	}
}

func TestEncodeExportRefusesUnknownSource(t *testing.T) {
	t.Parallel()
	err := enrich.EncodeExport(io.Discard, lead.HaloPSA, []lead.Record{{Source: lead.HaloPSA, SeenAt: time.Now()}})
	if err == nil {
		t.Fatal("wrote a HaloPSA export")
	}
}
