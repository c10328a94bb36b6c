package leadflow

// UpdateDoNotContact marks a lead Do Not Contact from outside its own events: `starter suppress
// add`, a provider's opt-out (Lusha's webhook). Status changes, the Do Not Contact field and call
// outcomes reach the same path through their own updates and signals.
const UpdateDoNotContact = "do-not-contact"

// How a Do Not Contact started (DoNotContactRequest.Via and the ticket note).
const (
	ViaStatus   = "status"   // the status was set to Do Not Contact (HaloPSA or `lead transition`)
	ViaField    = "field"    // the Do Not Contact field was ticked in HaloPSA
	ViaCall     = "call"     // a call's outcome
	ViaProvider = "provider" // a provider's opt-out (By names the provider)
	ViaCLI      = "cli"      // `starter suppress add`
)

// DoNotContactRequest says who asked for Do Not Contact, how and why; the lead workflow
// writes it in the ticket's note.
type DoNotContactRequest struct {
	Via    string `json:"via"`
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Domain also suppresses the person's company domain (everyone at it).
	Domain bool `json:"domain,omitempty"`
}
