package dedupe

import (
	"strings"

	"haloleads/internal/normalize"
)

// Match weights in bits: log2(m/u), where m is how often a level occurs between two records of
// one person and u how often between two different people, as in Fellegi-Sunter. They are set
// from B2B provider data rather than estimated per run, so that one run's data cannot move
// them; sums compare with Config.AutoThreshold and Config.ReviewThreshold. A missing value on
// either side weighs 0.
const (
	wEmailExact    = 20.0 // log2(0.9/1e-6): same mailbox (not a role address)
	wEmailDiffer   = -3.3 // log2(0.1/1): people have work and personal addresses
	wLinkedIn      = 15.0 // same LinkedIn profile
	wFirstExact    = 4.0
	wFirstNickname = 3.5 // Bob / Robert
	wFirstFuzzy    = 2.0 // Jaro-Winkler ≥ 0.92 (Katherine / Catherine)
	wFirstInitial  = 1.0 // "R." / Robert
	wLastExact     = 6.0
	wLastFuzzy     = 3.0  // Jaro-Winkler ≥ 0.92, or one name contains the other (Garcia / Garcia Lopez)
	wLastClose     = 0.5  // Jaro-Winkler ≥ 0.85
	wDomain        = 8.0  // same company domain
	wCompanyKey    = 7.0  // same company key (no domain on one side)
	wCompanyFuzzy  = 3.0  // company keys close, or a domain that spells the company key
	wCompanyDiffer = -3.0 // both company names known, no domain to decide, and unalike
	wPhoneRare     = 6.0  // shared personal line held by at most rarePhone records
	wPhoneShared   = 2.0  // shared line held by at most sharedPhone records
	wPhoneDiffer   = -1.0 // both have personal lines, none shared
	wTitleSame     = 1.0
	wTitleClose    = 0.5
	wTitleDiffer   = -0.5
)

// Phone frequency bands: a number held by more records than sharedPhone is a switchboard and
// weighs nothing.
const (
	rarePhone   = 4
	sharedPhone = 12
)

// Guards: reasons two records are never the same lead, whatever their weight.
const (
	guardWorkEmails = "different work addresses at one domain"
	guardLinkedIn   = "different LinkedIn profiles"
	guardFirstName  = "different first names"
	guardLastName   = "different last names"
	guardCompany    = "different company domains"
)

// comparison is the outcome of comparing two records.
type comparison struct {
	weight float64
	guard  string   // non-empty: never merge
	notes  []string // evidence, when asked for
}

func (c *comparison) add(w float64, note string, explain bool) {
	c.weight += w
	if explain {
		c.notes = append(c.notes, note)
	}
}

// compare scores two records' keys. freq returns how many records hold a phone number.
func compare(a, b *normalize.Keys, freq func(string) int, explain bool) comparison {
	var c comparison
	sameEmail := compareEmail(&c, a, b, explain)
	compareLinkedIn(&c, a, b, explain)
	compareFirst(&c, a, b, sameEmail, explain)
	compareLast(&c, a, b, sameEmail, explain)
	compareCompany(&c, a, b, sameEmail && !a.EmailFree, explain)
	comparePhones(&c, a, b, freq, explain)
	compareTitle(&c, a, b, explain)
	return c
}

// compareEmail reports whether both records share a personal mailbox.
func compareEmail(c *comparison, a, b *normalize.Keys, explain bool) bool {
	switch {
	case a.Email == "" || b.Email == "":
		return false
	case a.Email == b.Email && a.EmailRole && mailboxOnly(*a) && mailboxOnly(*b):
		c.add(wEmailExact, "same role mailbox, no person named", explain)
		return true
	case a.Email == b.Email && a.EmailRole:
		c.add(0, "same role address", explain)
		return false
	case a.Email == b.Email:
		c.add(wEmailExact, "same email", explain)
		return true
	case !a.EmailFree && !b.EmailFree && !a.EmailRole && !b.EmailRole && a.EmailDomain == b.EmailDomain:
		c.guard = guardWorkEmails
	}
	c.add(wEmailDiffer, "different emails", explain)
	return false
}

func compareLinkedIn(c *comparison, a, b *normalize.Keys, explain bool) {
	switch {
	case a.LinkedIn == "" || b.LinkedIn == "":
	case a.LinkedIn == b.LinkedIn:
		c.add(wLinkedIn, "same LinkedIn profile", explain)
	default:
		c.guard = guardLinkedIn
	}
}

