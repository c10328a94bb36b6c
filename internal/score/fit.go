package score

import (
	"math"
	"strconv"
	"strings"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

// FitWeights are the points each fit input contributes at full credit. Fit scales their sum to
// 100, so they are relative weights.
type FitWeights struct {
	Industry   int
	Size       int
	Seniority  int
	Department int
	Technology int
	Intent     int
}

// FitConfig describes the MSP's ideal customer. The design doc names the inputs (industry
// lists, company size bands, management level and department, technology stack, intent signals)
// and the bands that use the result (hot > 80, warm 60-80, cold < 60; qualification needs ≥ 70)
// but no formula; DefaultFitConfig documents the one haloleads uses.
type FitConfig struct {
	Weights FitWeights
	// Industries are target industries, matched case-insensitively as substrings of the lead's
	// industry ("health" matches "Hospital & Health Care").
	Industries []string
	// MinEmployees and MaxEmployees bound the ideal headcount; within a factor of two outside
	// the band scores half.
	MinEmployees, MaxEmployees int
	// Departments are target departments, matched like Industries.
	Departments []string
	// Technologies are technologies that signal a need for the MSP's services, matched like
	// Industries against each item of the technology stack. One match scores 60%, two or more
	// full.
	Technologies []string
	// IntentTopics are buying-intent topics. Intent signals that mention one score full; other
	// intent signals score half. With no topics, any intent signal scores full.
	IntentTopics []string
}

// DefaultFitConfig returns the defaults: weights industry 20, size 20, seniority 20, department
// 10, technology 15, intent 15; the design doc's target industry lists (healthcare, legal,
// financial, manufacturing, retail); 10-500 employees (the doc's small business and
// mid-market lists); IT, operations, finance and executive departments; Microsoft 365, Azure,
// Google Workspace, on-premises servers and common security tools; managed IT, cloud
// migration, cybersecurity and backup intent topics.
func DefaultFitConfig() FitConfig {
	return FitConfig{
		Weights:      FitWeights{Industry: 20, Size: 20, Seniority: 20, Department: 10, Technology: 15, Intent: 15},
		Industries:   []string{"health", "medical", "hospital", "legal", "law", "financ", "bank", "insurance", "accounting", "manufactur", "retail", "e-commerce", "ecommerce"},
		MinEmployees: 10,
		MaxEmployees: 500,
		Departments:  []string{"information technology", "it", "operations", "finance", "executive", "c-suite", "management"},
		Technologies: []string{"microsoft 365", "office 365", "azure", "google workspace", "windows server", "active directory", "exchange", "sharepoint", "vmware", "fortinet", "sonicwall", "sophos", "veeam"},
		IntentTopics: []string{"managed it", "managed services", "msp", "cloud migration", "cybersecurity", "security", "backup", "disaster recovery", "help desk", "it support", "microsoft 365"},
	}
}

// Fit returns the fit score of v under cfg (0-100): each input gets a credit between 0 and 1,
// weighted by cfg.Weights and scaled so that full credit everywhere is 100. Unknown inputs get
// no credit. Seniority comes from the management level, else from the job title: owner,
// founder, partner, president and C-level 1; VP and head 0.9; director 0.8; manager 0.5;
// senior 0.25; other titles 0.1.
func Fit(v lead.Values, cfg FitConfig) int {
	w := cfg.Weights
	total := w.Industry + w.Size + w.Seniority + w.Department + w.Technology + w.Intent
	if total <= 0 {
		return 0
	}
	sum := float64(w.Industry)*matchCredit(v[lead.Industry], cfg.Industries) +
		float64(w.Size)*sizeCredit(v, cfg) +
		float64(w.Seniority)*seniorityCredit(v) +
		float64(w.Department)*matchCredit(v[lead.Department], cfg.Departments) +
		float64(w.Technology)*techCredit(v[lead.TechnologyStack], cfg.Technologies) +
		float64(w.Intent)*intentCredit(v[lead.IntentSignals], cfg.IntentTopics)
	return int(math.Round(100 * sum / float64(total)))
}

// matchCredit is 1 when value contains one of targets as a whole word or phrase.
func matchCredit(value string, targets []string) float64 {
	if containsAny(value, targets) {
		return 1
	}
	return 0
}

// containsAny reports whether any target occurs in value at word boundaries, ignoring case and
// accents ("it" matches "IT Services", not "Digital"). Targets ending in a letter match
// prefixes of words too when they are at least five letters long ("financ" → "Financial").
func containsAny(value string, targets []string) bool {
	text := " " + strings.Join(strings.Fields(punct(normalize.Fold(value))), " ") + " "
	if text == "  " {
		return false
	}
	for _, t := range targets {
		t = strings.Join(strings.Fields(punct(normalize.Fold(t))), " ")
		if t == "" {
			continue
		}
		if strings.Contains(text, " "+t+" ") || (len(t) >= 5 && strings.Contains(text, " "+t)) {
			return true
		}
	}
	return false
}

// punct turns punctuation other than "-" and "+" into spaces.
func punct(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '+' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 0x7f {
			return r
		}
		return ' '
	}, s)
}

