package dedupe

import (
	"reflect"
	"testing"

	"haloleads/internal/lead"
)

func TestCompanyKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    lead.Values
		want string
	}{
		{"domain field", lead.Values{lead.Domain: "www.acme.com", lead.Company: "Acme"}, "domain:acme.com"},
		{"website", lead.Values{lead.Website: "https://shop.acme.co.uk/"}, "domain:acme.co.uk"},
		{"work email", lead.Values{lead.Email: "jane@acme.io"}, "domain:acme.io"},
		{"free mail falls back to name", lead.Values{lead.Email: "jane@gmail.com", lead.Company: "Acme, Inc."}, "company:acme"},
		{"name only", lead.Values{lead.Company: "The Acme Corporation"}, "company:acme"},
		{"nothing", lead.Values{lead.FirstName: "Jane"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CompanyKey(tt.v); got != tt.want {
				t.Errorf("CompanyKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGroupByCompany(t *testing.T) {
	t.Parallel()
	leads := []lead.Lead{
		{ID: "l1", Values: lead.Values{lead.Company: "Acme, Inc.", lead.Domain: "acme.com", lead.Industry: "Retail"}},
		{ID: "l2", Values: lead.Values{lead.Company: "ACME", lead.Email: "bob@acme.com", lead.Industry: "Retail"}},
		{ID: "l3", Values: lead.Values{lead.Company: "Acme Inc"}},  // name only: joins acme.com
		{ID: "l4", Values: lead.Values{lead.Company: "Globex"}},    // name only, no domain twin
		{ID: "l5", Values: lead.Values{lead.Email: "x@gmail.com"}}, // no company at all
		{ID: "l6", Values: lead.Values{lead.Company: "Initech", lead.Website: "initech.com", lead.Industry: "Software"}},
	}
	got := GroupByCompany(leads)
	want := []Company{
		{Key: "company:globex", Names: []string{"globex"}, Values: lead.Values{lead.Company: "Globex"}, LeadIDs: []string{"l4"}},
		{Key: "domain:acme.com", Names: []string{"acme"}, Values: lead.Values{lead.Company: "ACME", lead.Domain: "acme.com", lead.Industry: "Retail"},
			LeadIDs: []string{"l1", "l2", "l3"}},
		{Key: "domain:initech.com", Names: []string{"initech"}, Values: lead.Values{lead.Company: "Initech", lead.Website: "initech.com", lead.Industry: "Software"},
			LeadIDs: []string{"l6"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GroupByCompany =\n%+v\nwant\n%+v", got, want)
	}
}

func TestMatchExisting(t *testing.T) {
	t.Parallel()
	leads := []lead.Lead{
		{ID: "l1", Keys: []string{"email:jane.doe@acme.com", "name:acme.com|jane doe"}},
		{ID: "l2", Keys: []string{"name:acme.com|robert smith"}},
		{ID: "l3", Keys: []string{"email:new@globex.com"}},
	}
	companies := []Company{
		{Key: "domain:acme.com", Names: []string{"acme"}},
		{Key: "domain:initech.com", Names: []string{"initech"}},
		{Key: "company:globex", Names: []string{"globex"}},
		{Key: "domain:umbrella.com", Names: []string{"umbrella"}},
	}
	ex := Existing{
		Users: []HaloRecord{
			{ID: 11, Values: lead.Values{lead.Email: "Jane.Doe@ACME.com"}},
			{ID: 12, Values: lead.Values{lead.FirstName: "Bob", lead.LastName: "Smith", lead.Email: "bob@acme.com"}},
			{ID: 13, Values: lead.Values{lead.FirstName: "Bobby", lead.LastName: "Smith", lead.Website: "acme.com"}},
		},
		Clients: []HaloRecord{
			{ID: 7, Values: lead.Values{lead.Company: "Acme Corporation", lead.Website: "https://www.acme.com"}},
			{ID: 8, Values: lead.Values{lead.Company: "Initech LLC"}}, // no website: matched by name
			{ID: 9, Values: lead.Values{lead.Company: "Globex"}},
			{ID: 5, Values: lead.Values{lead.Company: "Globex, Inc."}}, // a duplicate client in HaloPSA
		},
	}
	got := MatchExisting(leads, companies, ex)
	want := HaloMatches{
		Users:     map[string]int{"l1": 11, "l2": 12},
		Clients:   map[string]int{"domain:acme.com": 7, "domain:initech.com": 8, "company:globex": 5},
		Ambiguous: []string{"company:globex", "name:acme.com|robert smith"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MatchExisting =\n%+v\nwant\n%+v", got, want)
	}
}
