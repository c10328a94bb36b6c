package sources

import (
	"strings"
	"unicode"

	"haloleads/internal/lead"
)

// row holds one data row's cells by logical column, already cleaned.
type row [numCols]string

// isFlag reports the columns where several header cells combine with "or" (a direct-phone DNC
// and a mobile DNC column both feed DoNotCall) instead of "first non-empty wins".
func isFlag(c col) bool {
	return c == cDoNotCall || c == cDoNotContact || c == cEmailOptOut || c == cEmailBounced
}

// set stores a raw cell value under c. The first non-empty value wins, except for flags.
func (r *row) set(c col, v string) {
	if c == cNone {
		return
	}
	if isFlag(c) {
		if truthy(v) {
			r[c] = "true"
		}
		return
	}
	if r[c] == "" {
		r[c] = clean(v)
	}
}

// empty reports whether every cell is empty.
func (r *row) empty() bool {
	for _, v := range r {
		if v != "" {
			return false
		}
	}
	return true
}

// Reasons a row is rejected. They say what is missing so a user can fix the export.
const (
	reasonNoValues  = "row has no values"
	reasonUnknown   = "no email and no name+company: cannot identify the person"
	reasonNoCompany = "no email and no company, website or domain: a name alone cannot identify the person"
	reasonNoName    = "no email and no first+last name: a company alone cannot identify the person"
	invalidEmail    = "the email is not a valid address"
)

// mapRow turns a row into lead values. It returns a non-empty reason when the row must be
// rejected because it cannot identify a person.
//
// An email that is not a valid address is dropped. If the row still names a person at a company
// it is kept with EmailStatus "invalid" and no Email, which tells later stages the provider's
// address for this person is unusable; otherwise the row is rejected.
func mapRow(r *row) (lead.Values, string) {
	if r.empty() {
		return nil, reasonNoValues
	}
	v := make(lead.Values, 24)
	for _, d := range direct {
		setIf(v, d.f, r[d.c])
	}
	mapPerson(r, v)
	badEmail := mapEmail(r, v)
	mapPhones(r, v)
	mapCompany(r, v)
	mapSignals(r, v)
	mapCompliance(r, v)
	if reason := identify(v); reason != "" {
		if badEmail {
			reason = invalidEmail + strings.TrimPrefix(reason, "no email")
		}
		return nil, reason
	}
	return v, ""
}

// identify says why v cannot identify a person, or "" when it can: an email, or a first and last
// name with a company, website or domain.
func identify(v lead.Values) string {
	if v[lead.Email] != "" {
		return ""
	}
	named := v[lead.FirstName] != "" && v[lead.LastName] != ""
	company := v[lead.Company] != "" || v[lead.Website] != "" || v[lead.Domain] != ""
	switch {
	case named && company:
		return ""
	case named:
		return reasonNoCompany
	case company:
		return reasonNoName
	}
	return reasonUnknown
}

// mapPerson fills the name from a full-name cell when the export has no first/last columns,
// and the department (Apollo lists several; ZoomInfo and UpLead also give a job function).
func mapPerson(r *row, v lead.Values) {
	if r[cFirstName] == "" && r[cLastName] == "" && r[cFullName] != "" {
		first, last := splitName(r[cFullName])
		setIf(v, lead.FirstName, first)
		setIf(v, lead.LastName, last)
	}
	dept := joinList(r[cDepartment])
	if dept == "" {
		dept = joinList(r[cJobFunction])
	}
	setIf(v, lead.Department, dept)
}

// splitName splits "Dana Okafor" into first and last name (first word, then the rest) and
// "Okafor, Dana" the other way round. A single word is a first name.
func splitName(full string) (first, last string) {
	if l, f, ok := strings.Cut(full, ","); ok {
		return clean(f), clean(l)
	}
	first, last, _ = strings.Cut(strings.Join(strings.Fields(full), " "), " ")
	return first, last
}

// apolloPlaceholder is the address Apollo shows for people whose email is not unlocked.
const apolloPlaceholder = "email_not_unlocked@domain.com"

