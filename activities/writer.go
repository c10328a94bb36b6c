package activities

import (
	"context"

	"errors"
	"fmt"
	"go.temporal.io/sdk/activity"
	"slices"
	"strings"
	"time"

	"haloleads/internal/halopsa"
	"haloleads/internal/halostate"
	"haloleads/internal/landing"
	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
	"haloleads/internal/lifecycle"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
)

// noCompany is the client of leads whose company is unknown.
const noCompany = "company:(none)"

// writer lands one batch's plans in HaloPSA with one array POST per resource: clients, sites,
// users, tickets, audit notes and distribution-list membership.
//
// Every write is safe to repeat, on every attempt. Each write request is fenced (fence): just
// before it is sent, a synchronous heartbeat must be accepted by Temporal, which then holds any
// later attempt back for a whole heartbeat timeout. So no two attempts of a batch ever write at
// once, and the first attempt, which nothing can have preceded, creates without reading back.
// A retry's creates are upserts: the natural key is looked up first, above the batch's floors
// (ids below anything the batch creates: the import's floors, raised by the batches before it),
// so what an earlier attempt created is updated, not duplicated. Notes are upserted on their
// ticket, list membership is a set. The ids created so far and the steps done are in the
// heartbeat details (sent by every fence), so a retry resumes where the last attempt got to.
type writer struct {
	a     *Importer
	runID string
	items []staged
	plans []leadflow.Plan
	ids   []leadflow.HaloIDs
	// starts marks the new leads the batch lands itself (LandInput.StartNew): their
	// workflows are started once they landed (tellLeads).
	starts []bool
	// first is set on the first attempt: nothing of this batch exists yet, so a fenced first
	// attempt creates without read-backs. A retry without floors reads whole resources back.
	first bool
	// fence is set when writes are fenced (inside an activity with a Temporal client).
	fence bool
	prog  LandProgress
	hb    *heartbeat
	// refused holds, by plan, why HaloPSA refused a record of the lead (refused.go).
	refused      map[int]string
	noteProblems []string
}

// LandProgress is how far an attempt of LandBatch got, kept in its heartbeat details.
type LandProgress struct {
	Stage  string             `json:"stage"`
	Floors halopsa.Floors     `json:"floors"`
	Done   int                `json:"done"` // write steps finished
	IDs    []leadflow.HaloIDs `json:"ids,omitempty"`
}

func newWriter(a *Importer, runID string, items []staged, plans []leadflow.Plan, hb *heartbeat) *writer {
	w := &writer{a: a, runID: runID, items: items, plans: plans, hb: hb, ids: make([]leadflow.HaloIDs, len(plans))}
	for i, p := range plans {
		w.ids[i] = p.Halo
	}
	return w
}

// resume takes over what an earlier attempt recorded: its floors, the steps it finished and
// the ids it learned (only when it planned the same leads). Steps are not skipped when the
// batch refused records: which leads were refused is not part of the record.
func (w *writer) resume(prev LandProgress) {
	w.prog.Floors = w.prog.Floors.Max(prev.Floors)
	if len(prev.IDs) != len(w.plans) {
		return
	}
	for i, p := range prev.IDs {
		w.ids[i] = mergeIDs(w.ids[i], p)
	}
}

func mergeIDs(a, b leadflow.HaloIDs) leadflow.HaloIDs {
	pick := func(x, y int) int {
		if x != 0 {
			return x
		}
		return y
	}
	return leadflow.HaloIDs{ClientID: pick(a.ClientID, b.ClientID), SiteID: pick(a.SiteID, b.SiteID),
		UserID: pick(a.UserID, b.UserID), TicketID: pick(a.TicketID, b.TicketID)}
}

func (w *writer) write(ctx context.Context) error {
	steps := []func(context.Context) error{w.companies, w.users, w.tickets, w.notes, w.lists}
	for n, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
		w.prog.Done = n + 1
		w.record("writing")
	}
	return nil
}

// record sends the progress so far (a copy: the heartbeat goroutine reads it).
func (w *writer) record(stage string) LandProgress {
	w.prog.Stage = stage
	p := w.prog
	p.IDs = slices.Clone(w.ids)
	w.hb.progress(p)
	return p
}

