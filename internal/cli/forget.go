package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"haloleads/internal/erase"
	"haloleads/internal/halopsa"
	"haloleads/internal/lead"
)

func newForgetCmd(io IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "forget EMAIL|LEAD",
		Short: "erase a person: from HaloPSA's lead records, haloleads' store and Temporal; only a keyed hash stays, so they are never imported again",
		Long: `Erase one person (a right-to-erasure request). In order:

  1. their keys (e-mail, phones, LinkedIn, name at company) go on the suppression list as keyed
     hashes with reason "erased": every later import or pull drops them before writing anything;
  2. the lead workflow is terminated and every run of it deleted with its history;
  3. haloleads' store forgets them (identities, known record, staged offers, review items, the
     ticket map, uploaded import files that hold them);
  4. in HaloPSA, the lead tickets are deleted with their actions, and the user haloleads
     landed is deleted. The client (the company) stays.

` + leadArgHelp,
		Example: `  starter forget jane.doe@acme.example
  starter forget lead-3f2a9c1d --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runForget(cmd.Context(), io, args[0], asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func runForget(ctx context.Context, io IO, arg string, asJSON bool) error {
	id, err := resolveLead(ctx, io, arg)
	if err != nil {
		return err
	}
	cfg, tc, err := connect(ctx, io)
	if err != nil {
		return err
	}
	defer tc.Close()
	st, err := openExistingStore(cfg.DataDir, cfg.DatabaseURL.Value(), storeOptions(cfg)...)
	if err != nil {
		return err
	}
	defer st.Close()
	logger := newLogger(cfg.LogLevel, io.Stderr, cfg.LogFormat)
	var halo *halopsa.Client
	if cfg.Halo.URL != "" {
		if halo, err = haloClient(cfg, logger); err != nil {
			return err
		}
	}
	also := lead.Values{}
	if leadArgKind(arg) == "e-mail" {
		also[lead.Email] = arg
	}
	e := erase.Eraser{Temporal: tc, Namespace: cfg.Temporal.Namespace, Halo: halo, Store: st, Logger: logger}
	rep, err := e.Forget(ctx, id, also)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(io.Stdout, rep)
	}
	fmt.Fprintf(io.Stdout, "Forgot %s: %d suppression keys kept (hashed), %d workflow runs deleted, %d store rows and %d uploads removed, %d tickets (%d actions) and %d users deleted in HaloPSA.\n",
		rep.LeadID, rep.SuppressionKeys, rep.Workflows, rep.StoreRows, rep.Uploads, rep.Tickets, rep.Actions, rep.Users)
	for _, p := range rep.Problems {
		fmt.Fprintf(io.Stdout, "  not done: %s\n", p)
	}
	if len(rep.Problems) > 0 {
		return withHint(fmt.Errorf("%d steps of the erasure were not done", len(rep.Problems)), "fix the cause and run the same command again: every step is safe to repeat")
	}
	return nil
}
