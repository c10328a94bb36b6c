package lifecycle

import (
	"strings"

	"haloleads/internal/lead"
)

// Verdict says what an import does with a lead, judged on the design doc's required Lead fields
// (Person Name, Email, Company Name).
type Verdict string

// The verdicts of CheckLead.
const (
	// Land: every required field is there; the lead lands as New Lead.
	Land Verdict = "land"
	// LandInvalid: a required field is missing or bad, but the lead names a person and gives
	// a way to find them (a company, a valid e-mail address or a phone number); it lands as
	// Invalid Data, with the reason on the ticket, for a person to research.
	LandInvalid Verdict = "invalid"
	// Reject: too little to be worth a person's look; the rows are reported as rejected.
	Reject Verdict = "reject"
)

// LeadCheck is CheckLead's answer.
type LeadCheck struct {
	Verdict Verdict
	// Reason names the missing or bad required fields ("" for Land).
	Reason string
}

// CheckLead judges a merged lead's values against the Lead's required fields:
//
//   - Person Name: a first or last name;
//   - Email: a valid address (normalisation drops an invalid one and keeps why in
//     lead.EmailInvalid);
//   - Company Name: a company name (a company domain alone does not name it).
//
// A lead with all three lands (Land). One lacking a required field but with a person's name and
// a company, a valid address or a phone number lands as Invalid Data (LandInvalid): someone can
// look the person up. Anything else is rejected (Reject): an address or a company with no
// person's name, or a name with nothing to find the person by.
func CheckLead(v lead.Values) LeadCheck {
	has := func(f lead.Field) bool { return strings.TrimSpace(v[f]) != "" }
	name := has(lead.FirstName) || has(lead.LastName)
	var problems []string
	if !name {
		problems = append(problems, "Person Name missing")
	}
	switch {
	case has(lead.Email):
	case has(lead.EmailInvalid):
		problems = append(problems, "Email invalid ("+v[lead.EmailInvalid]+")")
	default:
		problems = append(problems, "Email missing")
	}
	if !has(lead.Company) {
		problems = append(problems, "Company Name missing")
	}
	if len(problems) == 0 {
		return LeadCheck{Verdict: Land}
	}
	reason := "required Lead fields: " + strings.Join(problems, "; ")
	phone := has(lead.PhoneDirect) || has(lead.PhoneMobile) || has(lead.PhoneCompany)
	if name && (has(lead.Company) || has(lead.Email) || phone) {
		return LeadCheck{Verdict: LandInvalid, Reason: reason}
	}
	return LeadCheck{Verdict: Reject, Reason: reason}
}
