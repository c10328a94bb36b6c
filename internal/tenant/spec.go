// Package tenant sets a HaloPSA tenant up for haloleads: the Lead, Prospect and Opportunity
// ticket types with their lifecycle statuses, the custom fields (with dropdown options), the
// segment tags, the distribution lists and the webhook that reports changes back.
//
// Plan reads the tenant and reports what differs from a Spec (for `starter setup --check`);
// Apply makes the tenant match and returns the ids the rest of haloleads uses. Apply is
// idempotent: a second run makes no write request. Set-up only ever adds or corrects what
// haloleads owns; it never deletes anything, and leaves extra statuses, fields and options an
// administrator added alone.
package tenant

import (
	"errors"
	"fmt"
	"strings"

	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
)

// The ticket type keys: stable names the rest of haloleads uses, whatever the types are called
// in HaloPSA.
const (
	Lead        = "lead"
	Prospect    = "prospect"
	Opportunity = "opportunity"
)

// Kind is the kind of value a custom field holds.
type Kind int

// The custom-field kinds and how they are created in HaloPSA.
const (
	Text     Kind = iota // FieldInfo type 0
	Integer              // type 0 with a numeric input type (UNCONFIRMED code, see inputNumber)
	Boolean              // a Yes/No dropdown (HaloPSA's checkbox encoding is UNCONFIRMED)
	Date                 // type 4
	Dropdown             // type 2 with one Lookup option per Options entry
)

// inputNumber is the FieldInfo.inputtype of integer fields: the reference only says that type-0
// fields use input types 0/2/7 for text and number-ish variants (UNCONFIRMED).
const inputNumber = 2

// TicketType is a ticket type haloleads needs and its statuses, in lifecycle order; the first is
// the type's initial status. HaloPSA statuses are global, so names must be unique across types.
type TicketType struct {
	Key      string // Lead, Prospect or Opportunity
	Name     string // the name in HaloPSA (configurable)
	Statuses []string
}

// Field is a custom field haloleads owns.
type Field struct {
	Logical string // haloleads' name: the lead.Field where one exists, e.g. "lead_source"
	Name    string // HaloPSA name, always "CF…"
	Label   string
	Kind    Kind
	Usage   int      // halopsa.FieldUsageTicket or halopsa.FieldUsageUser
	Options []string // Dropdown options (a Boolean always has Yes and No)
	// Types lists the ticket type keys that show a ticket field: prospects inherit lead data and
	// opportunities inherit both.
	Types []string
}

// Webhook is the webhook HaloPSA calls with changes, authenticated with Basic auth.
// Password is a secret: it is written to HaloPSA and never logged or printed.
type Webhook struct {
	Name     string
	URL      string
	Username string
	Password string
	// Events are the notification events that fire the webhook, by name.
	Events []string
	// RotatePassword writes Password even when nothing else differs: HaloPSA never returns the
	// password, so Plan cannot see that it changed.
	RotatePassword bool
}

// String describes w without its password or URL.
func (w Webhook) String() string {
	return fmt.Sprintf("webhook %q (user %q, %d events)", w.Name, w.Username, len(w.Events))
}

// Spec is everything haloleads needs in a tenant.
type Spec struct {
	TicketTypes []TicketType
	Fields      []Field
	Tags        []string
	Lists       []string
	Webhook     *Webhook // nil: no webhook
}

// DefaultSpec is the set-up the design doc describes, with the ticket types called "Lead",
// "Prospect" and "Opportunity" and no webhook (set Spec.Webhook from configuration).
func DefaultSpec() Spec {
	return Spec{
		TicketTypes: []TicketType{
			{Key: Lead, Name: "Lead", Statuses: []string{"New Lead", "Researching", "Contacted", "Engaged",
				"No Interest", "Do Not Contact", "Invalid Data"}},
			{Key: Prospect, Name: "Prospect", Statuses: []string{"New Prospect", "Prospecting", "Qualified", "Disqualified"}},
			{Key: Opportunity, Name: "Opportunity", Statuses: []string{"New Opportunity", "Progressing", "Negotiation", "Won", "Lost"}},
		},
		Fields: defaultFields(),
		Tags:   defaultTags(),
		Lists:  defaultLists(),
	}
}

// defaultLists are the temperature lists and the design doc's five industry lists.
func defaultLists() []string {
	lists := []string{lifecycle.ListHot, lifecycle.ListWarm, lifecycle.ListCold}
	for _, seg := range lifecycle.IndustrySegments {
		lists = append(lists, seg.List)
	}
	return lists
}

