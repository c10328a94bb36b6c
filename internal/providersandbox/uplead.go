package providersandbox

import (
	"net/http"
	"strconv"
	"strings"

	"haloleads/internal/lead"
)

// upLeadStartCredits is the sandbox account's balance before any purchase.
const upLeadStartCredits = 10_000

func (s *Server) upLeadRoutes() {
	auth := func(r *http.Request) bool { return r.Header.Get("Authorization") == s.opts.APIKey }
	s.handle(lead.UpLead, "GET", "/person-search", auth, s.upLeadPerson)
	s.handle(lead.UpLead, "GET", "/company-search", auth, s.upLeadCompany)
}

// upLeadPerson finds a person by id, email, or name at a domain; the first download of a
// person costs one credit, re-downloads are free.
func (s *Server) upLeadPerson(r *http.Request) (int, any) {
	q := r.URL.Query()
	id, email := q.Get("id"), q.Get("email")
	byName := byNameAt(q.Get("first_name"), q.Get("last_name"), "", bareDomain(q.Get("domain")))
	if id == "" && email == "" && (q.Get("first_name") == "" || q.Get("domain") == "") {
		return 400, map[string]any{"error": "Provide email, id, or first_name, last_name and domain", "status": 400}
	}
	p := s.findPerson(func(p *Person) bool {
		switch {
		case id != "":
			return p.UpLeadID == id
		case email != "":
			return strings.EqualFold(p.Email, email)
		}
		return byName(p)
	})
	if p == nil {
		return 200, map[string]any{"data": nil, "availableCredits": s.upLeadBalance()}
	}
	s.chargeOnce(lead.UpLead, "p"+p.UpLeadID)
	return 200, map[string]any{"data": upLeadPerson(p), "availableCredits": s.upLeadBalance()}
}

// upLeadPerson is a PersonRecord.
func upLeadPerson(p *Person) map[string]any {
	level := map[string]string{"c_suite": "C", "vp": "VP", "director": "D", "manager": "M"}[p.Seniority]
	return map[string]any{"id": p.UpLeadID, "first_name": p.First, "last_name": p.Last, "title": p.Title,
		"job_function": p.Department, "management_level": level, "email": p.Email, "email_status": p.EmailStatus,
		"phone_number": p.Direct, "mobile_directdial": p.Mobile, "city": p.City, "state": p.State,
		"country": p.Country, "linkedin_url": p.LinkedIn, "industry": p.Company.Industry,
		"domain": p.Company.Domain, "company_name": p.Company.Name}
}

// upLeadCompany finds a company by id, domain or name; one credit on first download.
func (s *Server) upLeadCompany(r *http.Request) (int, any) {
	q := r.URL.Query()
	id, domain, name := q.Get("id"), bareDomain(q.Get("domain")), q.Get("company")
	if id == "" && domain == "" && name == "" {
		return 400, map[string]any{"error": "Provide domain, company or id", "status": 400}
	}
	for _, c := range s.companies {
		cid := "c_" + strconv.FormatInt(c.ZoomInfoID, 10)
		if cid == id || (domain != "" && c.Domain == domain) || (name != "" && strings.EqualFold(c.Name, name)) {
			s.chargeOnce(lead.UpLead, cid)
			return 200, map[string]any{"data": upLeadCompany(c, cid), "availableCredits": s.upLeadBalance()}
		}
	}
	return 200, map[string]any{"data": nil, "availableCredits": s.upLeadBalance()}
}

// upLeadCompany is a CompanyRecord.
func upLeadCompany(c *Company, id string) map[string]any {
	return map[string]any{"id": id, "company_name": c.Name, "domain": c.Domain, "address": c.Street,
		"city": c.City, "state": c.State, "zip": c.Postcode, "country": c.Country, "phone_number": c.Phone,
		"employees": strconv.Itoa(c.Employees), "revenue": strconv.FormatInt(c.Revenue, 10),
		"industry": c.Industry, "year_founded": c.Founded, "description": c.Industry + " firm"}
}

// upLeadBalance is the credits left.
func (s *Server) upLeadBalance() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return upLeadStartCredits - len(s.bought[lead.UpLead])
}
