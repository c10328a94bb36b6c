package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"haloleads/internal/dedupe"
	"haloleads/internal/lead"
	"haloleads/internal/lifecycle"
	"haloleads/internal/normalize"
	"haloleads/internal/visibility"
)

// leadArgHelp says how a lead may be named on the command line.
const leadArgHelp = `LEAD is a lead id (lead-…), an e-mail address, a HaloPSA ticket id, or the person's name
("Jane Doe", any case); e-mails and ticket ids are looked up in haloleads' store (HALOLEADS_DATA),
names among the running leads. A name several leads share fails (exit 1) listing them.`

// resolveLead turns what the user typed into a lead id: a lead id as it is, an e-mail address
// or a HaloPSA ticket id through the store's identities (following "same" review decisions).
func resolveLead(ctx context.Context, io IO, arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	kind := leadArgKind(arg)
	switch kind {
	case "id":
		return arg, nil
	case "name":
		return leadNamed(ctx, io, arg)
	}
	cfg, err := loadConfig(io)
	if err != nil {
		return "", err
	}
	st, err := openExistingStore(cfg.DataDir, cfg.DatabaseURL.Value(), storeOptions(cfg)...)
	if err != nil {
		return "", withHint(fmt.Errorf("looking up %s %s: %w", kind, arg, err),
			"give the lead id (lead-…; see `starter lead list`), or set HALOLEADS_DATA to the worker's data directory")
	}
	defer st.Close()
	var id string
	var found bool
	switch kind {
	case "ticket":
		n, _ := strconv.Atoi(arg)
		id, found, err = st.LeadOfTicket(ctx, n)
	case "e-mail":
		id, found, err = st.LookupIdentity(ctx, emailIdentity(arg))
	}
	if err != nil {
		return "", err
	}
	if !found {
		return "", withHint(fmt.Errorf("no lead has the %s %s", kind, arg),
			"`starter lead list` lists the leads; an e-mail must be one an import saw")
	}
	if survivor, err := st.SurvivorOf(ctx, id); err == nil && survivor != "" {
		id = survivor
	}
	return id, nil
}

// emailIdentity is the store's identity key of an e-mail address (a role address included).
func emailIdentity(email string) string {
	keys := normalize.KeysOf(lead.Values{lead.Email: email})
	if key := dedupe.EmailIdentity(keys); key != "" {
		return key
	}
	return "email:" + keys.Email
}

// leadArgKind says what a lead argument is: "id", "e-mail", "ticket" or "name".
func leadArgKind(arg string) string {
	switch {
	case strings.Contains(arg, "@"):
		return "e-mail"
	case arg != "" && strings.Trim(arg, "0123456789") == "":
		return "ticket"
	case strings.HasPrefix(arg, "lead-") && !strings.ContainsAny(arg, " \t"):
		return "id"
	}
	return "name"
}

// leadNamed finds the one running lead whose name is name (any case and spacing). No lead, or
// several, is an error that lists the candidates.
func leadNamed(ctx context.Context, io IO, name string) (string, error) {
	var rows []leadRow
	err := withTemporal(ctx, io, func(tc client.Client) error {
		all, err := listLeads(ctx, tc, payloadConverter(io), runningLeads, 0, "")
		rows = matchingName(all, name)
		return err
	})
	switch {
	case err != nil:
		return "", err
	case len(rows) == 1:
		return rows[0].LeadID, nil
	case len(rows) == 0:
		return "", withHint(fmt.Errorf("no running lead is named %s", name),
			"`starter lead list` lists the leads; give an e-mail address or a lead id")
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = fmt.Sprintf("%s (%s, %s, %s)", r.LeadID, lifecycle.Status(r.Status).DisplayName(),
			lead.Source(r.Source).DisplayName(), cmp.Or(r.Name, "no name"))
	}
	return "", withHint(fmt.Errorf("%d leads are named %s: %s", len(rows), name, strings.Join(ids, "; ")),
		"give one of these lead ids, or the person's e-mail address")
}

// matchingName keeps the rows whose person is name, ignoring case and spacing (a row's name is
// "First Last — Company", as the lead workflow's memo holds it).
func matchingName(rows []leadRow, name string) []leadRow {
	want := strings.Join(strings.Fields(name), " ")
	var out []leadRow
	for _, r := range rows {
		person, _, _ := strings.Cut(r.Name, " — ")
		if strings.EqualFold(strings.Join(strings.Fields(person), " "), want) {
			out = append(out, r)
		}
	}
	return out
}

// leadRow is one lead as `lead list` prints it.
type leadRow struct {
	LeadID string `json:"lead_id"`
	Name   string `json:"name,omitempty"`
	Stage  string `json:"stage"`
	Status string `json:"status"`
	Source string `json:"source"`
	Fit    int64  `json:"fit"`
	DNC    bool   `json:"do_not_contact,omitempty"`
	URL    string `json:"url,omitempty"`
}

// listFilter is `lead list`'s selection.
type listFilter struct {
	status, stage, source string
	fitMin                int
	limit                 int
}

