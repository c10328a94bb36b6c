package halopsa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestConformance sends every request the client can make to an httptest HaloPSA, records them
// through Config.OnRequest, and checks each against Halo's OpenAPI file: the route exists
// (case-insensitive, {id} templates), the verb exists on it, every query parameter is declared,
// and every body field (and every field of nested objects such as customfields) exists in the
// request schema.
func TestConformance(t *testing.T) {
	t.Parallel()
	spec := loadSwagger(t)
	f := newFakeHalo(t)
	var rec recorder
	c := f.client(t, func(cfg *Config) { cfg.OnRequest = rec.add })
	called := exerciseClient(t, c)
	checkAllMethodsExercised(t, called)
	reqs := rec.all()
	if len(reqs) < len(called) {
		t.Fatalf("recorded %d requests for %d methods", len(reqs), len(called))
	}
	problems := 0
	for _, r := range reqs {
		for _, p := range spec.check(r) {
			problems++
			t.Errorf("%s %s: %s", r.Method, r.Path, p)
		}
	}
	t.Logf("%d requests checked against swagger.json, %d problems", len(reqs), problems)
}

type recorder struct {
	mu   sync.Mutex
	reqs []RequestInfo
}

func (r *recorder) add(info RequestInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, info)
}

func (r *recorder) all() []RequestInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// accessors are *Client methods that send nothing.
var accessors = []string{"BudgetInUse", "Fields", "Limiter", "RateLimitedResponses", "Requests", "TokenRequests", "WriteRequests"}

func checkAllMethodsExercised(t *testing.T, called map[string]bool) {
	t.Helper()
	typ := reflect.TypeOf(&Client{})
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if !called[name] && !slices.Contains(accessors, name) {
			t.Errorf("conformance does not exercise (*Client).%s", name)
		}
	}
}

