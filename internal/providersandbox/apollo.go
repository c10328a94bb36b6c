package providersandbox

import (
	"net/http"
	"strings"

	"haloleads/internal/lead"
)

// apolloMaxBulk is people/bulk_match's batch limit.
const apolloMaxBulk = 10

// Apollo's default contact stages; the last is the one Apollo assigns on unsubscribe.
var apolloStages = []struct{ id, name, category string }{
	{"6095a710bd01d100a506d4ae", "New", "in_progress"},
	{"6095a710bd01d100a506d4af", "Approaching", "in_progress"},
	{"6095a710bd01d100a506d4b1", "Interested", "succeeded"},
	{"6095a710bd01d100a506d4b5", "Do Not Contact", "failed"},
}

func (s *Server) apolloRoutes() {
	auth := func(r *http.Request) bool { return r.Header.Get("x-api-key") == s.opts.APIKey }
	s.handle(lead.Apollo, "POST", "/mixed_people/api_search", auth, s.apolloSearch)
	s.handle(lead.Apollo, "POST", "/people/bulk_match", auth, s.apolloBulkMatch)
	s.handle(lead.Apollo, "GET", "/contact_stages", auth, s.apolloStages)
}

// apolloSearch answers people search with teasers: no email, no phone, an obfuscated last name.
func (s *Server) apolloSearch(r *http.Request) (int, any) {
	in, err := readInput(r)
	if err != nil {
		return 422, map[string]any{"error": "Invalid parameters"}
	}
	perPage := in.integer("per_page", 10)
	if perPage < 1 || perPage > 100 {
		return 422, map[string]any{"error": "per_page must be between 1 and 100"}
	}
	found := s.filter(in.list("q_organization_domains_list"), in.list("person_titles"), in.str("q_keywords"))
	people := make([]map[string]any, 0, perPage)
	for _, p := range pageOf(found, in.integer("page", 1), perPage) {
		people = append(people, apolloTeaser(p))
	}
	return 200, map[string]any{"total_entries": len(found), "people": people}
}

// apolloTeaser is a search hit.
func apolloTeaser(p *Person) map[string]any {
	obf := p.Last[:min(2, len(p.Last))] + "***" + p.Last[len(p.Last)-1:]
	return map[string]any{"id": p.ApolloID, "first_name": p.First, "last_name_obfuscated": obf,
		"title": p.Title, "last_refreshed_at": "2026-03-02T09:14:00.000+00:00", "has_email": true,
		"has_city": true, "has_state": true, "has_country": true,
		"has_direct_phone": map[bool]string{true: "Yes", false: "No"}[p.Direct != ""],
		"organization": map[string]any{"name": p.Company.Name, "has_industry": true, "has_phone": true,
			"has_city": true, "has_state": true, "has_country": true, "has_zip_code": true,
			"has_revenue": true, "has_employee_count": true}}
}

