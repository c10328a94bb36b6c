package dedupe

import (
	"slices"
	"strings"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
	"haloleads/internal/score"
)

// Precedence ranks sources per field group, most trusted first. Sources a group does not list
// rank after those it does, in the order of lead.Providers, then HaloPSA, then Manual.
type Precedence map[lead.Group][]lead.Source

// DefaultPrecedence returns the design doc's precedence, with UpLead and Lusha (which the doc
// predates) placed by what they are good at, and two non-provider sources:
//
//   - Manual (a person entered it into haloleads) ranks first everywhere;
//   - HaloPSA (values read back from HaloPSA) ranks last and only fills gaps, since keeping a
//     salesperson's edits in HaloPSA is the sync step's job, not the merge's.
//
// The groups: contact data ZoomInfo, Apollo (doc), then Lusha and UpLead (contact databases),
// then Hunter (doc; names from web pages). Company data ZoomInfo, Apollo (doc), UpLead (rich
// firmographics), Lusha, then Hunter (doc). E-mail verification Hunter first (doc), then UpLead
// (verifies in real time), ZoomInfo, Apollo (doc), Lusha. Phones ZoomInfo (doc), Lusha (mobile
// numbers are its strength), Apollo (doc), UpLead, Hunter. Technographics Apollo, ZoomInfo (doc),
// UpLead, Hunter, Lusha. Social media (LinkedIn) Apollo, ZoomInfo (doc), then Lusha, UpLead,
// Hunter. Compliance has no precedence: any "true" wins.
func DefaultPrecedence() Precedence {
	z, a, h, u, l := lead.ZoomInfo, lead.Apollo, lead.Hunter, lead.UpLead, lead.Lusha
	withEnds := func(s ...lead.Source) []lead.Source {
		return append(append([]lead.Source{lead.Manual}, s...), lead.HaloPSA)
	}
	return Precedence{
		lead.GroupContact:       withEnds(z, a, l, u, h),
		lead.GroupCompany:       withEnds(z, a, u, l, h),
		lead.GroupVerification:  withEnds(h, u, z, a, l),
		lead.GroupPhones:        withEnds(z, l, a, u, h),
		lead.GroupTechnographic: withEnds(a, z, u, h, l),
		lead.GroupSocial:        withEnds(a, z, l, u, h),
		lead.GroupCompliance:    withEnds(z, a, u, l, h),
	}
}

// rank returns the position of s in g's order (lower is more trusted).
func (p Precedence) rank(g lead.Group, s lead.Source) int {
	order := p[g]
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	if i := slices.Index(lead.Providers, s); i >= 0 {
		return len(order) + i
	}
	switch s {
	case lead.HaloPSA:
		return len(order) + len(lead.Providers)
	case lead.Manual:
		return len(order) + len(lead.Providers) + 1
	}
	return len(order) + len(lead.Providers) + 2
}

// Merge builds one lead from records of one person. For each field the value comes from the
// most trusted source of the field's group (see Precedence); between values of equally
// trusted sources (such as two exports from one source) the newer wins, and between equally
// new ones the smaller string, so the result does not depend on record order. Compliance flags
// are "true" when any record says so: a merge never clears an opt-out. Each value's provenance
// gives its source, when that source saw it, and a confidence: the share of records holding the
// field that agree with the value (compared in match form: "ACME Inc" agrees with "Acme"). Quality is score.Quality of the values.
func Merge(id string, records []lead.Record, prec Precedence) lead.Lead {
	l := merge(id, records, prec)
	l.Quality = score.Quality(l.Values)
	return l
}

