package dedupe

import (
	"testing"
	"time"

	"haloleads/internal/lead"
)

func TestMergePrecedence(t *testing.T) {
	t.Parallel()
	older, newer := day, day.Add(48*time.Hour)
	at := func(r lead.Record, seen time.Time) lead.Record { r.SeenAt = seen; return r }
	records := []lead.Record{
		at(rec(lead.Hunter, "first_name", "Rob", "email_status", "valid", "job_title", "CTO", "technology_stack", "Go"), newer),
		at(rec(lead.Apollo, "first_name", "Robert", "email_status", "guessed", "phone_direct", "+14152562671",
			"technology_stack", "Azure; Go", "company", "Acme"), older),
		at(rec(lead.ZoomInfo, "first_name", "Robert", "phone_direct", "+14152562699", "company", "ACME Inc",
			"do_not_call", "true"), older),
		at(rec(lead.ZoomInfo, "job_title", "Chief Technology Officer", "company", "Acme, Inc."), newer),
		at(rec(lead.Lusha, "phone_mobile", "+14152562600", "do_not_call", ""), newer),
	}
	l := Merge("lead-x", records, DefaultPrecedence())
	tests := []struct {
		field  lead.Field
		value  string
		source lead.Source
		conf   float64
	}{
		{lead.FirstName, "Robert", lead.ZoomInfo, 2.0 / 3},            // contact: ZoomInfo first
		{lead.EmailStatus, "valid", lead.Hunter, 0.5},                 // verification: Hunter first
		{lead.PhoneDirect, "+14152562699", lead.ZoomInfo, 0.5},        // phones: ZoomInfo first
		{lead.PhoneMobile, "+14152562600", lead.Lusha, 1},             // only source
		{lead.TechnologyStack, "Azure; Go", lead.Apollo, 0.5},         // technographics: Apollo first
		{lead.JobTitle, "Chief Technology Officer", lead.ZoomInfo, 1}, // ZoomInfo over Hunter; "CTO" agrees
		{lead.Company, "Acme, Inc.", lead.ZoomInfo, 1},                // the newer ZoomInfo row; all three agree
		{lead.DoNotCall, "true", lead.ZoomInfo, 1},                    // any true wins
	}
	for _, tt := range tests {
		if got, p := l.Values[tt.field], l.Prov[tt.field]; got != tt.value || p.Source != tt.source || abs(p.Confidence-tt.conf) > 1e-9 {
			t.Errorf("%s = %q from %s (%.2f), want %q from %s (%.2f)", tt.field, got, p.Source, p.Confidence, tt.value, tt.source, tt.conf)
		}
	}
	if got, want := l.Sources, []lead.Source{lead.Apollo, lead.Hunter, lead.Lusha, lead.ZoomInfo}; !equalSources(got, want) {
		t.Errorf("sources = %v, want %v", got, want)
	}
	if l.ID != "lead-x" || l.Quality == 0 {
		t.Errorf("lead = %+v", l)
	}
}

func TestMergeCustomPrecedence(t *testing.T) {
	t.Parallel()
	records := []lead.Record{
		rec(lead.ZoomInfo, "first_name", "Robert"),
		rec(lead.Lusha, "first_name", "Bob"),
		rec(lead.Manual, "last_name", "Smith"),
	}
	l := Merge("x", records, Precedence{lead.GroupContact: {lead.Lusha}})
	if l.Values[lead.FirstName] != "Bob" {
		t.Errorf("first name = %q, want Lusha's", l.Values[lead.FirstName])
	}
	if l.Values[lead.LastName] != "Smith" {
		t.Errorf("an unlisted source must still fill gaps: %v", l.Values)
	}
}

func TestMergeOptOutNeverCleared(t *testing.T) {
	t.Parallel()
	records := []lead.Record{
		rec(lead.Lusha, "email_opt_out", "TRUE"),
		rec(lead.ZoomInfo, "email_opt_out", "false"),
		rec(lead.Manual, "email_opt_out", ""),
	}
	l := Merge("x", records, DefaultPrecedence())
	if l.Values[lead.EmailOptOut] != "true" || l.Prov[lead.EmailOptOut].Source != lead.Lusha || !l.Values.DoNotContactFlag() {
		t.Errorf("opt-out = %q from %s", l.Values[lead.EmailOptOut], l.Prov[lead.EmailOptOut].Source)
	}
}

