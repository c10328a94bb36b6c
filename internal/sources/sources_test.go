package sources

import (
	"errors"
	"io"
	"strings"
	"testing"

	"haloleads/internal/lead"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		want   lead.Source
	}{
		{"apollo", "First Name,Last Name,Title,Company Name,Email,Email Status,Apollo Contact Id", lead.Apollo},
		{"apollo old vintage", "First Name,Last Name,Company,Email,Email Source,First Phone,Seniority,Departments", lead.Apollo},
		{"apollo accounts", "Company Name,Company Name for Emails,# Employees,Industry,Website,Apollo Record Id", lead.Apollo},
		{"zoominfo", "ZoomInfo Contact ID,Last Name,First Name,Job Title,Email Address", lead.ZoomInfo},
		{"zoominfo without ids", "Last Name,First Name,Contact Accuracy Score,Revenue (in 000s USD)", lead.ZoomInfo},
		{"hunter domain search", "Email address,First name,Last name,Confidence score,Number of sources,Pattern", lead.Hunter},
		{"hunter leads", "Email,First name,Last name,Position,Company,Confidence score,Verification status", lead.Hunter},
		{"uplead", "First Name,Last Name,Email,Mobile Direct Dial,Job Sub Function,Company Name", lead.UpLead},
		{"uplead legacy", "FirstName,LastName,Email,CompanyName,Title,Website", lead.UpLead},
		{"lusha", "First Name,Last Name,Work Email,Additional Email 1,Phone 1,Phone 1 Type", lead.Lusha},
		{"lusha legacy", "Contact name,Work email,Work email 2,Private email,Contact LI,Company name", lead.Lusha},
		{"bom and odd spelling", "\uFEFFfirst_name,LAST-NAME,apollo_contact_id", lead.Apollo},
		{"uplead api-style export", "first_name,last_name,title,email,email_status,phone_number,mobile_directdial,company_name,domain,sic_code,naics_code,year_founded", lead.UpLead},
		{"uplead company columns", "First Name,Last Name,Email,Company Name,SIC Code,NAICS Code,Fax Number,County,Ticker", lead.UpLead},
		{"hunter leads api-style export", "email,first_name,last_name,position,company,confidence_score,verification_status,linkedin_url", lead.Hunter},
		{"hunter domain-search sources", "Value,First Name,Last Name,Position,Type,Sources,Last Seen On,Still On Page", lead.Hunter},
		{"generic crm export", "Name,Email,Phone,Company", lead.CSV},
		{"generic event list", "First Name,Last Name,E-mail,Organisation,Job Title,Website", lead.CSV},
		{"provider columns outweigh generic ones", "First Name,Last Name,Email,Company,Apollo Contact Id", lead.Apollo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Detect(strings.Split(tt.header, ","))
			if err != nil || got != tt.want {
				t.Errorf("Detect(%q) = %q, %v; want %q", tt.header, got, err, tt.want)
			}
		})
	}
}

func TestDetectUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, wantInMsg string
	}{
		{"no email column", "Name,Phone,Company,Notes", "none of the columns"},
		{"no name column", "Email,Phone,Company,Notes", "none of the columns"},
		{"nothing usual", "Col1,Col2,Col3,Col4", "none of the columns"},
		{"empty header", "", "none of the columns"},
		{"two vendors", "Apollo Contact Id,ZoomInfo Contact ID", "Apollo.io and ZoomInfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewReader(strings.NewReader(tt.header+"\na,b,c,d\n"), "contacts.csv")
			var up *UnknownProviderError
			if !errors.As(err, &up) {
				t.Fatalf("err = %v, want *UnknownProviderError", err)
			}
			if up.File != "contacts.csv" || !strings.Contains(err.Error(), `"contacts.csv"`) ||
				!strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q should name the file and say %q", err, tt.wantInMsg)
			}
		})
	}
}

