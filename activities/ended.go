package activities

import (
	"context"
	"encoding/json"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"haloleads/internal/leadflow"
	"haloleads/internal/store"
)

// Ended keeps the state of lead workflows that end after their quiet period, and starts them
// again from it.
type Ended struct {
	Store *store.Store
}

// KeepEnded stores the input a lead's workflow starts again from (its state and settings).
func (e *Ended) KeepEnded(ctx context.Context, in leadflow.LeadInput) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encoding the state of lead %s: %w", in.LeadID, err)
	}
	return e.Store.SaveEndedLead(ctx, in.LeadID, b)
}

// EndedInputs returns, for those of the leads whose workflow ended, the input that starts it
// again from its kept state.
func EndedInputs(ctx context.Context, st *store.Store, leadIDs []string) (map[string]leadflow.LeadInput, error) {
	kept, err := st.EndedLeads(ctx, leadIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]leadflow.LeadInput, len(kept))
	for id, b := range kept {
		var in leadflow.LeadInput
		if err := json.Unmarshal(b, &in); err != nil {
			return nil, fmt.Errorf("decoding the kept state of lead %s: %w", id, err)
		}
		out[id] = in
	}
	return out, nil
}

// StartLead returns the options and input that start (or reach) a lead's workflow: the kept
// state of an ended lead when there is one, else a new lead with settings. A running workflow
// is used as it is (the input is then ignored).
func StartLead(ctx context.Context, st *store.Store, leadID string, settings leadflow.Settings) (client.StartWorkflowOptions, leadflow.LeadInput, error) {
	opts := client.StartWorkflowOptions{
		ID:                       leadflow.LeadWorkflowID(leadID),
		TaskQueue:                leadflow.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	in := leadflow.LeadInput{LeadID: leadID, Settings: settings}
	if st == nil {
		return opts, in, nil
	}
	kept, err := EndedInputs(ctx, st, []string{leadID})
	if err != nil {
		return opts, in, err
	}
	if k, ok := kept[leadID]; ok {
		in = k
	}
	return opts, in, nil
}
