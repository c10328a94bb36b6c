package uplead

import (
	"encoding/json"
	"fmt"

	"haloleads/internal/providers"
)

// columns are the UpLead export columns person and company results fill ("UpLead ID" makes
// package sources read the rows as UpLead's).
var columns = []string{"UpLead ID", "First Name", "Last Name", "Title", "Job Function", "Management Level",
	"Email", "Email Status", "Phone Number", "Mobile Direct Dial", "City", "State", "Country", "LinkedIn URL",
	"Industry", "Domain", "Company Name", "Company Phone", "Address", "Zip", "Company City", "Company State",
	"Company Country", "Employees", "Revenue", "Year Founded", "Company Description"}

// ParsePerson reads a person-search answer: the person as export cells (nil when not found)
// and availableCredits (-1 when absent).
func ParsePerson(body []byte) (map[string]string, int, error) {
	var resp struct {
		Data *struct {
			ID        providers.Text `json:"id"`
			FirstName providers.Text `json:"first_name"`
			LastName  providers.Text `json:"last_name"`
			Title     providers.Text `json:"title"`
			Function  providers.Text `json:"job_function"`
			Level     providers.Text `json:"management_level"`
			Email     providers.Text `json:"email"`
			Status    providers.Text `json:"email_status"`
			Phone     providers.Text `json:"phone_number"`
			Mobile    providers.Text `json:"mobile_directdial"`
			City      providers.Text `json:"city"`
			State     providers.Text `json:"state"`
			Country   providers.Text `json:"country"`
			LinkedIn  providers.Text `json:"linkedin_url"`
			Industry  providers.Text `json:"industry"`
			Domain    providers.Text `json:"domain"`
			Company   providers.Text `json:"company_name"`
		} `json:"data"`
		Credits *int `json:"availableCredits"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, 0, fmt.Errorf("decoding uplead person: %w", err)
	}
	balance := -1
	if resp.Credits != nil {
		balance = *resp.Credits
	}
	d := resp.Data
	if d == nil || (d.ID == "" && d.Email == "") {
		return nil, balance, nil
	}
	return map[string]string{"UpLead ID": string(d.ID), "First Name": string(d.FirstName),
		"Last Name": string(d.LastName), "Title": string(d.Title), "Job Function": string(d.Function),
		"Management Level": string(d.Level), "Email": string(d.Email), "Email Status": string(d.Status),
		"Phone Number": string(d.Phone), "Mobile Direct Dial": string(d.Mobile), "City": string(d.City),
		"State": string(d.State), "Country": string(d.Country), "LinkedIn URL": string(d.LinkedIn),
		"Industry": string(d.Industry), "Domain": string(d.Domain), "Company Name": string(d.Company)}, balance, nil
}

// ParseCompany reads a company-search answer: the company as export cells (nil when not found)
// and availableCredits (-1 when absent).
func ParseCompany(body []byte) (map[string]string, int, error) {
	var resp struct {
		Data *struct {
			Name        providers.Text `json:"company_name"`
			Domain      providers.Text `json:"domain"`
			Address     providers.Text `json:"address"`
			City        providers.Text `json:"city"`
			State       providers.Text `json:"state"`
			Zip         providers.Text `json:"zip"`
			Country     providers.Text `json:"country"`
			Phone       providers.Text `json:"phone_number"`
			Employees   providers.Text `json:"employees"`
			Revenue     providers.Text `json:"revenue"`
			Industry    providers.Text `json:"industry"`
			Founded     providers.Text `json:"year_founded"`
			Description providers.Text `json:"description"`
		} `json:"data"`
		Credits *int `json:"availableCredits"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, 0, fmt.Errorf("decoding uplead company: %w", err)
	}
	balance := -1
	if resp.Credits != nil {
		balance = *resp.Credits
	}
	d := resp.Data
	if d == nil || d.Domain == "" {
		return nil, balance, nil
	}
	return map[string]string{"Company Name": string(d.Name), "Domain": string(d.Domain),
		"Address": string(d.Address), "Zip": string(d.Zip), "Company City": string(d.City),
		"Company State": string(d.State), "Company Country": string(d.Country), "Company Phone": string(d.Phone),
		"Employees": string(d.Employees), "Revenue": string(d.Revenue), "Industry": string(d.Industry),
		"Year Founded": string(d.Founded), "Company Description": string(d.Description)}, balance, nil
}
