package normalize

import "strings"

// CompanyKey returns the match key of a company name: folded, punctuation removed, "&" and "+"
// read as "and", a leading "the" dropped and legal-form suffixes stripped from the end
// repeatedly ("Acme, Inc.", "ACME Incorporated" and "The Acme Co. Ltd" all give "acme").
// A name that is nothing but legal forms keeps its words.
func CompanyKey(name string) string {
	key, _ := SplitCompany(name)
	return key
}

// SplitCompany returns CompanyKey(name) and the legal-form words it stripped, in order
// ("Acme Pty Ltd" gives "acme" and "pty ltd"). Different legal forms are evidence of
// different companies.
func SplitCompany(name string) (key, legal string) {
	w := words(andReplacer.Replace(name))
	if len(w) > 1 && w[0] == "the" {
		w = w[1:]
	}
	end := len(w)
	for end > 1 && (legalForms[w[end-1]] || (w[end-1] == "and" && end < len(w))) {
		end-- // "and" only between legal forms: "Müller GmbH & Co. KG" → "muller"
	}
	return strings.Join(w[:end], " "), strings.Join(w[end:], " ")
}

// andReplacer reads "&" and "+" as "and".
var andReplacer = strings.NewReplacer("&", " and ", "+", " and ")

// legalForms are company legal-form words (after folding and removing dots, so "S.A." is "sa").
var legalForms = setOf(
	"inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "corp", "corporation", "co",
	"company", "plc", "pty", "pte", "gmbh", "ag", "kg", "kgaa", "ug", "ev", "sa", "sas", "sarl",
	"sl", "slu", "srl", "spa", "bv", "nv", "vof", "ab", "oy", "oyj", "as", "asa", "aps", "sro",
	"kft", "zrt", "sp", "zoo", "doo", "ad", "oao", "ooo", "zao", "pvt", "bhd", "sdn", "kk",
	"lda", "ltda", "sca", "scs", "cv", "se", "pc", "pllc", "lc", "ltee", "cie", "et",
)
