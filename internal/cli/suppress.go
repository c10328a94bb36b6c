package cli

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	stdio "io"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/optout"
	"haloleads/internal/safetext"
	"haloleads/internal/store"
	"haloleads/internal/suppress"
	"haloleads/internal/visibility"
)

func newSuppressCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "suppress",
		Short: "the Do-Not-Contact list: add a person, check one, export for ZoomInfo and UpLead",
		Long: `The suppression list is haloleads' own Do-Not-Contact list (no provider accepts one). Its keys
are stored as keyed hashes (HALOLEADS_SUPPRESSION_KEY): it can be checked, not read back.`,
		Example: `  starter suppress add jane.doe@acme.example.com --reason "asked by phone"
  starter suppress check +1-512-555-0143
  starter suppress export --provider zoominfo --out zoominfo-dnc.csv`,
	}
	cmd.AddCommand(newSuppressAddCmd(io), newSuppressCheckCmd(io), newSuppressExportCmd(io))
	return cmd
}

// personValues reads what the user typed: lead ids, e-mail addresses, LinkedIn profiles and
// phone numbers, one person for all of them.
func personValues(args []string) (lead.Values, string) {
	v, leadID := lead.Values{}, ""
	phones := []lead.Field{lead.PhoneDirect, lead.PhoneMobile}
	for _, a := range args {
		a = strings.TrimSpace(a)
		switch {
		case strings.HasPrefix(a, "lead-"):
			leadID = a
		case strings.Contains(a, "@"):
			v[lead.Email] = a
		case strings.Contains(strings.ToLower(a), "linkedin.com/"):
			v[lead.LinkedIn] = a
		case len(phones) > 0:
			v[phones[0]], phones = a, phones[1:]
		}
	}
	return v, leadID
}

