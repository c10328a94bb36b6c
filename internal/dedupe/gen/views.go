package gen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"haloleads/internal/lead"
)

// emit writes each identity's provider views and shuffles them.
func (g *generator) emit() Dataset {
	var ds Dataset
	for _, p := range g.people {
		sources := append([]lead.Source(nil), lead.Providers...)
		g.r.Shuffle(len(sources), func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		for _, src := range sources[:g.viewCount()] {
			ds.Records = append(ds.Records, g.view(p, src, len(ds.Records)))
			ds.Truth = append(ds.Truth, p.id)
		}
	}
	g.r.Shuffle(len(ds.Records), func(i, j int) {
		ds.Records[i], ds.Records[j] = ds.Records[j], ds.Records[i]
		ds.Truth[i], ds.Truth[j] = ds.Truth[j], ds.Truth[i]
	})
	return ds
}

// viewCount draws how many providers know a person: 1 (35%), 2 (30%), 3 (20%), 4 (10%), 5.
func (g *generator) viewCount() int {
	x := g.r.Float64()
	for i, c := range []float64{0.35, 0.65, 0.85, 0.95} {
		if x < c {
			return i + 1
		}
	}
	return 5
}

// emailRate is how often each provider has an address for a person.
var emailRate = map[lead.Source]float64{
	lead.Hunter: 0.95, lead.ZoomInfo: 0.8, lead.Apollo: 0.75, lead.UpLead: 0.75, lead.Lusha: 0.55,
}

// view is one provider's record of p.
func (g *generator) view(p *person, src lead.Source, n int) lead.Record {
	v := lead.Values{}
	g.nameFields(v, p)
	g.emailFields(v, p, src)
	g.companyFields(v, p)
	g.phoneFields(v, p, src)
	if g.chance(0.85) {
		v[lead.JobTitle] = g.pick(p.title)
	}
	if p.linkedin != "" && g.chance(0.45) {
		v[lead.LinkedIn] = g.pick([]string{"https://www.linkedin.com/in/", "http://linkedin.com/in/",
			"linkedin.com/in/"}) + p.linkedin + g.pick([]string{"", "/"})
	}
	if g.chance(0.01) {
		v[lead.DoNotContact] = "true"
	}
	return lead.Record{
		Source:   src,
		SourceID: string(src) + "-" + strconv.Itoa(n),
		SeenAt:   g.base.Add(time.Duration(g.r.IntN(120*24)) * time.Hour),
		Values:   v,
	}
}

func (g *generator) nameFields(v lead.Values, p *person) {
	first, last := p.first, p.last
	if nicks := nicknamesOf[first]; len(nicks) > 0 && g.chance(0.25) {
		first = g.pick(nicks)
	}
	if g.chance(0.3) {
		first, last = stripAccents(first), stripAccents(last)
	}
	switch x := g.r.Float64(); {
	case x < 0.05:
		first, last = strings.ToUpper(first), strings.ToUpper(last)
	case x < 0.08:
		first, last = strings.ToLower(first), strings.ToLower(last)
	}
	if g.chance(0.97) {
		v[lead.FirstName] = first
	}
	if g.chance(0.97) {
		v[lead.LastName] = last
	}
}

func (g *generator) emailFields(v lead.Values, p *person, src lead.Source) {
	switch {
	case g.chance(emailRate[src]):
		if p.personal != "" && g.chance(0.35) {
			v[lead.Email] = g.personalVariant(p.personal)
		} else {
			v[lead.Email] = g.caseVariant(p.work)
		}
		v[lead.EmailStatus] = g.pick([]string{"valid", "valid", "valid", "accept_all", "unknown", "guessed"})
	case g.chance(0.05):
		v[lead.Email] = g.pick([]string{"info@", "sales@", "office@"}) + p.co.domain
	}
}

// caseVariant changes the case of an address the way exports do.
func (g *generator) caseVariant(addr string) string {
	switch x := g.r.Float64(); {
	case x < 0.1:
		return strings.ToUpper(addr)
	case x < 0.25:
		local, domain, _ := strings.Cut(addr, "@")
		return titleWords(local, ".") + "@" + titleWords(domain, ".")
	}
	return addr
}

// personalVariant writes a personal address with Gmail's ignored dots and tags (Gmail only).
func (g *generator) personalVariant(addr string) string {
	local, domain, _ := strings.Cut(addr, "@")
	if domain != "gmail.com" {
		return g.caseVariant(addr)
	}
	switch x := g.r.Float64(); {
	case x < 0.25:
		local = strings.ReplaceAll(local, ".", "")
	case x < 0.45:
		local += "+" + g.pick([]string{"news", "crm", "jobs"})
	case x < 0.6:
		domain = "googlemail.com"
	case x < 0.7:
		local = local[:1] + "." + local[1:]
	}
	return g.caseVariant(local + "@" + domain)
}

func (g *generator) companyFields(v lead.Values, p *person) {
	co := p.co
	if g.chance(0.96) {
		v[lead.Company] = g.pick([]string{co.name, co.name, co.name + ", Inc.", strings.ToUpper(co.name) + " INC",
			co.name + " Incorporated", co.name + " LLC", co.name + " Ltd", "The " + co.name, co.name + " Corp."})
	}
	if g.chance(0.65) {
		v[lead.Website] = g.pick([]string{"https://www.", "http://", "", "www."}) + co.domain +
			g.pick([]string{"", "/", "/about", "/en/home?ref=x"})
	}
	if g.chance(0.3) {
		v[lead.Domain] = co.domain
	}
	if g.chance(0.7) {
		v[lead.PersonCountry] = g.countryName(co.country)
	}
	if g.chance(0.4) {
		v[lead.HQCountry] = g.countryName(co.country)
	}
	if g.chance(0.6) {
		v[lead.Industry] = co.industry
		v[lead.Employees] = strconv.Itoa(co.employees)
	}
}

var countrySpellings = map[string][]string{
	"US": {"United States", "US", "USA"}, "GB": {"United Kingdom", "UK", "GB"},
	"DE": {"Germany", "DE", "Deutschland"}, "AU": {"Australia", "AU"}, "CA": {"Canada", "CA"},
}

func (g *generator) countryName(code string) string { return g.pick(countrySpellings[code]) }

func (g *generator) phoneFields(v lead.Values, p *person, src lead.Source) {
	known := v[lead.PersonCountry] != "" || v[lead.HQCountry] != ""
	switch {
	case !p.direct.empty() && g.chance(0.75):
		v[lead.PhoneDirect] = g.format(p.direct, known)
	case g.chance(0.1): // the switchboard, possibly with an extension, as the "direct" line
		v[lead.PhoneDirect] = g.format(p.co.switchboard, known) + g.pick([]string{"", " x" + strconv.Itoa(100+g.r.IntN(900))})
	}
	mobileRate := 0.55
	if src == lead.Lusha {
		mobileRate = 0.9
	}
	if !p.mobile.empty() && g.chance(mobileRate) {
		v[lead.PhoneMobile] = g.format(p.mobile, known)
	}
	if g.chance(0.5) {
		v[lead.PhoneCompany] = g.format(p.co.switchboard, known)
	}
}

func titleWords(s, sep string) string {
	parts := strings.Split(s, sep)
	for i, w := range parts {
		if w != "" {
			parts[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(parts, sep)
}

var accents = strings.NewReplacer("é", "e", "è", "e", "ë", "e", "É", "E", "á", "a", "Á", "A",
	"í", "i", "ó", "o", "ñ", "n", "ç", "c", "ø", "o", "Ø", "O", "å", "a", "ö", "o", "ä", "a",
	"ü", "u", "ł", "l", "Ł", "L", "ś", "s", "ř", "r", "Ś", "S")

func stripAccents(s string) string { return accents.Replace(s) }

// String summarises a dataset for logs.
func (d Dataset) String() string {
	ids := map[int]bool{}
	for _, t := range d.Truth {
		ids[t] = true
	}
	return fmt.Sprintf("%d records of %d identities", len(d.Records), len(ids))
}
