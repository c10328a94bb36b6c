package bench

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"haloleads/internal/dedupe/gen"
	"haloleads/internal/lead"
)

// Input is a generated import: real provider export files and what they hold.
type Input struct {
	Files []string
	// Identities is the number of distinct people-at-companies in the files (the ground truth:
	// what a perfect de-duplication makes leads of).
	Identities int
	// Rows counts the data rows written, over all files.
	Rows int
}

// column is one export column: its header as the provider writes it and how a record fills it.
type column struct {
	header string
	value  func(lead.Record) string
}

// layout is one provider's export: file name and columns.
type layout struct {
	source  lead.Source
	file    string
	columns []column
}

// field returns a column filler that copies one lead field.
func field(f lead.Field) func(lead.Record) string {
	return func(r lead.Record) string { return r.Values[f] }
}

// website is a column filler for a company website, falling back to the bare domain.
func website(r lead.Record) string {
	if w := r.Values[lead.Website]; w != "" {
		return w
	}
	return r.Values[lead.Domain]
}

// sourceID is a column filler for the provider's own record id.
func sourceID(r lead.Record) string { return r.SourceID }

// layouts are the three providers the benchmark input comes from, with header spellings taken
// from the providers' own exports (see testdata/samples).
var layouts = []layout{
	{lead.Apollo, "apollo.csv", []column{
		{"Apollo Contact Id", sourceID}, {"First Name", field(lead.FirstName)}, {"Last Name", field(lead.LastName)},
		{"Title", field(lead.JobTitle)}, {"Company Name", field(lead.Company)}, {"Email", field(lead.Email)},
		{"Email Status", field(lead.EmailStatus)}, {"Work Direct Phone", field(lead.PhoneDirect)},
		{"Mobile Phone", field(lead.PhoneMobile)}, {"Corporate Phone", field(lead.PhoneCompany)},
		{"# Employees", field(lead.Employees)}, {"Industry", field(lead.Industry)},
		{"Person Linkedin Url", field(lead.LinkedIn)}, {"Website", website}, {"Country", field(lead.PersonCountry)},
		{"Company Country", field(lead.HQCountry)},
	}},
	{lead.ZoomInfo, "zoominfo.csv", []column{
		{"ZoomInfo Contact ID", sourceID}, {"Last Name", field(lead.LastName)}, {"First Name", field(lead.FirstName)},
		{"Job Title", field(lead.JobTitle)}, {"Direct Phone Number", field(lead.PhoneDirect)},
		{"Email Address", field(lead.Email)}, {"Mobile phone", field(lead.PhoneMobile)},
		{"LinkedIn Contact Profile URL", field(lead.LinkedIn)}, {"Country", field(lead.PersonCountry)},
		{"Company Name", field(lead.Company)}, {"Website", website}, {"Company HQ Phone", field(lead.PhoneCompany)},
		{"Employees", field(lead.Employees)}, {"Primary Industry", field(lead.Industry)},
		{"Company Country", field(lead.HQCountry)},
	}},
	{lead.Hunter, "hunter.csv", []column{
		{"Email address", field(lead.Email)}, {"First name", field(lead.FirstName)}, {"Last name", field(lead.LastName)},
		{"Confidence score", func(r lead.Record) string { return hunterConfidence(r.Values[lead.EmailStatus]) }},
		{"Type", func(lead.Record) string { return "personal" }}, {"Number of sources", func(lead.Record) string { return "2" }},
		{"Organization", field(lead.Company)}, {"Domain name", hunterDomain}, {"Position", field(lead.JobTitle)},
		{"LinkedIn URL", field(lead.LinkedIn)}, {"Phone number", field(lead.PhoneDirect)},
		{"Verification status", field(lead.EmailStatus)},
	}},
}

// hunterConfidence is the score Hunter shows for an address of the given status.
func hunterConfidence(status string) string {
	switch status {
	case "valid":
		return "96"
	case "accept_all":
		return "82"
	case "":
		return ""
	}
	return "55"
}

// hunterDomain is Hunter's "Domain name": the company domain, else the website's host.
func hunterDomain(r lead.Record) string {
	if d := r.Values[lead.Domain]; d != "" {
		return d
	}
	w := r.Values[lead.Website]
	for _, p := range []string{"https://", "http://", "www."} {
		w = strings.TrimPrefix(w, p)
	}
	host, _, _ := strings.Cut(w, "/")
	return host
}

// Generate writes an overlapping Apollo, ZoomInfo and Hunter input about exactly leads people
// (each seen by one to three of the providers, with the variations real exports show) into dir,
// one export file per provider. The same leads and seed always give the same files.
func Generate(dir string, leads int, seed uint64) (Input, error) {
	if leads < 1 {
		return Input{}, fmt.Errorf("generating input: leads must be positive, got %d", leads)
	}
	byFile, identities := pick(gen.Generate(gen.Config{Seed: seed, People: leads * 2}), leads)
	in := Input{Identities: identities}
	for _, l := range layouts {
		path := filepath.Join(dir, l.file)
		if err := writeExport(path, l, byFile[l.source]); err != nil {
			return Input{}, err
		}
		in.Files = append(in.Files, path)
		in.Rows += len(byFile[l.source])
	}
	return in, nil
}

// pick keeps the Apollo, ZoomInfo and Hunter records of the first n identities that have any,
// grouped by provider, and returns how many identities it kept.
func pick(ds gen.Dataset, n int) (map[lead.Source][]lead.Record, int) {
	wanted := map[lead.Source]bool{lead.Apollo: true, lead.ZoomInfo: true, lead.Hunter: true}
	kept := map[int]bool{}
	out := map[lead.Source][]lead.Record{}
	for i, r := range ds.Records {
		id := ds.Truth[i]
		if !wanted[r.Source] || (!kept[id] && len(kept) >= n) {
			continue
		}
		kept[id] = true
		out[r.Source] = append(out[r.Source], r)
	}
	return out, len(kept)
}

// writeExport writes records as one provider's CSV export.
func writeExport(path string, l layout, records []lead.Record) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s export: %w", l.source.DisplayName(), err)
	}
	w := csv.NewWriter(f)
	row := make([]string, len(l.columns))
	for i, c := range l.columns {
		row[i] = c.header
	}
	werr := w.Write(row)
	for _, r := range records {
		for i, c := range l.columns {
			row[i] = c.value(r)
		}
		if werr == nil {
			werr = w.Write(row)
		}
	}
	w.Flush()
	if werr == nil {
		werr = w.Error()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("writing %s export: %w", l.source.DisplayName(), werr)
	}
	return nil
}
