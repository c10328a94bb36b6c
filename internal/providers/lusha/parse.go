package lusha

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"haloleads/internal/providers"
)

// columns are the Lusha export columns a V2 person fills ("Lusha ID" makes package sources
// read the rows as Lusha's).
var columns = []string{"Lusha ID", "First Name", "Last Name", "Job Title", "Seniority", "Departments",
	"LinkedIn URL", "City", "State", "Country", "Work Email", "Additional Email 1", "Phone 1", "Phone 1 Type",
	"Phone 2", "Phone 2 Type", "Phone 3", "Phone 3 Type", "Do Not Call", "GDPR Restricted", "Company Name",
	"Company Domain", "Company Website", "Company Size", "Company Revenue", "Company Main Industry",
	"Company Description", "Company City", "Company State", "Company Country", "Technologies"}

// personData is a V2 person. The docs' examples spell emails both ways, so both are read.
type personData struct {
	PersonID       providers.Text `json:"personId"`
	FirstName      providers.Text `json:"firstName"`
	LastName       providers.Text `json:"lastName"`
	FullName       providers.Text `json:"fullName"`
	Emails         []string       `json:"emails"`
	EmailAddresses []struct {
		Email   providers.Text `json:"email"`
		Address providers.Text `json:"address"`
		Type    providers.Text `json:"emailType"`
		Type2   providers.Text `json:"type"`
	} `json:"emailAddresses"`
	PhoneNumbers []struct {
		Number    providers.Text `json:"number"`
		PhoneType providers.Text `json:"phoneType"`
		DoNotCall providers.Text `json:"doNotCall"`
	} `json:"phoneNumbers"`
	JobTitle struct {
		Title       providers.Text `json:"title"`
		Seniority   providers.Text `json:"seniority"`
		Departments providers.Text `json:"departments"`
	} `json:"jobTitle"`
	Location struct {
		City    providers.Text `json:"city"`
		State   providers.Text `json:"state"`
		Country providers.Text `json:"country"`
	} `json:"location"`
	SocialLinks struct {
		LinkedIn providers.Text `json:"linkedin"`
	} `json:"socialLinks"`
	Company companyData `json:"company"`
}

// companyData is the person's company.
type companyData struct {
	Name        providers.Text `json:"name"`
	FQDN        providers.Text `json:"fqdn"`
	Description providers.Text `json:"description"`
	Industry    providers.Text `json:"industryPrimaryGroup"`
	Tech        []struct {
		Name providers.Text `json:"name"`
	} `json:"technologies"`
	Domains struct {
		Homepage providers.Text `json:"homepage"`
	} `json:"domains"`
	Size     []json.Number `json:"companySize"`
	Revenue  []json.Number `json:"revenueRange"`
	Location struct {
		City    providers.Text `json:"city"`
		State   providers.Text `json:"state"`
		Country providers.Text `json:"country"`
	} `json:"location"`
}

// ParsePerson reads a GET /v2/person response: the person as export cells (nil when there is
// no data) and whether Lusha charged a credit.
func ParsePerson(body []byte) (map[string]string, bool, error) {
	var resp struct {
		Contact struct {
			Error           json.RawMessage `json:"error"`
			IsCreditCharged providers.Text  `json:"isCreditCharged"`
			Data            *personData     `json:"data"`
		} `json:"contact"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, false, fmt.Errorf("decoding lusha person: %w", err)
	}
	d := resp.Contact.Data
	if d == nil {
		return nil, false, nil
	}
	return d.cells(), resp.Contact.IsCreditCharged.Bool(), nil
}

// cells writes d as an export row.
func (d *personData) cells() map[string]string {
	c := map[string]string{"Lusha ID": string(d.PersonID), "First Name": string(d.FirstName),
		"Last Name": string(d.LastName), "Job Title": string(d.JobTitle.Title),
		"Seniority": string(d.JobTitle.Seniority), "Departments": string(d.JobTitle.Departments),
		"LinkedIn URL": string(d.SocialLinks.LinkedIn), "City": string(d.Location.City),
		"State": string(d.Location.State), "Country": string(d.Location.Country)}
	if d.FirstName == "" && d.LastName == "" {
		c["First Name"], c["Last Name"], _ = strings.Cut(string(d.FullName), " ")
	}
	d.emailCells(c)
	d.phoneCells(c)
	d.Company.cells(c)
	return c
}

// emailCells keeps the first work address and one more; private addresses are left out.
func (d *personData) emailCells(c map[string]string) {
	var work []string
	for _, e := range d.EmailAddresses {
		addr, kind := string(e.Email), strings.ToLower(string(e.Type)+string(e.Type2))
		if addr == "" {
			addr = string(e.Address)
		}
		if addr != "" && !strings.Contains(kind, "private") && !strings.Contains(kind, "personal") {
			work = append(work, addr)
		}
	}
	if len(d.EmailAddresses) == 0 {
		work = d.Emails
	}
	if len(work) > 0 {
		c["Work Email"] = work[0]
	}
	if len(work) > 1 {
		c["Additional Email 1"] = work[1]
	}
}

// phoneCells writes up to three typed phones; any doNotCall marks the person Do Not Call.
func (d *personData) phoneCells(c map[string]string) {
	for i, p := range d.PhoneNumbers {
		if p.DoNotCall.Bool() {
			c["Do Not Call"] = "true"
		}
		if i < 3 {
			n := strconv.Itoa(i + 1)
			c["Phone "+n], c["Phone "+n+" Type"] = string(p.Number), string(p.PhoneType)
		}
	}
}

// cells adds the company part of an export row.
func (co *companyData) cells(c map[string]string) {
	c["Company Name"], c["Company Domain"] = string(co.Name), string(co.FQDN)
	c["Company Website"], c["Company Main Industry"] = string(co.Domains.Homepage), string(co.Industry)
	c["Company Description"] = string(co.Description)
	c["Company City"], c["Company State"] = string(co.Location.City), string(co.Location.State)
	c["Company Country"] = string(co.Location.Country)
	c["Company Size"], c["Company Revenue"] = span(co.Size), span(co.Revenue)
	tech := make([]string, 0, len(co.Tech))
	for _, t := range co.Tech {
		tech = append(tech, string(t.Name))
	}
	c["Technologies"] = strings.Join(tech, "; ")
}

// span writes [51, 200] as "51-200" (an exact count when both ends agree).
func span(r []json.Number) string {
	switch {
	case len(r) == 1 || (len(r) == 2 && r[0] == r[1]):
		return r[0].String()
	case len(r) == 2:
		return r[0].String() + "-" + r[1].String()
	}
	return ""
}
