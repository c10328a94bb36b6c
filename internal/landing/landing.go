// Package landing translates between haloleads' leads and HaloPSA's records: which lead field
// lives on the user, the client or the lead ticket, how custom-field values are written (the
// dropdowns take fixed options), and how HaloPSA's records read back as lead values so that a
// person's edits can be told from haloleads' own writes.
package landing

import (
	"fmt"
	"strconv"
	"strings"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/tenant"
)

// Where says which HaloPSA record holds a lead field.
type Where int

// The places a field can live.
const (
	Nowhere Where = iota // kept in haloleads only (provenance, scoring inputs)
	OnUser
	OnClient
	OnTicket // a ticket custom field
)

// userFields are written to HaloPSA's user record (the person).
var userFields = []lead.Field{lead.FirstName, lead.LastName, lead.Email, lead.PhoneDirect, lead.PhoneMobile, lead.JobTitle}

// ticketFields are the lead ticket's custom fields that come straight from lead values.
var ticketFields = []lead.Field{
	lead.LeadSource, lead.ServicesOffered, lead.GrowthSignals, lead.ProjectPipelines, lead.DoNotContact,
	lead.TechnologyStack, lead.RevenueRange, lead.EmployeeRange, lead.ManagementLevel, lead.Department,
	lead.IntentSignals, lead.FoundedYear, lead.PublicResearch, lead.NewsArticles, lead.InitialNotes,
}

// WhereIs says where f is kept in HaloPSA.
func WhereIs(f lead.Field) Where {
	switch f {
	case lead.FirstName, lead.LastName, lead.Email, lead.PhoneDirect, lead.PhoneMobile, lead.JobTitle, lead.LinkedIn:
		return OnUser
	case lead.Company, lead.Website:
		return OnClient
	}
	for _, t := range ticketFields {
		if t == f {
			return OnTicket
		}
	}
	return Nowhere
}

// Touches reports whether values change anything kept at w.
func Touches(values lead.Values, w Where) bool {
	for f := range values {
		if WhereIs(f) == w {
			return true
		}
	}
	return false
}

// User builds the user record of a lead from its values. A zero id makes a create.
func User(id, clientID, siteID int, v lead.Values) halopsa.User {
	u := halopsa.User{
		ID:           halopsa.ID(id),
		FirstName:    v[lead.FirstName],
		Surname:      v[lead.LastName],
		EmailAddress: v[lead.Email],
		PhoneNumber:  firstNonEmpty(v[lead.PhoneDirect], v[lead.PhoneCompany]),
		MobileNumber: v[lead.PhoneMobile],
		Title:        v[lead.JobTitle],
		ClientID:     halopsa.ID(clientID),
		SiteID:       halopsa.ID(siteID),
	}
	u.Name = strings.TrimSpace(u.FirstName + " " + u.Surname)
	if u.Name == "" {
		u.Name = u.EmailAddress // HaloPSA requires a name; an address-only lead is known by it
	}
	return u
}

// UserUpdate builds a partial update of a user with only the changed user fields.
func UserUpdate(id int, changed lead.Values) (halopsa.User, bool) {
	if !Touches(changed, OnUser) {
		return halopsa.User{}, false
	}
	u := halopsa.User{ID: halopsa.ID(id)}
	u.FirstName, u.Surname = changed[lead.FirstName], changed[lead.LastName]
	u.EmailAddress, u.PhoneNumber = changed[lead.Email], changed[lead.PhoneDirect]
	u.MobileNumber, u.Title = changed[lead.PhoneMobile], changed[lead.JobTitle]
	return u, true
}

// UserValues reads a HaloPSA user back as lead values.
func UserValues(u halopsa.User) lead.Values {
	v := lead.Values{}
	set(v, lead.FirstName, u.FirstName)
	set(v, lead.LastName, u.Surname)
	set(v, lead.Email, u.EmailAddress)
	set(v, lead.PhoneDirect, u.PhoneNumber)
	set(v, lead.PhoneMobile, u.MobileNumber)
	set(v, lead.JobTitle, u.Title)
	return v
}

// Customer builds the HaloPSA client of a company from its values.
func Customer(v lead.Values) halopsa.Customer {
	return halopsa.Customer{
		Name:    firstNonEmpty(v[lead.Company], v[lead.Domain]),
		Website: v[lead.Website],
		Notes:   companyNotes(v),
	}
}

