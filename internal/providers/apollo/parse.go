package apollo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// teaser is a search hit.
type teaser struct {
	ID           providers.Text `json:"id"`
	FirstName    providers.Text `json:"first_name"`
	Title        providers.Text `json:"title"`
	Organization struct {
		Name providers.Text `json:"name"`
	} `json:"organization"`
}

// ParseSearch reads a mixed_people/api_search response: teaser records and the total count.
func ParseSearch(body []byte, seenAt time.Time) ([]lead.Record, int, error) {
	var resp struct {
		Total  int      `json:"total_entries"`
		People []teaser `json:"people"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, 0, fmt.Errorf("decoding apollo search: %w", err)
	}
	recs := make([]lead.Record, 0, len(resp.People))
	for _, p := range resp.People {
		if p.ID == "" {
			continue
		}
		v := lead.Values{}
		setIf(v, lead.FirstName, p.FirstName)
		setIf(v, lead.JobTitle, p.Title)
		setIf(v, lead.Company, p.Organization.Name)
		recs = append(recs, lead.Record{Source: lead.Apollo, SourceID: string(p.ID), SeenAt: seenAt, Values: v})
	}
	return recs, resp.Total, nil
}

// setIf sets f when t is not blank.
func setIf(v lead.Values, f lead.Field, t providers.Text) {
	if s := strings.TrimSpace(string(t)); s != "" {
		v[f] = s
	}
}

// person is an enriched Apollo person.
type person struct {
	ID           providers.Text `json:"id"`
	FirstName    providers.Text `json:"first_name"`
	LastName     providers.Text `json:"last_name"`
	Name         providers.Text `json:"name"`
	Title        providers.Text `json:"title"`
	Email        providers.Text `json:"email"`
	EmailStatus  providers.Text `json:"email_status"`
	Confidence   providers.Text `json:"extrapolated_email_confidence"`
	LinkedIn     providers.Text `json:"linkedin_url"`
	City         providers.Text `json:"city"`
	State        providers.Text `json:"state"`
	Country      providers.Text `json:"country"`
	Seniority    providers.Text `json:"seniority"`
	Departments  providers.Text `json:"departments"`
	Organization organization   `json:"organization"`
	Contact      *contact       `json:"contact"`
}

// organization is a person's employer.
type organization struct {
	ID          providers.Text `json:"id"`
	Name        providers.Text `json:"name"`
	Website     providers.Text `json:"website_url"`
	Domain      providers.Text `json:"primary_domain"`
	LinkedIn    providers.Text `json:"linkedin_url"`
	Phone       providers.Text `json:"phone"`
	Founded     providers.Text `json:"founded_year"`
	Industry    providers.Text `json:"industry"`
	Keywords    providers.Text `json:"keywords"`
	Employees   providers.Text `json:"estimated_num_employees"`
	Revenue     providers.Text `json:"annual_revenue"`
	Funding     providers.Text `json:"total_funding"`
	Stage       providers.Text `json:"latest_funding_stage"`
	Street      providers.Text `json:"street_address"`
	City        providers.Text `json:"city"`
	State       providers.Text `json:"state"`
	Postcode    providers.Text `json:"postal_code"`
	Country     providers.Text `json:"country"`
	Tech        providers.Text `json:"technology_names"`
	Description providers.Text `json:"short_description"`
}

// contact is the saved-contact part of a person.
type contact struct {
	StageID      providers.Text `json:"contact_stage_id"`
	Unsubscribed providers.Text `json:"email_unsubscribed"`
	Phones       []struct {
		Raw       providers.Text `json:"raw_number"`
		Sanitized providers.Text `json:"sanitized_number"`
		Type      providers.Text `json:"type"`
		DNC       providers.Text `json:"dnc_status"`
	} `json:"phone_numbers"`
}

// columns are the Apollo export columns the API person fills ("Apollo Person Id" and
// "Apollo Account Id" make package sources read the rows as Apollo's).
var columns = []string{"Apollo Person Id", "Apollo Account Id", "First Name", "Last Name", "Title", "Email",
	"Email Status", "Email Confidence", "Seniority", "Departments", "Person Linkedin Url", "City", "State",
	"Country", "Work Direct Phone", "Mobile Phone", "Corporate Phone", "Do Not Call",
	"Email Unsubscribed", "Stage", "Company Name", "Website", "Domain", "Company Phone", "# Employees",
	"Industry", "Keywords", "Short Description", "Founded Year", "Annual Revenue", "Total Funding",
	"Latest Funding", "Company Street", "Company City", "Company State", "Company Zip Code",
	"Company Country", "Technologies"}

// ParseBulkMatch reads a people/bulk_match response into records (matches only, in input
// order) and the credits it cost. stages names contact stage ids (nil when unknown).
func ParseBulkMatch(body []byte, stages map[string]string, seenAt time.Time) ([]lead.Record, int, error) {
	var resp struct {
		Credits *int      `json:"credits_consumed"`
		Matches []*person `json:"matches"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, 0, fmt.Errorf("decoding apollo bulk match: %w", err)
	}
	sheet := providers.NewSheet(lead.Apollo, columns)
	found := 0
	for _, p := range resp.Matches {
		if p != nil && p.ID != "" {
			sheet.Add(p.cells(stages))
			found++
		}
	}
	credits := found
	if resp.Credits != nil {
		credits = *resp.Credits
	}
	recs, _, err := sheet.Records(seenAt)
	return recs, credits, err
}

