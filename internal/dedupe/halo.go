package dedupe

import (
	"slices"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// Company key prefixes.
const (
	domainCompanyPrefix = "domain:"
	nameCompanyPrefix   = "company:"
)

// CompanyKey returns the key of the real company behind v: "domain:<registrable domain>" when
// v has a domain (Domain, Website, or a non-free-mail address), else "company:<company key>"
// (legal suffixes, case and punctuation removed), else "". One HaloPSA client per key.
func CompanyKey(v lead.Values) string {
	k := normalize.KeysOf(v)
	return companyKeyOf(k)
}

func companyKeyOf(k normalize.Keys) string {
	switch {
	case k.Domain != "":
		return domainCompanyPrefix + k.Domain
	case k.Company != "":
		return nameCompanyPrefix + k.Company
	}
	return ""
}

// Company is one real company and the leads who work there.
type Company struct {
	Key     string      // CompanyKey
	Names   []string    // company keys of the names seen, sorted
	Values  lead.Values // company fields, each the value most leads agree on
	LeadIDs []string    // sorted
}

// GroupByCompany groups leads by CompanyKey so that the caller creates one HaloPSA client per
// company. A lead known only by company name joins the domain-keyed company whose leads use
// that name, when exactly one does. Leads with neither domain nor company name are left out.
// Companies are sorted by Key.
func GroupByCompany(leads []lead.Lead) []Company {
	byKey := map[string]*Company{}
	nameOwners := map[string][]string{} // company name key → domain-keyed company keys
	for _, l := range leads {
		k := normalize.KeysOf(l.Values)
		key := companyKeyOf(k)
		if key == "" {
			continue
		}
		c := byKey[key]
		if c == nil {
			c = &Company{Key: key}
			byKey[key] = c
		}
		c.LeadIDs = append(c.LeadIDs, l.ID)
		if k.Company != "" && !slices.Contains(c.Names, k.Company) {
			c.Names = append(c.Names, k.Company)
			if strings.HasPrefix(key, domainCompanyPrefix) {
				nameOwners[k.Company] = append(nameOwners[k.Company], key)
			}
		}
	}
	foldNameOnly(byKey, nameOwners)
	return finishCompanies(byKey, leads)
}

// foldNameOnly moves name-keyed companies into the one domain-keyed company using that name.
func foldNameOnly(byKey map[string]*Company, nameOwners map[string][]string) {
	for key, c := range byKey {
		name, ok := strings.CutPrefix(key, nameCompanyPrefix)
		if !ok {
			continue
		}
		if owners := nameOwners[name]; len(owners) == 1 {
			target := byKey[owners[0]]
			target.LeadIDs = append(target.LeadIDs, c.LeadIDs...)
			delete(byKey, key)
		}
	}
}

func finishCompanies(byKey map[string]*Company, leads []lead.Lead) []Company {
	byID := make(map[string]lead.Values, len(leads))
	for _, l := range leads {
		byID[l.ID] = l.Values
	}
	out := make([]Company, 0, len(byKey))
	for _, c := range byKey {
		slices.Sort(c.LeadIDs)
		slices.Sort(c.Names)
		c.Values = companyValues(c.LeadIDs, byID)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Company) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// companyValues picks, for each company-group field, the value most leads hold (ties: the
// smaller string).
func companyValues(ids []string, byID map[string]lead.Values) lead.Values {
	out := lead.Values{}
	for _, f := range lead.AllFields {
		if lead.GroupOf(f) != lead.GroupCompany && f != lead.PhoneCompany && f != lead.TechnologyStack {
			continue
		}
		counts := map[string]int{}
		for _, id := range ids {
			if v := byID[id][f]; v != "" {
				counts[v]++
			}
		}
		if v := mostCommon(counts); v != "" {
			out[f] = v
		}
	}
	return out
}

func mostCommon(counts map[string]int) string {
	best, n := "", 0
	for v, c := range counts {
		if c > n || (c == n && v < best) {
			best, n = v, c
		}
	}
	return best
}

// HaloRecord is a HaloPSA user or client as the caller read it: its id and its values mapped
// to lead fields (a user's name, e-mail and phones; a client's name and website).
type HaloRecord struct {
	ID     int
	Values lead.Values
}

// Existing is what HaloPSA already holds, read once in bulk.
type Existing struct {
	Users   []HaloRecord
	Clients []HaloRecord
}

// HaloMatches says which leads and companies HaloPSA already has.
type HaloMatches struct {
	Users   map[string]int // lead ID → HaloPSA user id
	Clients map[string]int // company key → HaloPSA client id
	// Ambiguous lists keys ("email:…", "domain:…") that more than one HaloPSA user or client
	// holds; the lowest id was used. These are duplicates in HaloPSA for a person to tidy.
	Ambiguous []string
}

// MatchExisting finds each lead's HaloPSA user (by e-mail key, then name key: the first of
// the lead's Keys that a user's IdentityKeys hold, the lowest id holding it) and each company's
// HaloPSA client (the first of its MatchKeys a client's ClientKeys hold, the lowest id). It
// holds the whole of ex in memory; halostate matches the same way against the store's mirror.
func MatchExisting(leads []lead.Lead, companies []Company, ex Existing) HaloMatches {
	m := HaloMatches{Users: map[string]int{}, Clients: map[string]int{}}
	users := indexHalo(ex.Users, func(v lead.Values) []string { return IdentityKeys(v) }, &m.Ambiguous)
	clients := indexHalo(ex.Clients, ClientKeys, &m.Ambiguous)
	for _, l := range leads {
		if id, ok := firstHit(users, l.Keys); ok {
			m.Users[l.ID] = id
		}
	}
	for _, c := range companies {
		if id, ok := firstHit(clients, c.MatchKeys()); ok {
			m.Clients[c.Key] = id
		}
	}
	slices.Sort(m.Ambiguous)
	m.Ambiguous = slices.Compact(m.Ambiguous)
	return m
}

// MatchKeys are the keys a company's HaloPSA client is found by, in the order MatchExisting
// tries them: the company's key, then the name key of each name its leads use.
func (c Company) MatchKeys() []string {
	keys := []string{c.Key}
	for _, n := range c.Names {
		keys = append(keys, nameCompanyPrefix+n)
	}
	return keys
}

// ClientKeys are a HaloPSA client's keys (its values as landing.CustomerValues reads them): its
// domain key and its name key. MatchExisting finds a company's client by them.
func ClientKeys(v lead.Values) []string {
	k := normalize.KeysOf(v)
	var out []string
	if k.Domain != "" {
		out = append(out, domainCompanyPrefix+k.Domain)
	}
	if k.Company != "" {
		out = append(out, nameCompanyPrefix+k.Company)
	}
	return out
}

// indexHalo maps each key of each record to the lowest id holding it, noting shared keys.
func indexHalo(recs []HaloRecord, keysOf func(lead.Values) []string, ambiguous *[]string) map[string]int {
	idx := map[string]int{}
	for _, r := range recs {
		for _, k := range keysOf(r.Values) {
			old, ok := idx[k]
			switch {
			case !ok:
				idx[k] = r.ID
			case old != r.ID:
				*ambiguous = append(*ambiguous, k)
				idx[k] = min(old, r.ID)
			}
		}
	}
	return idx
}

func firstHit(idx map[string]int, keys []string) (int, bool) {
	for _, k := range keys {
		if id, ok := idx[k]; ok {
			return id, true
		}
	}
	return 0, false
}
