// Package score computes the two lead scores of the design doc: the data-quality score (how
// complete and usable a lead's contact data is) and the fit score (how well the person and the
// company match the MSP's ideal customer). Both are plain functions of lead.Values, 0 to 100.
package score

import (
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// Quality points, from the design doc's calculateDataQualityScore: e-mail 30, phone 25, full
// name 20, company and website 15, job title 10. The doc gives all-or-nothing points; the
// partial credits below are haloleads' and are documented on Quality.
const (
	emailPoints   = 30
	phonePoints   = 25
	namePoints    = 20
	companyPoints = 15
	titlePoints   = 10
)

// Quality returns the data-quality score of v (0-100):
//
//   - e-mail (30): a syntactically valid address scores by its verification status: valid
//     (or "verified") 30, accept_all 22, unknown or no status 20, guessed 15, invalid 0.
//     A role address (info@…) scores half, since it does not reach the person.
//   - phone (25): a valid direct or mobile number 25; only a valid company switchboard 15;
//     a number that is present but not valid 5.
//   - full name (20): first and last name 20; only one of them 10.
//   - company and website (15): company name and website or domain 15; only one of them 8.
//   - job title (10): present 10.
func Quality(v lead.Values) int {
	return QualityWith(v, normalize.ParsePhone)
}

// PhoneParser parses a phone number with a default region, as normalize.ParsePhone does.
type PhoneParser func(raw, region string) (normalize.Phone, error)

// QualityWith is Quality with a given phone parser, such as a normalize.Normalizer's cached
// ParsePhone for bulk work.
func QualityWith(v lead.Values, parse PhoneParser) int {
	return emailScore(v) + phoneScore(v, parse) + nameScore(v) + companyScore(v) + titleScore(v)
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