// merge is Merge without the quality score.
func merge(id string, records []lead.Record, prec Precedence) lead.Lead {
	fields := fieldsOf(records)
	l := lead.Lead{ID: id, Values: make(lead.Values, len(fields)), Prov: make(map[lead.Field]lead.Provenance, len(fields))}
	for _, f := range fields {
		if f == lead.LeadSource {
			continue // derived from the records' sources below
		}
		var v string
		var p lead.Provenance
		if lead.GroupOf(f) == lead.GroupCompliance {
			v, p = mergeFlag(f, records, prec)
		} else {
			v, p = mergeValue(f, records, prec)
		}
		if v != "" {
			l.Values[f], l.Prov[f] = v, p
		}
	}
	l.Sources = sourcesOf(records)
	if src := leadSource(records); src != "" {
		l.Values[lead.LeadSource] = src
	}
	return l
}

// leadSource lists the providers of records, the first to have supplied the person first
// (earliest SeenAt; between equally early ones, lead.Providers order, then generic lists), as
// lead.LeadSource holds them. Values typed into HaloPSA or haloleads are not a lead source.
func leadSource(records []lead.Record) string {
	suppliers := append(slices.Clone(lead.Providers), lead.CSV)
	first := map[lead.Source]time.Time{}
	for _, r := range records {
		if !slices.Contains(suppliers, r.Source) {
			continue
		}
		if t, ok := first[r.Source]; !ok || r.SeenAt.Before(t) {
			first[r.Source] = r.SeenAt
		}
	}
	var srcs []lead.Source
	for _, s := range suppliers {
		if _, ok := first[s]; ok {
			srcs = append(srcs, s)
		}
	}
	slices.SortStableFunc(srcs, func(a, b lead.Source) int { return first[a].Compare(first[b]) })
	return JoinSources(srcs)
}

// JoinSources writes sources as lead.LeadSource holds them.
func JoinSources(srcs []lead.Source) string {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = string(s)
	}
	return strings.Join(names, "; ")
}