func compareFirst(c *comparison, a, b *normalize.Keys, sameEmail, explain bool) {
	fa, fb := firstWord(a.First), firstWord(b.First)
	switch {
	case fa == "" || fb == "":
	case fa == fb:
		c.add(wFirstExact, "same first name", explain)
	case a.FirstCanon == b.FirstCanon || normalize.FirstNamesMatch(fa, fb):
		c.add(wFirstNickname, "nickname first name", explain)
	case JaroWinkler(fa, fb) >= 0.92:
		c.add(wFirstFuzzy, "similar first name", explain)
	case (len(fa) == 1 || len(fb) == 1) && fa[0] == fb[0]:
		c.add(wFirstInitial, "first initial", explain)
	case !sameEmail:
		c.guard = guardFirstName
	}
}

func compareLast(c *comparison, a, b *normalize.Keys, sameEmail, explain bool) {
	la, lb := a.Last, b.Last
	switch {
	case la == "" || lb == "":
	case la == lb:
		c.add(wLastExact, "same last name", explain)
	case containsWord(la, lb) || containsWord(lb, la):
		c.add(wLastFuzzy, "last name part", explain)
	default:
		jw := JaroWinkler(la, lb)
		switch {
		case jw >= 0.92:
			c.add(wLastFuzzy, "similar last name", explain)
		case jw >= 0.85:
			c.add(wLastClose, "close last name", explain)
		case !sameEmail:
			c.guard = guardLastName
		}
	}
}

// compareCompany scores company evidence. Different company domains are different leads (a
// lead is a person at a company) unless both records share a work address.
func compareCompany(c *comparison, a, b *normalize.Keys, sameWorkEmail, explain bool) {
	switch {
	case a.Domain != "" && b.Domain != "":
		if a.Domain == b.Domain {
			c.add(wDomain, "same company domain", explain)
		} else if !sameWorkEmail {
			c.guard = guardCompany
		}
	case a.Company != "" && b.Company != "":
		switch {
		case a.Company == b.Company:
			c.add(wCompanyKey, "same company", explain)
		case containsWord(a.Company, b.Company) || containsWord(b.Company, a.Company) ||
			JaroWinkler(a.Company, b.Company) >= 0.92:
			c.add(wCompanyFuzzy, "similar company", explain)
		default:
			c.add(wCompanyDiffer, "different company", explain)
		}
	case domainSpells(a.Domain, b.Company) || domainSpells(b.Domain, a.Company):
		c.add(wCompanyFuzzy, "domain spells company", explain)
	}
}

// domainSpells reports whether a domain's first label is the company key without spaces
// ("acme-tools.com" and "Acme Tools").
func domainSpells(domain, company string) bool {
	if domain == "" || company == "" {
		return false
	}
	label, _, _ := strings.Cut(domain, ".")
	label = strings.ReplaceAll(label, "-", "")
	return label == strings.ReplaceAll(company, " ", "")
}

func comparePhones(c *comparison, a, b *normalize.Keys, freq func(string) int, explain bool) {
	if len(a.Phones) == 0 || len(b.Phones) == 0 {
		return
	}
	best := 0 // 0 none shared, 1 switchboard, 2 shared, 3 rare
	for _, p := range a.Phones {
		for _, q := range b.Phones {
			if p == q {
				best = max(best, phoneBand(freq(p)))
			}
		}
	}
	switch best {
	case 3:
		c.add(wPhoneRare, "same phone", explain)
	case 2:
		c.add(wPhoneShared, "shared phone", explain)
	case 1:
		c.add(0, "switchboard phone", explain)
	default:
		c.add(wPhoneDiffer, "different phones", explain)
	}
}

func phoneBand(n int) int {
	switch {
	case n <= rarePhone:
		return 3
	case n <= sharedPhone:
		return 2
	}
	return 1
}

func compareTitle(c *comparison, a, b *normalize.Keys, explain bool) {
	switch {
	case a.Title == "" || b.Title == "":
	case a.Title == b.Title:
		c.add(wTitleSame, "same title", explain)
	case wordJaccard(a.Title, b.Title) >= 0.5:
		c.add(wTitleClose, "similar title", explain)
	default:
		c.add(wTitleDiffer, "different title", explain)
	}
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

// containsWord reports whether the words of short all occur, in order and whole, in long.
func containsWord(long, short string) bool {
	if len(short) >= len(long) {
		return false
	}
	return strings.HasPrefix(long, short+" ") || strings.HasSuffix(long, " "+short) ||
		strings.Contains(long, " "+short+" ")
}

// wordJaccard is |A∩B| / |A∪B| over the space-separated words of a and b.
func wordJaccard(a, b string) float64 {
	wa, wb := strings.Fields(a), strings.Fields(b)
	inter := 0
	for _, x := range wa {
		for _, y := range wb {
			if x == y {
				inter++
				break
			}
		}
	}
	union := len(wa) + len(wb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
