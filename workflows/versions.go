package workflows

import (
	"go.temporal.io/sdk/workflow"

	"haloleads/internal/leadflow"
)

// changeLeadBaseline (workflow.GetVersion): one marker, recorded when a lead run starts, stands
// for every change of the lead workflow made before it (inBaseline). Each GetVersion marker
// costs two history events (the marker and the SDK's TemporalChangeVersion search-attribute
// upsert, a visibility write on the server): a new lead recorded five of them on its import
// alone, ten of its 22 events. Runs started before this change replay with each change's own
// marker, as recorded.
const changeLeadBaseline = "lead-baseline-1"

// baselineOf reports whether the run has changeLeadBaseline: from its input when the starter
// chose it there (LeadInput.Baseline, an input no run before it was given: those replay
// through the marker, as recorded), from the marker otherwise. A baseline chosen by the input
// records no marker, and so none of the SDK's TemporalChangeVersion upserts: one history event
// and one visibility write (about 14 % of a landed lead start's CPU, BENCHMARKS.md) less per
// new lead. A later baseline is a new Baseline value listing its own changes, chosen by
// starters the same way; a change outside any baseline gets its own GetVersion.
func (r *leadRun) baselineOf(ctx workflow.Context, in leadflow.LeadInput) bool {
	if in.Baseline >= leadflow.LeadBaseline {
		return true
	}
	return workflow.GetVersion(ctx, changeLeadBaseline, workflow.DefaultVersion, 1) >= 1
}

// inBaseline reports whether change is one of those changeLeadBaseline stands for. The list is
// closed: a later change of the lead workflow gets its own GetVersion (or a new baseline that
// lists it), never a place here, so that runs recorded under this baseline replay the same.
func inBaseline(change string) bool {
	switch change {
	case changeOrderedLanding, changeAdoptHalo, changeStageTimes, changeQuietEnd,
		changePersonFit, changeOfferAwaitsLanding, changeRegroup, changeAutoConvertOnCall,
		changeAutoConvertOnHalo, changeMergedNotes, changeOneDoNotContact:
		return true
	}
	return false
}

// version reports whether change (a GetVersion change id with versions DefaultVersion and 1)
// is on in this run: from the baseline when the run has it, from the change's own marker
// otherwise.
func (r *leadRun) version(ctx workflow.Context, change string) bool {
	if r.baseline && inBaseline(change) {
		return true
	}
	return workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) >= 1
}
