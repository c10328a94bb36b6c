package sources

import (
	"fmt"
	"strings"
	"unicode"

	"haloleads/internal/lead"
)

// col is a logical export column: what a header cell means, whatever the provider calls it.
type col int

// The logical columns. Most map straight to a lead.Field; the others feed derived fields
// (services offered, growth, intent, opt-outs) or fallbacks.
const (
	cNone col = iota
	cSourceID
	cFirstName
	cLastName
	cFullName
	cEmail
	cEmailAlt
	cEmailStatus
	cEmailConfidence
	cCatchAll
	cEmailType
	cEmailBounced
	cEmailOptOut
	cJobTitle
	cManagementLevel
	cDepartment
	cJobFunction
	cLinkedIn
	cPersonCity
	cPersonState
	cPersonCountry
	cPhoneDirect
	cPhoneMobile
	cPhoneCompany
	cPhoneAny
	cPhone1
	cPhone1Type
	cPhone2
	cPhone2Type
	cPhone3
	cPhone3Type
	cDoNotCall
	cDoNotContact
	cStage
	cMatchStatus
	cCompany
	cCompanyAlt
	cWebsite
	cDomain
	cIndustry
	cSubIndustry
	cKeywords
	cDescription
	cEmployees
	cEmployeeRange
	cRevenue
	cRevenueThousands
	cRevenueRange
	cFoundedYear
	cHQStreet
	cHQCity
	cHQState
	cHQPostcode
	cHQCountry
	cHQAddress
	cTechnologies
	cTotalFunding
	cTotalFundingThousands
	cFundingRound
	cFundingAmount
	cFundingAmountThousands
	cFundingDate
	cGrowth1Y
	cGrowth2Y
	cJobChangeType
	cJobChangeDate
	cIntentTopics
	cIntentScore
	cEmailOpened
	cReplied
	cDemoed
	cVerifiedAt
	cNotes
	cNews
	numCols
)

// direct lists the columns copied as they are (after cleaning) into one lead field.
var direct = []struct {
	c col
	f lead.Field
}{
	{cFirstName, lead.FirstName},
	{cLastName, lead.LastName},
	{cJobTitle, lead.JobTitle},
	{cManagementLevel, lead.ManagementLevel},
	{cLinkedIn, lead.LinkedIn},
	{cPersonCity, lead.PersonCity},
	{cPersonState, lead.PersonState},
	{cPersonCountry, lead.PersonCountry},
	{cWebsite, lead.Website},
	{cDomain, lead.Domain},
	{cIndustry, lead.Industry},
	{cHQStreet, lead.HQStreet},
	{cHQCity, lead.HQCity},
	{cHQState, lead.HQState},
	{cHQPostcode, lead.HQPostcode},
	{cHQCountry, lead.HQCountry},
	{cNotes, lead.InitialNotes},
	{cNews, lead.NewsArticles},
}

// alias binds header spellings to a column.
type alias struct {
	c     col
	names []string
}

