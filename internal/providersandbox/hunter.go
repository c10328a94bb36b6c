package providersandbox

import (
	"net/http"
	"strings"

	"haloleads/internal/lead"
)

// hunterMaxLimit is domain-search's largest page.
const hunterMaxLimit = 100

func (s *Server) hunterRoutes() {
	auth := func(r *http.Request) bool {
		return r.URL.Query().Get("api_key") == s.opts.APIKey || r.Header.Get("X-API-KEY") == s.opts.APIKey
	}
	s.handle(lead.Hunter, "GET", "/domain-search", auth, s.hunterDomainSearch)
	s.handle(lead.Hunter, "GET", "/email-finder", auth, s.hunterEmailFinder)
	s.handle(lead.Hunter, "GET", "/email-verifier", auth, s.hunterEmailVerifier)
}

// hunterDomainSearch lists the people at a domain. Claimed addresses are never listed. It
// charges one request per started block of ten emails returned.
func (s *Server) hunterDomainSearch(r *http.Request) (int, any) {
	q := r.URL.Query()
	domain, company := bareDomain(q.Get("domain")), q.Get("company")
	if domain == "" && company == "" {
		return 400, hunterErrors("wrong_params", 400, "You are missing the domain or company parameter")
	}
	in := input{query: q}
	limit, offset := in.integer("limit", 10), in.integer("offset", 0)
	if limit < 1 || limit > hunterMaxLimit || offset < 0 {
		return 400, hunterErrors("wrong_params", 400, "limit must be 1-100 and offset positive")
	}
	var found []*Person
	for _, p := range s.filter(nonEmpty(domain), nil, company) {
		if !p.Claimed && (q.Get("department") == "" || strings.EqualFold(hunterDepartment(p), q.Get("department"))) {
			found = append(found, p)
		}
	}
	page := found[min(offset, len(found)):min(offset+limit, len(found))]
	emails := make([]map[string]any, len(page))
	for i, p := range page {
		emails[i] = hunterEmail(p)
	}
	s.charge(lead.Hunter, (len(emails)+9)/10)
	data := hunterDomainData{Domain: domain, Organization: company, Pattern: "{first}.{last}", Emails: emails}
	if c := s.companyByDomain(domain); c != nil {
		data.Organization, data.Industry, data.Country, data.State = c.Name, c.Industry, "US", c.State
		data.City, data.PostalCode, data.Street = c.City, c.Postcode, c.Street
		data.Headcount, data.Technologies = employeeRange(c.Employees), c.Tech
	}
	return 200, map[string]any{"data": data, "meta": map[string]any{"results": len(found), "limit": limit,
		"offset": offset, "params": map[string]any{"domain": domain, "company": company}}}
}

// hunterDomainData is domain-search's data object, its keys in Hunter's order: the organisation
// first, the emails after it.
type hunterDomainData struct {
	Domain       string           `json:"domain"`
	Disposable   bool             `json:"disposable"`
	Webmail      bool             `json:"webmail"`
	AcceptAll    bool             `json:"accept_all"`
	Pattern      string           `json:"pattern"`
	Organization string           `json:"organization"`
	Industry     string           `json:"industry,omitempty"`
	Country      string           `json:"country,omitempty"`
	State        string           `json:"state,omitempty"`
	City         string           `json:"city,omitempty"`
	PostalCode   string           `json:"postal_code,omitempty"`
	Street       string           `json:"street,omitempty"`
	Headcount    string           `json:"headcount,omitempty"`
	Technologies []string         `json:"technologies"`
	Emails       []map[string]any `json:"emails"`
}

// nonEmpty returns []string{s}, or nil for "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// hunterDepartment is Hunter's department word for p.
func hunterDepartment(p *Person) string {
	switch p.Department {
	case "Information Technology":
		return "it"
	case "Finance":
		return "finance"
	case "Executive":
		return "executive"
	}
	return "management"
}

