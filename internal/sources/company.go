package sources

import (
	"strconv"
	"strings"
	"unicode"

	"haloleads/internal/lead"
)

// mapCompany fills the company name, size, revenue, founding year, HQ street and stack.
func mapCompany(r *row, v lead.Values) {
	setIf(v, lead.Company, orValue(r[cCompany], r[cCompanyAlt]))
	mapEmployees(r, v)
	mapRevenue(r, v)
	setIf(v, lead.FoundedYear, parseYear(r[cFoundedYear]))
	if v[lead.HQStreet] == "" {
		setIf(v, lead.HQStreet, streetOf(r[cHQAddress], v[lead.HQCity]))
	}
	setIf(v, lead.TechnologyStack, joinList(r[cTechnologies]))
}

// orValue returns a unless it is empty, then b.
func orValue(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// mapEmployees reads headcounts and ranges from either column: exports put "51-200" in
// "Employees" and counts in "Employee Range" often enough.
func mapEmployees(r *row, v lead.Values) {
	for _, s := range []string{r[cEmployees], r[cEmployeeRange]} {
		if n, ok := parseCount(s); ok && v[lead.Employees] == "" {
			v[lead.Employees] = strconv.FormatInt(n, 10)
		} else if isRange(s) && v[lead.EmployeeRange] == "" {
			v[lead.EmployeeRange] = rangeText(s)
		}
	}
}

// mapRevenue reads revenue in whole USD (ZoomInfo's "Revenue (in 000s USD)" is multiplied by
// 1,000) and revenue ranges as written ("$25 mil. - $50 mil.", "10m-50m").
func mapRevenue(r *row, v lead.Values) {
	if f, ok := parseAmount(r[cRevenueThousands]); ok {
		setIf(v, lead.Revenue, wholeUSD(f*1000))
	}
	if f, ok := parseAmount(r[cRevenue]); ok && v[lead.Revenue] == "" {
		setIf(v, lead.Revenue, wholeUSD(f))
	} else if isRange(r[cRevenue]) {
		setIf(v, lead.RevenueRange, r[cRevenue])
	}
	if v[lead.RevenueRange] == "" {
		setIf(v, lead.RevenueRange, r[cRevenueRange])
	}
}

// streetOf takes the street from a one-line address ("100 Congress Ave, Austin, Texas 78701"):
// the part before the first comma, unless that part is just the city.
func streetOf(address, city string) string {
	first := address
	if i := strings.IndexAny(address, ",\n"); i >= 0 {
		first = address[:i]
	}
	first = clean(first)
	if strings.EqualFold(first, city) {
		return ""
	}
	return first
}

// mapSignals derives the free-text fields of the design doc's custom fields 102-104 and 111:
// services offered, growth signals, project pipelines and intent signals.
func mapSignals(r *row, v lead.Values) {
	setIf(v, lead.ServicesOffered, servicesOffered(r))
	setIf(v, lead.GrowthSignals, strings.Join(growthSignals(r), "; "))
	setIf(v, lead.ProjectPipelines, strings.Join(mspRelevant(splitList(r[cTechnologies])), "; "))
	setIf(v, lead.IntentSignals, strings.Join(intentSignals(r), "; "))
}

// servicesOffered is what the company does: its keywords (Apollo) or else its industry and
// sub-industry, then its description, joined with " | ".
func servicesOffered(r *row) string {
	var parts []string
	if kw := strings.Join(splitList(r[cKeywords]), ", "); kw != "" {
		parts = append(parts, kw)
	} else {
		parts = appendNonEmpty(parts, r[cIndustry])
		if !strings.EqualFold(r[cSubIndustry], r[cIndustry]) {
			parts = appendNonEmpty(parts, r[cSubIndustry])
		}
	}
	return strings.Join(appendNonEmpty(parts, r[cDescription]), " | ")
}

// growthSignals lists headcount growth and funding events.
func growthSignals(r *row) []string {
	var out []string
	if g := percent(r[cGrowth1Y]); g != "" {
		out = append(out, "1-year employee growth "+g)
	}
	if g := percent(r[cGrowth2Y]); g != "" {
		out = append(out, "2-year employee growth "+g)
	}
	if f := funding(r); f != "" {
		out = append(out, f)
	}
	if t := money(r[cTotalFunding], r[cTotalFundingThousands]); t != "" {
		out = append(out, "total funding "+t)
	}
	return out
}

// funding describes the latest round: "latest funding: Series A $12,000,000 (2024-05-01)".
func funding(r *row) string {
	what := strings.TrimSpace(r[cFundingRound] + " " + money(r[cFundingAmount], r[cFundingAmountThousands]))
	if what == "" {
		return ""
	}
	if r[cFundingDate] != "" {
		what += " (" + r[cFundingDate] + ")"
	}
	return "latest funding: " + what
}

// money formats an amount given in USD or, failing that, in thousands of USD. A cell that is not
// an amount is kept as written.
func money(usd, thousands string) string {
	if f, ok := parseAmount(usd); ok {
		return dollars(f)
	}
	if f, ok := parseAmount(thousands); ok {
		return dollars(f * 1000)
	}
	return orValue(usd, thousands)
}

// percent formats a growth rate cell ("12", "12%", "0.12" stay as numbers with a "%").
func percent(s string) string {
	if s == "" {
		return ""
	}
	if strings.HasSuffix(s, "%") {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s + "%"
	}
	return s
}

// intentSignals lists buying-intent topics and strength, a recent job change (ZoomInfo),
// engagement with past outreach (Apollo) and how fresh the email verification is (Hunter).
func intentSignals(r *row) []string {
	var out []string
	if t := strings.Join(splitList(r[cIntentTopics]), ", "); t != "" {
		out = append(out, "intent topics: "+t)
	}
	if r[cIntentScore] != "" {
		out = append(out, "intent strength: "+r[cIntentScore])
	}
	if r[cJobChangeType] != "" || r[cJobChangeDate] != "" {
		out = append(out, strings.TrimSpace("job change: "+r[cJobChangeType]+dated(r[cJobChangeDate])))
	}
	for _, e := range []struct {
		c    col
		text string
	}{{cEmailOpened, "opened an email"}, {cReplied, "replied to an email"}, {cDemoed, "took a demo"}} {
		if truthy(r[e.c]) {
			out = append(out, e.text)
		}
	}
	if r[cVerifiedAt] != "" {
		out = append(out, "email verified "+r[cVerifiedAt])
	}
	return out
}

// dated formats an optional date suffix: " (2026-01-05)".
func dated(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// appendNonEmpty appends s when it is not empty.
func appendNonEmpty(list []string, s string) []string {
	if s == "" {
		return list
	}
	return append(list, s)
}

// mspTechnologies are technologies an MSP builds projects on (migration, security, backup,
// networking, cloud, unified communications): the design doc's "filter tech stack for MSP
// relevance" for project pipelines.
var mspTechnologies = []string{
	"microsoft 365", "office 365", "exchange", "sharepoint", "microsoft teams", "azure",
	"active directory", "windows server", "amazon web services", "aws", "google workspace",
	"g suite", "google cloud", "vmware", "hyper-v", "citrix", "nutanix", "veeam", "datto",
	"acronis", "cisco", "meraki", "fortinet", "sonicwall", "palo alto", "sophos", "crowdstrike",
	"sentinelone", "okta", "mimecast", "proofpoint", "barracuda", "zscaler", "ubiquiti", "aruba",
	"juniper", "netapp", "ringcentral", "zoom", "8x8", "connectwise", "kaseya", "n-able",
}

// mspRelevant keeps the technologies that contain one of mspTechnologies as a whole word.
func mspRelevant(stack []string) []string {
	var out []string
	for _, t := range stack {
		lower := strings.ToLower(t)
		for _, m := range mspTechnologies {
			if containsWord(lower, m) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// containsWord reports whether word occurs in s with no letter or digit on either side.
func containsWord(s, word string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if !wordChar(s, start-1) && !wordChar(s, end) {
			return true
		}
		i = start + 1
	}
}

// wordChar reports whether s[i] exists and is a letter or digit.
func wordChar(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	r := rune(s[i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// mapCompliance sets the opt-out flags: a DNC column, Apollo's "Do Not Contact" stage (set on
// unsubscribe or by hand) and removal requests, ZoomInfo's OPT_OUT match status, an opt-out or
// claimed-email column, and an unsubscribed column.
func mapCompliance(r *row, v lead.Values) {
	if r[cDoNotCall] == "true" {
		v[lead.DoNotCall] = "true"
	}
	if r[cEmailOptOut] == "true" {
		v[lead.EmailOptOut] = "true"
	}
	stage := strings.ToLower(r[cStage])
	match := statusKey(r[cMatchStatus])
	if r[cDoNotContact] == "true" || strings.Contains(stage, "do not contact") ||
		strings.Contains(stage, "removal") || match == "opt_out" || match == "opted_out" {
		v[lead.DoNotContact] = "true"
	}
	if strings.Contains(stage, "unsubscribed") {
		v[lead.EmailOptOut] = "true"
	}
}