// DefaultWebhookEvents are the events haloleads reacts to.
var DefaultWebhookEvents = []string{"New Ticket Logged", "Ticket Status Changed", "Ticket Updated", "User Updated"}

func defaultTags() []string {
	var tags []string
	for _, src := range append(append([]lead.Source(nil), lead.Providers...), lead.Manual) {
		tags = append(tags, "source:"+string(src))
	}
	tags = append(tags, lifecycle.SegmentHot, lifecycle.SegmentWarm, lifecycle.SegmentCold,
		lifecycle.SegmentEnterprise, lifecycle.SegmentMidMarket, lifecycle.SegmentSmallBiz,
		lifecycle.SegmentDoNotContact)
	for _, seg := range lifecycle.IndustrySegments {
		tags = append(tags, seg.Tag)
	}
	return tags
}

// Logical names of the fields that have no lead.Field.
const (
	FieldHQLocation         = "hq_location"
	FieldDataQualityScore   = "data_quality_score"
	FieldFitScore           = "fit_score"
	FieldPainPoints         = "pain_points"
	FieldQualifiedServices  = "qualified_services"
	FieldDecisionMaker      = "decision_maker"
	FieldBudgetRange        = "budget_range"
	FieldTimeframe          = "timeframe"
	FieldQualificationNotes = "qualification_notes"
	FieldProductsServices   = "products_services"
	FieldQuotesProposals    = "quotes_proposals"
	FieldExpectedCloseDate  = "expected_close_date"
)

var (
	onAll         = []string{Lead, Prospect, Opportunity}
	onProspects   = []string{Prospect, Opportunity}
	onOpportunity = []string{Opportunity}
)

func defaultFields() []Field {
	t := func(logical, name, label string, kind Kind, on []string, options ...string) Field {
		return Field{Logical: logical, Name: "CFhaloleads" + name, Label: label, Kind: kind,
			Usage: halopsa.FieldUsageTicket, Options: options, Types: on}
	}
	return []Field{
		t(string(lead.LeadSource), "LeadSource", "Lead Source", Dropdown, onAll,
			"Apollo.io", "ZoomInfo", "Hunter.io", "UpLead", "Lusha", "Manual", "CSV list"),
		t(string(lead.ServicesOffered), "ServicesOffered", "Services Offered", Text, onAll),
		t(string(lead.GrowthSignals), "GrowthSignals", "Growth Signals", Text, onAll),
		t(string(lead.ProjectPipelines), "ProjectPipelines", "Project Pipelines", Text, onAll),
		t(string(lead.DoNotContact), "DoNotContact", "Do Not Contact", Boolean, onAll),
		t(string(lead.TechnologyStack), "TechnologyStack", "Technology Stack", Text, onAll),
		t(string(lead.RevenueRange), "RevenueRange", "Revenue Range", Dropdown, onAll,
			"Under $1M", "$1M-$5M", "$5M-$25M", "$25M-$100M", "$100M-$500M", "$500M-$1B", "Over $1B"),
		t(string(lead.EmployeeRange), "EmployeeCountRange", "Employee Count Range", Dropdown, onAll,
			"1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+"),
		t(string(lead.ManagementLevel), "ManagementLevel", "Management Level", Dropdown, onAll,
			"C-Suite", "Owner", "Partner", "VP", "Director", "Manager", "Senior", "Entry", "Other"),
		t(string(lead.Department), "Department", "Department", Dropdown, onAll,
			"IT", "Engineering", "Finance", "Operations", "Sales", "Marketing", "Human Resources",
			"Legal", "Executive", "Other"),
		t(string(lead.IntentSignals), "IntentSignals", "Intent Signals", Text, onAll),
		t(string(lead.PublicResearch), "PublicResearch", "Public Research", Text, onAll),
		t(string(lead.NewsArticles), "NewsArticles", "News & Articles", Text, onAll),
		t(string(lead.InitialNotes), "InitialNotes", "Initial Notes", Text, onAll),
		t(string(lead.FoundedYear), "FoundedYear", "Company Founded Year", Integer, onAll),
		t(FieldHQLocation, "HQLocation", "HQ Location", Text, onAll),
		t(FieldDataQualityScore, "DataQualityScore", "Data Quality Score", Integer, onAll),
		t(FieldFitScore, "FitScore", "Fit Score", Integer, onAll),
		t(FieldPainPoints, "PainPoints", "Pain Points", Text, onProspects),
		t(FieldQualifiedServices, "QualifiedServices", "Qualified Services", Text, onProspects),
		t(FieldDecisionMaker, "DecisionMaker", "Decision Maker", Text, onProspects),
		t(FieldBudgetRange, "BudgetRange", "Budget Range", Text, onProspects),
		t(FieldTimeframe, "Timeframe", "Timeframe", Text, onProspects),
		t(FieldQualificationNotes, "QualificationNotes", "Qualification Notes", Text, onProspects),
		t(FieldProductsServices, "ProductsServices", "Products/Services", Text, onOpportunity),
		t(FieldQuotesProposals, "QuotesProposals", "Quotes/Proposals", Text, onOpportunity),
		t(FieldExpectedCloseDate, "ExpectedCloseDate", "Expected Close Date", Date, onOpportunity),
		{Logical: string(lead.LinkedIn), Name: "CFhaloleadsLinkedIn", Label: "LinkedIn URL", Kind: Text,
			Usage: halopsa.FieldUsageUser},
	}
}

