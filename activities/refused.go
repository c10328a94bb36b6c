package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"haloleads/internal/halopsa"
	"haloleads/internal/leadflow"
)

// Records HaloPSA refuses.
//
// The client saves every record of a batch HaloPSA does not refuse and names the refused ones
// (halopsa.RefusedError). A lead whose client, site, user or ticket was refused is left out of
// the batch's later steps, is not told it landed, and is reported with HaloPSA's message: the
// import ends with an error for it, and importing the file again (after fixing the data) offers
// it again. A refused audit note is reported, but its lead has landed.

// refuse records the leads of the records err refuses. leadsOf gives the plan indices a saved
// record (by its position in the save) stands for. It returns nil when err is nil or a refusal,
// and err otherwise.
func (w *writer) refuse(err error, what string, leadsOf func(j int) []int) error {
	var re *halopsa.RefusedError
	if !errors.As(err, &re) {
		return err
	}
	if w.refused == nil {
		w.refused = map[int]string{}
	}
	for _, r := range re.Refused {
		for _, i := range leadsOf(r.Index) {
			if w.refused[i] == "" {
				w.refused[i] = fmt.Sprintf("HaloPSA refused the %s of lead %s: %s", what, w.plans[i].LeadID, r.Err.Message)
			}
		}
	}
	return nil
}

// isRefused reports whether HaloPSA refused a record of lead i in this batch.
func (w *writer) isRefused(i int) bool { return w.refused[i] != "" }

// reportRefused takes the refused leads out of the batch's counts and lists each in its errors.
func (w *writer) reportRefused(res *LandResult) {
	for i, p := range w.plans {
		if !w.isRefused(i) {
			continue
		}
		switch p.Action {
		case leadflow.ActionCreate:
			res.Created--
		case leadflow.ActionUpdate:
			res.Updated--
		}
		res.Errors = append(res.Errors, w.refused[i]+"; the lead was not landed: fix its data and import the file again")
	}
	res.Errors = append(res.Errors, w.noteProblems...)
}

// one is leadsOf for saves made of one record per lead, idx giving each record's lead.
func one(idx []int) func(int) []int { return func(j int) []int { return idx[j : j+1] } }

// setupChanged turns HaloPSA saying that a custom field, ticket type or status is missing into
// a retryable error, after dropping the tenant set-up the worker had read: the retry reads it
// again (setting up what is missing) instead of failing every batch until a restart. Other
// errors are returned unchanged.
func (a *Importer) setupChanged(err error) error {
	if err == nil || !halopsa.IsSetupMissing(err) {
		return err
	}
	a.Tenant.Forget()
	var ae *halopsa.APIError
	errors.As(err, &ae)
	return temporal.NewApplicationErrorWithCause(
		fmt.Sprintf("the HaloPSA set-up changed (%s); it is read again on the next attempt", ae.Message), "SetupChanged", err)
}
