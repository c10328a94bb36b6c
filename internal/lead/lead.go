// Package lead defines haloleads' canonical records: what a provider row becomes (Record), what
// de-duplication and merging make of several rows about one person (Lead), the logical fields
// both carry, and the provenance of each value.
//
// Values are strings keyed by Field so that merging, precedence, provenance and "what haloleads
// last wrote" work the same way for every field. Numbers are written in decimal, booleans as
// "true" (absent means false or unknown), lists joined with "; ".
package lead

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"
)

// Source names where a value came from.
type Source string

// The sources haloleads knows. HaloPSA is a source too: values a person typed there.
const (
	Apollo   Source = "apollo"
	ZoomInfo Source = "zoominfo"
	Hunter   Source = "hunter"
	UpLead   Source = "uplead"
	Lusha    Source = "lusha"
	HaloPSA  Source = "halopsa"
	Manual   Source = "manual"
	// CSV is a generic contact list from anywhere (a CRM export, an event list): a CSV file
	// no provider's layout fits, read by the usual column names.
	CSV Source = "csv"
)

// Providers lists the five data providers in a fixed order.
var Providers = []Source{Apollo, ZoomInfo, Hunter, UpLead, Lusha}

// DisplayName is the name a salesperson knows the source by (the lead-source dropdown value).
func (s Source) DisplayName() string {
	switch s {
	case Apollo:
		return "Apollo.io"
	case ZoomInfo:
		return "ZoomInfo"
	case Hunter:
		return "Hunter.io"
	case UpLead:
		return "UpLead"
	case Lusha:
		return "Lusha"
	case HaloPSA:
		return "HaloPSA"
	case Manual:
		return "Manual"
	case CSV:
		return "CSV list"
	}
	return string(s)
}

// Field is a logical lead field.
type Field string

// Person fields.
const (
	FirstName       Field = "first_name"
	LastName        Field = "last_name"
	Email           Field = "email"
	EmailStatus     Field = "email_status"     // valid, accept_all, unknown, invalid, guessed
	EmailConfidence Field = "email_confidence" // 0..100: the provider's confidence that Email is right
	PhoneDirect     Field = "phone_direct"
	PhoneMobile     Field = "phone_mobile"
	PhoneCompany    Field = "phone_company"
	JobTitle        Field = "job_title"
	ManagementLevel Field = "management_level"
	Department      Field = "department"
	LinkedIn        Field = "linkedin_url"
	PersonCity      Field = "person_city"
	PersonState     Field = "person_state"
	PersonCountry   Field = "person_country"
)

// Company fields.
const (
	Company          Field = "company"
	Website          Field = "website"
	Domain           Field = "domain"
	Industry         Field = "industry"
	Employees        Field = "employees" // integer headcount
	EmployeeRange    Field = "employee_range"
	Revenue          Field = "revenue_usd" // integer, whole US dollars
	RevenueRange     Field = "revenue_range"
	FoundedYear      Field = "founded_year"
	HQStreet         Field = "hq_street"
	HQCity           Field = "hq_city"
	HQState          Field = "hq_state"
	HQPostcode       Field = "hq_postcode"
	HQCountry        Field = "hq_country"
	TechnologyStack  Field = "technology_stack"
	ServicesOffered  Field = "services_offered"
	GrowthSignals    Field = "growth_signals"
	ProjectPipelines Field = "project_pipelines"
	IntentSignals    Field = "intent_signals"
)

// Research fields (the design doc's Research Data): filled where a provider or a list supplies
// them, otherwise by people in HaloPSA.
const (
	PublicResearch Field = "public_research"
	NewsArticles   Field = "news_articles"
	InitialNotes   Field = "initial_notes"
)

// Compliance fields. Any opt-out signal from any source makes the person Do Not Contact.
const (
	DoNotContact Field = "do_not_contact"
	DoNotCall    Field = "do_not_call"
	EmailOptOut  Field = "email_opt_out"
)

// EmailInvalid holds why a provider's e-mail address was dropped by normalisation (never the
// address itself): the lead had an address, but a bad one. It stays in haloleads.
const EmailInvalid Field = "email_invalid"

// LeadSource lists the providers a lead came from, as Source ids joined with "; " (for example
// "apollo; zoominfo"), the provider that first supplied the lead first. Merging sets it from
// the records' sources; it feeds the lead-source dropdown (the first provider), the ticket's
// note (all of them) and the source:<provider> segments.
const LeadSource Field = "lead_source"

// Group is a set of fields that share one source precedence.
type Group string

// The precedence groups of the design doc.
const (
	GroupContact       Group = "contact"
	GroupCompany       Group = "company"
	GroupVerification  Group = "verification"
	GroupPhones        Group = "phones"
	GroupTechnographic Group = "technographics"
	GroupSocial        Group = "socialMedia"
	GroupCompliance    Group = "compliance"
)