// hunterEmail is one domain-search emails[] entry.
func hunterEmail(p *Person) map[string]any {
	seniority := map[string]string{"c_suite": "executive", "vp": "executive", "director": "senior",
		"manager": "senior"}[p.Seniority]
	if seniority == "" {
		seniority = "junior"
	}
	return map[string]any{"value": p.Email, "type": "personal", "confidence": p.Confidence,
		"first_name": p.First, "last_name": p.Last, "position": p.Title, "seniority": seniority,
		"department": hunterDepartment(p), "linkedin": p.LinkedIn, "twitter": nil, "phone_number": nil,
		"verification": map[string]any{"date": "2026-04-21", "status": p.EmailStatus},
		"sources": []map[string]any{{"domain": p.Company.Domain, "uri": "https://" + p.Company.Domain + "/team",
			"extracted_on": "2025-11-03", "last_seen_on": "2026-04-20", "still_on_page": true}}}
}

// companyByDomain finds a company by domain.
func (s *Server) companyByDomain(domain string) *Company {
	for _, c := range s.companies {
		if strings.EqualFold(c.Domain, domain) {
			return c
		}
	}
	return nil
}

// hunterEmailFinder finds a person's address from a name at a domain or company. A claimed
// address answers 451; a find costs one request.
func (s *Server) hunterEmailFinder(r *http.Request) (int, any) {
	q := r.URL.Query()
	first, last := q.Get("first_name"), q.Get("last_name")
	if first == "" && last == "" {
		first, last, _ = strings.Cut(q.Get("full_name"), " ")
	}
	domain := bareDomain(q.Get("domain"))
	if (domain == "" && q.Get("company") == "") || first == "" || last == "" {
		return 400, hunterErrors("wrong_params", 400, "You are missing the domain/company or name parameters")
	}
	p := s.findPerson(byNameAt(first, last, q.Get("company"), domain))
	switch {
	case p == nil:
		return 404, hunterErrors("email_not_found", 404, "No email address was found for this person")
	case p.Claimed:
		return 451, claimed()
	}
	s.charge(lead.Hunter, 1)
	return 200, map[string]any{"data": map[string]any{"first_name": p.First, "last_name": p.Last,
		"email": p.Email, "score": p.Confidence, "domain": p.Company.Domain, "accept_all": p.EmailStatus == "accept_all",
		"position": p.Title, "linkedin_url": p.LinkedIn, "phone_number": nil, "company": p.Company.Name,
		"verification": map[string]any{"date": "2026-04-21", "status": p.EmailStatus}},
		"meta": map[string]any{"params": map[string]any{"first_name": first, "last_name": last, "domain": domain}}}
}

// claimed is Hunter's 451 body.
func claimed() map[string]any {
	return hunterErrors("claimed_email", 451, "The person owning this email address asked us directly or "+
		"indirectly to stop the processing of their personal data. For this reason, you shouldn't process it "+
		"yourself in any way.")
}

// hunterEmailVerifier verifies an address: 202 while SetPendingVerifications says it is still
// running, then 200 (one credit). Claimed addresses answer 451.
func (s *Server) hunterEmailVerifier(r *http.Request) (int, any) {
	email := r.URL.Query().Get("email")
	if !strings.Contains(email, "@") {
		return 400, hunterErrors("wrong_params", 400, "You are missing the email parameter")
	}
	p := s.findPerson(func(p *Person) bool { return strings.EqualFold(p.Email, email) })
	if p != nil && p.Claimed {
		return 451, claimed()
	}
	if s.stillPending(email) {
		return 202, map[string]any{"data": map[string]any{"status": "unknown", "email": email}}
	}
	status, score := "invalid", 0
	if p != nil {
		status, score = p.EmailStatus, p.Confidence
	}
	s.charge(lead.Hunter, 1)
	return 200, map[string]any{"data": map[string]any{"status": status, "result": verifierResult(status),
		"score": score, "email": email, "regexp": true, "gibberish": false, "disposable": false,
		"webmail": false, "mx_records": p != nil, "smtp_server": p != nil, "smtp_check": status == "valid",
		"accept_all": status == "accept_all", "block": false, "sources": []any{}}, "meta": map[string]any{
		"params": map[string]any{"email": email}}}
}

// stillPending counts down the 202 answers left for email.
func (s *Server) stillPending(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(email)
	if s.pending[key] > 0 {
		s.pending[key]--
		return true
	}
	return false
}

// verifierResult is the deprecated result word for a status.
func verifierResult(status string) string {
	switch status {
	case "valid":
		return "deliverable"
	case "invalid":
		return "undeliverable"
	}
	return "risky"
}