// fenced returns ctx whose HaloPSA writes are fenced by a synchronous heartbeat carrying the
// progress so far: Temporal answers it only while this attempt is the current one, and a later
// attempt cannot start until a heartbeat timeout after it. Outside an activity, or without a
// Temporal client, ctx is returned as it is.
func (w *writer) fenced(ctx context.Context) context.Context {
	if !activity.IsActivity(ctx) || w.a.Temporal == nil {
		return ctx
	}
	w.fence = true
	token := activity.GetInfo(ctx).TaskToken
	check := func(ctx context.Context) error {
		p := w.record("writing")
		if err := w.a.Temporal.RecordActivityHeartbeat(ctx, token, p); err != nil {
			return fmt.Errorf("this attempt is no longer current: %w", err)
		}
		return nil
	}
	// A wait for budget longer than a quarter of the heartbeat timeout is fenced again.
	return halopsa.WithWriteFence(ctx, halopsa.Fence{Check: check, MaxAge: activity.GetInfo(ctx).HeartbeatTimeout / 4})
}

// top returns the highest HaloPSA ids the batch's leads hold.
func (w *writer) top() halopsa.Floors {
	var f halopsa.Floors
	for _, id := range w.ids {
		f = f.Max(halopsa.Floors{Customers: halopsa.ID(id.ClientID), Sites: halopsa.ID(id.SiteID),
			Users: halopsa.ID(id.UserID), Tickets: halopsa.ID(id.TicketID)})
	}
	return f
}

// quick reports whether creates may skip the read-back: a fenced first attempt.
func (w *writer) quick() bool { return w.first && w.fence }

// floors returns the floors the read-backs stop at, reading them before the first create when
// the batch was given none.
func (w *writer) floors(ctx context.Context) (halopsa.Floors, error) {
	if w.first && !w.prog.Floors.Known() {
		f, err := w.a.Client.ReadFloors(ctx)
		if err != nil {
			return f, classify(fmt.Errorf("reading HaloPSA's newest ids: %w", err))
		}
		w.prog.Floors = f
		w.record("floors read")
	}
	return w.prog.Floors, nil
}

func (w *writer) active(i int) bool {
	return w.plans[i].Action != leadflow.ActionNone && !w.isRefused(i)
}

func (w *writer) companyKey(i int) string {
	if k := w.items[i].CompanyKey; k != "" {
		return k
	}
	return noCompany
}