// mapEmail sets Email, EmailStatus and EmailConfidence. It reports whether the export's email
// was dropped because it is not a valid address.
func mapEmail(r *row, v lead.Values) (dropped bool) {
	email := firstItem(r[cEmail])
	if email == "" {
		email = firstItem(r[cEmailAlt])
	}
	status, optOut, claimed := emailStatus(r[cEmailStatus])
	if strings.EqualFold(email, apolloPlaceholder) {
		email, status = "", ""
	}
	if status != "valid" && status != "invalid" && isCatchAll(r[cCatchAll]) {
		status = "accept_all"
	}
	if r[cEmailBounced] == "true" {
		status = "invalid"
	}
	if email != "" && !plausibleEmail(email) {
		email, status, dropped = "", "invalid", true
	}
	setIf(v, lead.Email, email)
	if dropped {
		v[lead.EmailInvalid] = "not a valid address" // never the address: it may be personal data
	}
	if email != "" || dropped {
		setIf(v, lead.EmailStatus, status)
		setIf(v, lead.EmailConfidence, parseConfidence(r[cEmailConfidence]))
	}
	if optOut {
		v[lead.EmailOptOut] = "true"
	}
	if claimed {
		v[lead.DoNotContact] = "true"
	}
	return dropped
}

// firstItem returns the first address of a cell that may list several.
func firstItem(s string) string {
	if items := splitList(s); len(items) > 0 {
		return items[0]
	}
	return ""
}

// plausibleEmail is a deliberately loose syntax check (full validation is normalize's job): one
// "@", something before it, a dotted domain after it, no spaces or list separators.
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",;<>()[]\"", r)
	}) {
		return false
	}
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// emailStatus maps the providers' status words onto lead's vocabulary (valid, accept_all,
// unknown, invalid, guessed). optOut and claimed report statuses that are opt-outs: an
// unsubscribed address, and Hunter's claimed_email (the owner asked not to be processed).
func emailStatus(raw string) (status string, optOut, claimed bool) {
	key := statusKey(raw)
	switch key {
	case "":
		return "", false, false
	case "verified", "valid", "deliverable", "safe", "ok":
		return "valid", false, false
	case "invalid", "undeliverable", "bounced", "hard_bounce", "disposable":
		return "invalid", false, false
	case "accept_all", "catch_all", "catchall", "risky":
		return "accept_all", false, false
	case "guessed", "extrapolated", "likely_to_engage", "pattern":
		return "guessed", false, false
	case "unsubscribed", "opted_out", "do_not_email":
		return "", true, false
	case "claimed", "claimed_email":
		return "", false, true
	}
	return "unknown", false, false
}

// statusKey lower-cases a status word and writes spaces and dashes as "_" ("Catch-all" → "catch_all").
func statusKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return unicode.ToLower(r)
	}, clean(s))
}

// isCatchAll reads Apollo's "Primary Email Catch-all Status" ("Catch-all" / "Not Catch-all").
func isCatchAll(s string) bool {
	s = strings.ToLower(s)
	return s != "" && !strings.Contains(s, "not") && (strings.Contains(s, "catch") || truthy(s))
}

// mapPhones keeps each phone as written (minus spreadsheet text markers), one number per kind.
// A generic "Phone" column is the person's direct line; Lusha's typed "Phone N" columns go by
// their "Phone N Type".
func mapPhones(r *row, v lead.Values) {
	setIf(v, lead.PhoneDirect, firstPhone(r[cPhoneDirect]))
	setIf(v, lead.PhoneMobile, firstPhone(r[cPhoneMobile]))
	setIf(v, lead.PhoneCompany, firstPhone(r[cPhoneCompany]))
	typed := [][2]col{{cPhone1, cPhone1Type}, {cPhone2, cPhone2Type}, {cPhone3, cPhone3Type}}
	for _, p := range typed {
		if n := firstPhone(r[p[0]]); n != "" && v[phoneKind(r[p[1]])] == "" {
			v[phoneKind(r[p[1]])] = n
		}
	}
	if v[lead.PhoneDirect] == "" {
		setIf(v, lead.PhoneDirect, firstPhone(r[cPhoneAny]))
	}
}

// phoneKind maps a phone-type label to the field it fills; unknown labels mean a direct line.
func phoneKind(label string) lead.Field {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "mobile") || strings.Contains(l, "cell"):
		return lead.PhoneMobile
	case strings.Contains(l, "company") || strings.Contains(l, "hq") || strings.Contains(l, "main") ||
		strings.Contains(l, "switchboard") || strings.Contains(l, "corporate"):
		return lead.PhoneCompany
	}
	return lead.PhoneDirect
}

// setIf sets f to s when s is not empty.
func setIf(v lead.Values, f lead.Field, s string) {
	if s != "" {
		v[f] = s
	}
}
