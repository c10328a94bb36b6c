package bench

import (
	"context"
	"errors"
	"fmt"
	"io"

	"haloleads/internal/dedupe"
	"haloleads/internal/halopsa"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/score"
	"haloleads/internal/sources"
)

// noCompany names the client of a lead whose company is unknown.
const noCompany = "Leads without a company"

// RunBaseline lands the files' leads (de-duplicated as haloleads does, so both write the same
// leads) the way the original design doc does: for each lead, search the user, create a
// client, a site, the user and the lead ticket, then one request per distribution list; every
// request through the same rate-limited client, against a fresh sandbox.
func RunBaseline(ctx context.Context, cfg Config, files []string) (Baseline, error) {
	cfg = cfg.withDefaults()
	leads, err := mergedLeads(files)
	if err != nil {
		return Baseline{}, err
	}
	tw, err := startTenant(ctx, cfg)
	if err != nil {
		return Baseline{}, err
	}
	defer tw.close()
	fit := score.DefaultFitConfig()
	for _, l := range leads {
		if err := tw.landOne(ctx, l, fit); err != nil {
			return Baseline{}, fmt.Errorf("baseline: lead %s: %w", l.ID, err)
		}
	}
	n := int64(tw.sandbox.Stats().Requests)
	return Baseline{HaloRequests: n, RequestsPerLead: perLead(n, len(leads)), Windows: float64(n) / float64(cfg.Limit)}, nil
}

// mergedLeads reads the files and merges each person's records into one lead.
func mergedLeads(files []string) ([]lead.Lead, error) {
	var records []lead.Record
	for _, path := range files {
		recs, err := readExport(path)
		if err != nil {
			return nil, err
		}
		records = append(records, recs...)
	}
	res, err := dedupe.Resolve(records, nil, dedupe.DefaultConfig())
	if err != nil {
		return nil, fmt.Errorf("de-duplicating the baseline's input: %w", err)
	}
	for i := range res.Leads {
		if res.Leads[i].Quality == 0 {
			res.Leads[i].Quality = score.Quality(res.Leads[i].Values)
		}
	}
	return res.Leads, nil
}

// readExport reads the accepted records of one export.
func readExport(path string) ([]lead.Record, error) {
	r, err := sources.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer r.Close()
	var out []lead.Record
	for {
		rec, rej, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", path, err)
		case rej == nil:
			out = append(out, rec)
		}
	}
}

// landOne writes one lead with one request per record.
func (w *tenantWorld) landOne(ctx context.Context, l lead.Lead, fit score.FitConfig) error {
	st := &leadflow.LeadState{LeadID: l.ID, Stage: lifecycle.Lead, Status: lifecycle.NewLead}
	p := leadflow.PlanOffer(st, leadflow.Offer{Lead: l, Fit: score.Fit(l.Values, fit)})
	found, err := w.searchUser(ctx, l.Values)
	if err != nil || found {
		return err
	}
	customer := landing.Customer(l.Values)
	if customer.Name == "" {
		customer.Name = noCompany // HaloPSA requires a client name
	}
	clients, err := w.halo.SaveCustomers(ctx, []halopsa.Customer{customer})
	if err != nil {
		return err
	}
	c := clients[0]
	sites, err := w.halo.SaveSites(ctx, []halopsa.Site{landing.MainSite(int(c.ID), l.Values)})
	if err != nil {
		return err
	}
	users, err := w.halo.SaveUsers(ctx, []halopsa.User{landing.User(0, int(c.ID), int(sites[0].ID), p.Owned)})
	if err != nil {
		return err
	}
	u := users[0]
	if err := w.createTicket(ctx, p, u); err != nil {
		return err
	}
	return w.addToLists(ctx, p.Lists, u.ID)
}

// searchUser looks the person up by e-mail (or name) with one request.
func (w *tenantWorld) searchUser(ctx context.Context, v lead.Values) (bool, error) {
	q := v[lead.Email]
	if q == "" {
		q = v[lead.FirstName] + " " + v[lead.LastName]
	}
	for _, err := range w.halo.Users(ctx, halopsa.UserQuery{Search: q}) {
		return err == nil, err
	}
	return false, nil
}

func (w *tenantWorld) createTicket(ctx context.Context, p leadflow.Plan, u halopsa.User) error {
	cfs, err := w.tenant.TicketFields(ctx, landing.TicketFieldValues(p.Owned, p.Quality, p.Fit))
	if err != nil {
		return err
	}
	typeID, err := w.tenant.TypeID(ctx, lifecycle.Lead)
	if err != nil {
		return err
	}
	statusID, err := w.tenant.StatusID(ctx, p.Status)
	if err != nil {
		return err
	}
	_, err = w.halo.SaveTickets(ctx, []halopsa.Ticket{{
		Summary: landing.Summary(p.Owned), Details: landing.Details(p.Owned), TicketTypeID: typeID,
		StatusID: statusID, ClientID: u.ClientID, SiteID: u.SiteID, UserID: u.ID, CustomFields: cfs,
	}})
	return err
}

func (w *tenantWorld) addToLists(ctx context.Context, lists []string, user halopsa.ID) error {
	for _, name := range lists {
		id, ok := w.result.Lists[name]
		if !ok {
			continue
		}
		dl := halopsa.DistributionList{ID: id, AddTheseUsers: []halopsa.UserRef{{ID: user}}}
		if _, err := w.halo.SaveDistributionLists(ctx, []halopsa.DistributionList{dl}); err != nil {
			return err
		}
	}
	return nil
}
