package dryrun

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"haloleads/internal/leadflow"
)

// Report is what a whole dry run would do, gathered from its batches.
type Report struct {
	Creates []Change `json:"creates"`
	Updates []Change `json:"updates"`
	// Unchanged are the leads the import would not write; those with Kept fields say which
	// values a person's change keeps.
	Unchanged []Change `json:"unchanged"`
	// DoNotContact counts the leads that would land (or stay) as Do Not Contact.
	DoNotContact int `json:"do_not_contact"`
	// Cost is what the writes would cost; Windows the rate-limit windows all the import's
	// requests (the reads of planning included) take at the tenant's budget.
	Cost    Cost          `json:"cost"`
	Planned int64         `json:"planned_requests"`
	Windows int           `json:"windows"`
	Limit   int           `json:"rate_limit"`
	Window  time.Duration `json:"rate_window"`
}

// Budget is the tenant's rate limit: Limit requests per rolling Window.
type Budget struct {
	Limit  int
	Window time.Duration
}

// Gather builds the report of batches (any order), with planned the requests already made
// while planning (the import summary's halo_requests).
func Gather(batches []Batch, planned int64, b Budget) Report {
	slices.SortFunc(batches, func(x, y Batch) int { return cmp.Compare(x.Batch, y.Batch) })
	r := Report{Creates: []Change{}, Updates: []Change{}, Unchanged: []Change{}, Limit: b.Limit, Window: b.Window, Planned: planned}
	for _, bt := range batches {
		r.Cost = r.Cost.Add(bt.Cost)
		for _, c := range bt.Changes {
			if c.DoNotContact {
				r.DoNotContact++
			}
			switch c.Action {
			case leadflow.ActionCreate:
				r.Creates = append(r.Creates, c)
			case leadflow.ActionUpdate:
				r.Updates = append(r.Updates, c)
			default:
				r.Unchanged = append(r.Unchanged, c)
			}
		}
	}
	r.Windows = Windows(int(planned)+r.Cost.Requests(), b.Limit)
	return r
}

// Windows is the number of rate-limit windows n requests take at limit requests per window.
func Windows(n, limit int) int {
	if n <= 0 || limit <= 0 {
		return 0
	}
	return (n + limit - 1) / limit
}

// MaxListed bounds the leads WriteText lists of each kind (the JSON lists them all).
const MaxListed = 100

// WriteText prints the report for a person: each new lead, each update field by field
// (old → new), the fields kept, and the cost.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Would create %d leads:\n", len(r.Creates))
	for _, c := range r.Creates[:min(len(r.Creates), MaxListed)] {
		fmt.Fprintf(w, "  + %s  %s (%s, %d fields)%s\n", c.LeadID, c.Name, c.Status.DisplayName(), len(c.Fields), notes(c))
	}
	more(w, len(r.Creates))
	fmt.Fprintf(w, "Would update %d leads:\n", len(r.Updates))
	for _, c := range r.Updates[:min(len(r.Updates), MaxListed)] {
		fmt.Fprintf(w, "  ~ %s  %s%s\n", c.LeadID, c.Name, notes(c))
		if c.Status != c.From {
			fmt.Fprintf(w, "      status: %s → %s\n", c.From.DisplayName(), c.Status.DisplayName())
		}
		for _, f := range c.Fields {
			fmt.Fprintf(w, "      %s: %s → %s\n", f.Field, quote(f.Old), quote(f.New))
		}
		writeKept(w, c.Kept)
	}
	more(w, len(r.Updates))
	var kept []Change
	for _, c := range r.Unchanged {
		if len(c.Kept) > 0 {
			kept = append(kept, c)
		}
	}
	fmt.Fprintf(w, "Unchanged %d leads (%d keep values a person changed):\n", len(r.Unchanged), len(kept))
	for _, c := range kept[:min(len(kept), MaxListed)] {
		fmt.Fprintf(w, "  = %s  %s\n", c.LeadID, c.Name)
		writeKept(w, c.Kept)
	}
	more(w, len(kept))
	fmt.Fprintf(w, "Would cost %d HaloPSA writes and at least %d reads to land", r.Cost.Writes, r.Cost.Reads)
	if r.Limit > 0 {
		fmt.Fprintf(w, ": with planning's %d requests, %d rate-limit window(s) of %d requests per %s", r.Planned, r.Windows, r.Limit, r.Window)
	}
	fmt.Fprintln(w, ".")
}

func writeKept(w io.Writer, kept []Kept) {
	for _, k := range kept {
		fmt.Fprintf(w, "      %s: kept %s (offered %s): %s\n", k.Field, quote(k.Halo), quote(k.Offered), k.Reason)
	}
}

func notes(c Change) string {
	var n []string
	if c.DoNotContact {
		n = append(n, "Do Not Contact")
	}
	if c.Invalid != "" {
		n = append(n, "Invalid Data: "+c.Invalid)
	}
	if len(c.Sources) > 1 {
		s := make([]string, len(c.Sources))
		for i, src := range c.Sources {
			s[i] = src.DisplayName()
		}
		n = append(n, "merged from "+strings.Join(s, ", "))
	}
	if len(n) == 0 {
		return ""
	}
	return " [" + strings.Join(n, "; ") + "]"
}

func more(w io.Writer, n int) {
	if n > MaxListed {
		fmt.Fprintf(w, "  ... and %d more (--json lists them all)\n", n-MaxListed)
	}
}

func quote(s string) string {
	if s == "" {
		return "(empty)"
	}
	return fmt.Sprintf("%q", s)
}