func newSuppressAddCmd(io IO) *cobra.Command {
	var reason, by string
	var domain, asJSON bool
	cmd := &cobra.Command{
		Use:   "add EMAIL|PHONE|LINKEDIN|LEAD...",
		Short: "mark a person Do Not Contact everywhere",
		Long: `Put one person on the suppression list under every key given (e-mail, phones, LinkedIn profile;
a lead id brings every key its lead holds), and, when they are a lead, mark the lead Do Not
Contact: HaloPSA status, the Do Not Contact field, the do-not-contact tag, out of every
distribution list, a note saying who, when and why, and the providers' own mechanisms (Apollo's
Do Not Contact stage and removal from sequences, Hunter's lead deletion). A person who is not a
lead is never imported or pulled again.`,
		Example: `  starter suppress add jane.doe@acme.example.com --reason "GDPR request"
  starter suppress add lead-3f2a9c1d "+44 20 7946 0312" --domain`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			values, leadID := personValues(args)
			return withStoreAndTemporal(cmd.Context(), io, func(st *store.Store, tc client.Client) error {
				svc := optout.Service{Store: st, Temporal: tc}
				res, err := svc.DoNotContact(cmd.Context(), optout.Request{Values: values, LeadID: leadID,
					Via: leadflow.ViaCLI, By: cmp.Or(by, currentUser()), Reason: reason, Domain: domain})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(io.Stdout, res)
				}
				fmt.Fprintf(io.Stdout, "Suppressed under %d keys.\n", res.Keys)
				if res.LeadID != "" {
					fmt.Fprintf(io.Stdout, "Lead %s: %s.\n", res.LeadID, res.Lead)
				} else {
					fmt.Fprintf(io.Stdout, "%s.\n", res.Lead)
				}
				if res.State != nil {
					printLead(io.Stdout, *res.State, uiBase(io))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (written in the ticket's note)")
	cmd.Flags().StringVar(&by, "by", "", "who asked (default: your user name)")
	cmd.Flags().BoolVar(&domain, "domain", false, "also suppress the company's domain: everyone at it")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func newSuppressCheckCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:     "check EMAIL|PHONE|LINKEDIN...",
		Short:   "say whether a person is on the suppression list",
		Long:    "Check a person's keys against the suppression list. Exits 1 when none is listed.",
		Example: "  starter suppress check Jane.Doe@ACME.example.com\n  starter suppress check \"(512) 555-0143\"",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			values, _ := personValues(args)
			return withStore(io, func(st *store.Store) error {
				hits, err := st.Suppressed(cmd.Context(), suppress.Keys(values, suppress.Options{Domain: true}))
				if err != nil {
					return err
				}
				if len(hits) == 0 {
					return fmt.Errorf("not on the suppression list")
				}
				for _, h := range hits {
					fmt.Fprintf(io.Stdout, "suppressed: %s (since %s, %s, %s)\n", h.Kind, h.CreatedAt.Format("2006-01-02"), h.Source, cmp.Or(h.Reason, "no reason given"))
				}
				return nil
			})
		},
	}
}

// exportSteps say how each provider's UI takes the export.
var exportSteps = map[lead.Source]string{
	lead.ZoomInfo: `ZoomInfo has no API that accepts suppressions. To keep these people out of ZoomInfo searches
and exports, upload the file in ZoomInfo's web platform as a suppression (exclusion) list:
  1. Sign in as an admin and open the Admin Portal's compliance / Do Not Contact settings
     (the menu's name varies by plan; ZoomInfo support names the current one).
  2. Upload this CSV (columns Email, First Name, Last Name, Company, Phone) and save it.
  3. Repeat after every export: the file lists every Do-Not-Contact lead, so re-uploading
     replaces the list.`,
	lead.UpLead: `UpLead has no API that accepts suppressions; its exclusion lists are managed in the UI:
  1. In UpLead, open Lists and create (or open) a list named "haloleads do-not-contact".
  2. Import this CSV into it (columns Email, First Name, Last Name, Company, Phone).
  3. Under Settings > Exclusion Preferences, exclude that list from searches and downloads
     (API searches name it with exclusion_list_names).`,
}

func newSuppressExportCmd(io IO) *cobra.Command {
	var provider, out string
	cmd := &cobra.Command{
		Use:   "export --provider zoominfo|uplead [--out FILE]",
		Short: "write the Do-Not-Contact leads as the file ZoomInfo's or UpLead's UI takes, with the steps",
		Long: `Write every Do-Not-Contact lead (from the lead workflows) as a CSV for a provider with no
suppression API, and print the steps to load it. People suppressed who never were leads are kept
only as keyed hashes and cannot be listed: by design, nothing can read the list back.`,
		Example: "  starter suppress export --provider zoominfo --out zoominfo-dnc.csv",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src := lead.Source(strings.ToLower(provider))
			steps, ok := exportSteps[src]
			if !ok {
				return usageError("--provider must be zoominfo or uplead (Apollo and Hunter are told through their APIs, Lusha tells us)")
			}
			return withTemporal(cmd.Context(), io, func(tc client.Client) error {
				n, err := exportDoNotContact(cmd.Context(), io, tc, out)
				if err != nil {
					return err
				}
				fmt.Fprintf(io.Stderr, "%d Do-Not-Contact people written to %s.\n\n%s\n", n, cmp.Or(out, "standard output"), steps)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&provider, "provider", "", "zoominfo or uplead")
	cmd.Flags().StringVar(&out, "out", "", "file to write (default standard output)")
	return cmd
}

// exportDoNotContact writes the Do-Not-Contact leads' names, addresses and phones as CSV.
func exportDoNotContact(ctx context.Context, io IO, tc client.Client, path string) (int, error) {
	rows, err := listLeads(ctx, tc, payloadConverter(io), visibility.DoNotContact.GetName()+" = true", -1, "")
	if err != nil {
		return 0, err
	}
	var w stdio.Writer = io.Stdout
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return 0, fmt.Errorf("writing the export: %w", err)
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Email", "First Name", "Last Name", "Company", "Phone"})
	n := 0
	for _, r := range rows {
		st, err := readLead(ctx, tc, r.LeadID)
		if err != nil {
			return n, err
		}
		v := st.Lead.Values
		if v[lead.Email] == "" && v[lead.PhoneDirect] == "" {
			continue
		}
		_ = cw.Write(safetext.Cells([]string{v[lead.Email], v[lead.FirstName], v[lead.LastName], v[lead.Company], cmp.Or(v[lead.PhoneDirect], v[lead.PhoneMobile])}))
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

// withStoreAndTemporal opens the store and connects to Temporal for fn.
func withStoreAndTemporal(ctx context.Context, io IO, fn func(*store.Store, client.Client) error) error {
	return withStore(io, func(st *store.Store) error {
		return withTemporal(ctx, io, func(tc client.Client) error { return fn(st, tc) })
	})
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "starter suppress add"
}
