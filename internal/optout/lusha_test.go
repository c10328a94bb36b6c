package optout

import (
	"errors"
	"testing"

	"haloleads/internal/lead"
)

func TestParseLushaOptOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want lead.Values
		err  error
	}{
		{"the contract's example", `{"contactId":"987654321","fullName":"Jane Doe","companyName":"Acme Corp",
			"jobTitle":"Director of Product","linkedinUrl":"https://www.linkedin.com/in/jane-doe",
			"contactOptOutDate":"2026-04-22 14:32:11.412","contactExposureDate":"2025-08-03 09:15:47",
			"datapoints":[{"datapointId":"+14155550199","datapointType":"phone"},{"datapointId":"jane.doe@acme.com","datapointType":"email"}],
			"partnerClientId":"acme-crm-tenant-42"}`,
			lead.Values{lead.Email: "jane.doe@acme.com", lead.PhoneDirect: "+14155550199", lead.LinkedIn: "https://www.linkedin.com/in/jane-doe",
				lead.FirstName: "Jane", lead.LastName: "Doe", lead.Company: "Acme Corp"}, nil},
		{"two phones, two addresses: the first address", `{"datapoints":[{"datapointId":"a@x.example","datapointType":"EMAIL"},
			{"datapointId":"b@x.example","datapointType":"email"},{"datapointId":"+1 415 555 0100","datapointType":"phone"},
			{"datapointId":"+1 415 555 0101","datapointType":"phone"},{"datapointId":"+1 415 555 0102","datapointType":"phone"}]}`,
			lead.Values{lead.Email: "a@x.example", lead.PhoneDirect: "+1 415 555 0100", lead.PhoneMobile: "+1 415 555 0101"}, nil},
		{"LinkedIn only", `{"linkedinUrl":"https://www.linkedin.com/in/x","fullName":"Mononym"}`,
			lead.Values{lead.LinkedIn: "https://www.linkedin.com/in/x"}, nil},
		{"nothing to key on", `{"fullName":"Jane Doe","datapoints":[{"datapointId":" ","datapointType":"email"}]}`, nil, ErrBadLushaPayload},
		{"not JSON", `contactId=1`, nil, ErrBadLushaPayload},
		{"wrong types", `{"datapoints":"x"}`, nil, ErrBadLushaPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got, err := ParseLushaOptOut([]byte(tt.body))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("values %v, want %v", got, tt.want)
			}
			for f, v := range tt.want {
				if got[f] != v {
					t.Errorf("%s = %q, want %q", f, got[f], v)
				}
			}
		})
	}
}

func TestVerifyLusha(t *testing.T) {
	t.Parallel()
	body := []byte(`{"contactId":"1"}`)
	// Computed as the contract's Node.js example does: HMAC-SHA256(secret, ts + "." + body), hex.
	const sig = "0ad86a5b1b7bb1d4e0c1c2b46e1e3d1ea3c8e44ee9b6e1d8a05c17a40df5f7d4"
	good := sign("whsec_x", "1767225600", body)
	tests := []struct {
		name, secret, ts, sig string
		body                  []byte
		want                  bool
	}{
		{"signed", "whsec_x", "1767225600", good, body, true},
		{"upper-case hex", "whsec_x", "1767225600", upper(good), body, true},
		{"another body", "whsec_x", "1767225600", good, []byte(`{"contactId":"2"}`), false},
		{"another timestamp", "whsec_x", "1767225601", good, body, false},
		{"another secret", "whsec_y", "1767225600", good, body, false},
		{"no secret configured", "", "1767225600", good, body, false},
		{"unsigned", "whsec_x", "", "", body, false},
		{"made up", "whsec_x", "1767225600", sig, body, false},
	}
	for _, tt := range tests {
		if got := VerifyLusha(tt.secret, tt.ts, tt.sig, tt.body); got != tt.want {
			t.Errorf("%s: VerifyLusha = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLushaURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://hooks.acme.example/halo":       "https://hooks.acme.example/lusha/opt-out",
		"https://hooks.acme.example:8443/x?y=1": "https://hooks.acme.example:8443/lusha/opt-out",
	} {
		if got, err := LushaURL(in); err != nil || got != want {
			t.Errorf("LushaURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := LushaURL("/relative"); err == nil {
		t.Error("a relative URL was accepted")
	}
}

// FuzzParseLushaOptOut checks that any body parses or is refused with ErrBadLushaPayload, and
// that what parses has something to suppress.
func FuzzParseLushaOptOut(f *testing.F) {
	f.Add(`{"fullName":"Jane Doe","datapoints":[{"datapointId":"jane@acme.example","datapointType":"email"}]}`)
	f.Add(`{"datapoints":[{"datapointId":"+1","datapointType":"phone"}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		_, v, err := ParseLushaOptOut([]byte(body))
		if err != nil {
			if !errors.Is(err, ErrBadLushaPayload) {
				t.Fatalf("error %v is not ErrBadLushaPayload", err)
			}
			return
		}
		if v[lead.Email] == "" && v[lead.PhoneDirect] == "" && v[lead.LinkedIn] == "" {
			t.Fatalf("parsed %v with nothing to suppress", v)
		}
	})
}
