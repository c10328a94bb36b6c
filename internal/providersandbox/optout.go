package providersandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"haloleads/internal/lead"
)

// The opt-out side of the providers, by their real mechanisms: Apollo's saved contacts with
// their stage and sequences (contacts/search, contacts/update_stages,
// emailer_campaigns/remove_or_stop_contact_ids), Hunter's leads (GET /leads, DELETE /leads/{id}),
// and Lusha's opt-out webhook deliveries (DeliverLushaOptOut). Every write is journalled
// (Writes), so tests can check what haloleads asked of each provider.

// DefaultLushaWebhookSecret is the account webhook secret Lusha deliveries are signed with.
const DefaultLushaWebhookSecret = "whsec_sandbox_secret"

// ApolloContact is a saved contact of the sandbox's Apollo team.
type ApolloContact struct {
	ID        string   `json:"id"`
	PersonID  string   `json:"person_id"`
	Email     string   `json:"email"`
	StageID   string   `json:"contact_stage_id"`
	Sequences []string `json:"emailer_campaign_ids"`
}

// Stage returns the contact stage's name ("New", "Do Not Contact", ...).
func (c ApolloContact) Stage() string {
	for _, st := range apolloStages {
		if st.id == c.StageID {
			return st.name
		}
	}
	return c.StageID
}

