package providersandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"haloleads/internal/lead"
)

// zoomInfoMaxEnrich is the enrich endpoints' batch limit.
const zoomInfoMaxEnrich = 25

func (s *Server) zoomInfoRoutes() {
	s.handle(lead.ZoomInfo, "POST", "/authenticate", nil, s.zoomInfoAuthenticate)
	s.handle(lead.ZoomInfo, "POST", "/search/contact", s.zoomInfoAuth, s.zoomInfoSearch)
	s.handle(lead.ZoomInfo, "POST", "/enrich/contact", s.zoomInfoAuth, s.zoomInfoEnrichContact)
	s.handle(lead.ZoomInfo, "POST", "/enrich/company", s.zoomInfoAuth, s.zoomInfoEnrichCompany)
}

// zoomInfoAuthenticate issues a JWT for the configured username and password.
func (s *Server) zoomInfoAuthenticate(r *http.Request) (int, any) {
	in, err := readInput(r)
	if err != nil || in.str("username") != s.opts.ZoomInfoUser || in.str("password") != s.opts.ZoomInfoPassword {
		return 401, map[string]any{"error": map[string]any{"code": "ZI0001", "message": "Invalid credentials",
			"status": 401, "retryable": false}}
	}
	return 200, map[string]any{"jwt": s.issueToken()}
}

// issueToken makes an unsigned-looking JWT whose exp claim is the sandbox expiry.
func (s *Server) issueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenSeq++
	exp := s.now().Add(s.opts.TokenLifetime)
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{"aud": "enterprise_api", "iss": "api-client@zoominfo.com",
		"username": s.opts.ZoomInfoUser, "iat": s.now().Unix(), "exp": exp.Unix(), "jti": s.tokenSeq})
	sum := sha256.Sum256(claims)
	tok := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) +
		"." + enc.EncodeToString(sum[:])
	s.tokens[tok] = exp
	return tok
}

// zoomInfoAuth accepts a Bearer JWT the sandbox issued that has not expired.
func (s *Server) zoomInfoAuth(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && s.now().Before(exp)
}

// zoomInfoSearch answers contact search: hits with has* hints, no emails or phones.
func (s *Server) zoomInfoSearch(r *http.Request) (int, any) {
	in, err := readInput(r)
	if err != nil {
		return 400, zoomInfoError(400, "PFAPI0001", "Invalid request body")
	}
	rpp, page := in.integer("rpp", 25), in.integer("page", 1)
	if rpp < 1 || rpp > 100 || page < 1 {
		return 400, zoomInfoError(400, "PFAPI0002", "rpp must be 1-100 and page at least 1")
	}
	var domains []string
	for _, w := range splitComma(in.str("companyWebsite")) {
		domains = append(domains, bareDomain(w))
	}
	found := s.filter(domains, splitOr(in.str("jobTitle")), in.str("companyName"))
	data := make([]map[string]any, 0, rpp)
	for _, p := range pageOf(found, page, rpp) {
		data = append(data, map[string]any{"id": p.ZoomInfoID, "firstName": p.First, "middleName": "",
			"lastName": p.Last, "jobTitle": p.Title, "contactAccuracyScore": p.Confidence, "hasEmail": true,
			"hasDirectPhone": p.Direct != "", "hasMobilePhone": p.Mobile != "",
			"validDate": "2/10/2026 12:00 PM", "lastUpdatedDate": "3/2/2026 9:14 AM",
			"company": map[string]any{"id": p.Company.ZoomInfoID, "name": p.Company.Name}})
	}
	return 200, map[string]any{"maxResults": len(found), "totalResults": len(found), "currentPage": page, "data": data}
}

// splitOr splits "IT OR Director" into keywords.
func splitOr(s string) []string {
	var out []string
	for _, part := range strings.Split(s, " OR ") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// bareDomain turns "http://www.a.example.com/" into "a.example.com".
func bareDomain(w string) string {
	w = strings.ToLower(strings.TrimSpace(w))
	for _, p := range []string{"https://", "http://", "www."} {
		w = strings.TrimPrefix(w, p)
	}
	return strings.TrimSuffix(w, "/")
}

// zoomInfoError is the gateway error envelope.
func zoomInfoError(status int, code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status,
		"retryable": status == 429 || status >= 500}}
}