// commonAliases are the header spellings every provider's exports share. Matching ignores case,
// spaces and punctuation (see headerKey), so "Person Linkedin Url" and "person_linkedin_url" are
// the same spelling.
var commonAliases = []alias{
	{cFirstName, []string{"First Name", "First", "Given Name"}},
	{cLastName, []string{"Last Name", "Last", "Surname", "Family Name"}},
	{cFullName, []string{"Full Name", "Name", "Contact Name", "Person Name"}},
	{cEmail, []string{"Email", "Email Address", "Work Email", "Business Email", "Primary Email", "E-mail"}},
	{cEmailAlt, []string{"Secondary Email", "Tertiary Email", "Direct Email", "Additional Email 1",
		"Additional Email 2", "Work Email 2", "Email 2", "Supplemental Email", "Other Email"}},
	{cEmailStatus, []string{"Email Status", "Verification Status", "Email Verification Status"}},
	{cEmailConfidence, []string{"Email Confidence", "Confidence Score", "Confidence", "Email Score"}},
	{cCatchAll, []string{"Primary Email Catch-all Status", "Catch-all Status", "Catch-all"}},
	{cEmailBounced, []string{"Email Bounced", "Bounced"}},
	{cEmailOptOut, []string{"Email Unsubscribed", "Unsubscribed", "Email Opt Out", "Email Opted Out",
		"Do Not Email", "Email Opt-Out"}},
	{cJobTitle, []string{"Title", "Job Title", "Position"}},
	{cManagementLevel, []string{"Management Level", "Seniority", "Seniority Level"}},
	{cDepartment, []string{"Department", "Departments"}},
	{cJobFunction, []string{"Job Function", "Function"}},
	{cLinkedIn, []string{"Person Linkedin Url", "LinkedIn URL", "LinkedIn", "LinkedIn Contact Profile URL",
		"LinkedIn Profile", "LinkedIn Profile URL", "Contact LI", "Contact LinkedIn URL"}},
	{cPersonCity, []string{"City", "Person City", "Contact City"}},
	{cPersonState, []string{"State", "Person State", "Contact State", "Region"}},
	{cPersonCountry, []string{"Country", "Person Country", "Contact Country"}},
	{cPhoneDirect, []string{"Work Direct Phone", "Direct Phone", "Direct Phone Number", "Direct Dial",
		"Work Phone"}},
	{cPhoneMobile, []string{"Mobile Phone", "Mobile", "Mobile Number", "Cell Phone", "Mobile Direct Dial",
		"Mobile DirectDial"}},
	{cPhoneCompany, []string{"Corporate Phone", "Company Phone", "Company HQ Phone", "HQ Phone",
		"Main Phone", "Company Phone Number"}},
	{cPhoneAny, []string{"Phone", "Phone Number", "First Phone", "Telephone"}},
	{cPhone1, []string{"Phone 1"}},
	{cPhone1Type, []string{"Phone 1 Type"}},
	{cPhone2, []string{"Phone 2"}},
	{cPhone2Type, []string{"Phone 2 Type"}},
	{cPhone3, []string{"Phone 3"}},
	{cPhone3Type, []string{"Phone 3 Type"}},
	{cDoNotCall, []string{"Do Not Call", "DNC", "Do Not Call (DNC)", "DNC Flag", "Phone Do Not Call",
		"Direct Phone Do Not Call", "Direct Phone DNC", "Mobile Phone Do Not Call", "Mobile Phone DNC",
		"Phone 1 Do Not Call", "Phone 2 Do Not Call"}},
	{cDoNotContact, []string{"Do Not Contact", "Opt Out", "Opted Out", "Contact Opt Out Date", "Opt Out Date",
		"GDPR Restricted", "Claimed Email", "Requested Removal", "Removal Requested", "Suppressed"}},
	{cStage, []string{"Stage", "Contact Stage"}},
	{cMatchStatus, []string{"Match Status"}},
	{cCompany, []string{"Company Name", "Company", "Organization", "Organisation", "Account Name"}},
	{cCompanyAlt, []string{"Company Name for Emails"}},
	{cWebsite, []string{"Website", "Company Website", "Website URL", "Company URL"}},
	{cDomain, []string{"Domain", "Company Domain", "Domain Name", "Website Domain"}},
	{cIndustry, []string{"Industry", "Company Industry", "Company Main Industry", "Primary Industry"}},
	{cSubIndustry, []string{"Sub Industry", "Company Sub Industry", "Primary Sub-Industry"}},
	{cKeywords, []string{"Keywords", "Company Keywords"}},
	{cDescription, []string{"Company Description", "Description", "Short Description",
		"Company Short Description"}},
	{cEmployees, []string{"# Employees", "Employees", "Employee Count", "Number of Employees", "Company Size",
		"Headcount"}},
	{cEmployeeRange, []string{"Employee Range", "Employees Range", "Company Size Range"}},
	{cRevenue, []string{"Annual Revenue", "Revenue", "Company Revenue", "Revenue USD"}},
	{cRevenueThousands, []string{"Revenue (in 000s USD)", "Revenue (000s USD)"}},
	{cRevenueRange, []string{"Revenue Range", "Revenue Range (in USD)"}},
	{cFoundedYear, []string{"Founded Year", "Year Founded", "Founded", "Company Founded Year"}},
	{cHQStreet, []string{"Company Street", "Company Street Address", "HQ Street"}},
	{cHQCity, []string{"Company City", "HQ City"}},
	{cHQState, []string{"Company State", "HQ State", "Company Region"}},
	{cHQPostcode, []string{"Company Zip Code", "Company Zip", "Company Postal Code", "Company Postcode",
		"HQ Postcode"}},
	{cHQCountry, []string{"Company Country", "HQ Country"}},
	{cHQAddress, []string{"Company Address", "Full Address", "Company Full Address", "HQ Address"}},
	{cTechnologies, []string{"Technologies", "Technology Stack", "Tech Stack", "Technologies Used"}},
	{cTotalFunding, []string{"Total Funding", "Total Funding Amount"}},
	{cTotalFundingThousands, []string{"Total Funding Amount (in 000s USD)"}},
	{cFundingRound, []string{"Latest Funding", "Recent Funding Round", "Latest Funding Stage",
		"Last Funding Round"}},
	{cFundingAmount, []string{"Latest Funding Amount", "Last Funding Amount"}},
	{cFundingAmountThousands, []string{"Recent Funding Amount (in 000s USD)"}},
	{cFundingDate, []string{"Last Raised At", "Recent Funding Date", "Latest Funding Date"}},
	{cGrowth1Y, []string{"Past 1 Year Employee Growth Rate"}},
	{cGrowth2Y, []string{"Past 2 Year Employee Growth Rate"}},
	{cJobChangeType, []string{"Last Job Change Type"}},
	{cJobChangeDate, []string{"Last Job Change Date"}},
	{cIntentTopics, []string{"Intent Topics", "Buyer Intent Topics", "Buying Intent Topics", "Intent Signals"}},
	{cIntentScore, []string{"Intent Strength", "Intent Score"}},
	{cEmailOpened, []string{"Email Open", "Email Opened"}},
	{cReplied, []string{"Replied"}},
	{cDemoed, []string{"Demoed"}},
	{cNotes, []string{"Notes", "Note", "Comments", "Comment", "Initial Notes"}},
	{cNews, []string{"News", "Recent News", "Latest News", "News & Articles", "Press Mentions"}},
}

