package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestCallValidate(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 6, 3, 14, 5, 0, 0, time.UTC)
	good := Call{At: at, Direction: Outbound, Number: "+442071838750", Agent: "sam", Outcome: "Interested", DurationSeconds: 240}
	tests := []struct {
		name     string
		edit     func(*Call)
		problems []string
	}{
		{"valid", func(*Call) {}, nil},
		{"zero duration", func(c *Call) { c.DurationSeconds = 0 }, nil},
		{"inbound", func(c *Call) { c.Direction = Inbound }, nil},
		{"no outcome", func(c *Call) { c.Outcome = " " }, []string{"the outcome is missing"}},
		{"bad direction", func(c *Call) { c.Direction = "sideways" }, []string{`direction "sideways" is not inbound or outbound`}},
		{"negative duration", func(c *Call) { c.DurationSeconds = -1 }, []string{"duration -1 s is negative"}},
		{"no time", func(c *Call) { c.At = time.Time{} }, []string{"the call time is missing"}},
		{"everything wrong", func(c *Call) { *c = Call{DurationSeconds: -5} }, []string{
			"the call time is missing", `direction "" is not inbound or outbound`, "the outcome is missing", "duration -5 s is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := good
			tt.edit(&c)
			err := c.Validate()
			if tt.problems == nil {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			var ce *CallError
			if !errors.As(err, &ce) || !slices.Equal(ce.Problems, tt.problems) {
				t.Fatalf("Validate() = %v, want problems %q", err, tt.problems)
			}
		})
	}
}

func TestParseDirection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Direction
	}{
		{"inbound", Inbound}, {" OUT ", Outbound}, {"Outbound", Outbound}, {"in", Inbound},
		{"", ""}, {"incoming", ""}, {"both", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDirection(tt.in)
			var ce *CallError
			if tt.want == "" && !errors.As(err, &ce) {
				t.Fatalf("ParseDirection(%q) = %q, %v; want *CallError", tt.in, got, err)
			}
			if got != tt.want {
				t.Errorf("ParseDirection(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseDirection(f *testing.F) {
	for _, s := range []string{"inbound", "OUT", "", "sideways", "\x00in"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseDirection(in)
		if (err == nil) != (d == Inbound || d == Outbound) {
			t.Fatalf("ParseDirection(%q) = %q, %v", in, d, err)
		}
	})
}

func TestOutcomeTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		current Status
		outcome string
		want    Status // "" means no change
	}{
		{Contacted, "interested", Engaged},
		{Contacted, "Interested", Engaged},
		{Researching, "interested", Contacted},
		{NewLead, "interested", Researching},
		{Contacted, "Not interested", NoInterest},
		{Contacted, "not-interested.", NoInterest},
		{Researching, "connected", Contacted},
		{Contacted, "connected", ""},
		{Contacted, "do not call", DoNotContact},
		{Negotiation, "Do-Not-Call", DoNotContact},
		{Won, "asked not to be called", DoNotContact},
		{Prospecting, "opt_out", DoNotContact},
		{DoNotContact, "opt out", ""},
		{Contacted, "no answer", ""},
		{Researching, "voicemail", ""},
		{Researching, "bad number", InvalidData},
		{Researching, "wrong person", InvalidData},
		{Contacted, "bad number", ""},
		{NewLead, "bad number", ""},
		{Prospecting, "interested", ""},
		{Progressing, "not interested", ""},
		{Engaged, "interested", ""},
		{Contacted, "left a message with reception", ""},
		{Contacted, "", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.current, tt.outcome), func(t *testing.T) {
			t.Parallel()
			got, ok := OutcomeTransition(tt.current, tt.outcome, Config{})
			if tt.want == "" {
				if ok || got != tt.current {
					t.Fatalf("OutcomeTransition = %s, %v; want no change", got, ok)
				}
				return
			}
			if !ok || got != tt.want {
				t.Fatalf("OutcomeTransition = %s, %v; want %s", got, ok, tt.want)
			}
			if err := CheckTransition(tt.current, got, complete(), Config{}); err != nil {
				t.Errorf("the step is not an allowed transition: %v", err)
			}
		})
	}
}

func TestOutcomePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		current Status
		outcome string
		want    []Status
	}{
		{Researching, "interested", []Status{Contacted, Engaged}},
		{NewLead, "meeting booked", []Status{Researching, Contacted, Engaged}},
		{Researching, "not interested", []Status{Contacted, NoInterest}},
		{Contacted, "interested", []Status{Engaged}},
		{Negotiation, "remove me", []Status{DoNotContact}},
		{Contacted, "voicemail", nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.current, tt.outcome), func(t *testing.T) {
			t.Parallel()
			if got := OutcomePath(tt.current, tt.outcome, Config{}); !slices.Equal(got, tt.want) {
				t.Errorf("OutcomePath = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutcomeTransitionCustomRules(t *testing.T) {
	t.Parallel()
	cfg := Config{Outcomes: []OutcomeRule{
		{Outcome: "Demo booked", To: Engaged, From: []Status{Contacted}},
		{Outcome: "gatekeeper", To: Contacted},
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, ok := OutcomeTransition(Contacted, "demo booked", cfg); !ok || got != Engaged {
		t.Errorf("demo booked = %s, %v", got, ok)
	}
	if got, ok := OutcomeTransition(Researching, "gatekeeper", cfg); !ok || got != Contacted {
		t.Errorf("gatekeeper = %s, %v", got, ok)
	}
	if _, ok := OutcomeTransition(Contacted, "interested", cfg); ok {
		t.Error("custom rules still use the defaults")
	}
}

func FuzzOutcomeTransition(f *testing.F) {
	for _, r := range DefaultOutcomes() {
		f.Add(uint8(2), r.Outcome)
	}
	f.Add(uint8(0), "Interested!")
	f.Fuzz(func(t *testing.T, i uint8, outcome string) {
		all := Statuses()
		current := all[int(i)%len(all)]
		next, ok := OutcomeTransition(current, outcome, Config{})
		if !ok {
			if next != current {
				t.Fatalf("no change but returned %s", next)
			}
			return
		}
		if !slices.Contains(Allowed(current), next) {
			t.Fatalf("%s -> %s on %q is not an allowed transition", current, next, outcome)
		}
		if path := OutcomePath(current, outcome, Config{}); len(path) == 0 || len(path) > len(all) {
			t.Fatalf("OutcomePath = %v", path)
		}
	})
}

func ExampleOutcomePath() {
	fmt.Println(OutcomePath(Researching, "Interested", DefaultConfig()))
	fmt.Println(OutcomePath(Negotiation, "asked not to be called", DefaultConfig()))
	fmt.Println(OutcomePath(Contacted, "voicemail", DefaultConfig()))
	// Output:
	// [contacted engaged]
	// [do_not_contact]
	// []
}

func BenchmarkOutcomeTransition(b *testing.B) {
	cfg := DefaultConfig()
	n := 0
	for b.Loop() {
		for _, s := range []Status{NewLead, Researching, Contacted, Negotiation} {
			OutcomeTransition(s, "Interested", cfg)
			OutcomeTransition(s, "do not call", cfg)
			n += 2
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "outcomes/s")
}