// companies finds or creates each company's client and main site, once per company.
func (w *writer) companies(ctx context.Context) error {
	var keys []string
	for i := range w.plans {
		if w.active(i) && (w.ids[i].ClientID == 0 || w.ids[i].SiteID == 0) && !slices.Contains(keys, w.companyKey(i)) {
			keys = append(keys, w.companyKey(i))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	known, err := w.a.Store.Companies(ctx, keys)
	if err != nil {
		return err
	}
	if err := w.createClients(ctx, keys, known); err != nil {
		return err
	}
	for i := range w.plans {
		if c, ok := known[w.companyKey(i)]; ok && w.active(i) {
			if w.ids[i].ClientID == 0 {
				w.ids[i].ClientID = c.ClientID
			}
			if w.ids[i].SiteID == 0 {
				w.ids[i].SiteID = c.SiteID
			}
		}
	}
	return nil
}

func (w *writer) createClients(ctx context.Context, keys []string, known map[string]store.Company) error {
	var missing []string
	var customers []halopsa.Customer
	for _, k := range keys {
		if known[k].ClientID == 0 {
			missing = append(missing, k)
			customers = append(customers, w.customer(k))
		}
	}
	if len(customers) > 0 {
		f, err := w.floors(ctx)
		if err != nil {
			return err
		}
		save := w.a.Client.UpsertCustomersAbove
		if w.quick() {
			save = w.a.Client.SaveCustomersAbove
		}
		saved, err := save(ctx, f.Customers, customers)
		if err = w.refuse(err, "client", w.leadsOfCompany(missing)); err != nil {
			return classify(fmt.Errorf("creating %d HaloPSA clients: %w", len(customers), err))
		}
		for j, k := range missing {
			if saved[j].ID != 0 {
				known[k] = store.Company{Key: k, ClientID: int(saved[j].ID), SiteID: int(saved[j].MainSiteID)}
			}
		}
	}
	// The clients are kept even when their sites fail, so a later import finds them.
	err := w.findMainSites(ctx, missing, known)
	if err == nil {
		err = w.createSites(ctx, keys, known)
	}
	if serr := w.a.Store.SaveCompanies(ctx, mapValues(known)...); err == nil {
		err = serr
	}
	return err
}

// customer is the client of company key: created with its main site unless the sites are
// created on their own (Importer.SeparateSites).
func (w *writer) customer(key string) halopsa.Customer {
	v := w.companyValues(key)
	c := landing.Customer(v)
	if !w.a.SeparateSites {
		site := landing.MainSite(0, v)
		c.NewSiteName, c.NewSitePhone = site.Name, site.PhoneNumber
	}
	return c
}

// findMainSites finds the main sites of the clients just created with theirs whose answer did
// not name it (HaloPSA may not answer with main_site_id): one read of the sites above the
// floor, newest first. A client still without a site (a HaloPSA that ignores the newclient_*
// fields) is given one by createSites.
func (w *writer) findMainSites(ctx context.Context, created []string, known map[string]store.Company) error {
	if w.a.SeparateSites {
		return nil
	}
	var clients []halopsa.ID
	for _, k := range created {
		if c := known[k]; c.ClientID != 0 && c.SiteID == 0 {
			clients = append(clients, halopsa.ID(c.ClientID))
		}
	}
	if len(clients) == 0 {
		return nil
	}
	f, err := w.floors(ctx)
	if err != nil {
		return err
	}
	sites, err := w.a.Client.MainSitesAbove(ctx, f.Sites, clients)
	if err != nil {
		return classify(err)
	}
	for _, k := range created {
		if c := known[k]; c.ClientID != 0 && c.SiteID == 0 && sites[halopsa.ID(c.ClientID)] != 0 {
			c.SiteID = int(sites[halopsa.ID(c.ClientID)])
			known[k] = c
		}
	}
	return nil
}

// createSites gives clients without a main site one.
func (w *writer) createSites(ctx context.Context, keys []string, known map[string]store.Company) error {
	var need []string
	var sites []halopsa.Site
	for _, k := range keys {
		if c := known[k]; c.SiteID == 0 && c.ClientID != 0 {
			need = append(need, k)
			sites = append(sites, landing.MainSite(c.ClientID, w.companyValues(k)))
		}
	}
	if len(sites) == 0 {
		return nil
	}
	f, err := w.floors(ctx)
	if err != nil {
		return err
	}
	save := w.a.Client.UpsertSitesAbove
	if w.quick() {
		save = w.a.Client.SaveSitesAbove
	}
	saved, err := save(ctx, f.Sites, sites)
	if err = w.refuse(err, "site", w.leadsOfCompany(need)); err != nil {
		return classify(fmt.Errorf("creating %d HaloPSA sites: %w", len(sites), err))
	}
	for j, k := range need {
		if saved[j].ID == 0 {
			continue
		}
		c := known[k]
		c.SiteID = int(saved[j].ID)
		known[k] = c
	}
	return nil
}

// leadsOfCompany is refuse's leadsOf for saves made of one record per company key.
func (w *writer) leadsOfCompany(keys []string) func(int) []int {
	return func(j int) []int {
		var out []int
		for i := range w.plans {
			if w.active(i) && w.companyKey(i) == keys[j] {
				out = append(out, i)
			}
		}
		return out
	}
}

func (w *writer) companyValues(key string) lead.Values {
	if key == noCompany {
		return lead.Values{lead.Company: "Leads without a company"}
	}
	for i, it := range w.items {
		if w.companyKey(i) == key {
			return leadflow.Overlay(it.Company, companyFields(w.plans[i].Owned))
		}
	}
	return lead.Values{}
}

func companyFields(v lead.Values) lead.Values {
	out := lead.Values{}
	for _, f := range v.SortedFields() {
		if lead.GroupOf(f) == lead.GroupCompany {
			out[f] = v[f]
		}
	}
	return out
}

// users creates the users that do not exist and updates those whose fields changed.
func (w *writer) users(ctx context.Context) error {
	var idx []int
	var users []halopsa.User
	for i, p := range w.plans {
		if !w.active(i) {
			continue
		}
		var u halopsa.User
		var linkedIn string
		if w.ids[i].UserID == 0 {
			u, linkedIn = landing.User(0, w.ids[i].ClientID, w.ids[i].SiteID, p.Owned), p.Owned[lead.LinkedIn]
		} else if upd, ok := landing.UserUpdate(w.ids[i].UserID, p.Write); ok && p.Action == leadflow.ActionUpdate {
			u, linkedIn = upd, p.Write[lead.LinkedIn]
		} else {
			continue
		}
		if linkedIn != "" { // the user custom field `setup` creates
			cfs, err := w.a.Tenant.UserFields(ctx, map[string]any{string(lead.LinkedIn): linkedIn})
			if err != nil {
				return fmt.Errorf("building the LinkedIn field of lead %s: %w", p.LeadID, err)
			}
			u.CustomFields = cfs
		}
		idx = append(idx, i)
		users = append(users, u)
	}
	if len(users) == 0 {
		return nil
	}
	f, err := w.floors(ctx)
	if err != nil {
		return err
	}
	save := w.a.Client.UpsertUsersAbove
	if w.quick() {
		save = w.a.Client.SaveUsersAbove
	}
	saved, err := save(ctx, f.Users, users)
	err = w.recreateUsers(ctx, err, idx, users, saved, f.Users)
	if err = w.refuse(err, "user", one(idx)); err != nil {
		return classify(fmt.Errorf("saving %d HaloPSA users: %w", len(users), err))
	}
	wrote := map[int]time.Time{}
	for j, i := range idx {
		w.ids[i].UserID = int(saved[j].ID)
		if !w.isRefused(i) {
			wrote[int(saved[j].ID)] = saved[j].LastUpdate.Time
		}
	}
	return halostate.Wrote(ctx, w.a.Store, halostate.KindWroteUser, wrote)
}

// tickets creates the lead tickets that do not exist and updates the others: status only when
// the plan changes it, custom fields always as the whole set haloleads owns, tags by segment.
func (w *writer) tickets(ctx context.Context) error {
	tags, err := w.tags(ctx)
	if err != nil {
		return err
	}
	leadType, err := w.a.Tenant.TypeID(ctx, lifecycle.Lead)
	if err != nil {
		return err
	}
	var idx []int
	var tickets []halopsa.Ticket
	for i, p := range w.plans {
		if !w.active(i) {
			continue
		}
		t, err := w.ticket(ctx, i, p, leadType, tags)
		if err != nil {
			return err
		}
		idx = append(idx, i)
		tickets = append(tickets, t)
	}
	if len(tickets) == 0 {
		return nil
	}
	f, err := w.floors(ctx)
	if err != nil {
		return err
	}
	save := w.a.Client.UpsertTicketsAbove
	if w.quick() {
		save = w.a.Client.SaveTicketsAbove
	}
	saved, err := save(ctx, f.Tickets, tickets)
	err = w.recreateTickets(ctx, err, idx, tickets, saved, f.Tickets, tags)
	if re := (*halopsa.RefusedError)(nil); errors.As(err, &re) {
		// The Lead type's mandatory fields may have changed since the set-up was read: read them
		// again (the ticket types and field definitions, not the whole set-up), so the next
		// import checks the new ones before landing.
		w.a.Tenant.ForgetRequired()
	}
	if err = w.refuse(err, "lead ticket", one(idx)); err != nil {
		return classify(fmt.Errorf("saving %d HaloPSA lead tickets: %w", len(tickets), err))
	}
	byTicket := map[int]string{}
	wrote := map[int]time.Time{}
	for j, i := range idx {
		if w.isRefused(i) {
			continue
		}
		w.ids[i].TicketID = int(saved[j].ID)
		byTicket[w.ids[i].TicketID] = w.plans[i].LeadID
		wrote[w.ids[i].TicketID] = saved[j].LastUpdate.Time
	}
	if err := halostate.Wrote(ctx, w.a.Store, halostate.KindWroteTicket, wrote); err != nil {
		return err
	}
	return w.a.Store.SaveTickets(ctx, byTicket)
}

func (w *writer) ticket(ctx context.Context, i int, p leadflow.Plan, leadType halopsa.ID, tags map[string]halopsa.ID) (halopsa.Ticket, error) {
	values := landing.TicketFieldValues(p.Owned, p.Quality, p.Fit)
	if p.Data != nil && w.ids[i].TicketID != 0 {
		values = TicketValues(p.Owned, p.Quality, p.Fit, p.Stage, *p.Data)
	}
	cfs, err := w.a.Tenant.TicketFields(ctx, values)
	if err != nil {
		return halopsa.Ticket{}, fmt.Errorf("building custom fields of lead %s: %w", p.LeadID, err)
	}
	t := halopsa.Ticket{ID: halopsa.ID(w.ids[i].TicketID), CustomFields: cfs}
	for _, s := range p.Segments {
		t.Tags = append(t.Tags, halopsa.Tag{ID: tags[s], Text: s})
	}
	if p.StatusChanged {
		if t.StatusID, err = w.a.Tenant.StatusID(ctx, p.Status); err != nil {
			return t, err
		}
	}
	if t.ID == 0 {
		ids := w.ids[i]
		t.Summary, t.Details = landing.Summary(p.Owned), landing.Details(p.Owned)
		if p.Note != "" { // why a new lead lands as Invalid Data
			t.Details += "\n" + p.Note
		}
		t.TicketTypeID = leadType
		t.ClientID, t.SiteID, t.UserID = halopsa.ID(ids.ClientID), halopsa.ID(ids.SiteID), halopsa.ID(ids.UserID)
		// Fields the Lead type requires that haloleads fills from the lead's data by their label.
		res, err := w.a.Tenant.Result(ctx)
		if err != nil {
			return t, err
		}
		t.CustomFields = append(t.CustomFields, tenant.Fill(res.Required[tenant.Lead], w.items[i].Offer.Lead.Values)...)
	}
	return t, nil
}

// tags makes sure every segment tag of the batch exists, creating new ones in one request.
func (w *writer) tags(ctx context.Context) (map[string]halopsa.ID, error) {
	w.a.Tenant.tagsMu.Lock() // two batches of this process never create the same tag
	defer w.a.Tenant.tagsMu.Unlock()
	res, err := w.a.Tenant.Result(ctx)
	if err != nil {
		return nil, err
	}
	var texts []string
	for i, p := range w.plans {
		if w.active(i) {
			texts = append(texts, p.Segments...)
		}
	}
	slices.Sort(texts)
	texts = slices.Compact(texts)
	tags, err := tenant.EnsureTags(ctx, w.a.Client, res.Tags, texts)
	if err != nil {
		return nil, classify(fmt.Errorf("creating segment tags: %w", err))
	}
	w.a.Tenant.addTags(tags)
	return tags, nil
}

// notes leaves one audit note on each updated ticket, all in one request. A note names its
// import run, so that the upsert finds this run's note (from an earlier attempt) and never an
// older import's note with the same text.
func (w *writer) notes(ctx context.Context) error {
	hidden := true
	var actions []halopsa.Action
	for i, p := range w.plans {
		if p.Action == leadflow.ActionUpdate && p.Note != "" && w.active(i) {
			actions = append(actions, halopsa.Action{
				TicketID: halopsa.ID(w.ids[i].TicketID), Outcome: "Note", Note: runNote(p.Note, w.runID), HiddenFromUser: &hidden,
			})
		}
	}
	if len(actions) == 0 {
		return nil
	}
	save := w.a.Client.UpsertActions // reads each ticket's notes first
	if w.quick() {
		save = w.a.Client.SaveActions
	}
	_, err := save(ctx, actions)
	var re *halopsa.RefusedError
	if errors.As(err, &re) {
		for _, r := range re.Refused {
			w.noteProblems = append(w.noteProblems, fmt.Sprintf("HaloPSA refused the audit note on ticket %d: %s", actions[r.Index].TicketID, r.Err.Message))
		}
		return nil
	}
	if err != nil {
		return classify(fmt.Errorf("writing %d audit notes: %w", len(actions), err))
	}
	return nil
}

func runNote(note, runID string) string {
	return strings.TrimRight(note, "\n") + "\nImport run: " + runID + ".\n"
}

// lists adds and removes distribution-list members, all lists in one request.
func (w *writer) lists(ctx context.Context) error {
	res, err := w.a.Tenant.Result(ctx)
	if err != nil {
		return err
	}
	changes := map[string]*halopsa.DistributionList{}
	change := func(name string) *halopsa.DistributionList {
		if changes[name] == nil {
			changes[name] = &halopsa.DistributionList{ID: res.Lists[name]}
		}
		return changes[name]
	}
	for i, p := range w.plans {
		if !w.active(i) || w.ids[i].UserID == 0 {
			continue
		}
		ref := halopsa.UserRef{ID: halopsa.ID(w.ids[i].UserID)}
		for _, l := range p.Lists {
			if _, ok := res.Lists[l]; ok {
				change(l).AddTheseUsers = append(change(l).AddTheseUsers, ref)
			}
		}
		for _, l := range p.Unlist {
			if _, ok := res.Lists[l]; ok {
				change(l).RemoveTheseUsers = append(change(l).RemoveTheseUsers, ref)
			}
		}
	}
	if len(changes) == 0 {
		return nil
	}
	names := make([]string, 0, len(changes))
	for n := range changes {
		names = append(names, n)
	}
	slices.Sort(names)
	lists := make([]halopsa.DistributionList, 0, len(names))
	for _, n := range names {
		lists = append(lists, *changes[n])
	}
	if _, err := w.a.Client.SaveDistributionLists(ctx, lists); err != nil {
		return classify(fmt.Errorf("updating %d distribution lists: %w", len(lists), err))
	}
	return nil
}