// options returns the dropdown options a field needs.
func (f Field) options() []string {
	if f.Kind == Boolean {
		return []string{halopsa.YesNo(true), halopsa.YesNo(false)}
	}
	return f.Options
}

// definition is the FieldInfo that creates f.
func (f Field) definition() halopsa.FieldInfo {
	d := halopsa.FieldInfo{Name: f.Name, Label: f.Label, Usage: f.Usage, Type: halopsa.FieldTypeText}
	switch f.Kind {
	case Integer:
		d.InputType = inputNumber
	case Date:
		d.Type = halopsa.FieldTypeDate
	case Boolean, Dropdown:
		d.Type = halopsa.FieldTypeDropdown
	}
	return d
}

// FieldMap returns the logical → HaloPSA names of the fields of one usage, for halopsa.Fields.
func (s Spec) FieldMap(usage int) halopsa.FieldMap {
	m := halopsa.FieldMap{}
	for _, f := range s.Fields {
		if f.Usage == usage {
			m[f.Logical] = f.Name
		}
	}
	return m
}

// ErrInvalidSpec is wrapped by every error Spec.Validate returns.
var ErrInvalidSpec = errors.New("invalid tenant spec")

// Validate reports the first problem in s, wrapping ErrInvalidSpec.
func (s Spec) Validate() error {
	var errs []error
	statuses, keys, names := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, tt := range s.TicketTypes {
		errs = append(errs, unique(keys, "ticket type key", tt.Key), unique(names, "ticket type", tt.Name))
		if len(tt.Statuses) == 0 {
			errs = append(errs, fmt.Errorf("ticket type %q has no statuses", tt.Name))
		}
		for _, st := range tt.Statuses {
			errs = append(errs, unique(statuses, "status", st))
		}
	}
	errs = append(errs, s.validateFields(keys)...)
	errs = append(errs, s.validateWebhook())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSpec, err)
	}
	return nil
}

func (s Spec) validateFields(typeKeys map[string]bool) []error {
	var errs []error
	logical, names := map[string]bool{}, map[string]bool{}
	for _, f := range s.Fields {
		errs = append(errs, unique(logical, "logical field", f.Logical), unique(names, "field", f.Name))
		if !strings.HasPrefix(f.Name, "CF") {
			errs = append(errs, fmt.Errorf("field %q: HaloPSA field names start with CF", f.Name))
		}
		if f.Kind == Dropdown && len(f.Options) == 0 {
			errs = append(errs, fmt.Errorf("dropdown field %q has no options", f.Name))
		}
		for _, k := range f.Types {
			if !typeKeys[k] {
				errs = append(errs, fmt.Errorf("field %q shows on unknown ticket type %q", f.Name, k))
			}
		}
	}
	return errs
}

func (s Spec) validateWebhook() error {
	w := s.Webhook
	if w == nil {
		return nil
	}
	if w.Name == "" || !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
		return errors.New("the webhook needs a name and an http(s) URL")
	}
	if w.Username == "" || len(w.Password) < 16 {
		return errors.New("the webhook needs a Basic-auth user and a password of at least 16 characters")
	}
	return nil
}

// unique records name in seen and reports an empty or repeated name.
func unique(seen map[string]bool, what, name string) error {
	k := fold(name)
	if k == "" {
		return fmt.Errorf("a %s has no name", what)
	}
	if seen[k] {
		return fmt.Errorf("%s %q appears twice", what, name)
	}
	seen[k] = true
	return nil
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
