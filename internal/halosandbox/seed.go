package halosandbox

// The agents a fresh tenant has. The API application "logs in as" APIAgentID; the
// AgentEdit helpers act as UIAgentID.
const (
	UnassignedAgentID = 1
	APIAgentID        = 2
	UIAgentID         = 3
)

// ClosedStatusID is the id of the seeded "Closed" status (status 9 is conventionally Closed in
// default Halo tenants).
const ClosedStatusID = 9

// Custom-field usage codes (FieldInfo "usage"). Halo's numbering is not documented anywhere we
// could find (UNCONFIRMED); FieldInfo POSTs may also name the usage ("ticket", "user", "client",
// "site").
const (
	UsageTicket = 1
	UsageClient = 2
	UsageSite   = 3
	UsageUser   = 4
)

// newState returns the state of a fresh tenant: default ticket types, statuses and agents, and
// nothing else (no clients, users or custom fields).
func newState(tenant string) *state {
	st := &state{
		Version:         stateVersion,
		Tenant:          tenant,
		Collections:     map[string]*collection{},
		Tokens:          map[string]token{},
		NextLookupTable: 1000,
	}
	types := st.coll("tickettype")
	for i, name := range []string{"Incident", "Problem", "Change Request", "Service Request"} {
		types.put(Record{"id": num(i + 1), "name": name, "use": "ticket", "visible": true})
	}
	statuses := st.coll("status")
	for _, s := range []struct {
		id   int
		name string
	}{{1, "New"}, {2, "In Progress"}, {3, "Action Required"}, {4, "Waiting on User"},
		{5, "Waiting on Supplier"}, {ClosedStatusID, "Closed"}} {
		statuses.put(Record{"id": num(s.id), "name": s.name, "shortname": s.name, "sequence": num(s.id)})
	}
	agents := st.coll("agent")
	for _, a := range []struct {
		id          int
		name, email string
	}{{UnassignedAgentID, "Unassigned", ""}, {APIAgentID, "API Agent", "api@sandbox.invalid"},
		{UIAgentID, "Sam Sandbox", "sam@sandbox.invalid"}} {
		agents.put(Record{"id": num(a.id), "name": a.name, "email": a.email, "isdisabled": false})
	}
	return st
}
