// Package score computes the two lead scores of the design doc: the data-quality score (how
// complete and usable a lead's contact data is) and the fit score (how well the person and the
// company match the MSP's ideal customer). Both are plain functions of lead.Values, 0 to 100.
package score

import (
	"fmt"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// Quality points, from the design doc's calculateDataQualityScore: e-mail 30, phone 25, full
// name 20, company and website 15, job title 10.
const (
	emailPoints   = 30
	phonePoints   = 25
	namePoints    = 20
	companyPoints = 15
	titlePoints   = 10
)

// QualityModel names a data-quality formula.
type QualityModel string

// The quality formulas.
const (
	// QualityDoc is the design doc's formula and the default: all-or-nothing points.
	QualityDoc QualityModel = "doc"
	// QualityDetailed gives partial credit by e-mail verification status, phone kind and half
	// pairs (see QualityDetailedWith).
	QualityDetailed QualityModel = "detailed"
)

// ParseQualityModel reads a model name; "" is QualityDoc.
func ParseQualityModel(s string) (QualityModel, error) {
	switch m := QualityModel(strings.ToLower(strings.TrimSpace(s))); m {
	case "", QualityDoc:
		return QualityDoc, nil
	case QualityDetailed:
		return m, nil
	}
	return "", fmt.Errorf("unknown quality model %q (want %q or %q)", s, QualityDoc, QualityDetailed)
}

// Quality returns the design doc's data-quality score of v (0-100), all or nothing per item:
//
//   - e-mail (30): a valid address (the doc's pattern: something@something.tld, with
//     internationalised local parts allowed) that its provider has not verified as invalid;
//   - phone (25): a direct, mobile or company number that parses as a valid number;
//   - complete name (20): first and last name;
//   - company data (15): company name and website (a domain stands for the website);
//   - job title (10): present.
func Quality(v lead.Values) int {
	return QualityWith(v, normalize.ParsePhone)
}

// PhoneParser parses a phone number with a default region, as normalize.ParsePhone does.
type PhoneParser func(raw, region string) (normalize.Phone, error)

// QualityWith is Quality with a given phone parser, such as a normalize.Normalizer's cached
// ParsePhone for bulk work.
func QualityWith(v lead.Values, parse PhoneParser) int {
	pts := 0
	if _, err := normalize.ParseEmail(v[lead.Email]); err == nil && !verifiedInvalid(v[lead.EmailStatus]) {
		pts += emailPoints
	}
	if phoneScore(v, parse) == phonePoints || validCompanyPhone(v, parse) {
		pts += phonePoints
	}
	if pairScore(v[lead.FirstName], v[lead.LastName], namePoints, 0) == namePoints {
		pts += namePoints
	}
	if companyScore(v) == companyPoints {
		pts += companyPoints
	}
	return min(pts+titleScore(v), 100)
}

// QualityBy scores v with the named model.
func QualityBy(m QualityModel, v lead.Values, parse PhoneParser) int {
	if parse == nil {
		parse = normalize.ParsePhone
	}
	if m == QualityDetailed {
		return QualityDetailedWith(v, parse)
	}
	return QualityWith(v, parse)
}

// QualityDetailedWith is the "detailed" model, with partial credits on the doc's weights:
//
//   - e-mail (30): a syntactically valid address scores by its verification status: valid
//     (or "verified") 30, accept_all 22, unknown or no status 20, guessed 15, invalid 0.
//     A role address (info@…) scores half, since it does not reach the person.
//   - phone (25): a valid direct or mobile number 25; only a valid company switchboard 15;
//     a number that is present but not valid 5.
//   - full name (20): first and last name 20; only one of them 10.
//   - company and website (15): company name and website or domain 15; only one of them 8.
//   - job title (10): present 10.
func QualityDetailedWith(v lead.Values, parse PhoneParser) int {
	return emailScore(v) + phoneScore(v, parse) + nameScore(v) + companyScore(v) + titleScore(v)
}

// verifiedInvalid reports whether a provider's verification status says the address bounces.
func verifiedInvalid(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "invalid", "undeliverable", "bounced", "disposable":
		return true
	}
	return false
}

func validCompanyPhone(v lead.Values, parse PhoneParser) bool {
	if strings.TrimSpace(v[lead.PhoneCompany]) == "" {
		return false
	}
	p, err := parse(v[lead.PhoneCompany], regionOf(v))
	return err == nil && p.Valid
}

func emailScore(v lead.Values) int {
	e, err := normalize.ParseEmail(v[lead.Email])
	if err != nil {
		return 0
	}
	var pts int
	switch strings.ToLower(strings.TrimSpace(v[lead.EmailStatus])) {
	case "valid", "verified", "deliverable":
		pts = emailPoints
	case "accept_all", "catch_all", "catch-all", "risky":
		pts = 22
	case "", "unknown", "unverified":
		pts = 20
	case "guessed", "extrapolated":
		pts = 15
	default: // invalid, undeliverable, disposable, …
		return 0
	}
	if e.Role {
		pts /= 2
	}
	return pts
}

func phoneScore(v lead.Values, parse PhoneParser) int {
	region := regionOf(v)
	best := 0
	for _, f := range []lead.Field{lead.PhoneDirect, lead.PhoneMobile, lead.PhoneCompany} {
		if strings.TrimSpace(v[f]) == "" {
			continue
		}
		pts := 5
		if p, err := parse(v[f], region); err == nil && p.Valid {
			pts = phonePoints
			if f == lead.PhoneCompany {
				pts = 15
			}
		}
		if best = max(best, pts); best == phonePoints {
			break
		}
	}
	return best
}

func regionOf(v lead.Values) string {
	if r := normalize.Region(v[lead.PersonCountry]); r != "" {
		return r
	}
	if r := normalize.Region(v[lead.HQCountry]); r != "" {
		return r
	}
	return "US"
}

func nameScore(v lead.Values) int {
	return pairScore(v[lead.FirstName], v[lead.LastName], namePoints, 10)
}

func companyScore(v lead.Values) int {
	site := v[lead.Website]
	if strings.TrimSpace(site) == "" {
		site = v[lead.Domain]
	}
	return pairScore(v[lead.Company], site, companyPoints, 8)
}

// pairScore gives full points when both a and b are present, part when one is.
func pairScore(a, b string, full, part int) int {
	hasA, hasB := strings.TrimSpace(a) != "", strings.TrimSpace(b) != ""
	switch {
	case hasA && hasB:
		return full
	case hasA || hasB:
		return part
	}
	return 0
}

func titleScore(v lead.Values) int {
	if strings.TrimSpace(v[lead.JobTitle]) != "" {
		return titlePoints
	}
	return 0
}