// one reads a single-row export and returns its record or rejection.
func one(t *testing.T, export string) (lead.Record, *lead.Rejected) {
	t.Helper()
	r, err := NewReader(strings.NewReader(export), "test.csv")
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	rec, rej, err := r.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if _, _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("second Next: %v, want io.EOF", err)
	}
	return rec, rej
}

func TestAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		export string
		want   lead.Values
	}{
		{"apollo new vs old company column",
			"Apollo Contact Id,First Name,Last Name,Company,Email\nid1,Dana,Okafor,Bright Kettle,d@bk.example.com\n",
			lead.Values{lead.Company: "Bright Kettle", lead.Email: "d@bk.example.com"}},
		{"apollo company name for emails as fallback",
			"Apollo Contact Id,First Name,Last Name,Company Name,Company Name for Emails\nid1,Dana,Okafor,,Bright Kettle\n",
			lead.Values{lead.Company: "Bright Kettle"}},
		{"apollo address is the person's, company address the HQ's",
			"Apollo Contact Id,Email,Address,City,Company Address,Company City\nx,d@bk.example.com,1 Home St,Austin,\"100 Congress Ave, Austin, Texas\",Austin\n",
			lead.Values{lead.HQStreet: "100 Congress Ave", lead.PersonCity: "Austin", lead.HQCity: "Austin"}},
		{"zoominfo person vs company location",
			"ZoomInfo Contact ID,Email Address,Person City,Country,Company City,Company Country\n1,r@nf.example.org,Boston,United States,Oslo,Norway\n",
			lead.Values{lead.PersonCity: "Boston", lead.PersonCountry: "United States", lead.HQCity: "Oslo", lead.HQCountry: "Norway"}},
		{"zoominfo revenue and funding in thousands",
			"ZoomInfo Contact ID,Email Address,Revenue (in 000s USD),Total Funding Amount (in 000s USD)\n1,r@nf.example.org,\"410,000\",2500\n",
			lead.Values{lead.Revenue: "410000000", lead.GrowthSignals: "total funding $2,500,000"}},
		{"zoominfo dnc columns",
			"ZoomInfo Contact ID,Email Address,Direct Phone DNC,Mobile Phone Do Not Call\n1,r@nf.example.org,No,Yes\n",
			lead.Values{lead.DoNotCall: "true"}},
		{"hunter location is the organisation's",
			"Email address,Confidence score,Number of sources,City,Country\nm@q.example.com,94,3,Chicago,US\n",
			lead.Values{lead.HQCity: "Chicago", lead.HQCountry: "US", lead.EmailConfidence: "94"}},
		{"hunter claimed email",
			"Email address,Confidence score,Number of sources,Verification status\nm@q.example.com,94,3,claimed_email\n",
			lead.Values{lead.DoNotContact: "true", lead.Email: "m@q.example.com"}},
		{"uplead legacy camel case",
			"FirstName,LastName,Email,CompanyName,Title,Website\nInes,Carvalho,ines@tb.example.net,Tallowbrook,Director of IT,tb.example.net\n",
			lead.Values{lead.FirstName: "Ines", lead.Company: "Tallowbrook", lead.JobTitle: "Director of IT"}},
		{"uplead address and zip are the company's",
			"First Name,Last Name,Email,Mobile Direct Dial,Job Sub Function,Address,Zip\nI,C,i@tb.example.net,+1 303 555 0177,IT Infrastructure,4400 Brighton Blvd,80216\n",
			lead.Values{lead.HQStreet: "4400 Brighton Blvd", lead.HQPostcode: "80216", lead.PhoneMobile: "+1 303 555 0177",
				lead.Department: "IT Infrastructure"}},
		{"lusha typed phones",
			"First Name,Last Name,Work Email,Phone 1,Phone 1 Type,Phone 2,Phone 2 Type,Additional Email 1\nY,T,,+44 7700 900412,Mobile,+44 20 7946 0312,Direct,y@lw.example.net\n",
			lead.Values{lead.PhoneMobile: "+44 7700 900412", lead.PhoneDirect: "+44 20 7946 0312", lead.Email: "y@lw.example.net"}},
		{"lusha opt-out date column",
			"First Name,Last Name,Work Email,Phone 1 Type,Contact Opt Out Date\nY,T,y@lw.example.net,,2026-02-01\n",
			lead.Values{lead.DoNotContact: "true"}},
		{"apollo stage and unsubscribed",
			"Apollo Contact Id,Email,Stage,Email Unsubscribed\nx,d@bk.example.com,Requested Removal,TRUE\n",
			lead.Values{lead.DoNotContact: "true", lead.EmailOptOut: "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, rej := one(t, tt.export)
			if rej != nil {
				t.Fatalf("rejected: %s", rej.Reason)
			}
			for f, want := range tt.want {
				if got := rec.Get(f); got != want {
					t.Errorf("%s = %q, want %q", f, got, want)
				}
			}
		})
	}
}

