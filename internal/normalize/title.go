package normalize

import (
	"sort"
	"strings"
)

// TitleKey returns the match key of a job title: folded, abbreviations expanded ("VP" → "vice
// president", "Sr." → "senior", "CTO" → "chief technology officer"), filler words ("of", "the",
// "and", …) dropped and the words sorted, so "VP Sales", "Vice President, Sales" and "Vice
// President of Sales" all give "president sales vice".
func TitleKey(title string) string {
	var out []string
	for _, w := range words(strings.ReplaceAll(title, "&", " and ")) {
		if exp, ok := titleAbbrev[w]; ok {
			out = append(out, strings.Fields(exp)...)
			continue
		}
		if !titleFiller[w] {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

var titleAbbrev = map[string]string{
	"vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
	"avp": "assistant vice president", "sr": "senior", "snr": "senior", "jr": "junior",
	"mgr": "manager", "mngr": "manager", "dir": "director", "exec": "executive",
	"eng": "engineer", "engr": "engineer", "asst": "assistant", "assoc": "associate",
	"admin": "administrator", "coord": "coordinator", "ops": "operations", "mktg": "marketing",
	"dept": "department", "gm": "general manager", "md": "managing director",
	"ceo": "chief executive officer", "cfo": "chief financial officer",
	"coo": "chief operating officer", "cto": "chief technology officer",
	"cio": "chief information officer", "ciso": "chief information security officer",
	"cmo": "chief marketing officer", "cro": "chief revenue officer", "cso": "chief security officer",
	"chro": "chief human resources officer", "hr": "human resources",
}

var titleFiller = setOf("of", "the", "and", "for", "in", "at", "a", "an", "to")
