// Package gen generates labelled B2B contact data for testing and benchmarking de-duplication:
// the same people seen by several providers with the variations real exports show (address
// case, Gmail dots and tags, phone formats, nicknames, missing fields, company legal suffixes,
// title wording, accents), plus hard negatives (the same name at another company, colleagues
// with look-alike names, shared switchboard numbers in the direct-phone field, role addresses,
// and people who changed jobs). Every record carries the ground truth: the identity of the
// person-at-company it describes. Output is a pure function of Config.
package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"haloleads/internal/lead"
)

// Config sets the size and seed of a generated dataset.
type Config struct {
	Seed   uint64
	People int // identities (person at a company) to generate; records are about 2.2 per person
}

// Dataset is generated records with their ground truth.
type Dataset struct {
	Records []lead.Record
	// Truth[i] is the identity of Records[i]: records with equal Truth are one lead. A person
	// who changed jobs is two identities (a lead is a person at a company).
	Truth []int
}

// company is a generated organisation.
type company struct {
	name, domain, country, industry string
	employees                       int
	switchboard                     phone
	emailPattern                    int
	locals                          map[string]bool // work-address local parts in use
}

// person is a generated identity.
type person struct {
	id                       int
	first, last              string
	co                       *company
	title                    []string
	work, personal, linkedin string
	direct, mobile           phone
}

type generator struct {
	r         *rand.Rand
	companies []*company
	domains   map[string]bool
	people    []*person
	base      time.Time
}

// Generate returns a dataset for cfg. The same Config always gives the same dataset.
func Generate(cfg Config) Dataset {
	g := &generator{
		r:       rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		domains: map[string]bool{},
		base:    time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
	}
	g.makeCompanies(max(cfg.People/6, 1))
	for len(g.people) < cfg.People {
		g.addPerson()
	}
	return g.emit()
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *generator) chance(p float64) bool     { return g.r.Float64() < p }

// countries are where companies are, with their domain endings.
var countries = []struct{ code, name, tld string }{
	{"US", "United States", "com"}, {"US", "United States", "com"}, {"US", "United States", "com"},
	{"US", "United States", "io"}, {"US", "United States", "net"}, {"GB", "United Kingdom", "co.uk"},
	{"DE", "Germany", "de"}, {"AU", "Australia", "com.au"}, {"CA", "Canada", "ca"},
}

var industries = []string{
	"Hospital & Health Care", "Legal Services", "Financial Services", "Manufacturing", "Retail",
	"Computer Software", "Construction", "Accounting", "Logistics and Supply Chain", "Real Estate",
}

func (g *generator) makeCompanies(n int) {
	for range n {
		c := countries[g.r.IntN(len(countries))]
		name := g.pick(companyFirst) + " " + g.pick(companySecond)
		if g.chance(0.3) {
			name += " " + g.pick(companyThird)
		}
		co := &company{name: name, country: c.code, industry: g.pick(industries),
			employees: 5 + g.r.IntN(2000), emailPattern: g.r.IntN(4), locals: map[string]bool{}}
		co.domain = g.uniqueDomain(name, c.tld)
		co.switchboard = g.phone(c.code, false)
		g.companies = append(g.companies, co)
	}
}

func (g *generator) uniqueDomain(name, tld string) string {
	base := strings.ToLower(strings.NewReplacer(" ", "", "&", "").Replace(name)) // rare: once per company
	d := base + "." + tld
	for n := 2; g.domains[d]; n++ {
		d = fmt.Sprintf("%s%d.%s", base, n, tld)
	}
	g.domains[d] = true
	return d
}

// addPerson adds one identity; some are hard negatives for earlier ones.
func (g *generator) addPerson() {
	p := &person{id: len(g.people), first: g.pick(firstNames), last: g.pick(lastNames)}
	p.co = g.companies[g.companySkew()]
	switch roll := g.r.Float64(); {
	case roll < 0.03 && len(g.people) > 0: // same name at another company
		other := g.people[g.r.IntN(len(g.people))]
		p.first, p.last = other.first, other.last
	case roll < 0.05 && len(g.people) > 0: // look-alike colleague
		other := g.people[g.r.IntN(len(g.people))]
		if alt, ok := similarFirst[other.first]; ok {
			p.first, p.last, p.co = alt, other.last, other.co
		}
	case roll < 0.06 && len(g.people) > 0: // changed jobs: same person, new company, new lead
		g.changeJobs(p, g.people[g.r.IntN(len(g.people))])
		return
	}
	g.fillPerson(p)
	g.people = append(g.people, p)
}

// companySkew favours a few large companies, as real exports do.
func (g *generator) companySkew() int {
	n := len(g.companies)
	if g.chance(0.2) {
		return g.r.IntN(max(n/50, 1))
	}
	return g.r.IntN(n)
}

func (g *generator) fillPerson(p *person) {
	p.title = titles[g.r.IntN(len(titles))]
	p.work = g.workEmail(p)
	if g.chance(0.15) {
		p.personal = g.personalEmail(p)
	}
	if g.chance(0.4) {
		p.linkedin = fmt.Sprintf("%s-%s-%x", slug(p.first), slug(p.last), g.r.Uint32()&0xffffff)
	}
	if g.chance(0.6) {
		p.direct = g.phone(p.co.country, false)
	}
	if g.chance(0.35) {
		p.mobile = g.phone(p.co.country, true)
	}
}

// changeJobs makes p the same human as old, now at another company: same name, personal
// address, mobile and LinkedIn profile, but a different lead.
func (g *generator) changeJobs(p, old *person) {
	*p = person{id: len(g.people), first: old.first, last: old.last, co: g.companies[g.r.IntN(len(g.companies))]}
	if p.co == old.co {
		p.co = g.companies[(slices.Index(g.companies, old.co)+1)%len(g.companies)]
	}
	p.title = titles[g.r.IntN(len(titles))]
	p.work = g.workEmail(p)
	p.mobile, p.direct = old.mobile, g.phone(p.co.country, false)
	g.people = append(g.people, p)
}

func (g *generator) workEmail(p *person) string {
	f, l := slug(p.first), strings.ReplaceAll(slug(p.last), "-", "")
	var local string
	switch p.co.emailPattern {
	case 0:
		local = f + "." + l
	case 1:
		local = f[:1] + l
	case 2:
		local = f + l[:1]
	default:
		local = f + "_" + l
	}
	base := local
	for n := 2; p.co.locals[local]; n++ {
		local = fmt.Sprintf("%s%d", base, n)
	}
	p.co.locals[local] = true
	return local + "@" + p.co.domain
}

func (g *generator) personalEmail(p *person) string {
	f, l := slug(p.first), strings.ReplaceAll(slug(p.last), "-", "")
	domain := g.pick([]string{"gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com"})
	return fmt.Sprintf("%s.%s%d@%s", f, l, g.r.IntN(1000), domain)
}

// slug folds a name to ASCII lower case with hyphens for spaces and no apostrophes.
func slug(s string) string {
	return slugReplacer.Replace(strings.ToLower(s))
}

var slugReplacer = strings.NewReplacer("'", "", " ", "-", "é", "e", "è", "e", "ë", "e", "á", "a",
	"í", "i", "ó", "o", "ñ", "n", "ç", "c", "ø", "o", "å", "a", "ö", "o", "ä", "a", "ü", "u",
	"ł", "l", "ś", "s", "ř", "r")