// HunterLead is a lead saved in the sandbox's Hunter account.
type HunterLead struct {
	ID        int    `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
}

// Write is one write a provider received: the provider, the method and path, and what it
// acted on (contact or lead ids, the stage).
type Write struct {
	Provider lead.Source `json:"provider"`
	Method   string      `json:"method"`
	Path     string      `json:"path"`
	Target   string      `json:"target"`
}

func (s *Server) optOutRoutes() {
	apollo := func(r *http.Request) bool { return r.Header.Get("x-api-key") == s.opts.APIKey }
	s.handle(lead.Apollo, "POST", "/contacts/search", apollo, s.apolloContactSearch)
	s.handle(lead.Apollo, "POST", "/contacts/update_stages", apollo, s.apolloUpdateStages)
	s.handle(lead.Apollo, "POST", "/emailer_campaigns/remove_or_stop_contact_ids", apollo, s.apolloRemoveFromSequences)
	hunter := func(r *http.Request) bool {
		return r.URL.Query().Get("api_key") == s.opts.APIKey || r.Header.Get("X-API-KEY") == s.opts.APIKey
	}
	s.handle(lead.Hunter, "GET", "/leads", hunter, s.hunterListLeads)
	s.handle(lead.Hunter, "DELETE", "/leads/{id}", hunter, s.hunterDeleteLead)
}

// SaveApolloContact saves the person with email as a contact of the Apollo team (stage New),
// enrolled in the given sequences, and returns the contact. Saving again returns the contact.
func (s *Server) SaveApolloContact(email string, sequences ...string) (ApolloContact, error) {
	p := s.findPerson(func(p *Person) bool { return strings.EqualFold(p.Email, email) })
	if p == nil {
		return ApolloContact{}, fmt.Errorf("no sandbox person has the address %s", email)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := "664fa05cf8299f0001" + p.ApolloID[len(p.ApolloID)-6:]
	c, ok := s.apolloContacts[id]
	if !ok {
		c = &ApolloContact{ID: id, PersonID: p.ApolloID, Email: p.Email, StageID: apolloStages[0].id}
		s.apolloContacts[id] = c
	}
	for _, seq := range sequences {
		if !slices.Contains(c.Sequences, seq) {
			c.Sequences = append(c.Sequences, seq)
		}
	}
	return *c, nil
}

// ApolloContactOf returns the saved contact with email.
func (s *Server) ApolloContactOf(email string) (ApolloContact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.apolloContacts {
		if strings.EqualFold(c.Email, email) {
			out := *c
			out.Sequences = slices.Clone(c.Sequences)
			return out, true
		}
	}
	return ApolloContact{}, false
}

// AddHunterLead saves the person with email as a lead of the Hunter account and returns it.
func (s *Server) AddHunterLead(email string) (HunterLead, error) {
	p := s.findPerson(func(p *Person) bool { return strings.EqualFold(p.Email, email) })
	if p == nil {
		return HunterLead{}, fmt.Errorf("no sandbox person has the address %s", email)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hunterSeq++
	l := HunterLead{ID: s.hunterSeq, Email: p.Email, FirstName: p.First, LastName: p.Last, Company: p.Company.Name}
	s.hunterLeads = append(s.hunterLeads, l)
	return l, nil
}

// HunterLeads returns the Hunter account's leads.
func (s *Server) HunterLeads() []HunterLead {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hunterLeads)
}

// Writes returns the writes the providers received, in order.
func (s *Server) Writes() []Write {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.writes)
}

// journal records a write; the caller holds s.mu.
func (s *Server) journal(p lead.Source, r *http.Request, target string) {
	s.writes = append(s.writes, Write{Provider: p, Method: r.Method,
		Path: strings.TrimPrefix(r.URL.Path, Prefix(p)), Target: target})
}

// apolloContactSearch finds the team's saved contacts by keywords (an address or a name).
func (s *Server) apolloContactSearch(r *http.Request) (int, any) {
	in, err := readInput(r)
	if err != nil {
		return 422, map[string]any{"error": "Invalid parameters"}
	}
	q := strings.ToLower(strings.TrimSpace(in.str("q_keywords")))
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.apolloContacts))
	for id := range s.apolloContacts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	contacts := []map[string]any{}
	for _, id := range ids {
		c := s.apolloContacts[id]
		if q == "" || strings.Contains(strings.ToLower(c.Email), q) {
			contacts = append(contacts, apolloContactJSON(c))
		}
	}
	return 200, map[string]any{"contacts": contacts, "breadcrumbs": []any{},
		"pagination": map[string]any{"page": 1, "per_page": 25, "total_entries": len(contacts), "total_pages": 1}}
}

func apolloContactJSON(c *ApolloContact) map[string]any {
	return map[string]any{"id": c.ID, "person_id": c.PersonID, "email": c.Email,
		"contact_stage_id": c.StageID, "emailer_campaign_ids": slices.Clone(c.Sequences), "source": "api"}
}

// apolloUpdateStages moves contacts to a stage.
func (s *Server) apolloUpdateStages(r *http.Request) (int, any) {
	in, _ := readInput(r)
	ids, stage := in.list("contact_ids"), in.str("contact_stage_id")
	if len(ids) == 0 || !slices.ContainsFunc(apolloStages, func(st struct{ id, name, category string }) bool { return st.id == stage }) {
		return 422, map[string]any{"error": "contact_ids and a valid contact_stage_id are required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range ids {
		if c, ok := s.apolloContacts[id]; ok {
			c.StageID = stage
			out = append(out, apolloContactJSON(c))
		}
	}
	s.journal(lead.Apollo, r, strings.Join(ids, ",")+" → "+stage)
	return 200, map[string]any{"contacts": out}
}

// apolloRemoveFromSequences removes (or stops, or marks finished) contacts in sequences.
func (s *Server) apolloRemoveFromSequences(r *http.Request) (int, any) {
	in, _ := readInput(r)
	seqs, ids, mode := in.list("emailer_campaign_ids"), in.list("contact_ids"), in.str("mode")
	if len(seqs) == 0 || len(ids) == 0 || (mode != "remove" && mode != "stop" && mode != "mark_as_finished") {
		return 422, map[string]any{"error": "emailer_campaign_ids, contact_ids and mode (remove, stop, mark_as_finished) are required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range ids {
		if c, ok := s.apolloContacts[id]; ok {
			c.Sequences = slices.DeleteFunc(c.Sequences, func(seq string) bool { return slices.Contains(seqs, seq) })
			out = append(out, apolloContactJSON(c))
		}
	}
	s.journal(lead.Apollo, r, strings.Join(ids, ",")+" from "+strings.Join(seqs, ",")+" ("+mode+")")
	return 200, map[string]any{"contacts": out}
}

// hunterListLeads lists the account's leads, filtered by email when given.
func (s *Server) hunterListLeads(r *http.Request) (int, any) {
	q := r.URL.Query()
	email := strings.TrimSpace(q.Get("email"))
	s.mu.Lock()
	defer s.mu.Unlock()
	leads := []HunterLead{}
	for _, l := range s.hunterLeads {
		if email == "" || strings.EqualFold(l.Email, email) {
			leads = append(leads, l)
		}
	}
	return 200, map[string]any{"data": map[string]any{"leads": leads},
		"meta": map[string]any{"count": len(leads), "total": len(leads), "params": map[string]any{"email": email}}}
}

// hunterDeleteLead deletes a lead: 204, or 404 for an unknown id.
func (s *Server) hunterDeleteLead(r *http.Request) (int, any) {
	id, err := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.hunterLeads, func(l HunterLead) bool { return l.ID == id })
	if err != nil || i < 0 {
		return 404, hunterErrors("not_found", 404, "The requested lead does not exist")
	}
	s.hunterLeads = slices.Delete(s.hunterLeads, i, i+1)
	s.journal(lead.Hunter, r, strconv.Itoa(id))
	return 204, nil
}

// LushaOptOut is the payload Lusha POSTs to the opt-out subscription's URL.
type LushaOptOut struct {
	ContactID           string           `json:"contactId"`
	FullName            string           `json:"fullName"`
	CompanyName         string           `json:"companyName"`
	JobTitle            string           `json:"jobTitle"`
	LinkedInURL         string           `json:"linkedinUrl"`
	ContactOptOutDate   string           `json:"contactOptOutDate"`
	ContactExposureDate string           `json:"contactExposureDate"`
	Datapoints          []LushaDatapoint `json:"datapoints"`
	PartnerClientID     string           `json:"partnerClientId,omitempty"`
}

// LushaDatapoint is one e-mail address or phone number to remove.
type LushaDatapoint struct {
	ID   string `json:"datapointId"`
	Type string `json:"datapointType"` // email or phone
}

// LushaOptOutOf is the opt-out payload of a sandbox person: their address and phones.
func (s *Server) LushaOptOutOf(p *Person) LushaOptOut {
	out := LushaOptOut{ContactID: strconv.FormatInt(p.LushaID, 10), FullName: p.Name(), CompanyName: p.Company.Name,
		JobTitle: p.Title, LinkedInURL: p.LinkedIn, ContactOptOutDate: s.now().UTC().Format("2006-01-02 15:04:05.000"),
		ContactExposureDate: "2025-08-03 09:15:47"}
	out.Datapoints = append(out.Datapoints, LushaDatapoint{ID: p.Email, Type: "email"})
	for _, ph := range []string{p.Direct, p.Mobile} {
		if ph != "" {
			out.Datapoints = append(out.Datapoints, LushaDatapoint{ID: sanitize(ph), Type: "phone"})
		}
	}
	return out
}

// DeliverLushaOptOut POSTs payload to every active opt-out subscription, signed as Lusha signs
// deliveries (X-Lusha-Signature: hex HMAC-SHA256 of "timestamp.body" under the account's
// webhook secret; X-Lusha-Timestamp: Unix seconds). It returns the status of each delivery;
// an error means no subscription or a failed request.
func (s *Server) DeliverLushaOptOut(ctx context.Context, payload LushaOptOut) ([]int, error) {
	s.mu.Lock()
	var urls []string
	for _, sub := range s.optOuts {
		if sub.IsActive && slices.Contains(sub.SignalTypes, "optOut") {
			urls = append(urls, sub.URL)
		}
	}
	s.mu.Unlock()
	if len(urls) == 0 {
		return nil, fmt.Errorf("no opt-out subscription: create one first")
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	var codes []int
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return codes, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Lusha-Webhooks/1.0")
		req.Header.Set("X-Lusha-Timestamp", ts)
		req.Header.Set("X-Lusha-Signature", SignLusha(s.opts.LushaWebhookSecret, ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return codes, fmt.Errorf("delivering the opt-out to %s: %w", u, err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	return codes, nil
}

// SignLusha is the X-Lusha-Signature of a delivery: hex HMAC-SHA256 of timestamp + "." + body.
func SignLusha(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