func TestDefaultPrecedenceCoversEveryGroupAndSource(t *testing.T) {
	t.Parallel()
	p := DefaultPrecedence()
	for _, g := range []lead.Group{lead.GroupContact, lead.GroupCompany, lead.GroupVerification,
		lead.GroupPhones, lead.GroupTechnographic, lead.GroupCompliance} {
		for _, s := range append(lead.Providers, lead.Manual, lead.HaloPSA) {
			if p.rank(g, s) >= len(p[g]) {
				t.Errorf("group %s does not rank %s", g, s)
			}
		}
		if p[g][0] != lead.Manual || p[g][len(p[g])-1] != lead.HaloPSA {
			t.Errorf("group %s: Manual must rank first and HaloPSA last: %v", g, p[g])
		}
	}
	if p[lead.GroupVerification][1] != lead.Hunter {
		t.Error("verification must rank Hunter first among providers")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func equalSources(a, b []lead.Source) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMergeLeadSourceAndSocial(t *testing.T) {
	t.Parallel()
	older, newer := day, day.Add(48*time.Hour)
	at := func(r lead.Record, seen time.Time) lead.Record { r.SeenAt = seen; return r }
	l := Merge("lead-x", []lead.Record{
		at(rec(lead.ZoomInfo, "linkedin_url", "https://www.linkedin.com/in/rob-z", "first_name", "Rob"), newer),
		at(rec(lead.Hunter, "first_name", "Rob"), newer),
		at(rec(lead.Apollo, "linkedin_url", "https://www.linkedin.com/in/rob-a"), older),
		at(rec(lead.HaloPSA, "job_title", "CTO"), day.Add(-time.Hour)),
	}, DefaultPrecedence())
	if got := l.Values[lead.LeadSource]; got != "apollo; zoominfo; hunter" {
		t.Errorf("lead source %q, want the first supplier first, ties in provider order, no HaloPSA", got)
	}
	if got := l.Values[lead.LinkedIn]; got != "https://www.linkedin.com/in/rob-a" {
		t.Errorf("LinkedIn %q, want Apollo's (socialMedia precedence: Apollo, ZoomInfo)", got)
	}
}

func TestMergeKnownIsQuiet(t *testing.T) {
	t.Parallel()
	older, newer := day, day.Add(48*time.Hour)
	at := func(r lead.Record, seen time.Time) lead.Record { r.SeenAt = seen; return r }
	zoom := at(rec(lead.ZoomInfo, "first_name", "Robert", "last_name", "Okafor", "phone_direct", "+14152562699",
		"company", "Acme", "job_title", "CTO"), older)
	apollo := at(rec(lead.Apollo, "first_name", "Rob", "last_name", "Okafor", "email", "rob@acme.com",
		"technology_stack", "Azure", "linkedin_url", "https://www.linkedin.com/in/rob"), older)
	hunter := at(rec(lead.Hunter, "email", "rob@acme.com", "email_status", "valid", "do_not_call", "true"), older)
	all := Merge("lead-x", []lead.Record{zoom, apollo, hunter}, DefaultPrecedence())
	all.Keys = []string{"email:rob@acme.com"}
	// Each file again alone, seen later (a fresh export of the same data), and all of them.
	for _, sub := range [][]lead.Record{{zoom}, {apollo}, {hunter}, {zoom, apollo}, {zoom, apollo, hunter}} {
		var again []lead.Record
		for _, r := range sub {
			again = append(again, at(r, newer))
		}
		fresh := Merge("lead-x", again, DefaultPrecedence())
		got := MergeKnown(all, fresh, DefaultPrecedence())
		for _, f := range lead.AllFields {
			if got.Values[f] != all.Values[f] {
				t.Errorf("re-import of %d files: %s = %q, was %q", len(sub), f, got.Values[f], all.Values[f])
			}
		}
		if len(got.Values) != len(all.Values) || got.Values[lead.LeadSource] != "apollo; zoominfo; hunter" {
			t.Errorf("re-import of %d files: values %v", len(sub), got.Values)
		}
	}
	// A new provider adds its values and is appended to the lead source; a better source wins.
	lusha := at(rec(lead.Lusha, "phone_mobile", "+14152562600"), newer)
	zoom2 := at(rec(lead.ZoomInfo, "job_title", "Chief Technology Officer"), newer)
	got := MergeKnown(all, Merge("lead-x", []lead.Record{lusha, zoom2}, DefaultPrecedence()), DefaultPrecedence())
	if got.Values[lead.PhoneMobile] != "+14152562600" || got.Values[lead.JobTitle] != "Chief Technology Officer" ||
		got.Values[lead.LeadSource] != "apollo; zoominfo; hunter; lusha" || got.Values[lead.DoNotCall] != "true" {
		t.Errorf("merge with new data: %v", got.Values)
	}
	if MergeKnown(lead.Lead{}, all, DefaultPrecedence()).ID != "lead-x" {
		t.Error("nothing known: the fresh lead is kept")
	}
}
