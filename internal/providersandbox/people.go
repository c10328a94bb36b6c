package providersandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Company is a made-up organisation on an example.com, example.org or example.net subdomain.
type Company struct {
	ZoomInfoID int64
	ApolloID   string
	Name       string
	Domain     string
	Industry   string
	Employees  int
	Revenue    int64 // whole US dollars
	Founded    int
	Street     string
	City       string
	State      string
	Postcode   string
	Country    string
	Phone      string
	Tech       []string
}

// Person is a made-up person. The opt-out flags say how each provider reports them.
type Person struct {
	ApolloID   string
	ZoomInfoID int64
	LushaID    int64
	UpLeadID   string
	First      string
	Last       string
	Title      string
	Seniority  string // Apollo's vocabulary: c_suite, vp, director, manager, senior, entry
	Department string
	Email      string
	// EmailStatus is Hunter's verifier vocabulary: valid, accept_all, unknown, invalid.
	EmailStatus string
	Confidence  int // 0..100
	Direct      string
	Mobile      string
	DirectDNC   bool
	MobileDNC   bool
	City        string
	State       string
	Country     string
	LinkedIn    string
	Company     *Company
	// OptedOut: ZoomInfo matchStatus OPT_OUT, Apollo Do Not Contact stage and unsubscribed.
	OptedOut bool
	// Claimed: Hunter answers 451 claimed_email.
	Claimed bool
	// GDPR: Lusha answers 451.
	GDPR bool
}

// Name returns "First Last".
func (p *Person) Name() string { return p.First + " " + p.Last }

var (
	firstNames = []string{"Dana", "Rosa", "Malik", "Ines", "Yuki", "Tomas", "Priya", "Owen", "Leila", "Marcus",
		"Anouk", "Kwame", "Sofia", "Jonah", "Mei", "Arjun", "Hanna", "Diego", "Freya", "Idris"}
	lastNames = []string{"Okafor", "Lindqvist", "Osei", "Carvalho", "Tanabe", "Novak", "Raman", "Fairweather",
		"Haddad", "Ellery", "de Vries", "Mensah", "Marchetti", "Quill", "Zhou", "Iyer", "Berg", "Solano",
		"Marsh", "O'Neill"}
	companyA = []string{"Bright", "North", "Quarry", "Tallow", "Loom", "Cedar", "Harbor", "Iron", "Silver", "Amber",
		"Copper", "Juniper"}
	companyB   = []string{"Kettle", "Fjord", "Line", "Brook", "Wright", "Works", "Gate", "Field", "Stone", "Mill"}
	industries = []string{"Accounting", "Legal Services", "Manufacturing", "Logistics", "Dental Practices",
		"Architecture", "Construction", "Insurance"}
	techs = []string{"Microsoft 365", "Azure", "Google Workspace", "Salesforce", "HubSpot", "Cisco Meraki",
		"Fortinet", "Veeam", "QuickBooks", "Sophos"}
	places = [][3]string{{"Austin", "Texas", "78701"}, {"Boston", "Massachusetts", "02110"},
		{"Denver", "Colorado", "80202"}, {"Columbus", "Ohio", "43215"}, {"Portland", "Oregon", "97204"},
		{"Raleigh", "North Carolina", "27601"}}
	areaCodes = []string{"512", "617", "303", "614", "503", "919"}
	titles    = []struct{ title, seniority, dept string }{
		{"Chief Technology Officer", "c_suite", "Information Technology"},
		{"IT Director", "director", "Information Technology"},
		{"IT Manager", "manager", "Information Technology"},
		{"Chief Financial Officer", "c_suite", "Finance"},
		{"Operations Manager", "manager", "Operations"},
		{"VP of Operations", "vp", "Operations"},
		{"Office Manager", "manager", "Administration"},
		{"Managing Partner", "c_suite", "Executive"},
		{"Systems Administrator", "senior", "Information Technology"},
		{"Practice Manager", "manager", "Operations"},
	}
	tlds = []string{"example.com", "example.org", "example.net"}
)