// exerciseClient calls every request-sending method once (or more) and returns their names.
func exerciseClient(t *testing.T, c *Client) map[string]bool {
	t.Helper()
	ctx := context.Background()
	called := map[string]bool{}
	step := func(name string, err error) {
		called[name] = true
		if err != nil && !IsNotFound(err) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	step("Authenticate", c.Authenticate(ctx))
	_, err := c.AuthInfo(ctx)
	step("AuthInfo", err)
	_, err = c.CurrentAgent(ctx)
	step("CurrentAgent", err)
	_, err = c.Agents(ctx)
	step("Agents", err)

	fields, err := c.SaveFieldInfos(ctx, []FieldInfo{
		{Name: "CFhaloleadsLeadSource", Label: "Lead source", Type: FieldTypeDropdown, Usage: FieldUsageTicket},
		{Name: "CFhaloleadsLinkedIn", Label: "LinkedIn", Type: FieldTypeText, Usage: FieldUsageUser},
	})
	step("SaveFieldInfos", err)
	_, err = c.FieldInfos(ctx)
	step("FieldInfos", err)
	_, err = c.FieldInfo(ctx, fields[0].ID)
	step("FieldInfo", err)
	options, err := c.SaveLookups(ctx, []Lookup{{LookupID: fields[0].Lookup, Name: "ZoomInfo", Sequence: 2}})
	step("SaveLookups", err)
	_, err = c.Lookups(ctx, fields[0].Lookup)
	step("Lookups", err)

	statuses, err := c.SaveStatuses(ctx, []Status{{Name: "New Lead", Type: 1, Sequence: 1}})
	step("SaveStatuses", err)
	_, err = c.Statuses(ctx, StatusQuery{TicketTypeID: 3})
	step("Statuses", err)
	types, err := c.SaveTicketTypes(ctx, []TicketType{{Name: "Lead", AllowAllStatus: new(false),
		AllowedStatus: []TicketTypeStatus{{StatusID: statuses[0].ID}}, Fields: []TicketTypeField{{FieldID: fields[0].ID}}}})
	step("SaveTicketTypes", err)
	_, err = c.TicketTypes(ctx)
	step("TicketTypes", err)
	_, err = c.TicketType(ctx, types[0].ID)
	step("TicketType", err)

	tags, err := c.SaveTags(ctx, []Tag{{Text: "hot"}})
	step("SaveTags", err)
	_, err = c.Tags(ctx)
	step("Tags", err)

	customers, err := c.SaveCustomers(ctx, []Customer{{Name: "Acme", Website: "acme.example", Notes: "n",
		NewSiteName: "Main", NewSitePhone: "0100"}})
	step("SaveCustomers", err)
	_, err = c.UpsertCustomers(ctx, []Customer{{Name: "Acme", NewSiteName: "Main"}})
	step("UpsertCustomers", err)
	_, err = c.MainSitesAbove(ctx, 0, []ID{customers[0].ID})
	step("MainSitesAbove", err)
	_, err = collect(c.Customers(ctx, CustomerQuery{Search: "Acme", IncludeInactive: true, NewestFirst: true}))
	step("Customers", err)
	_, err = c.Customer(ctx, customers[0].ID)
	step("Customer", err)

	sites, err := c.SaveSites(ctx, []Site{{Name: "HQ", ClientID: customers[0].ID, DeliveryAddress: &Address{Line1: "1 Main St", Postcode: "12345"}}})
	step("SaveSites", err)
	_, err = c.UpsertSites(ctx, []Site{{Name: "HQ", ClientID: customers[0].ID}})
	step("UpsertSites", err)
	_, err = collect(c.Sites(ctx, SiteQuery{ClientID: customers[0].ID, Search: "HQ", IncludeInactive: true}))
	step("Sites", err)
	_, err = c.Site(ctx, sites[0].ID)
	step("Site", err)

	ticketCF := []CustomField{{ID: int(fields[0].ID), Value: options[0].ID}}
	userCF := []CustomField{{ID: int(fields[1].ID), Value: "https://www.linkedin.com/in/jane"}}
	users, err := c.SaveUsers(ctx, []User{{Name: "Jane Doe", FirstName: "Jane", Surname: "Doe", Title: "CTO",
		EmailAddress: "jane@acme.example", PhoneNumber: "1", MobileNumber: "2", SiteID: sites[0].ID,
		ClientID: customers[0].ID, Department: "IT", Notes: "n", Inactive: new(false), CustomFields: userCF}})
	step("SaveUsers", err)
	_, err = c.UpsertUsers(ctx, []User{{EmailAddress: "jane@acme.example", ClientID: customers[0].ID}})
	step("UpsertUsers", err)
	_, err = collect(c.Users(ctx, UserQuery{ClientID: customers[0].ID, SiteID: sites[0].ID, Search: "jane", IncludeInactive: true}))
	step("Users", err)
	_, err = c.User(ctx, users[0].ID)
	step("User", err)

	tickets, err := c.SaveTickets(ctx, []Ticket{{Summary: "Jane Doe - Acme", Details: "d", TicketTypeID: types[0].ID,
		StatusID: statuses[0].ID, ClientID: customers[0].ID, SiteID: sites[0].ID, UserID: users[0].ID,
		ReportedBy: "jane@acme.example", Category1: "Lead", CustomFields: ticketCF, Tags: []Tag{{ID: tags[0].ID, Text: "hot"}},
		OppCompanyName: "Acme", OppContactName: "Jane", OppEmailAddress: "jane@acme.example", OppValue: 1000,
		OppConversionProbability: 50, IsOpportunity: new(true)}})
	step("SaveTickets", err)
	_, err = c.UpsertTickets(ctx, []Ticket{{Summary: "Jane Doe - Acme", UserID: users[0].ID, TicketTypeID: types[0].ID}})
	step("UpsertTickets", err)
	floors, err := c.ReadFloors(ctx)
	step("ReadFloors", err)
	_, err = c.UpsertCustomersAbove(ctx, floors.Customers-1, []Customer{{Name: "Acme"}})
	step("UpsertCustomersAbove", err)
	_, err = c.UpsertSitesAbove(ctx, floors.Sites-1, []Site{{Name: "HQ", ClientID: customers[0].ID}})
	step("UpsertSitesAbove", err)
	_, err = c.UpsertUsersAbove(ctx, floors.Users-1, []User{{EmailAddress: "jane@acme.example", ClientID: customers[0].ID}})
	step("UpsertUsersAbove", err)
	_, err = c.UpsertTicketsAbove(ctx, floors.Tickets-1, []Ticket{{Summary: "Jane Doe - Acme", UserID: users[0].ID, TicketTypeID: types[0].ID}})
	step("UpsertTicketsAbove", err)
	_, err = c.SaveCustomersAbove(ctx, floors.Customers, []Customer{{Name: "Beta"}})
	step("SaveCustomersAbove", err)
	_, err = c.SaveSitesAbove(ctx, floors.Sites, []Site{{Name: "Annex", ClientID: customers[0].ID}})
	step("SaveSitesAbove", err)
	_, err = c.SaveUsersAbove(ctx, floors.Users, []User{{Name: "Joe Doe", EmailAddress: "joe@acme.example", ClientID: customers[0].ID, SiteID: sites[0].ID}})
	step("SaveUsersAbove", err)
	_, err = c.SaveTicketsAbove(ctx, floors.Tickets, []Ticket{{Summary: "Joe Doe - Acme", UserID: users[0].ID, TicketTypeID: types[0].ID}})
	step("SaveTicketsAbove", err)
	_, err = collect(c.Tickets(ctx, TicketQuery{TicketTypeID: types[0].ID, ClientID: customers[0].ID, SiteID: sites[0].ID,
		UserID: users[0].ID, StatusID: statuses[0].ID, Search: "x", SearchSummary: "Jane", OpenOnly: true, NewestFirst: true}))
	step("Tickets", err)
	_, err = c.Ticket(ctx, tickets[0].ID)
	step("Ticket", err)

	actions, err := c.SaveActions(ctx, []Action{{TicketID: tickets[0].ID, Outcome: "Call", OutcomeID: 7, Note: "Called",
		HiddenFromUser: new(true), NewStatus: statuses[0].ID, TimeTaken: 0.25}})
	step("SaveActions", err)
	_, err = c.UpsertActions(ctx, []Action{{TicketID: tickets[0].ID, Outcome: "Call", Note: "Called"}})
	step("UpsertActions", err)
	_, err = c.Actions(ctx, tickets[0].ID)
	step("Actions", err)
	_, err = c.Action(ctx, tickets[0].ID, actions[0].ID)
	step("Action", err)
	step("DeleteAction", c.DeleteAction(ctx, tickets[0].ID, actions[0].ID))

	lists, err := c.SaveDistributionLists(ctx, []DistributionList{{Name: "haloleads: hot", Description: "d",
		AddTheseUsers: []UserRef{{ID: users[0].ID}}, RemoveTheseUsers: []UserRef{{ID: 99}}}})
	step("SaveDistributionLists", err)
	_, err = c.DistributionLists(ctx)
	step("DistributionLists", err)
	_, err = c.DistributionList(ctx, lists[0].ID)
	step("DistributionList", err)

	hook, err := c.SaveWebhook(ctx, Webhook{Name: "haloleads", URL: "https://leads.example/halo", ContentType: "application/json",
		Method: 0, Active: new(true), AuthenticationType: WebhookAuthBasic, BasicUsername: "halo", BasicPassword: "pw",
		PayloadType: 1, Events: []WebhookEvent{{Name: "Ticket Logged", Type: 1}}})
	step("SaveWebhook", err)
	_, err = c.Webhooks(ctx)
	step("Webhooks", err)

	step("DeleteWebhook", c.DeleteWebhook(ctx, hook.ID))
	step("DeleteTicket", c.DeleteTicket(ctx, tickets[0].ID, "test"))
	step("DeleteUser", c.DeleteUser(ctx, users[0].ID))
	step("DeleteSite", c.DeleteSite(ctx, sites[0].ID))
	step("DeleteCustomer", c.DeleteCustomer(ctx, customers[0].ID))
	return called
}

// swagger is the part of Halo's OpenAPI file the conformance check needs.
type swagger struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Parameters []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type schema struct {
	Ref        string            `json:"$ref"`
	Type       string            `json:"type"`
	Items      *schema           `json:"items"`
	Properties map[string]schema `json:"properties"`
}

// loadSwagger reads ../shared/contracts/halopsa/swagger.json beside the module root, or skips.
func loadSwagger(t *testing.T) *swagger {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("skipping: go.mod not found above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "contracts", "halopsa", "swagger.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("skipping: HaloPSA contract %s is absent (it lives beside the repository, never in it)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var s swagger
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return &s
}

// check returns what in r the contract does not declare.
func (s *swagger) check(r RequestInfo) []string {
	if r.Token {
		return nil // the token endpoint lives outside /api and outside the contract
	}
	tmpl, item := s.route(r.Path)
	if item == nil {
		return []string{"route not in swagger.json"}
	}
	op, ok := item[strings.ToLower(r.Method)]
	if !ok {
		return []string{fmt.Sprintf("verb not declared on %s", tmpl)}
	}
	var problems []string
	for _, q := range r.Query {
		if !op.declares(q) {
			problems = append(problems, fmt.Sprintf("query parameter %q not declared", q))
		}
	}
	return append(problems, s.checkBody(op, r)...)
}

// route finds the path template matching p: literal segments case-insensitively, {x} any.
// A template with more literal segments wins (/Agent/me over /Agent/{id}).
func (s *swagger) route(p string) (string, map[string]operation) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	best, bestLiterals := "", -1
	for tmpl := range s.Paths {
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i, t := range ts {
			switch {
			case strings.HasPrefix(t, "{"):
			case strings.EqualFold(t, segs[i]):
				literals++
			default:
				ok = false
			}
		}
		if ok && (literals > bestLiterals || (literals == bestLiterals && tmpl < best)) {
			best, bestLiterals = tmpl, literals
		}
	}
	if best == "" {
		return "", nil
	}
	return best, s.Paths[best]
}

func (op operation) declares(name string) bool {
	for _, p := range op.Parameters {
		if p.In == "query" && strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

func (s *swagger) checkBody(op operation, r RequestInfo) []string {
	if len(r.BodyFields) == 0 {
		return nil
	}
	if op.RequestBody == nil {
		return []string{"body sent to an operation without a request body"}
	}
	var body schema
	for _, c := range op.RequestBody.Content {
		body = c.Schema
		break
	}
	props := s.properties(body)
	var problems []string
	for _, f := range r.BodyFields {
		prop, ok := props[f]
		if !ok {
			problems = append(problems, fmt.Sprintf("body field %q not in the request schema", f))
			continue
		}
		inner := s.properties(prop)
		for _, nf := range r.NestedFields[f] {
			if _, ok := inner[nf]; !ok {
				problems = append(problems, fmt.Sprintf("body field %s.%s not in the schema", f, nf))
			}
		}
	}
	return problems
}

// properties resolves sc (through arrays and $refs) to an object's properties.
func (s *swagger) properties(sc schema) map[string]schema {
	for range 8 {
		switch {
		case sc.Items != nil:
			sc = *sc.Items
		case sc.Ref != "":
			sc = s.Components.Schemas[strings.TrimPrefix(sc.Ref, "#/components/schemas/")]
		default:
			return sc.Properties
		}
	}
	return nil
}

func TestConformanceCheckerCatchesMistakes(t *testing.T) {
	t.Parallel()
	spec := loadSwagger(t)
	for _, tc := range []struct {
		name string
		req  RequestInfo
		want string
	}{
		{"unknown route", RequestInfo{Method: "GET", Path: "/Lists/3/items"}, "route not in swagger.json"},
		{"no PUT", RequestInfo{Method: "PUT", Path: "/Tickets/3"}, "verb not declared"},
		{"tickettype_id on tickets", RequestInfo{Method: "GET", Path: "/Tickets", Query: []string{"tickettype_id"}}, `"tickettype_id" not declared`},
		{"include_custom_fields", RequestInfo{Method: "GET", Path: "/users", Query: []string{"include_custom_fields"}}, "not declared"},
		{"linkedin on users", RequestInfo{Method: "POST", Path: "/Users", BodyFields: []string{"linkedin_url"}}, `"linkedin_url" not in the request schema`},
		{"nested custom field key", RequestInfo{Method: "POST", Path: "/Tickets", BodyFields: []string{"customfields"},
			NestedFields: map[string][]string{"customfields": {"id", "cf_name"}}}, "customfields.cf_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(spec.check(tc.req), "; ")
			if !strings.Contains(got, tc.want) {
				t.Errorf("check = %q, want it to mention %q", got, tc.want)
			}
		})
	}
}