// query is the filter as a visibility query; values are checked against haloleads' own ids.
func (f listFilter) query() (string, error) {
	q := runningLeads
	if f.status != "" {
		s, err := lifecycle.ParseStatus(f.status)
		if err != nil {
			return "", usageError("--status: %v", err)
		}
		q += " AND " + keywordIs(visibility.LeadStatus.GetName(), string(s))
	}
	if f.stage != "" {
		s := lifecycle.Stage(strings.ToLower(f.stage))
		if s != lifecycle.Lead && s != lifecycle.Prospect && s != lifecycle.Opportunity {
			return "", usageError("--stage %q: use lead, prospect or opportunity", f.stage)
		}
		q += " AND " + keywordIs(visibility.LeadStage.GetName(), string(s))
	}
	if f.source != "" {
		s := lead.Source(strings.ToLower(f.source))
		if !knownSource(s) {
			return "", usageError("--source %q: use apollo, zoominfo, hunter, uplead, lusha, halopsa or manual", f.source)
		}
		q += " AND " + keywordIs(visibility.LeadSource.GetName(), string(s))
	}
	if f.fitMin > 0 {
		q += fmt.Sprintf(" AND %s >= %d", visibility.FitScore.GetName(), f.fitMin)
	}
	return q, nil
}

func knownSource(s lead.Source) bool {
	for _, p := range append(append([]lead.Source{}, lead.Providers...), lead.HaloPSA, lead.Manual) {
		if s == p {
			return true
		}
	}
	return false
}

func newLeadListCmd(io IO) *cobra.Command {
	var f listFilter
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list the leads, filtered by status, stage, source or fit (through Temporal's visibility)",
		Example: `  starter lead list
  starter lead list --stage prospect --fit-min 80
  starter lead list --source apollo --status new_lead --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := f.query()
			if err != nil {
				return err
			}
			return withTemporal(cmd.Context(), io, func(tc client.Client) error {
				rows, err := listLeads(cmd.Context(), tc, payloadConverter(io), q, f.limit, uiBase(io))
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(io.Stdout, rows)
				}
				printLeadRows(io.Stdout, rows)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.status, "status", "", "only leads in this status (id or name, e.g. new_lead or \"Contacted\")")
	fl.StringVar(&f.stage, "stage", "", "only leads in this stage: lead, prospect or opportunity")
	fl.StringVar(&f.source, "source", "", "only leads from this source (apollo, zoominfo, hunter, uplead, lusha, halopsa, manual)")
	fl.IntVar(&f.fitMin, "fit-min", 0, "only leads with a fit score of at least `N`")
	fl.IntVar(&f.limit, "limit", 1000, "list at most `N` leads")
	fl.BoolVar(&asJSON, "json", false, "print the leads as JSON")
	return cmd
}

// listLeads lists the running leads that match query, newest first, up to limit (0: all).
func listLeads(ctx context.Context, c client.Client, dc converter.DataConverter, query string, limit int, ui string) ([]leadRow, error) {
	rows := []leadRow{}
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing leads (%s): %w", query, err)
		}
		for _, ex := range resp.GetExecutions() {
			if limit > 0 && len(rows) == limit {
				return rows, nil
			}
			rows = append(rows, rowOf(ex, dc, ui))
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return rows, nil
		}
	}
}

// rowOf reads a lead's row from its visibility record: search attributes (never encrypted) and
// memo (encrypted like every payload: dc decrypts it).
func rowOf(ex *workflowpb.WorkflowExecutionInfo, dc converter.DataConverter, ui string) leadRow {
	plain := converter.GetDefaultDataConverter()
	sa := ex.GetSearchAttributes().GetIndexedFields()
	str := func(name string) string {
		var s string
		if p, ok := sa[name]; ok {
			_ = plain.FromPayload(p, &s)
		}
		return s
	}
	r := leadRow{LeadID: ex.GetExecution().GetWorkflowId(), Stage: str(visibility.LeadStage.GetName()),
		Status: str(visibility.LeadStatus.GetName()), Source: str(visibility.LeadSource.GetName()),
		URL: workflowURL(ui, ex.GetExecution().GetWorkflowId())}
	if p, ok := sa[visibility.FitScore.GetName()]; ok {
		_ = plain.FromPayload(p, &r.Fit)
	}
	if p, ok := sa[visibility.DoNotContact.GetName()]; ok {
		_ = plain.FromPayload(p, &r.DNC)
	}
	if p, ok := ex.GetMemo().GetFields()["name"]; ok {
		_ = dc.FromPayload(p, &r.Name)
	}
	return r
}

func printLeadRows(w io.Writer, rows []leadRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "No lead matches.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LEAD\tNAME\tSTAGE\tSTATUS\tSOURCE\tFIT")
	for _, r := range rows {
		dnc := ""
		if r.DNC {
			dnc = "  (Do Not Contact)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d%s\n", r.LeadID, r.Name, lifecycle.Stage(r.Stage).DisplayName(),
			lifecycle.Status(r.Status).DisplayName(), lead.Source(r.Source).DisplayName(), r.Fit, dnc)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%d leads.", len(rows))
	if rows[0].URL != "" {
		fmt.Fprintf(w, " Web UI: %s", rows[0].URL[:strings.Index(rows[0].URL, "/workflows/")+len("/workflows")])
	}
	fmt.Fprintln(w)
}

// uiBase is the Temporal Web UI's address from TEMPORAL_UI_URL, with the namespace.
func uiBase(io IO) string {
	base := strings.TrimRight(io.Getenv("TEMPORAL_UI_URL"), "/")
	if base == "" {
		return ""
	}
	ns := io.Getenv("TEMPORAL_NAMESPACE")
	if ns == "" {
		ns = "default"
	}
	return base + "/namespaces/" + url.PathEscape(ns)
}

// workflowURL links to a workflow in the Web UI ("" without a UI address).
func workflowURL(ui, workflowID string) string {
	if ui == "" {
		return ""
	}
	return ui + "/workflows/" + url.PathEscape(workflowID)
}