func TestMessyValues(t *testing.T) {
	t.Parallel()
	const header = "Apollo Contact Id,First Name,Last Name,Company Name,Email,Email Status,Work Direct Phone,Mobile Phone,# Employees,Annual Revenue,Technologies,Founded Year\n"
	tests := []struct {
		name string
		row  string
		want lead.Values
	}{
		{"apostrophe phone", "x,D,O,B,d@b.example.com,,'+1 512-555-0143,,,,,", lead.Values{lead.PhoneDirect: "+1 512-555-0143"}},
		{"formula phone", `x,D,O,B,d@b.example.com,,"=""+1 512-555-0143""",,,,,`, lead.Values{lead.PhoneDirect: "+1 512-555-0143"}},
		{"phone list keeps the first", "x,D,O,B,d@b.example.com,,,+1 555 0100; +1 555 0101,,,,", lead.Values{lead.PhoneMobile: "+1 555 0100"}},
		{"comma phone list", `x,D,O,B,d@b.example.com,,"+1 512-555-0143, +1 512-555-0144",,,,,`, lead.Values{lead.PhoneDirect: "+1 512-555-0143"}},
		{"garbage cells", "x,D,O,B,d@b.example.com,N/A,-,null,n/a,#N/A,none,", lead.Values{lead.EmailStatus: "", lead.PhoneDirect: "", lead.PhoneMobile: "", lead.Employees: "", lead.Revenue: "", lead.TechnologyStack: ""}},
		{"employee count with separators", `x,D,O,B,d@b.example.com,,,,"1,800",,,`, lead.Values{lead.Employees: "1800", lead.EmployeeRange: ""}},
		{"employee range", "x,D,O,B,d@b.example.com,,,,51 - 200,,,", lead.Values{lead.Employees: "", lead.EmployeeRange: "51-200"}},
		{"employee open range", "x,D,O,B,d@b.example.com,,,,\"10,001+\",,,", lead.Values{lead.EmployeeRange: "10,001+"}},
		{"revenue with currency", `x,D,O,B,d@b.example.com,,,,,"$38,000,000",,`, lead.Values{lead.Revenue: "38000000"}},
		{"revenue abbreviated", "x,D,O,B,d@b.example.com,,,,,38.5M,,", lead.Values{lead.Revenue: "38500000"}},
		{"revenue range", "x,D,O,B,d@b.example.com,,,,,$10M - $50M,,", lead.Values{lead.Revenue: "", lead.RevenueRange: "$10M - $50M"}},
		{"tech stack mixed separators", `x,D,O,B,d@b.example.com,,,,,,"Azure; AWS, Zoom|azure",`, lead.Values{lead.TechnologyStack: "Azure; AWS; Zoom", lead.ProjectPipelines: "Azure; AWS; Zoom"}},
		{"no msp tech in lookalike words", "x,D,O,B,d@b.example.com,,,,,,Lawson; Zoominfo,", lead.Values{lead.ProjectPipelines: ""}},
		{"founded year as float", "x,D,O,B,d@b.example.com,,,,,,,2014.0", lead.Values{lead.FoundedYear: "2014"}},
		{"founded year nonsense", "x,D,O,B,d@b.example.com,,,,,,,12", lead.Values{lead.FoundedYear: ""}},
		{"status vocabulary", "x,D,O,B,d@b.example.com,Extrapolated,,,,,,", lead.Values{lead.EmailStatus: "guessed"}},
		{"invalid email with name and company is kept", "x,D,O,B,not-an-email,Verified,,,,,,", lead.Values{lead.Email: "", lead.EmailStatus: "invalid"}},
		{"email list keeps the first", `x,D,O,B,"d@b.example.com; e@b.example.com",,,,,,,`, lead.Values{lead.Email: "d@b.example.com"}},
		{"spaces trimmed", "x,  Dana  , Okafor ,B,d@b.example.com,,,,,,,", lead.Values{lead.FirstName: "Dana", lead.LastName: "Okafor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, rej := one(t, header+tt.row+"\n")
			if rej != nil {
				t.Fatalf("rejected: %s", rej.Reason)
			}
			for f, want := range tt.want {
				if got := rec.Get(f); got != want {
					t.Errorf("%s = %q, want %q", f, got, want)
				}
			}
		})
	}
}