// AllFields lists every field in a fixed order (use it, never map order, for decisions).
var AllFields = []Field{
	FirstName, LastName, Email, EmailStatus, EmailConfidence, PhoneDirect, PhoneMobile, PhoneCompany,
	JobTitle, ManagementLevel, Department, LinkedIn, PersonCity, PersonState, PersonCountry,
	Company, Website, Domain, Industry, Employees, EmployeeRange, Revenue, RevenueRange, FoundedYear,
	HQStreet, HQCity, HQState, HQPostcode, HQCountry, TechnologyStack, ServicesOffered, GrowthSignals,
	ProjectPipelines, IntentSignals, PublicResearch, NewsArticles, InitialNotes, DoNotContact, DoNotCall,
	EmailOptOut, LeadSource,
}

// GroupOf returns the precedence group of f.
func GroupOf(f Field) Group {
	switch f {
	case EmailStatus, EmailConfidence:
		return GroupVerification
	case PhoneDirect, PhoneMobile, PhoneCompany:
		return GroupPhones
	case TechnologyStack:
		return GroupTechnographic
	case LinkedIn:
		return GroupSocial
	case DoNotContact, DoNotCall, EmailOptOut:
		return GroupCompliance
	case Company, Website, Domain, Industry, Employees, EmployeeRange, Revenue, RevenueRange,
		FoundedYear, HQStreet, HQCity, HQState, HQPostcode, HQCountry, ServicesOffered,
		GrowthSignals, ProjectPipelines, IntentSignals, PublicResearch, NewsArticles:
		return GroupCompany
	}
	return GroupContact
}

// Values maps fields to values. An absent key and an empty string both mean "no value".
type Values map[Field]string

// Record is one provider row (or API result), already mapped to logical fields but not yet
// normalised or merged.
type Record struct {
	Source   Source    `json:"source"`
	SourceID string    `json:"source_id,omitempty"` // the provider's own person id, if any
	File     string    `json:"file,omitempty"`      // provenance of a CSV row
	Line     int       `json:"line,omitempty"`
	SeenAt   time.Time `json:"seen_at"`
	Values   Values    `json:"values"`
}

// Get returns the value of f, or "".
func (r Record) Get(f Field) string { return r.Values[f] }

// Rejected is a row that could not become a Record, with the reason a user can act on.
type Rejected struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Provenance says where a merged value came from.
type Provenance struct {
	Source     Source    `json:"source"`
	SeenAt     time.Time `json:"seen_at"`
	Confidence float64   `json:"confidence"` // 0..1
}

// Lead is one real person after de-duplication and merging.
type Lead struct {
	// ID is the stable identity: it never changes once assigned, whatever records arrive later.
	ID      string               `json:"id"`
	Values  Values               `json:"values"`
	Prov    map[Field]Provenance `json:"prov,omitempty"`
	Sources []Source             `json:"sources"` // sorted, unique
	Keys    []string             `json:"keys"`    // identity keys (email:..., name:domain|...)
	Quality int                  `json:"quality"` // data-quality score 0..100
}

// Get returns the value of f, or "".
func (l Lead) Get(f Field) string { return l.Values[f] }

// DoNotContactFlag reports whether any opt-out signal is set.
func (v Values) DoNotContactFlag() bool {
	return v[DoNotContact] == "true" || v[DoNotCall] == "true" || v[EmailOptOut] == "true"
}

// SortedFields returns the fields present in v in AllFields order, then any others sorted.
func (v Values) SortedFields() []Field {
	out := make([]Field, 0, len(v))
	known := make(map[Field]bool, len(AllFields))
	for _, f := range AllFields {
		known[f] = true
		if v[f] != "" {
			out = append(out, f)
		}
	}
	var extra []Field
	for f, val := range v {
		if !known[f] && val != "" {
			extra = append(extra, f)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append(out, extra...)
}

// KeyedIDFor derives a lead ID from an identity key with an HMAC under idKey, so that the ID
// cannot be matched to an e-mail address by someone without the key; an empty idKey gives
// IDFor's unkeyed ID (leads created before ids were keyed keep theirs).
func KeyedIDFor(idKey []byte, key string) string {
	if len(idKey) == 0 {
		return IDFor(key)
	}
	m := hmac.New(sha256.New, idKey)
	m.Write([]byte(key))
	return "lead-" + hex.EncodeToString(m.Sum(nil)[:8])
}

// IDFor derives a stable lead ID from an identity key (for example "email:jane@example.com").
// The ID is also the lead workflow's ID suffix, so the same key never yields two workflows.
func IDFor(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "lead-" + hex.EncodeToString(sum[:8])
}
