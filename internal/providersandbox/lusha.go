package providersandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"haloleads/internal/lead"
)

// Subscription is a Lusha webhook subscription.
type Subscription struct {
	ID          string    `json:"id"`
	EntityType  string    `json:"entityType"`
	EntityID    string    `json:"entityId"`
	SignalTypes []string  `json:"signalTypes"`
	URL         string    `json:"url"`
	Name        string    `json:"name,omitempty"`
	IsActive    bool      `json:"isActive"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func (s *Server) lushaRoutes() {
	auth := func(r *http.Request) bool { return r.Header.Get("api_key") == s.opts.APIKey }
	s.handle(lead.Lusha, "GET", "/v2/person", auth, s.lushaPerson)
	s.handle(lead.Lusha, "POST", "/api/subscriptions/opt-out", auth, s.lushaCreateOptOut)
	s.handle(lead.Lusha, "GET", "/api/subscriptions", auth, s.lushaListSubscriptions)
}

// lushaPerson looks one person up by personId, email, LinkedIn URL, or name at a company. A
// match is charged once per person; GDPR-restricted people answer 451.
func (s *Server) lushaPerson(r *http.Request) (int, any) {
	q := r.URL.Query()
	first, last := q.Get("firstName"), q.Get("lastName")
	hasName := first != "" && last != "" && (q.Get("companyName") != "" || q.Get("companyDomain") != "")
	if q.Get("personId") == "" && q.Get("email") == "" && q.Get("linkedinUrl") == "" && !hasName {
		return 400, map[string]any{"statusCode": 400, "message": "Missing required parameters: provide personId, " +
			"email, linkedinUrl, or firstName and lastName with companyName or companyDomain"}
	}
	byName := byNameAt(first, last, q.Get("companyName"), bareDomain(q.Get("companyDomain")))
	p := s.findPerson(func(p *Person) bool {
		switch {
		case q.Get("personId") != "":
			return strconv.FormatInt(p.LushaID, 10) == q.Get("personId")
		case q.Get("email") != "":
			return strings.EqualFold(p.Email, q.Get("email"))
		case q.Get("linkedinUrl") != "":
			return strings.EqualFold(p.LinkedIn, q.Get("linkedinUrl"))
		}
		return byName(p)
	})
	switch {
	case p == nil:
		return 404, map[string]any{"statusCode": 404, "message": "Contact not found"}
	case p.GDPR:
		return 451, map[string]any{"statusCode": 451,
			"message": "We are unable to process this contact request due to our GDPR regulations"}
	}
	charged := s.chargeOnce(lead.Lusha, strconv.FormatInt(p.LushaID, 10))
	return 200, map[string]any{"contact": map[string]any{"error": nil, "isCreditCharged": charged, "data": lushaData(p)}}
}

// lushaData is a V2 person.
func lushaData(p *Person) map[string]any {
	c := p.Company
	phones := []map[string]any{{"number": p.Direct, "phoneType": "direct", "doNotCall": p.DirectDNC,
		"updateDate": "2026-01-12"}}
	if p.Mobile != "" {
		phones = append(phones, map[string]any{"number": p.Mobile, "phoneType": "mobile",
			"doNotCall": p.MobileDNC, "updateDate": "2026-01-12"})
	}
	size := [2]int{c.Employees / 50 * 50, c.Employees/50*50 + 50}
	rev := [2]int64{c.Revenue / 10_000_000 * 10_000_000, c.Revenue/10_000_000*10_000_000 + 10_000_000}
	return map[string]any{"personId": p.LushaID, "firstName": p.First, "lastName": p.Last, "fullName": p.Name(),
		"companyId": c.ZoomInfoID,
		"emailAddresses": []map[string]any{{"email": p.Email, "emailType": "work", "emailConfidence": "A+",
			"updateDate": "2026-01-12"}},
		"phoneNumbers": phones,
		"jobTitle":     map[string]any{"title": p.Title, "seniority": p.Seniority, "departments": []string{p.Department}},
		"location": map[string]any{"country": p.Country, "countryIso2": "US", "city": p.City, "state": p.State,
			"isEuContact": false},
		"socialLinks": map[string]any{"linkedin": p.LinkedIn},
		"company": map[string]any{"name": c.Name, "fqdn": c.Domain, "description": c.Industry + " firm",
			"domains":     map[string]any{"homepage": "https://www." + c.Domain, "email": c.Domain},
			"companySize": size, "revenueRange": rev, "industryPrimaryGroup": c.Industry,
			"technologies": lushaTech(c.Tech),
			"location":     map[string]any{"country": c.Country, "city": c.City, "state": c.State}}}
}

// lushaCreateOptOut creates the account's one opt-out subscription.
func (s *Server) lushaCreateOptOut(r *http.Request) (int, any) {
	in, err := readInput(r)
	url := in.str("url")
	if err != nil || in.str("entityType") != "contact" || !strings.HasPrefix(url, "http") {
		return 400, map[string]any{"statusCode": 400, "message": "Validation failed",
			"errors": []string{"entityType must be contact and url a valid URL"}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.optOuts {
		if len(sub.SignalTypes) == 1 && sub.SignalTypes[0] == "optOut" {
			return 403, map[string]any{"statusCode": 403, "message": "An opt-out subscription already exists for this account"}
		}
	}
	now := s.now().UTC()
	sub := Subscription{ID: fmt.Sprintf("6a0ca910b402df368d2a%04x", len(s.optOuts)+1), EntityType: "contact",
		EntityID: "431705", SignalTypes: []string{"optOut"}, URL: url, Name: in.str("name"), IsActive: true,
		CreatedAt: now, UpdatedAt: now}
	s.optOuts = append(s.optOuts, sub)
	return 201, sub
}

// lushaListSubscriptions pages through the subscriptions.
func (s *Server) lushaListSubscriptions(r *http.Request) (int, any) {
	in := input{query: r.URL.Query()}
	limit, offset := in.integer("limit", 50), in.integer("offset", 0)
	if limit < 1 || limit > 100 || offset < 0 {
		return 400, map[string]any{"statusCode": 400, "message": "Validation failed"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page := s.optOuts[min(offset, len(s.optOuts)):min(offset+limit, len(s.optOuts))]
	return 200, map[string]any{"data": append([]Subscription{}, page...), "pagination": map[string]any{
		"total": len(s.optOuts), "limit": limit, "offset": offset, "hasMore": offset+len(page) < len(s.optOuts)}}
}

// lushaTech lists technologies as Lusha does: [{"name": ...}].
func lushaTech(tech []string) []map[string]string {
	out := make([]map[string]string, len(tech))
	for i, t := range tech {
		out[i] = map[string]string{"name": t}
	}
	return out
}
