package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"haloleads/internal/lead"
)

// Class says how a re-import may change a field that haloleads wrote before. Whatever the class,
// a field a person changed in HaloPSA is left alone (see PlanUpdate), except for opt-outs.
type Class string

// The field classes.
const (
	// Enrichment fields always take the newest provider value (phones, firmographics,
	// technographics, intent).
	Enrichment Class = "enrichment"
	// Conditional fields take a new value only when HaloPSA has none or the new one is clearly
	// richer: a list with every old item and more, or a text at least half as long again.
	Conditional Class = "conditional"
	// Protected fields identify the person and their company; an import fills them when empty
	// and never changes them.
	Protected Class = "protected"
	// OptOut fields are the compliance flags: an opt-out from any source is always written, even
	// over a person's edit, and an import never clears one.
	OptOut Class = "opt-out"
)

// ClassOf returns the class of f. Fields the package does not know are Conditional.
func ClassOf(f lead.Field) Class {
	switch f {
	case lead.FirstName, lead.LastName, lead.Email, lead.Company:
		return Protected
	case lead.DoNotContact, lead.DoNotCall, lead.EmailOptOut:
		return OptOut
	case lead.EmailStatus, lead.EmailConfidence, lead.PhoneDirect, lead.PhoneMobile, lead.PhoneCompany, lead.LinkedIn,
		lead.ManagementLevel, lead.Department, lead.Employees, lead.EmployeeRange, lead.Revenue,
		lead.RevenueRange, lead.FoundedYear, lead.HQStreet, lead.HQCity, lead.HQState,
		lead.HQPostcode, lead.HQCountry, lead.TechnologyStack, lead.IntentSignals:
		return Enrichment
	}
	return Conditional
}

// Preserved is a field an import had a new value for but left alone, and why.
type Preserved struct {
	Field  lead.Field `json:"field"`
	Reason string     `json:"reason"`
}

// The reasons a field is preserved.
const (
	ReasonEdited     = "changed in HaloPSA since haloleads last wrote it"
	ReasonPinned     = "pinned by a person"
	ReasonProtected  = "protected: an import only fills it when empty"
	ReasonNotRicher  = "the value in HaloPSA is as complete as the new one"
	ReasonOptOutKept = "an import never clears an opt-out"
	ReasonProgressed = "the lead has moved beyond Researching: an import only adds opt-outs"
)

// optedOutValue is the value of a set opt-out flag.
const optedOutValue = "true"

// PlanUpdate decides which incoming values a re-import writes to a lead in HaloPSA. current is
// what HaloPSA holds now, lastWritten what haloleads wrote last time, pinned the fields a person
// has locked. A field whose current value differs from lastWritten was changed by a person and is
// pinned too. Incoming empty values, values equal to the current ones and opt-out values other
// than "true" are ignored; every other field is either in updates or in preserved (in
// lead.Values.SortedFields order), as its Class says.
func PlanUpdate(current, lastWritten, incoming lead.Values, pinned map[lead.Field]bool) (updates lead.Values, preserved []Preserved) {
	updates = lead.Values{}
	for _, f := range incoming.SortedFields() {
		in, cur := incoming[f], current[f]
		if in == cur {
			continue
		}
		write, reason := decide(f, cur, in, lastWritten[f], pinned[f])
		switch {
		case write:
			updates[f] = in
		case reason != "":
			preserved = append(preserved, Preserved{Field: f, Reason: reason})
		}
	}
	return updates, preserved
}

// decide returns whether f takes the incoming value in, and if not, why it keeps cur ("" when
// there is nothing to record).
func decide(f lead.Field, cur, in, last string, pinned bool) (write bool, reason string) {
	class := ClassOf(f)
	switch {
	case class == OptOut:
		return decideOptOut(cur, in)
	case pinned:
		return false, ReasonPinned
	case cur != last:
		return false, ReasonEdited
	case cur == "":
		return true, ""
	case class == Protected:
		return false, ReasonProtected
	case class == Conditional && !richer(cur, in):
		return false, ReasonNotRicher
	}
	return true, ""
}

// decideOptOut writes an incoming opt-out whatever the field holds, and never clears one.
func decideOptOut(cur, in string) (write bool, reason string) {
	switch {
	case in == optedOutValue:
		return true, ""
	case cur == optedOutValue:
		return false, ReasonOptOutKept
	}
	return false, ""
}

// richer reports whether in is clearly more complete than cur: a "; " list holding every item of
// cur and more, or a single value at least half as long again.
func richer(cur, in string) bool {
	curItems, inItems := listItems(cur), listItems(in)
	if len(curItems) > 1 || len(inItems) > 1 {
		for _, it := range curItems {
			if !slices.Contains(inItems, it) {
				return false
			}
		}
		return len(inItems) > len(curItems)
	}
	return 2*utf8.RuneCountInString(in) >= 3*utf8.RuneCountInString(cur)
}

