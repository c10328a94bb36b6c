package zoominfo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// ParseSearch reads a search/contact response: teaser records and the total count.
func ParseSearch(body []byte, seenAt time.Time) ([]lead.Record, int, error) {
	var resp struct {
		Total int `json:"totalResults"`
		Data  []struct {
			ID        providers.Text `json:"id"`
			FirstName providers.Text `json:"firstName"`
			LastName  providers.Text `json:"lastName"`
			JobTitle  providers.Text `json:"jobTitle"`
			Company   struct {
				Name providers.Text `json:"name"`
			} `json:"company"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, 0, fmt.Errorf("decoding zoominfo search: %w", err)
	}
	recs := make([]lead.Record, 0, len(resp.Data))
	for _, d := range resp.Data {
		if d.ID == "" {
			continue
		}
		v := lead.Values{}
		for f, t := range map[lead.Field]providers.Text{lead.FirstName: d.FirstName, lead.LastName: d.LastName,
			lead.JobTitle: d.JobTitle, lead.Company: d.Company.Name} {
			if s := strings.TrimSpace(string(t)); s != "" {
				v[f] = s
			}
		}
		recs = append(recs, lead.Record{Source: lead.ZoomInfo, SourceID: string(d.ID), SeenAt: seenAt, Values: v})
	}
	return recs, resp.Total, nil
}

// Result is one enrich/contact result: the match status and, for a match, the contact as
// export cells with its company id.
type Result struct {
	Status    string
	Cells     map[string]string
	CompanyID int64
}

// contactData is an enriched contact.
type contactData struct {
	ID          providers.Text `json:"id"`
	FirstName   providers.Text `json:"firstName"`
	LastName    providers.Text `json:"lastName"`
	Email       providers.Text `json:"email"`
	Phone       providers.Text `json:"phone"`
	DirectDNC   providers.Text `json:"directPhoneDoNotCall"`
	Mobile      providers.Text `json:"mobilePhone"`
	MobileDNC   providers.Text `json:"mobilePhoneDoNotCall"`
	JobTitle    providers.Text `json:"jobTitle"`
	Level       providers.Text `json:"managementLevel"`
	JobFunction []struct {
		Name       providers.Text `json:"name"`
		Department providers.Text `json:"department"`
	} `json:"jobFunction"`
	ExternalURLs []struct {
		Type providers.Text `json:"type"`
		URL  providers.Text `json:"url"`
	} `json:"externalUrls"`
	City    providers.Text `json:"city"`
	State   providers.Text `json:"state"`
	Country providers.Text `json:"country"`
	Company companyData    `json:"company"`
}

// companyData is a company, nested in a contact or returned by enrich/company. Revenue is in
// thousands of US dollars.
type companyData struct {
	ID        providers.Text `json:"id"`
	Name      providers.Text `json:"name"`
	Website   providers.Text `json:"website"`
	Phone     providers.Text `json:"phone"`
	Street    providers.Text `json:"street"`
	City      providers.Text `json:"city"`
	State     providers.Text `json:"state"`
	ZipCode   providers.Text `json:"zipCode"`
	Country   providers.Text `json:"country"`
	Revenue   providers.Text `json:"revenue"`
	Employees providers.Text `json:"employeeCount"`
	EmpRange  providers.Text `json:"employeeRange"`
	RevRange  providers.Text `json:"revenueRange"`
	Industry  providers.Text `json:"primaryIndustry"`
	Tech      []struct {
		Attribute providers.Text `json:"attribute"`
	} `json:"techAttributes"`
}

// columns are the ZoomInfo export columns the API results fill.
var columns = []string{"ZoomInfo Contact ID", "ZoomInfo Company ID", "First Name", "Last Name", "Job Title",
	"Management Level", "Department", "Direct Phone Number", "Mobile phone", "Email Address",
	"LinkedIn Contact Profile URL", "Person City", "Person State", "Country", "Direct Phone Do Not Call",
	"Mobile Phone Do Not Call", "Match Status", "Company Name", "Website", "Company HQ Phone",
	"Revenue (in 000s USD)", "Revenue Range (in USD)", "Employees", "Employee Range", "Primary Industry",
	"Company Street Address", "Company City", "Company State", "Company Zip Code", "Company Country",
	"Technologies"}

// ParseEnrichContact reads an enrich/contact response into one Result per input, in order.
func ParseEnrichContact(body []byte) ([]Result, error) {
	var resp struct {
		Data struct {
			Result []struct {
				MatchStatus providers.Text `json:"matchStatus"`
				Data        []contactData  `json:"data"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decoding zoominfo contact enrich: %w", err)
	}
	out := make([]Result, len(resp.Data.Result))
	for i, r := range resp.Data.Result {
		out[i].Status = strings.ToUpper(string(r.MatchStatus))
		if len(r.Data) > 0 && r.Data[0].ID != "" && out[i].Status != "OPT_OUT" {
			out[i].Cells = r.Data[0].cells()
			out[i].CompanyID, _ = strconv.ParseInt(string(r.Data[0].Company.ID), 10, 64)
		}
	}
	return out, nil
}

// cells writes d as an export row.
func (d *contactData) cells() map[string]string {
	c := map[string]string{"ZoomInfo Contact ID": string(d.ID), "First Name": string(d.FirstName),
		"Last Name": string(d.LastName), "Job Title": string(d.JobTitle), "Management Level": string(d.Level),
		"Direct Phone Number": string(d.Phone), "Mobile phone": string(d.Mobile), "Email Address": string(d.Email),
		"Person City": string(d.City), "Person State": string(d.State), "Country": string(d.Country),
		"Direct Phone Do Not Call": string(d.DirectDNC), "Mobile Phone Do Not Call": string(d.MobileDNC)}
	var depts []string
	for _, f := range d.JobFunction {
		if dep := string(f.Department); dep != "" && !slices.Contains(depts, dep) {
			depts = append(depts, dep)
		}
	}
	c["Department"] = strings.Join(depts, "; ")
	for _, u := range d.ExternalURLs {
		if strings.Contains(strings.ToLower(string(u.Type)+string(u.URL)), "linkedin") {
			c["LinkedIn Contact Profile URL"] = string(u.URL)
			break
		}
	}
	for k, v := range d.Company.cells() {
		c[k] = v
	}
	return c
}

// cells writes the company part of an export row.
func (d *companyData) cells() map[string]string {
	tech := make([]string, 0, len(d.Tech))
	for _, t := range d.Tech {
		tech = append(tech, string(t.Attribute))
	}
	return map[string]string{"ZoomInfo Company ID": string(d.ID), "Company Name": string(d.Name),
		"Website": string(d.Website), "Company HQ Phone": string(d.Phone), "Revenue (in 000s USD)": string(d.Revenue),
		"Revenue Range (in USD)": string(d.RevRange), "Employees": string(d.Employees),
		"Employee Range": string(d.EmpRange), "Primary Industry": string(d.Industry),
		"Company Street Address": string(d.Street), "Company City": string(d.City),
		"Company State": string(d.State), "Company Zip Code": string(d.ZipCode),
		"Company Country": string(d.Country), "Technologies": strings.Join(tech, "; ")}
}

// ParseEnrichCompany reads an enrich/company response into export cells by company id.
func ParseEnrichCompany(body []byte) (map[int64]map[string]string, error) {
	var resp struct {
		Data struct {
			Result []struct {
				Data []companyData `json:"data"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decoding zoominfo company enrich: %w", err)
	}
	out := map[int64]map[string]string{}
	for _, r := range resp.Data.Result {
		if len(r.Data) == 0 {
			continue
		}
		if id, err := strconv.ParseInt(string(r.Data[0].ID), 10, 64); err == nil {
			out[id] = r.Data[0].cells()
		}
	}
	return out, nil
}
