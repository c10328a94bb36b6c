package sources

import (
	"fmt"
	"strings"

	"haloleads/internal/lead"
)

// marker is a header spelling that points at one provider, with how strongly it does.
type marker struct {
	name   string
	weight int
}

// Weights: a column named after the vendor settles it; a column only that vendor's export
// layout uses counts a lot; a column several layouts share counts a little.
const (
	vendorNamed = 10
	distinctive = 4
	typical     = 1
	// minScore is the least evidence Detect accepts.
	minScore = 4
)

// markers are the columns that identify each provider's export (b2b-sources.md §1.3, §2.3, §3.3,
// §4.3, §5.3). Hunter's and UpLead's export headers are unconfirmed there, so their markers are
// the API field names their exports are built from.
var markers = map[lead.Source][]marker{
	lead.Apollo: {
		{"Apollo Contact Id", vendorNamed}, {"Apollo Account Id", vendorNamed}, {"Apollo Record Id", vendorNamed},
		{"Primary Email Catch-all Status", distinctive}, {"Company Name for Emails", distinctive},
		{"Primary Email Source", distinctive}, {"Work Direct Phone", distinctive},
		{"Corporate Phone", distinctive}, {"Person Linkedin Url", distinctive}, {"Email Confidence", typical},
		{"Seniority", typical}, {"Departments", typical}, {"# Employees", typical}, {"Contact Owner", typical},
		{"First Phone", typical}, {"Email Source", typical},
	},
	lead.ZoomInfo: {
		{"ZoomInfo Contact ID", vendorNamed}, {"ZoomInfo Company ID", vendorNamed},
		{"ZoomInfo Contact Profile URL", vendorNamed}, {"ZoomInfo Company Profile URL", vendorNamed},
		{"Revenue (in 000s USD)", distinctive}, {"Contact Accuracy Score", distinctive},
		{"Job Title Hierarchy Level", distinctive}, {"LinkedIn Contact Profile URL", distinctive},
		{"Company HQ Phone", distinctive}, {"Direct Phone Number", typical}, {"Person City", typical},
		{"Employee Range", typical},
	},
	lead.Hunter: {
		{"Confidence Score", distinctive}, {"Number of Sources", distinctive}, {"Domain Name", typical},
		{"Pattern", typical}, {"Twitter Handle", typical}, {"Verification Status", typical},
		{"Verification Date", typical}, {"Organization", typical},
		// Domain-search and leads API names (§3.2): a sources list and the last time seen.
		{"Last Seen On", distinctive}, {"Still On Page", distinctive}, {"Extracted On", distinctive},
		{"Sources", typical}, {"Webmail", typical}, {"Accept All", typical}, {"Disposable", typical},
	},
	lead.UpLead: {
		{"UpLead ID", vendorNamed}, {"Mobile Direct Dial", distinctive}, {"Mobile DirectDial", distinctive},
		{"Job Sub Function", distinctive}, {"SIC Description", typical}, {"NAICS Description", typical},
		{"Year Founded", typical}, {"Company Zip", typical},
		// Company API names (§4.2) that no other layout uses together.
		{"SIC Code", typical}, {"NAICS Code", typical}, {"Fax Number", typical}, {"County", typical},
		{"Ticker", typical}, {"Exchange", typical},
	},
	lead.Lusha: {
		{"Lusha ID", vendorNamed}, {"Additional Email 1", distinctive}, {"Phone 1 Type", distinctive},
		{"Company Main Industry", distinctive}, {"Contact LI", distinctive}, {"Work Email 2", distinctive},
		{"Private Email", distinctive}, {"Direct Email", typical}, {"Company Sub Industry", typical},
		{"Work Email", typical},
	},
}

// legacyUpLead is the 2019-era UpLead export layout (b2b-sources.md §4.3): CamelCase names with
// no spaces, which no other provider writes.
var legacyUpLead = []string{"FirstName", "LastName", "Email", "CompanyName"}

// UnknownProviderError reports an export whose header matches no provider's layout.
type UnknownProviderError struct {
	File      string   // the export's name, when known
	Header    []string // the header cells as read
	Ambiguous []lead.Source
}

// Error names the file and shows the start of the header, so a user can see what was read.
func (e *UnknownProviderError) Error() string {
	what := "the export"
	if e.File != "" {
		what = fmt.Sprintf("%q", e.File)
	}
	if len(e.Ambiguous) > 0 {
		return fmt.Sprintf("cannot tell which provider exported %s: its header fits %s equally well",
			what, joinSources(e.Ambiguous))
	}
	head := e.Header
	if len(head) > 4 {
		head = head[:4]
	}
	return fmt.Sprintf("cannot tell which provider exported %s: its header (%q...) has none of the "+
		"columns Apollo, ZoomInfo, Hunter, UpLead or Lusha exports use; export the file again "+
		"from the provider without renaming columns, or, for a list from elsewhere, give it an "+
		"Email column and a First Name/Last Name (or Name) column", what, head)
}

// Detect recognises the provider that wrote an export from its header row, never from the file
// name. A header no provider fits but that holds the usual columns of a contact list (an e-mail
// column and a name column, see isGenericList) is a generic list, lead.CSV. It returns an
// *UnknownProviderError when nothing fits, or more than one provider fits equally well.
func Detect(header []string) (lead.Source, error) {
	if isLegacyUpLead(header) {
		return lead.UpLead, nil
	}
	keys := make(map[string]bool, len(header))
	for _, h := range header {
		keys[headerKey(h)] = true
	}
	var best lead.Source
	var bestScore int
	var tied []lead.Source
	for _, src := range lead.Providers {
		s := score(markers[src], keys)
		switch {
		case s > bestScore:
			best, bestScore, tied = src, s, []lead.Source{src}
		case s == bestScore && s > 0:
			tied = append(tied, src)
		}
	}
	switch {
	case bestScore < minScore && isGenericList(header):
		return lead.CSV, nil
	case bestScore < minScore:
		return "", &UnknownProviderError{Header: trimmed(header)}
	case len(tied) > 1:
		return "", &UnknownProviderError{Header: trimmed(header), Ambiguous: tied}
	}
	return best, nil
}

// score adds the weights of the markers present in keys.
func score(ms []marker, keys map[string]bool) int {
	total := 0
	for _, m := range ms {
		if keys[headerKey(m.name)] {
			total += m.weight
		}
	}
	return total
}

// isLegacyUpLead reports whether header is the CamelCase UpLead layout, compared exactly.
func isLegacyUpLead(header []string) bool {
	have := make(map[string]bool, len(header))
	for _, h := range header {
		have[strings.TrimSpace(strings.TrimPrefix(h, bom))] = true
	}
	for _, n := range legacyUpLead {
		if !have[n] {
			return false
		}
	}
	return true
}

// trimmed returns a copy of header with each cell trimmed (the caller may reuse header).
func trimmed(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = strings.TrimSpace(strings.TrimPrefix(h, bom))
	}
	return out
}

// joinSources lists sources by display name: "Apollo.io and ZoomInfo".
func joinSources(ss []lead.Source) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.DisplayName()
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// isGenericList reports whether header has what a contact list needs to be read without a
// provider's layout: an e-mail column and a person's name (first, last or full name), by the
// usual spellings (commonAliases).
func isGenericList(header []string) bool {
	b := bind(lead.CSV, header)
	var email, name bool
	for _, c := range b.cols {
		switch c {
		case cEmail:
			email = true
		case cFirstName, cLastName, cFullName:
			name = true
		}
	}
	return email && name
}