// apolloDetail is one people/bulk_match input.
type apolloDetail struct {
	ID               string `json:"id"`
	Email            string `json:"email"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	Name             string `json:"name"`
	OrganizationName string `json:"organization_name"`
	Domain           string `json:"domain"`
	LinkedInURL      string `json:"linkedin_url"`
}

// apolloBulkMatch enriches up to 10 people; a match costs one credit.
func (s *Server) apolloBulkMatch(r *http.Request) (int, any) {
	in, err := readInput(r)
	var details []apolloDetail
	if err != nil || !in.decode("details", &details) || len(details) == 0 {
		return 400, map[string]any{"status": "failed", "error_code": "INVALID_REQUEST",
			"error_message": "invalid request, missing details"}
	}
	if len(details) > apolloMaxBulk {
		return 400, map[string]any{"status": "failed", "error_code": "RECORD_LIMIT_EXCEEDED",
			"error_message": "cannot enrich more than 10 in a single request"}
	}
	matches := make([]any, len(details))
	found := 0
	for i, d := range details {
		if p := s.findPerson(apolloMatcher(d)); p != nil {
			matches[i] = s.apolloPerson(p)
			found++
		}
	}
	s.charge(lead.Apollo, found)
	return 200, map[string]any{"status": "success", "error_code": nil, "error_message": nil,
		"total_requested_enrichments": len(details), "unique_enriched_records": found,
		"missing_records": len(details) - found, "credits_consumed": found, "matches": matches,
		"request_id": "sandbox"}
}

// apolloMatcher matches by id, email, LinkedIn URL, then name at organisation.
func apolloMatcher(d apolloDetail) func(*Person) bool {
	first, last := d.FirstName, d.LastName
	if first == "" && last == "" && d.Name != "" {
		first, last, _ = strings.Cut(d.Name, " ")
	}
	byName := byNameAt(first, last, d.OrganizationName, d.Domain)
	return func(p *Person) bool {
		switch {
		case d.ID != "":
			return p.ApolloID == d.ID
		case d.Email != "":
			return strings.EqualFold(p.Email, d.Email)
		case d.LinkedInURL != "":
			return strings.EqualFold(p.LinkedIn, d.LinkedInURL)
		}
		return byName(p)
	}
}

// apolloPerson is a full person as people/match and bulk_match return it. Opted-out people are
// saved contacts in the Do Not Contact stage with email_unsubscribed set.
func (s *Server) apolloPerson(p *Person) map[string]any {
	c := p.Company
	status := map[string]string{"valid": "verified", "accept_all": "extrapolated", "unknown": "unavailable",
		"invalid": "unavailable"}[p.EmailStatus]
	person := map[string]any{"id": p.ApolloID, "first_name": p.First, "last_name": p.Last, "name": p.Name(),
		"title": p.Title, "email": p.Email, "email_status": status, "linkedin_url": p.LinkedIn,
		"city": p.City, "state": p.State, "country": p.Country, "seniority": p.Seniority,
		"departments":     []string{strings.ToLower(strings.ReplaceAll(p.Department, " ", "_"))},
		"organization_id": c.ApolloID,
		"organization": map[string]any{"id": c.ApolloID, "name": c.Name, "website_url": "http://www." + c.Domain,
			"primary_domain": c.Domain, "phone": c.Phone, "founded_year": c.Founded, "industry": strings.ToLower(c.Industry),
			"estimated_num_employees": c.Employees, "annual_revenue": c.Revenue, "street_address": c.Street,
			"city": c.City, "state": c.State, "postal_code": c.Postcode, "country": c.Country,
			"technology_names": c.Tech}}
	person["contact"] = apolloContact(p)
	return person
}

// apolloContact is the saved-contact part of a person: phones with DNC status and the stage.
func apolloContact(p *Person) map[string]any {
	phones := []map[string]any{{"raw_number": p.Direct, "sanitized_number": sanitize(p.Direct),
		"type": "work_direct", "position": 0, "status": "valid_number", "dnc_status": dnc(p.DirectDNC)}}
	if p.Mobile != "" {
		phones = append(phones, map[string]any{"raw_number": p.Mobile, "sanitized_number": sanitize(p.Mobile),
			"type": "mobile", "position": 1, "status": "valid_number", "dnc_status": dnc(p.MobileDNC)})
	}
	stage := apolloStages[0].id
	var unsubscribed any
	if p.OptedOut {
		stage, unsubscribed = apolloStages[len(apolloStages)-1].id, true
	}
	return map[string]any{"id": "664fa05cf8299f0001" + p.ApolloID[len(p.ApolloID)-6:],
		"contact_stage_id": stage, "email": p.Email, "email_unsubscribed": unsubscribed,
		"phone_numbers": phones}
}

// dnc is Apollo's dnc_status: "dnc" for a number on a do-not-call list, else null.
func dnc(on bool) any {
	if on {
		return "dnc"
	}
	return nil
}

// sanitize keeps the leading + and the digits of a phone number.
func sanitize(phone string) string {
	return strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, phone)
}

// apolloStages lists the contact stages.
func (s *Server) apolloStages(*http.Request) (int, any) {
	stages := make([]map[string]any, len(apolloStages))
	for i, st := range apolloStages {
		stages[i] = map[string]any{"id": st.id, "name": st.name, "display_name": st.name,
			"display_order": i, "category": st.category}
	}
	return 200, map[string]any{"contact_stages": stages}
}