func sizeCredit(v lead.Values, cfg FitConfig) float64 {
	n, ok := Headcount(v)
	if !ok {
		return 0
	}
	lo, hi := float64(cfg.MinEmployees), float64(cfg.MaxEmployees)
	switch {
	case n >= lo && (hi <= 0 || n <= hi):
		return 1
	case n >= lo/2 && (hi <= 0 || n <= hi*2):
		return 0.5
	}
	return 0
}

// Headcount returns the employee count of v: the Employees field, else the midpoint of
// EmployeeRange ("51-200" → 125.5, "10,001+" → 10001).
func Headcount(v lead.Values) (float64, bool) {
	if n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(v[lead.Employees]), ",", "")); err == nil && n > 0 {
		return float64(n), true
	}
	return ParseRange(v[lead.EmployeeRange])
}

// ParseRange reads a provider's size band: "51-200", "51 to 200", "1,001 - 5,000", "10001+",
// "10K+", "1-10 employees". It returns the midpoint, or the lower bound of an open band.
func ParseRange(s string) (float64, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, ",", ""))
	nums := numbers(s)
	switch {
	case len(nums) >= 2 && nums[1] >= nums[0] && nums[0] >= 0:
		return (nums[0] + nums[1]) / 2, true
	case len(nums) >= 1 && nums[0] > 0:
		return nums[0], true
	}
	return 0, false
}

// numbers returns the numbers in s, honouring "k" and "m" suffixes ("10k" is 10000).
func numbers(s string) []float64 {
	var out []float64
	for i := 0; i < len(s) && len(out) < 2; {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		f, err := strconv.ParseFloat(s[i:j], 64)
		if err == nil && j < len(s) {
			switch s[j] {
			case 'k':
				f *= 1e3
			case 'm':
				f *= 1e6
			}
		}
		if err == nil {
			out = append(out, f)
		}
		i = j
	}
	return out
}

// seniorityLevels map management-level or title words to credit, most senior first.
var seniorityLevels = []struct {
	words  []string
	credit float64
}{
	{[]string{"owner", "founder", "co-founder", "partner", "president", "c-suite", "c suite", "c-level", "chief", "ceo", "cfo", "coo", "cto", "cio", "ciso", "principal", "managing director"}, 1},
	{[]string{"vice president", "vp", "svp", "evp", "head"}, 0.9},
	{[]string{"director"}, 0.8},
	{[]string{"manager", "mgr", "lead"}, 0.5},
	{[]string{"senior", "sr"}, 0.25},
}

// levelCodes are one-letter management-level codes (Lusha, UpLead) and junior levels.
var levelCodes = map[string]float64{
	"c": 1, "vp": 0.9, "d": 0.8, "m": 0.5, "non-manager": 0.1, "non manager": 0.1,
	"entry": 0.1, "intern": 0, "training": 0, "individual contributor": 0.1, "staff": 0.1,
}

func seniorityCredit(v lead.Values) float64 {
	if c, ok := levelCodes[strings.ToLower(strings.TrimSpace(v[lead.ManagementLevel]))]; ok {
		return c
	}
	for _, f := range []lead.Field{lead.ManagementLevel, lead.JobTitle} {
		if strings.TrimSpace(v[f]) == "" {
			continue
		}
		for _, lvl := range seniorityLevels {
			if containsAny(v[f], lvl.words) {
				return lvl.credit
			}
		}
		if f == lead.JobTitle {
			return 0.1
		}
	}
	return 0
}

func techCredit(stack string, targets []string) float64 {
	hits := 0
	for _, item := range strings.Split(stack, ";") {
		if containsAny(item, targets) {
			hits++
		}
	}
	switch {
	case hits >= 2:
		return 1
	case hits == 1:
		return 0.6
	}
	return 0
}

func intentCredit(signals string, topics []string) float64 {
	switch {
	case strings.TrimSpace(signals) == "":
		return 0
	case len(topics) == 0 || containsAny(signals, topics):
		return 1
	}
	return 0.5
}