// SplitSources reads a lead.LeadSource value.
func SplitSources(v string) []lead.Source {
	var out []lead.Source
	for _, part := range strings.Split(v, ";") {
		if s := lead.Source(strings.TrimSpace(part)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// MergeKnown merges what an import brings about a lead (fresh, already merged from this run's
// records) into what was known of it before (known, the lead's merged record from earlier
// imports), so that a re-import of any subset of the files already imported changes nothing.
// Each field keeps the value of the more trusted source by its provenance, as Merge decides
// between records (precedence, then the newer, then the smaller string); opt-out flags stay set
// once set; the lead source keeps its order, new providers appended; identity keys and sources
// are the union. The ID is known's. Quality is left for the caller to score.
func MergeKnown(known, fresh lead.Lead, prec Precedence) lead.Lead {
	if known.ID == "" {
		return fresh
	}
	out := lead.Lead{ID: known.ID, Values: lead.Values{}, Prov: map[lead.Field]lead.Provenance{}}
	fields := slices.Concat(known.Values.SortedFields(), fresh.Values.SortedFields())
	for _, f := range fields {
		if _, done := out.Values[f]; done || f == lead.LeadSource {
			continue
		}
		kv, fv := known.Values[f], fresh.Values[f]
		kp, fp := known.Prov[f], fresh.Prov[f]
		switch {
		case kv == "":
			out.Values[f], out.Prov[f] = fv, fp
		case fv == "":
			out.Values[f], out.Prov[f] = kv, kp
		case lead.GroupOf(f) == lead.GroupCompliance:
			out.Values[f], out.Prov[f] = "true", kp
		default:
			a := lead.Record{Source: fp.Source, SeenAt: fp.SeenAt, Values: lead.Values{f: fv}}
			b := lead.Record{Source: kp.Source, SeenAt: kp.SeenAt, Values: lead.Values{f: kv}}
			if better(a, b, f, lead.GroupOf(f), prec) {
				out.Values[f], out.Prov[f] = fv, fp
			} else {
				out.Values[f], out.Prov[f] = kv, kp
			}
		}
	}
	srcs := SplitSources(known.Values[lead.LeadSource])
	for _, s := range SplitSources(fresh.Values[lead.LeadSource]) {
		if !slices.Contains(srcs, s) {
			srcs = append(srcs, s)
		}
	}
	if len(srcs) > 0 {
		out.Values[lead.LeadSource] = JoinSources(srcs)
	}
	out.Sources = slices.Compact(slices.Sorted(slices.Values(slices.Concat(known.Sources, fresh.Sources))))
	out.Keys = slices.Compact(slices.Sorted(slices.Values(slices.Concat(known.Keys, fresh.Keys))))
	return out
}

// fieldsOf returns the fields present in any record, in lead.AllFields order then sorted.
func fieldsOf(records []lead.Record) []lead.Field {
	out := make([]lead.Field, 0, len(lead.AllFields))
	var extra []lead.Field
	for _, f := range lead.AllFields {
		for _, r := range records {
			if r.Values[f] != "" {
				out = append(out, f)
				break
			}
		}
	}
	for _, r := range records {
		for f, v := range r.Values {
			if v != "" && !slices.Contains(out, f) && !slices.Contains(extra, f) {
				extra = append(extra, f)
			}
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// better reports whether candidate a beats b for a field of group g.
func better(a, b lead.Record, f lead.Field, g lead.Group, prec Precedence) bool {
	if ra, rb := prec.rank(g, a.Source), prec.rank(g, b.Source); ra != rb {
		return ra < rb
	}
	if !a.SeenAt.Equal(b.SeenAt) {
		return a.SeenAt.After(b.SeenAt)
	}
	return a.Values[f] < b.Values[f]
}

func mergeValue(f lead.Field, records []lead.Record, prec Precedence) (string, lead.Provenance) {
	g := lead.GroupOf(f)
	best, holders := -1, 0
	for i, r := range records {
		if r.Values[f] == "" {
			continue
		}
		holders++
		if best < 0 || better(r, records[best], f, g, prec) {
			best = i
		}
	}
	if best < 0 {
		return "", lead.Provenance{}
	}
	v := records[best].Values[f]
	agree := 0
	for _, r := range records {
		if r.Values[f] != "" && sameValue(f, r.Values[f], v) {
			agree++
		}
	}
	return v, lead.Provenance{Source: records[best].Source, SeenAt: records[best].SeenAt,
		Confidence: float64(agree) / float64(holders)}
}

// sameValue reports whether two values of f say the same thing, comparing match forms: a
// website by its domain, an address by its e-mail key, a phone by its digits, names, companies
// and titles by their keys, anything else ignoring case.
func sameValue(f lead.Field, a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	var key func(string) string
	switch f {
	case lead.Website, lead.Domain:
		key = func(s string) string { d, _ := normalize.Domain(s); return d }
	case lead.Email:
		key = normalize.EmailKey
	case lead.PhoneDirect, lead.PhoneMobile, lead.PhoneCompany:
		key = digits
	case lead.FirstName, lead.LastName:
		key = normalize.FoldName
	case lead.Company:
		key = normalize.CompanyKey
	case lead.JobTitle:
		key = normalize.TitleKey
	default:
		return false
	}
	ka := key(a)
	return ka != "" && ka == key(b)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// mergeFlag returns "true" when any record sets the flag, with the most trusted such record as
// provenance and full confidence.
func mergeFlag(f lead.Field, records []lead.Record, prec Precedence) (string, lead.Provenance) {
	best := -1
	for i, r := range records {
		if !normalize.Truthy(r.Values[f]) {
			continue
		}
		if best < 0 || better(r, records[best], f, lead.GroupCompliance, prec) {
			best = i
		}
	}
	if best < 0 {
		return "", lead.Provenance{}
	}
	return "true", lead.Provenance{Source: records[best].Source, SeenAt: records[best].SeenAt, Confidence: 1}
}

func sourcesOf(records []lead.Record) []lead.Source {
	var out []lead.Source
	for _, r := range records {
		if !slices.Contains(out, r.Source) {
			out = append(out, r.Source)
		}
	}
	slices.Sort(out)
	return out
}