// zoomInfoPersonInput is one matchPersonInput.
type zoomInfoPersonInput struct {
	PersonID     json.Number `json:"personId"`
	EmailAddress string      `json:"emailAddress"`
	FirstName    string      `json:"firstName"`
	LastName     string      `json:"lastName"`
	FullName     string      `json:"fullName"`
	CompanyName  string      `json:"companyName"`
}

// zoomInfoEnrichContact matches up to 25 people. A person returned costs one credit unless
// already bought (under management); opted-out people come back OPT_OUT with no data.
func (s *Server) zoomInfoEnrichContact(r *http.Request) (int, any) {
	in, err := readInput(r)
	var inputs []zoomInfoPersonInput
	if err != nil || !in.decode("matchPersonInput", &inputs) || len(inputs) == 0 {
		return 400, zoomInfoError(400, "PFAPI0003", "matchPersonInput is required")
	}
	if len(inputs) > zoomInfoMaxEnrich {
		return 400, zoomInfoError(400, "PFAPI0004", "You can only enrich up to 25 records per request")
	}
	var outputFields []string
	in.decode("outputFields", &outputFields)
	results := make([]map[string]any, len(inputs))
	for i, pi := range inputs {
		results[i] = s.zoomInfoContactResult(pi)
	}
	return 200, map[string]any{"success": true, "data": map[string]any{
		"outputFields": [][]string{lowerAll(outputFields)}, "result": results}}
}

// zoomInfoContactResult answers one input.
func (s *Server) zoomInfoContactResult(pi zoomInfoPersonInput) map[string]any {
	echo := map[string]any{}
	for k, v := range map[string]string{"personid": pi.PersonID.String(), "emailaddress": pi.EmailAddress,
		"firstname": pi.FirstName, "lastname": pi.LastName, "fullname": pi.FullName, "companyname": pi.CompanyName} {
		if v != "" {
			echo[k] = v
		}
	}
	res := map[string]any{"input": echo, "data": []any{}}
	p := s.findPerson(zoomInfoMatcher(pi))
	switch {
	case p == nil:
		res["matchStatus"] = "NO_MATCH"
	case p.OptedOut:
		res["matchStatus"] = "OPT_OUT"
	case s.quotaSpent(lead.ZoomInfo) && !s.isBought(lead.ZoomInfo, "p"+strconv.FormatInt(p.ZoomInfoID, 10)):
		res["matchStatus"] = "LIMIT_EXCEEDED"
	default:
		s.chargeOnce(lead.ZoomInfo, "p"+strconv.FormatInt(p.ZoomInfoID, 10))
		res["matchStatus"], res["data"] = "FULL_MATCH", []any{zoomInfoContact(p)}
	}
	return res
}

// zoomInfoMatcher matches by personId, email, then name at company.
func zoomInfoMatcher(pi zoomInfoPersonInput) func(*Person) bool {
	first, last := pi.FirstName, pi.LastName
	if first == "" && last == "" {
		first, last, _ = strings.Cut(pi.FullName, " ")
	}
	byName := byNameAt(first, last, pi.CompanyName, "")
	return func(p *Person) bool {
		switch {
		case pi.PersonID != "":
			return strconv.FormatInt(p.ZoomInfoID, 10) == pi.PersonID.String()
		case pi.EmailAddress != "":
			return strings.EqualFold(p.Email, pi.EmailAddress)
		}
		return byName(p)
	}
}

