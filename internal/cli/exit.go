package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"haloleads/internal/leadflow"

	"haloleads/internal/safetext"
)

// ExitCode is the status a command ends the process with.
type ExitCode int

// The exit codes of the starter and the worker (documented in `starter --help` and the README).
const (
	// ExitOK: the command did what was asked.
	ExitOK ExitCode = 0
	// ExitFailure: the command failed (configuration, connection, a refused update, ...).
	ExitFailure ExitCode = 1
	// ExitUsage: the command line was wrong (unknown command or flag, missing argument).
	ExitUsage ExitCode = 2
	// ExitIncomplete: an import (or pull) finished, but some files could not be read, some rows
	// were rejected or some batches failed; the summary lists them.
	ExitIncomplete ExitCode = 3
)

// exitCodesHelp documents the exit codes in the commands' help.
const exitCodesHelp = `Exit codes:
  0  done
  1  failed (configuration, connection, a refused change, ...)
  2  usage: unknown command or flag, missing or extra argument
  3  an import finished with unreadable files, rejected rows or failed batches (listed in its summary)`

// ExitError ends a command with Code. Err, when set, is printed as the command's error; Hint, when
// set, follows it on a line of its own.
type ExitError struct {
	Code ExitCode
	Err  error
	Hint string
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError is a command line that is wrong: it exits with ExitUsage and points at the help.
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// withHint adds a hint to err (nil stays nil).
func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Hint == "" {
			ee.Hint = hint
		}
		return err
	}
	return &ExitError{Code: ExitFailure, Err: err, Hint: hint}
}

// importOutcome is the error an import's summary ends the command with: nil when every row
// landed or was accounted for, ExitIncomplete when rows were rejected or batches failed.
func importOutcome(sum leadflow.Summary) error {
	if sum.RejectedCount == 0 && len(sum.Errors) == 0 {
		return nil
	}
	what := "the import finished with"
	if sum.DryRun {
		what = "the dry run found"
	}
	return &ExitError{Code: ExitIncomplete,
		Err: fmt.Errorf("%s %d rejected rows and %d errors (records HaloPSA refused, failed batches, unreadable files)",
			what, sum.RejectedCount, len(sum.Errors)),
		Hint: "the summary above lists each one; fix the rows or the cause and import the files again (landed leads are not written twice)"}
}

// printError prints err once, as one line, with its hint on the next, and returns the exit code.
func printError(w io.Writer, prog string, err error) int {
	if err == nil {
		return int(ExitOK)
	}
	code, hint := ExitFailure, ""
	var ee *ExitError
	if errors.As(err, &ee) {
		code, hint = ee.Code, ee.Hint
	}
	if ee != nil && ee.Err == nil {
		return int(code)
	}
	if hint == "" {
		hint = hintFor(err)
	}
	fmt.Fprintf(w, "%s: %s\n", prog, safetext.Terminal(sentence(plainMessage(err))))
	if hint != "" {
		fmt.Fprintf(w, "Hint: %s\n", hint)
	}
	return int(code)
}

// sentence makes msg one line.
func sentence(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == "" {
		return "failed"
	}
	return msg
}

// hintFor suggests what to do about errors that carry no hint of their own.
func hintFor(err error) string {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "check the id: `starter lead list` lists the leads, and a lead can also be named by its e-mail or HaloPSA ticket id"
	}
	var un *serviceerror.Unavailable
	if errors.As(err, &un) {
		return "is Temporal running? Set TEMPORAL_ADDRESS, or start `go run ./worker --dev` or `go run ./starter demo`"
	}
	return ""
}

// plainMessage is err's message without the Temporal SDK's wrapping: an application error reads
// as its own message (not "(type: RuleError, retryable: true)"), a workflow's failure as its cause.
func plainMessage(err error) string {
	full := err.Error()
	t := temporalError(err)
	if t == nil {
		return full
	}
	prefix := strings.TrimSuffix(full, t.Error())
	if prefix == full {
		prefix = ""
	}
	return prefix + temporalText(t)
}

// temporalError is the outermost error in err's chain that the Temporal SDK made.
func temporalError(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch e.(type) {
		case *temporal.ApplicationError, *temporal.WorkflowExecutionError, *temporal.ActivityError,
			*temporal.TimeoutError, *temporal.CanceledError, *temporal.PanicError, *temporal.ChildWorkflowExecutionError:
			return e
		}
	}
	return nil
}

// temporalText is what a Temporal SDK error means, in words.
func temporalText(err error) string {
	switch e := err.(type) {
	case *temporal.ApplicationError:
		msg := e.Message()
		if c := e.Unwrap(); c != nil && temporalError(c) != nil {
			msg += ": " + plainMessage(c)
		}
		return msg
	case *temporal.TimeoutError:
		return "timed out (" + strings.ToLower(strings.TrimPrefix(e.TimeoutType().String(), "TIMEOUT_TYPE_")) + ")"
	case *temporal.CanceledError:
		return "canceled"
	case *temporal.PanicError:
		return "the workflow panicked: " + e.Error()
	}
	if c := errors.Unwrap(err); c != nil {
		return plainMessage(c)
	}
	return err.Error()
}