// seed builds n people at n/8+1 companies, the same for the same seed.
func seed(seedValue int64, n int) ([]*Person, []*Company) {
	rng := rand.New(rand.NewPCG(uint64(seedValue), 0x9e3779b97f4a7c15))
	companies := make([]*Company, n/8+1)
	for i := range companies {
		companies[i] = newCompany(rng, i)
	}
	people := make([]*Person, n)
	for i := range people {
		people[i] = newPerson(rng, i, companies[rng.IntN(len(companies))])
	}
	return people, companies
}

// newCompany makes company i. Names and domains are unique by construction.
func newCompany(rng *rand.Rand, i int) *Company {
	a, b := companyA[i%len(companyA)], companyB[(i/len(companyA))%len(companyB)]
	name := a + " " + b
	if round := i / (len(companyA) * len(companyB)); round > 0 {
		name = fmt.Sprintf("%s %d", name, round+1)
	}
	place := places[rng.IntN(len(places))]
	area := areaCodes[rng.IntN(len(areaCodes))]
	c := &Company{
		ZoomInfoID: 123450000 + int64(i),
		ApolloID:   fmt.Sprintf("5e66b6381e05b4008c%06x", i),
		Name:       name,
		Domain:     strings.ToLower(strings.ReplaceAll(name, " ", "")) + "." + tlds[i%len(tlds)],
		Industry:   industries[rng.IntN(len(industries))],
		Employees:  10 + rng.IntN(490),
		Founded:    1960 + rng.IntN(60),
		Street:     fmt.Sprintf("%d Main Street", 100+rng.IntN(800)),
		City:       place[0], State: place[1], Postcode: place[2], Country: "United States",
		Phone: fmt.Sprintf("+1 %s-555-01%02d", area, rng.IntN(100)),
	}
	c.Revenue = int64(c.Employees) * (80_000 + int64(rng.IntN(120))*1000)
	for _, k := range rng.Perm(len(techs))[:2+rng.IntN(3)] {
		c.Tech = append(c.Tech, techs[k])
	}
	return c
}

// newPerson makes person i at c.
func newPerson(rng *rand.Rand, i int, c *Company) *Person {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	t := titles[rng.IntN(len(titles))]
	area := areaCodes[rng.IntN(len(areaCodes))]
	local := strings.ToLower(first + "." + strings.NewReplacer(" ", "", "'", "").Replace(last))
	p := &Person{
		ApolloID:   fmt.Sprintf("65f0aa11bb22cc33dd%06x", i),
		ZoomInfoID: 9001000000 + int64(i),
		LushaID:    7712000 + int64(i),
		UpLeadID:   fmt.Sprintf("p_demo_%d", 4000+i),
		First:      first, Last: last,
		Title: t.title, Seniority: t.seniority, Department: t.dept,
		Email:      fmt.Sprintf("%s%d@%s", local, i, c.Domain),
		Confidence: 70 + rng.IntN(30),
		Direct:     fmt.Sprintf("+1 %s-555-01%02d", area, rng.IntN(100)),
		City:       c.City, State: c.State, Country: c.Country,
		LinkedIn: fmt.Sprintf("https://www.linkedin.com/in/%s-%d-demo", strings.ReplaceAll(local, ".", "-"), i),
		Company:  c,
	}
	p.EmailStatus = []string{"valid", "valid", "valid", "accept_all", "unknown", "invalid"}[rng.IntN(6)]
	if rng.IntN(3) == 0 {
		p.Mobile = fmt.Sprintf("+1 %s-555-01%02d", area, rng.IntN(100))
		p.MobileDNC = rng.IntN(4) == 0
	}
	p.DirectDNC = rng.IntN(10) == 0
	p.OptedOut = rng.IntN(15) == 0
	p.Claimed = rng.IntN(15) == 0
	p.GDPR = rng.IntN(15) == 0
	return p
}
