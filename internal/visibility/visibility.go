// Package visibility names the custom search attributes haloleads registers on its Temporal
// namespace, so operators can filter leads in the Temporal Web UI (for example
// `LeadStage = "prospect" AND FitScore > 80`).
package visibility

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"haloleads/internal/leadflow"
)

// The search attribute keys. Workflows upsert them; the dev server and the docker-compose setup
// job register them.
var (
	LeadStage    = temporal.NewSearchAttributeKeyKeyword("LeadStage")
	LeadStatus   = temporal.NewSearchAttributeKeyKeyword("LeadStatus")
	LeadSource   = temporal.NewSearchAttributeKeyKeyword("LeadSource")
	LeadCompany  = temporal.NewSearchAttributeKeyKeyword("LeadCompany")
	FitScore     = temporal.NewSearchAttributeKeyInt64("FitScore")
	DoNotContact = temporal.NewSearchAttributeKeyBool("DoNotContact")
)

// Definitions returns every custom search attribute with its indexed type, as the server's
// namespace registration wants them.
func Definitions() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		LeadStage.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		LeadStatus.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		LeadSource.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		LeadCompany.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		FitScore.GetName():     enumspb.INDEXED_VALUE_TYPE_INT,
		DoNotContact.GetName(): enumspb.INDEXED_VALUE_TYPE_BOOL,
	}
}

// Updates are the search-attribute updates that publish a lead's listing.
func Updates(l leadflow.Listing) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		LeadStage.ValueSet(string(l.Stage)),
		LeadStatus.ValueSet(string(l.Status)),
		LeadSource.ValueSet(l.Source),
		LeadCompany.ValueSet(l.Company),
		FitScore.ValueSet(int64(l.Fit)),
		DoNotContact.ValueSet(l.DoNotContact),
	}
}

// Attributes are a lead's listing as the search attributes of a workflow start.
func Attributes(l leadflow.Listing) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(Updates(l)...)
}