// CustomerValues reads a HaloPSA client back as lead values.
func CustomerValues(c halopsa.Customer) lead.Values {
	v := lead.Values{}
	set(v, lead.Company, c.Name)
	set(v, lead.Website, c.Website)
	return v
}

// MainSite builds the main site of a new client.
func MainSite(clientID int, v lead.Values) halopsa.Site {
	return halopsa.Site{Name: "Main", ClientID: halopsa.ID(clientID), PhoneNumber: v[lead.PhoneCompany]}
}

// Summary is a lead ticket's summary: "First Last - Company", cut to the length HaloPSA takes.
func Summary(v lead.Values) string {
	name := strings.TrimSpace(v[lead.FirstName] + " " + v[lead.LastName])
	if name == "" {
		name = v[lead.Email]
	}
	if c := v[lead.Company]; c != "" {
		name += " - " + c
	}
	return clip(name, "Tickets", "summary")
}

// Details is the lead ticket's description: where the lead came from and what is known.
func Details(v lead.Values) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Lead imported by haloleads from %s.\n", sourceNames(v[lead.LeadSource]))
	for _, f := range []lead.Field{lead.JobTitle, lead.Industry, lead.Employees, lead.Revenue, lead.LinkedIn} {
		if val := v[f]; val != "" {
			fmt.Fprintf(&b, "%s: %s\n", label(f), val)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// TicketFieldValues are the logical custom-field values haloleads owns on a lead ticket, from
// the lead values plus the scores: dropdowns reduced to their options.
func TicketFieldValues(v lead.Values, quality, fit int) map[string]any {
	out := map[string]any{}
	for _, f := range ticketFields {
		if val := TicketValue(f, v); val != "" {
			out[string(f)] = val
		}
	}
	if hq := HQLocation(v); hq != "" {
		out[tenant.FieldHQLocation] = hq
	}
	out[string(lead.DoNotContact)] = v.DoNotContactFlag()
	out[tenant.FieldDataQualityScore] = quality
	out[tenant.FieldFitScore] = fit
	return out
}

// TicketValue is the value written to f's ticket custom field.
func TicketValue(f lead.Field, v lead.Values) string {
	switch f {
	case lead.LeadSource:
		return primarySource(v[lead.LeadSource])
	case lead.EmployeeRange:
		return EmployeeBucket(v)
	case lead.RevenueRange:
		return RevenueBucket(v)
	case lead.ManagementLevel:
		return ManagementLevel(v[lead.ManagementLevel], v[lead.JobTitle])
	case lead.Department:
		return DepartmentOf(v[lead.Department])
	case lead.FoundedYear:
		if y, err := strconv.Atoi(strings.TrimSpace(v[f])); err == nil && y > 1000 && y < 3000 {
			return strconv.Itoa(y)
		}
		return ""
	}
	return v[f]
}

// HQLocation joins the company's headquarters address.
func HQLocation(v lead.Values) string {
	var parts []string
	for _, f := range []lead.Field{lead.HQStreet, lead.HQCity, lead.HQState, lead.HQPostcode, lead.HQCountry} {
		if s := strings.TrimSpace(v[f]); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func companyNotes(v lead.Values) string {
	var parts []string
	for _, f := range []lead.Field{lead.Industry, lead.Employees, lead.EmployeeRange, lead.Revenue, lead.RevenueRange, lead.FoundedYear} {
		if val := v[f]; val != "" {
			parts = append(parts, label(f)+": "+val)
		}
	}
	return strings.Join(parts, " | ")
}

func primarySource(s string) string {
	for _, part := range strings.Split(s, ";") {
		if src := lead.Source(strings.TrimSpace(part)); src != "" {
			return src.DisplayName()
		}
	}
	return ""
}

func sourceNames(s string) string {
	var names []string
	for _, part := range strings.Split(s, ";") {
		if src := lead.Source(strings.TrimSpace(part)); src != "" {
			names = append(names, src.DisplayName())
		}
	}
	if len(names) == 0 {
		return "an unknown source"
	}
	return strings.Join(names, ", ")
}

func label(f lead.Field) string {
	s := strings.ReplaceAll(string(f), "_", " ")
	s = strings.TrimSuffix(s, " usd")
	return strings.ToUpper(s[:1]) + s[1:]
}

func set(v lead.Values, f lead.Field, s string) {
	if s = strings.TrimSpace(s); s != "" {
		v[f] = s
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
