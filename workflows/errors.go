package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// changePlainErrors (workflow.GetVersion): a batch that failed for good is reported in the
// summary as one plain sentence (the activity's own message), not with the SDK's wrapping
// ("activity error (type: LandBatch, scheduledEventID: ...)").
const changePlainErrors = "plain-batch-errors"

// batchError is the summary's sentence for batch b, which failed with err.
func batchError(ctx workflow.Context, b int, err error) string {
	if workflow.GetVersion(ctx, changePlainErrors, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return err.Error()
	}
	return fmt.Sprintf("batch %d was not landed: %s", b+1, plainError(err))
}

// plainError is err's meaning without the SDK's wrapping: an application error's message, or
// what timed out.
func plainError(err error) string {
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		kind := strings.ToLower(strings.TrimPrefix(te.TimeoutType().String(), "TIMEOUT_TYPE_"))
		return fmt.Sprintf("it timed out (%s); its leads stay staged for the next import", strings.ReplaceAll(kind, "_", " "))
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Message() != "" {
		return ae.Message()
	}
	return err.Error()
}
