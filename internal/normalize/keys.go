package normalize

import (
	"strings"
	"unicode"

	"haloleads/internal/lead"
)

// Keys are the match forms of one record's values. Empty strings mean "unknown".
type Keys struct {
	Email       string // e-mail match key (see Email.Key)
	EmailDomain string // registrable domain of the e-mail address
	EmailFree   bool   // the address is at a free-mail provider
	EmailRole   bool   // the address is a role mailbox (info@, sales@, …)
	Domain      string // company domain: the Domain field, else website, else non-free e-mail
	Company     string // CompanyKey of the company name
	First       string // FoldName of the first name
	FirstCanon  string // CanonicalFirst of the first name
	Last        string // FoldName of the last name
	// Phones are the E.164 forms of the person's own lines (direct, then mobile), unique.
	Phones       []string
	CompanyPhone string // E.164 of the company switchboard
	Title        string // TitleKey of the job title
	LinkedIn     string // LinkedIn profile handle, lower-case
}

// Keys returns the match keys of v, which may be raw or already normalised.
func (n *Normalizer) Keys(v lead.Values) Keys {
	k := Keys{
		Company:    CompanyKey(v[lead.Company]),
		First:      FoldName(v[lead.FirstName]),
		FirstCanon: CanonicalFirst(v[lead.FirstName]),
		Last:       FoldName(v[lead.LastName]),
		Title:      TitleKey(v[lead.JobTitle]),
		LinkedIn:   LinkedInHandle(v[lead.LinkedIn]),
	}
	if e, err := ParseEmail(v[lead.Email]); err == nil {
		k.Email, k.EmailFree, k.EmailRole = e.Key, e.Free, e.Role
		k.EmailDomain, _ = Domain(e.Domain)
	}
	k.Domain = companyDomain(v, k)
	region := n.regionOf(v)
	for _, f := range []lead.Field{lead.PhoneDirect, lead.PhoneMobile} {
		if p := n.e164(v[f], region); p != "" && (len(k.Phones) == 0 || k.Phones[0] != p) {
			k.Phones = append(k.Phones, p)
		}
	}
	k.CompanyPhone = n.e164(v[lead.PhoneCompany], region)
	return k
}

func companyDomain(v lead.Values, k Keys) string {
	for _, f := range []lead.Field{lead.Domain, lead.Website} {
		if d, err := Domain(v[f]); err == nil {
			return d
		}
	}
	if !k.EmailFree {
		return k.EmailDomain
	}
	return ""
}

// e164 returns the E.164 form of raw, reading normalised values ("+14155552671 ext. 12")
// without parsing them again.
func (n *Normalizer) e164(raw, region string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if num, _, _ := strings.Cut(raw, " ext. "); isE164(num) {
		return num
	}
	p, err := n.phones.parse(raw, region, false)
	if err != nil || !isE164(p.E164) {
		return ""
	}
	return p.E164
}

// isE164 accepts "+" and 8 to 15 digits (shorter numbers are service codes, not lines).
func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// LinkedInHandle returns the lower-case profile handle of a LinkedIn URL or handle:
// "https://www.linkedin.com/in/Jane-Doe-123/?utm=x" gives "jane-doe-123". It returns "" for
// anything that is not a personal profile.
func LinkedInHandle(raw string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	if i := strings.Index(s, "linkedin.com/"); i >= 0 {
		s = s[i+len("linkedin.com/"):]
		var ok bool
		if s, ok = strings.CutPrefix(s, "in/"); !ok {
			return ""
		}
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if s == "" || strings.IndexFunc(s, badHandleRune) >= 0 {
		return ""
	}
	return s
}

func badHandleRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '.' || r == ':' || r == '@'
}