// providerAliases are the spellings whose meaning depends on the provider; they take precedence
// over commonAliases.
var providerAliases = map[lead.Source][]alias{
	// A generic list (CRM exports, event and trade-show lists, spreadsheets) also uses these.
	lead.CSV: {
		{cPhoneDirect, []string{"Business Phone", "Office Phone", "Phone (Work)", "Work Phone Number"}},
		{cPhoneMobile, []string{"Mobile Phone Number", "Cell", "Cell Number", "Phone (Mobile)"}},
		{cCompany, []string{"Employer", "Firm", "Company / Account", "Organization Name", "Business Name"}},
		{cWebsite, []string{"URL", "Web Site", "Homepage", "Web"}},
		{cJobTitle, []string{"Role", "Job Role", "Designation"}},
		{cEmail, []string{"Email 1", "E-mail Address", "Mail"}},
		{cPersonCountry, []string{"Country/Region"}},
		{cHQPostcode, []string{"Zip", "Zip Code", "Postal Code", "Postcode"}},
		{cHQStreet, []string{"Street", "Address", "Street Address"}},
	},
	lead.Apollo: {
		{cSourceID, []string{"Apollo Contact Id", "Apollo Person Id"}},
		// Apollo's "Address" sits with the person's City/State/Country; haloleads keeps no
		// person street, so the column is deliberately left unmapped.
		{cNone, []string{"Address"}},
	},
	lead.ZoomInfo: {
		{cSourceID, []string{"ZoomInfo Contact ID"}},
		{cNone, []string{"Person Street", "Person Zip Code", "Email Domain"}},
	},
	lead.Hunter: {
		// Hunter's domain search describes the organisation, so location columns are the HQ's.
		{cHQCity, []string{"City"}},
		{cHQState, []string{"State"}},
		{cHQCountry, []string{"Country"}},
		{cHQPostcode, []string{"Postal Code"}},
		{cHQStreet, []string{"Street"}},
		{cPersonCountry, []string{"Country Code"}},
		{cEmailType, []string{"Type", "Email Type"}},
		{cVerifiedAt, []string{"Verification Date", "Last Verification Date", "Verified At"}},
		{cEmployees, []string{"Company Size", "Headcount"}},
		// Hunter's API names, which its exports are believed to follow (b2b-sources.md §3.3).
		{cEmail, []string{"Value", "Email Value"}},
		{cEmailConfidence, []string{"Score", "Confidence Score"}},
		{cJobTitle, []string{"Position"}},
		{cLinkedIn, []string{"LinkedIn Handle", "LinkedIn", "LinkedIn URL"}},
		{cPhoneDirect, []string{"Phone Number"}},
		{cCompany, []string{"Organization", "Company"}},
		{cDomain, []string{"Domain", "Domain Name"}},
		{cIndustry, []string{"Company Industry"}},
	},
	lead.UpLead: {
		{cSourceID, []string{"UpLead ID", "ID", "Contact ID"}},
		{cHQStreet, []string{"Address", "Company Address"}},
		{cHQPostcode, []string{"Zip"}},
		{cJobFunction, []string{"Job Function", "Job Sub Function"}},
		// UpLead's API names (b2b-sources.md §4.2), which newer exports are believed to follow.
		{cPhoneMobile, []string{"Mobile DirectDial", "Mobile Direct Dial", "Mobile"}},
		{cPhoneDirect, []string{"Phone Number", "Direct Dial", "Phone"}},
		{cPhoneCompany, []string{"Company Phone", "Company Phone Number"}},
		{cRevenueRange, []string{"Revenue Range"}},
		{cEmployeeRange, []string{"Employee Range"}},
		// "Employees" may hold a count or a range ("100 - 249"): mapEmployees reads either.
		{cEmployees, []string{"Company Employees"}},
		{cFoundedYear, []string{"Year Founded", "Founded"}},
		{cHQCity, []string{"Company City"}},
		{cHQState, []string{"Company State"}},
		{cHQCountry, []string{"Company Country"}},
		{cDescription, []string{"Description", "Company Description"}},
	},
	lead.Lusha: {
		{cSourceID, []string{"Lusha ID", "Contact ID", "Person ID"}},
		{cPhoneMobile, []string{"Mobile 2"}},
		// Private (personal) addresses are not used for B2B outreach.
		{cNone, []string{"Private Email", "Company LinkedIn URL"}},
	},
}