// zoomInfoContact is an enriched contact with its company nested.
func zoomInfoContact(p *Person) map[string]any {
	c := p.Company
	level := map[string]string{"c_suite": "C-Level", "vp": "VP-Level", "director": "Director",
		"manager": "Manager", "senior": "Non-Manager"}[p.Seniority]
	return map[string]any{"id": p.ZoomInfoID, "firstName": p.First, "middleName": "", "lastName": p.Last,
		"email": p.Email, "phone": p.Direct, "directPhoneDoNotCall": p.DirectDNC, "mobilePhone": p.Mobile,
		"mobilePhoneDoNotCall": p.MobileDNC, "jobTitle": p.Title, "managementLevel": []string{level},
		"jobFunction":          []map[string]any{{"name": p.Department, "department": p.Department}},
		"contactAccuracyScore": p.Confidence, "city": p.City, "state": p.State, "country": p.Country,
		"withinEu": false, "withinCalifornia": false, "withinCanada": false, "personHasMoved": "No",
		"lastUpdatedDate": "3/2/2026 9:14 AM", "noticeProvidedDate": "01/15/2025",
		"externalUrls": []map[string]any{{"type": "linkedin.com", "url": p.LinkedIn}},
		"company": map[string]any{"id": c.ZoomInfoID, "name": c.Name, "website": "www." + c.Domain,
			"phone": c.Phone, "employeeCount": c.Employees, "revenue": c.Revenue / 1000,
			"primaryIndustry": []string{c.Industry}}}
}

// zoomInfoEnrichCompany matches up to 25 companies by companyId; one credit per company
// returned unless already bought.
func (s *Server) zoomInfoEnrichCompany(r *http.Request) (int, any) {
	in, err := readInput(r)
	var inputs []struct {
		CompanyID      json.Number `json:"companyId"`
		CompanyWebsite string      `json:"companyWebsite"`
	}
	if err != nil || !in.decode("matchCompanyInput", &inputs) || len(inputs) == 0 {
		return 400, zoomInfoError(400, "PFAPI0003", "matchCompanyInput is required")
	}
	if len(inputs) > zoomInfoMaxEnrich {
		return 400, zoomInfoError(400, "PFAPI0004", "You can only enrich up to 25 records per request")
	}
	results := make([]map[string]any, len(inputs))
	for i, ci := range inputs {
		results[i] = map[string]any{"input": map[string]any{"companyid": ci.CompanyID.String()},
			"matchStatus": "NO_MATCH", "data": []any{}}
		for _, c := range s.companies {
			if strconv.FormatInt(c.ZoomInfoID, 10) == ci.CompanyID.String() ||
				(ci.CompanyWebsite != "" && bareDomain(ci.CompanyWebsite) == c.Domain) {
				s.chargeOnce(lead.ZoomInfo, "c"+strconv.FormatInt(c.ZoomInfoID, 10))
				results[i]["matchStatus"], results[i]["data"] = "FULL_MATCH", []any{zoomInfoCompany(c)}
				break
			}
		}
	}
	return 200, map[string]any{"success": true, "data": map[string]any{"outputFields": [][]string{}, "result": results}}
}

// zoomInfoCompany is an enriched company; revenue is in thousands of USD.
func zoomInfoCompany(c *Company) map[string]any {
	return map[string]any{"id": c.ZoomInfoID, "name": c.Name, "website": "www." + c.Domain,
		"domainList": []string{c.Domain}, "revenue": c.Revenue / 1000, "employeeCount": c.Employees,
		"phone": c.Phone, "street": c.Street, "city": c.City, "state": c.State, "zipCode": c.Postcode,
		"country": c.Country, "primaryIndustry": []string{c.Industry}, "industries": []string{c.Industry},
		"techAttributes": techAttributes(c.Tech), "employeeRange": employeeRange(c.Employees),
		"revenueRange": fmt.Sprintf("$%d mil. - $%d mil.", c.Revenue/1_000_000, c.Revenue/1_000_000+5)}
}

// techAttributes lists technologies as ZoomInfo does.
func techAttributes(tech []string) []map[string]any {
	out := make([]map[string]any, len(tech))
	for i, t := range tech {
		out[i] = map[string]any{"attribute": t, "category": "Software"}
	}
	return out
}

// employeeRange buckets a headcount.
func employeeRange(n int) string {
	switch {
	case n < 50:
		return "10 - 49"
	case n < 100:
		return "50 - 99"
	case n < 250:
		return "100 - 249"
	}
	return "250 - 499"
}

// lowerAll lower-cases every name, as ZoomInfo echoes outputFields.
func lowerAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ToLower(n)
	}
	return out
}

// quotaSpent reports the ExhaustQuota knob of p.
func (s *Server) quotaSpent(p lead.Source) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.knobs[p].quota
}

// isBought reports whether key was charged at p before.
func (s *Server) isBought(p lead.Source, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bought[p][key]
}