func TestRejections(t *testing.T) {
	t.Parallel()
	const header = "Apollo Contact Id,First Name,Last Name,Company Name,Email\n"
	tests := []struct {
		name, row, want string
	}{
		{"nothing identifies", "x,,,,", reasonUnknown},
		{"only placeholders", "N/A,-,null,none,", reasonNoValues},
		{"name without company", "x,Dana,Okafor,,", reasonNoCompany},
		{"company without full name", "x,Dana,,Bright Kettle,", reasonNoName},
		{"invalid email and no company", "x,Dana,Okafor,,dana@", "the email is not a valid address and no company"},
		{"too few fields", "x,Dana", "row has 2 fields, header has 5"},
		{"too many fields", "x,Dana,Okafor,B,d@b.example.com,extra", "row has 6 fields, header has 5"},
		{"text after a closing quote", `x,"Da"na,Okafor,B,d@b.example.com`, `text follows the closing quote of column "First Name" at line 2`},
		{"trailing separator with a value", "x,Dana,Okafor,B,d@b.example.com,extra,", "row has 7 fields, header has 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rej := one(t, header+tt.row+"\n")
			if rej == nil {
				t.Fatal("row was not rejected")
			}
			if !strings.HasPrefix(rej.Reason, tt.want) || rej.Line != 2 || rej.File != "test.csv" {
				t.Errorf("rejected %+v, want reason %q at test.csv line 2", *rej, tt.want)
			}
		})
	}
}

func TestLineNumbers(t *testing.T) {
	t.Parallel()
	export := "\uFEFFApollo Contact Id,First Name,Last Name,Company Name,Keywords,Email\r\n" + // 1
		"a,Dana,Okafor,Bright Kettle,\"tea\r\nwholesale\",d@bk.example.com\r\n" + // 2-3
		"\r\n" + // 4: blank, not a row
		"b,Rosa,Lindqvist,Northfjord,\"freight\n\nforwarding\",r@nf.example.org\n" + // 5-7
		"c,Bad,Row\n" + // 8
		"d,Ines,Carvalho,Tallowbrook,,i@tb.example.net" // 9, no final newline
	r, err := NewReader(strings.NewReader(export), "lines.csv")
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	var got []int
	for _, rec := range res.Records {
		got = append(got, rec.Line)
	}
	if want := []int{2, 5, 9}; !equalInts(got, want) {
		t.Errorf("record lines = %v, want %v", got, want)
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Line != 8 {
		t.Errorf("rejected = %+v, want one at line 8", res.Rejected)
	}
	if kw := res.Records[1].Get(lead.ServicesOffered); kw != "freight, forwarding" {
		t.Errorf("keywords across lines = %q", kw)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFormatErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, export, want string
	}{
		{"empty file", "", "no header row"},
		{"header with a broken quote", "Apollo Contact Id,\"Email\"x\n", "the header row cannot be read"},
		{"hunter json without emails", `{"data":{"domain":"q.example.com"}}`, `no "data.emails" list`},
		{"hunter json cut short", `{"data":{"emails":[{"value":"a@q.example.com"}`, "ends too early"},
		{"json that is not hunter", `[1,2]`, "expected {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := drain(tt.export)
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) || fe.File != "bad.csv" {
				t.Errorf("err = %v, want a *FormatError for bad.csv saying %q", err, tt.want)
			}
		})
	}
}