// headerKey reduces a header cell to lower-case letters and digits, so that alias matching
// ignores case, spaces, punctuation and a leading BOM.
func headerKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// aliasTable returns header key → column for src: its own spellings, then the common ones.
func aliasTable(src lead.Source) map[string]col {
	t := make(map[string]col, 256)
	add := func(as []alias) {
		for _, a := range as {
			for _, n := range a.names {
				if _, taken := t[headerKey(n)]; !taken {
					t[headerKey(n)] = a.c
				}
			}
		}
	}
	add(providerAliases[src])
	add(commonAliases)
	return t
}

// binding says which logical column each position of a header holds.
type binding struct {
	cols     []col    // by position; cNone for unmapped
	names    []string // header cells as written
	unmapped []string
	warnings []string // duplicated columns
	width    int
}

// bind maps header positions to columns for src. When two header cells mean the same column,
// the row's first non-empty value wins.
func bind(src lead.Source, header []string) binding {
	t := aliasTable(src)
	b := binding{cols: make([]col, len(header)), names: make([]string, len(header)), width: len(header)}
	firstOf := map[col]int{}
	firstNamed := map[string]int{}
	for i, h := range header {
		b.names[i] = strings.TrimSpace(h)
		key := headerKey(h)
		c, ok := t[key]
		if !ok && key != "" {
			b.unmapped = append(b.unmapped, b.names[i])
		}
		b.cols[i] = c
		if j, dup := firstNamed[key]; dup && key != "" {
			b.warnings = append(b.warnings, fmt.Sprintf("column %q appears twice (columns %d and %d)", b.names[i], j+1, i+1)+usedNote(c))
			continue
		}
		firstNamed[key] = i
		if j, dup := firstOf[c]; dup && c != cNone {
			b.warnings = append(b.warnings, fmt.Sprintf("columns %q and %q mean the same thing", b.names[j], b.names[i])+usedNote(c))
		} else if c != cNone {
			firstOf[c] = i
		}
	}
	return b
}

// usedNote says which of two duplicated columns a row's value comes from.
func usedNote(c col) string {
	switch {
	case c == cNone:
		return "; neither is used"
	case isFlag(c):
		return "; either one set marks the row"
	}
	return "; the first non-empty value of a row is used"
}
