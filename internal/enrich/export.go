package enrich

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"haloleads/internal/lead"
	"haloleads/internal/safetext"
	"haloleads/internal/sources"
)

// column is one export column: the header a provider's export uses for a field.
type column struct {
	field  lead.Field
	header string
}

// columns are the fields an export carries, with headers every provider's layout reads back as
// the same field (package sources). The signal fields (services offered, project pipelines)
// are derived again from industry and technology stack on reading; growth and intent signals,
// which have no column of their own, are not carried.
var columns = []column{
	{lead.FirstName, "First Name"}, {lead.LastName, "Last Name"}, {lead.Email, "Email"},
	{lead.EmailStatus, "Email Status"}, {lead.EmailConfidence, "Email Confidence"},
	{lead.PhoneDirect, "Direct Phone"}, {lead.PhoneMobile, "Mobile Phone"}, {lead.PhoneCompany, "Company Phone"},
	{lead.JobTitle, "Job Title"}, {lead.ManagementLevel, "Management Level"}, {lead.Department, "Department"},
	{lead.LinkedIn, "LinkedIn URL"}, {lead.PersonCity, "Person City"}, {lead.PersonState, "Person State"},
	{lead.PersonCountry, "Person Country"}, {lead.Company, "Company Name"}, {lead.Website, "Website"},
	{lead.Domain, "Domain"}, {lead.Industry, "Industry"}, {lead.Employees, "Employees"},
	{lead.EmployeeRange, "Employee Range"}, {lead.Revenue, "Revenue USD"}, {lead.RevenueRange, "Revenue Range"},
	{lead.FoundedYear, "Founded Year"}, {lead.HQStreet, "HQ Street"}, {lead.HQCity, "HQ City"},
	{lead.HQState, "HQ State"}, {lead.HQPostcode, "HQ Postcode"}, {lead.HQCountry, "HQ Country"},
	{lead.TechnologyStack, "Technology Stack"}, {lead.DoNotContact, "Do Not Contact"},
	{lead.DoNotCall, "Do Not Call"}, {lead.EmailOptOut, "Email Opt Out"},
}

// header returns src's export header: its id column, then the field columns. Hunter, whose
// exports have no id, is recognised by its verification and confidence columns instead.
func header(src lead.Source) ([]string, error) {
	h := make([]string, 0, len(columns)+1)
	switch src {
	case lead.Apollo:
		h = append(h, "Apollo Contact Id")
	case lead.ZoomInfo:
		h = append(h, "ZoomInfo Contact ID")
	case lead.UpLead:
		h = append(h, "UpLead ID")
	case lead.Lusha:
		h = append(h, "Lusha ID")
	case lead.Hunter:
	default:
		return nil, fmt.Errorf("writing an export: %q is not a provider", src)
	}
	for _, c := range columns {
		h = append(h, hunterHeader(src, c))
	}
	return h, nil
}

// hunterHeader renames the columns that mark a Hunter export.
func hunterHeader(src lead.Source, c column) string {
	if src != lead.Hunter {
		return c.header
	}
	switch c.field {
	case lead.EmailStatus:
		return "Verification Status"
	case lead.EmailConfidence:
		return "Confidence Score"
	case lead.Domain:
		return "Domain Name"
	}
	return c.header
}

// EncodeExport writes recs to w as a CSV export of src, the layout the import reads with
// package sources. Pulls store it in the store (see activities.Puller), where every worker
// reads it.
func EncodeExport(w io.Writer, src lead.Source, recs []lead.Record) error {
	h, err := header(src)
	if err != nil {
		return err
	}
	if err := writeRows(w, src, h, recs); err != nil {
		return fmt.Errorf("writing %s export: %w", src, err)
	}
	return nil
}

// writeRows writes the header and one row per record.
func writeRows(w io.Writer, src lead.Source, h []string, recs []lead.Record) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(h)
	offset := len(h) - len(columns)
	for _, r := range recs {
		row := make([]string, len(h))
		if offset == 1 {
			row[0] = r.SourceID
		}
		for i, c := range columns {
			row[offset+i] = r.Get(c.field)
		}
		_ = cw.Write(safetext.Cells(row))
	}
	cw.Flush()
	return cw.Error()
}

// ReadExport reads the export at path (the pulls of earlier versions wrote them to the
// worker's data directory) back as records; see DecodeExport.
func ReadExport(path string) ([]lead.Record, error) {
	rd, err := sources.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading pulled records: %w", err)
	}
	defer rd.Close()
	return readRecords(rd)
}

// DecodeExport reads an export written by EncodeExport (or any provider export) from r back
// as records; name is the file's name, for messages. Rows that cannot identify a person are
// skipped, as the import would reject them.
func DecodeExport(r io.Reader, name string, opts ...sources.Option) ([]lead.Record, error) {
	rd, err := sources.NewReader(r, name, opts...)
	if err != nil {
		return nil, fmt.Errorf("reading pulled records: %w", err)
	}
	return readRecords(rd)
}

func readRecords(rd *sources.Reader) ([]lead.Record, error) {
	var out []lead.Record
	for {
		rec, rej, err := rd.Next()
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return nil, fmt.Errorf("reading pulled records: %w", err)
		case rej == nil:
			out = append(out, rec)
		}
	}
}