// drain reads a whole export and returns the first error other than io.EOF.
func drain(export string) error {
	r, err := NewReader(strings.NewReader(export), "bad.csv")
	if err != nil {
		return err
	}
	for {
		if _, _, err := r.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func TestRunawayRow(t *testing.T) {
	t.Parallel()
	export := "Apollo Contact Id,Email\nx,\"never closed " + strings.Repeat("a", 200_000) + "\ny,ok@b.example.com\n"
	r, err := NewReader(strings.NewReader(export), "runaway.csv", WithMaxRowBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	if len(res.Rejected) != 1 || res.Rejected[0].Line != 2 || !strings.Contains(res.Rejected[0].Reason, `column "Email"`) {
		t.Errorf("rejected = %+v, want line 2 naming the Email column", res.Rejected)
	}
	if len(res.Records) != 1 || res.Records[0].Line != 3 {
		t.Errorf("records = %+v, want the row at line 3", res.Records)
	}
}

func TestHunterJSON(t *testing.T) {
	t.Parallel()
	export := `[
  {"data": {"domain": "q.example.com", "organization": "Quarryline", "technologies": ["Azure", "Xero"],
    "emails": [
      {"value": "m@q.example.com", "confidence": 94, "first_name": "Malik", "last_name": "Osei",
       "verification": {"date": "2026-04-21", "status": "valid"}},
      "not an object",
      {"value": "h@q.example.com", "confidence": "88", "verification": null}
    ]}, "meta": {"results": 3}},
  {"meta": {"results": 1}, "data": {"organization": "Silverbirch",
    "emails": [{"value": "l@sb.example.com", "first_name": "Lucas", "last_name": "Moreau"}]}}
]`
	r, err := NewReader(strings.NewReader(export), "hunter.json", WithSeenAt(seen))
	if err != nil {
		t.Fatal(err)
	}
	if r.Source() != lead.Hunter {
		t.Fatalf("Source = %q", r.Source())
	}
	res := readAll(t, r)
	if len(res.Records) != 3 || len(res.Rejected) != 1 {
		t.Fatalf("got %d records and %d rejections, want 3 and 1", len(res.Records), len(res.Rejected))
	}
	checks := []struct {
		rec  int
		line int
		f    lead.Field
		want string
	}{
		{0, 4, lead.Company, "Quarryline"},
		{0, 4, lead.TechnologyStack, "Azure; Xero"},
		{0, 4, lead.EmailStatus, "valid"},
		{1, 7, lead.EmailConfidence, "88"},
		{2, 10, lead.Company, "Silverbirch"},
		{2, 10, lead.Domain, ""},
	}
	for _, c := range checks {
		rec := res.Records[c.rec]
		if rec.Line != c.line || rec.Get(c.f) != c.want {
			t.Errorf("record %d: line %d %s=%q, want line %d %q", c.rec, rec.Line, c.f, rec.Get(c.f), c.line, c.want)
		}
	}
	if res.Rejected[0].Line != 6 {
		t.Errorf("rejection at line %d, want 6", res.Rejected[0].Line)
	}
}

func TestOpenStampsFileTime(t *testing.T) {
	t.Parallel()
	r, err := Open(samplePath(t, "uplead.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, _, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if rec.SeenAt.IsZero() || rec.Source != lead.UpLead || !strings.HasSuffix(rec.File, "uplead.csv") {
		t.Errorf("record provenance = %q %q %v", rec.Source, rec.File, rec.SeenAt)
	}
	if _, err := Open("testdata/does-not-exist.csv"); err == nil {
		t.Error("Open of a missing file succeeded")
	}
}