// listItems splits a "; " list into its trimmed, lower-cased, non-empty items.
func listItems(s string) []string {
	var items []string
	for _, it := range strings.Split(s, ";") {
		if it = strings.ToLower(strings.TrimSpace(it)); it != "" && !slices.Contains(items, it) {
			items = append(items, it)
		}
	}
	return items
}

// ImportStatus returns the status a lead has after an import and whether the import may update
// the lead's fields. A new lead (current "") becomes New Lead. New Lead and Researching keep their
// status and take updates. Every later status, and any status the lifecycle does not know, is
// never reset and takes no updates except opt-outs (see PlanImport).
func ImportStatus(current Status) (Status, bool) {
	switch current {
	case "":
		return NewLead, true
	case NewLead, Researching:
		return current, true
	}
	return current, false
}

// PlanImport combines ImportStatus and PlanUpdate: it returns the status to keep or set, the
// values to write and the fields left alone. Beyond Researching only opt-outs are written.
func PlanImport(status Status, current, lastWritten, incoming lead.Values, pinned map[lead.Field]bool) (Status, lead.Values, []Preserved) {
	next, open := ImportStatus(status)
	updates, preserved := PlanUpdate(current, lastWritten, incoming, pinned)
	if open {
		return next, updates, preserved
	}
	for _, f := range updates.SortedFields() {
		if ClassOf(f) != OptOut {
			delete(updates, f)
			preserved = append(preserved, Preserved{Field: f, Reason: ReasonProgressed})
		}
	}
	sortPreserved(preserved)
	return next, updates, preserved
}

// AuditNote writes the ticket note recording an import's updates and preserved fields, by field
// name only (never values), in a fixed order.
func AuditNote(updates lead.Values, preserved []Preserved) string {
	var b strings.Builder
	fields := updates.SortedFields()
	fmt.Fprintf(&b, "haloleads import: %s updated, %s preserved.\n", count(len(fields)), count(len(preserved)))
	if len(fields) > 0 {
		labels := make([]string, len(fields))
		for i, f := range fields {
			labels[i] = FieldLabel(f)
		}
		fmt.Fprintf(&b, "Updated: %s.\n", strings.Join(labels, ", "))
	}
	if len(preserved) > 0 {
		b.WriteString("Preserved:\n")
		sorted := slices.Clone(preserved)
		sortPreserved(sorted)
		for _, p := range sorted {
			fmt.Fprintf(&b, "- %s: %s.\n", FieldLabel(p.Field), p.Reason)
		}
	}
	return b.String()
}

// count words a number of fields.
func count(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}

// sortPreserved orders preserved fields as lead.Values.SortedFields orders fields.
func sortPreserved(ps []Preserved) {
	rank := func(f lead.Field) int {
		if i := slices.Index(lead.AllFields, f); i >= 0 {
			return i
		}
		return len(lead.AllFields)
	}
	slices.SortStableFunc(ps, func(a, b Preserved) int {
		if d := rank(a.Field) - rank(b.Field); d != 0 {
			return d
		}
		return strings.Compare(string(a.Field), string(b.Field))
	})
}

// fieldLabels are the names a salesperson knows the fields by.
var fieldLabels = map[lead.Field]string{
	lead.FirstName: "First Name", lead.LastName: "Last Name", lead.Email: "Email",
	lead.EmailStatus: "Email Status", lead.EmailConfidence: "Email Confidence", lead.PhoneDirect: "Direct Phone", lead.PhoneMobile: "Mobile Phone",
	lead.PhoneCompany: "Company Phone", lead.JobTitle: "Job Title", lead.ManagementLevel: "Management Level",
	lead.Department: "Department", lead.LinkedIn: "LinkedIn", lead.PersonCity: "City",
	lead.PersonState: "State", lead.PersonCountry: "Country", lead.Company: "Company",
	lead.Website: "Website", lead.Domain: "Domain", lead.Industry: "Industry",
	lead.Employees: "Employees", lead.EmployeeRange: "Employee Count Range", lead.Revenue: "Revenue",
	lead.RevenueRange: "Revenue Range", lead.FoundedYear: "Company Founded Year",
	lead.HQStreet: "HQ Street", lead.HQCity: "HQ City", lead.HQState: "HQ State",
	lead.HQPostcode: "HQ Postcode", lead.HQCountry: "HQ Country", lead.TechnologyStack: "Technology Stack",
	lead.ServicesOffered: "Services Offered", lead.GrowthSignals: "Growth Signals",
	lead.ProjectPipelines: "Project Pipelines", lead.IntentSignals: "Intent Signals",
	lead.DoNotContact: "Do Not Contact", lead.DoNotCall: "Do Not Call", lead.EmailOptOut: "Email Opt-Out",
	lead.LeadSource: "Lead Source", lead.PublicResearch: "Public Research", lead.NewsArticles: "News & Articles",
	lead.InitialNotes: "Initial Notes",
}

// FieldLabel is the name a salesperson knows f by ("Mobile Phone"); a field without one is
// shown by its id with words capitalised ("x_custom" as "X Custom").
func FieldLabel(f lead.Field) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	words := strings.FieldsFunc(string(f), func(r rune) bool { return r == '_' || r == ' ' })
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}