// cells writes p as an export row.
func (p *person) cells(stages map[string]string) map[string]string {
	o := p.Organization
	email := string(p.Email)
	c := map[string]string{"Apollo Person Id": string(p.ID), "Apollo Account Id": string(o.ID),
		"First Name": string(p.FirstName), "Last Name": string(p.LastName), "Title": string(p.Title),
		"Email": email, "Email Status": string(p.EmailStatus), "Email Confidence": string(p.Confidence),
		"Seniority": string(p.Seniority), "Departments": string(p.Departments),
		"Person Linkedin Url": string(p.LinkedIn), "City": string(p.City), "State": string(p.State),
		"Country": string(p.Country), "Company Name": string(o.Name), "Website": string(o.Website),
		"Domain": string(o.Domain), "Company Phone": string(o.Phone), "# Employees": string(o.Employees),
		"Industry": string(o.Industry), "Keywords": string(o.Keywords), "Short Description": string(o.Description),
		"Founded Year": string(o.Founded), "Annual Revenue": string(o.Revenue), "Total Funding": string(o.Funding),
		"Latest Funding": string(o.Stage), "Company Street": string(o.Street), "Company City": string(o.City),
		"Company State": string(o.State), "Company Zip Code": string(o.Postcode),
		"Company Country": string(o.Country), "Technologies": string(o.Tech)}
	if p.FirstName == "" && p.LastName == "" {
		c["First Name"], c["Last Name"], _ = strings.Cut(string(p.Name), " ")
	}
	if p.Contact != nil {
		p.Contact.cells(c, stages)
	}
	return c
}

// cells adds the contact's phones, DNC flags, unsubscribe and stage to an export row.
func (ct *contact) cells(c map[string]string, stages map[string]string) {
	phoneColumn := map[string]string{"work_direct": "Work Direct Phone", "mobile": "Mobile Phone",
		"work_hq": "Corporate Phone"}
	for _, ph := range ct.Phones {
		if ph.Type == "home" {
			continue // a private number is not for B2B outreach
		}
		col := phoneColumn[string(ph.Type)]
		if col == "" {
			col = "Work Direct Phone"
		}
		num := string(ph.Raw)
		if num == "" {
			num = string(ph.Sanitized)
		}
		if c[col] == "" {
			c[col] = num
		}
		if onDNC(string(ph.DNC)) {
			c["Do Not Call"] = "true"
		}
	}
	if ct.Unsubscribed.Bool() {
		c["Email Unsubscribed"] = "true"
	}
	c["Stage"] = stages[string(ct.StageID)]
}

// onDNC reads a phone's dnc_status: empty, null and the "not on a list" words mean callable.
func onDNC(status string) bool {
	s := strings.ToLower(strings.TrimSpace(status))
	switch s {
	case "", "false", "none", "no", "clean", "not_dnc", "not_on_dnc", "callable":
		return false
	}
	return true
}
