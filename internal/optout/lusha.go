package optout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/internal/lead"
	"haloleads/internal/leadflow"
)

// LushaPath is the receiver's route for Lusha's opt-out webhook; `starter setup` subscribes
// WEBHOOK_PUBLIC_URL's host with this path.
const LushaPath = "/lusha/opt-out"

// LushaOptOut is the payload Lusha POSTs when a contact opts out (OptOutWebhookPayload).
type LushaOptOut struct {
	ContactID         string `json:"contactId"`
	FullName          string `json:"fullName"`
	CompanyName       string `json:"companyName"`
	JobTitle          string `json:"jobTitle"`
	LinkedInURL       string `json:"linkedinUrl"`
	ContactOptOutDate string `json:"contactOptOutDate"`
	Datapoints        []struct {
		ID   string `json:"datapointId"`
		Type string `json:"datapointType"`
	} `json:"datapoints"`
}

// ErrBadLushaPayload is returned by ParseLushaOptOut for a body that is not an opt-out.
var ErrBadLushaPayload = errors.New("not a Lusha opt-out payload")

// ParseLushaOptOut reads an opt-out payload into the person's values: every e-mail address
// (the first as Email), the first two phones, the LinkedIn profile and the name at the company.
func ParseLushaOptOut(body []byte) (LushaOptOut, lead.Values, error) {
	var p LushaOptOut
	if err := json.Unmarshal(body, &p); err != nil {
		return p, nil, fmt.Errorf("%w: %v", ErrBadLushaPayload, err)
	}
	v := lead.Values{}
	phones := []lead.Field{lead.PhoneDirect, lead.PhoneMobile}
	for _, d := range p.Datapoints {
		id := strings.TrimSpace(d.ID)
		switch {
		case id == "":
		case strings.EqualFold(d.Type, "email") && v[lead.Email] == "":
			v[lead.Email] = id
		case strings.EqualFold(d.Type, "phone") && len(phones) > 0:
			v[phones[0]], phones = id, phones[1:]
		}
	}
	if p.LinkedInURL != "" {
		v[lead.LinkedIn] = p.LinkedInURL
	}
	if first, last, ok := strings.Cut(strings.TrimSpace(p.FullName), " "); ok {
		v[lead.FirstName], v[lead.LastName] = first, strings.TrimSpace(last)
	}
	if p.CompanyName != "" {
		v[lead.Company] = p.CompanyName
	}
	if v[lead.Email] == "" && v[lead.PhoneDirect] == "" && v[lead.LinkedIn] == "" {
		return p, nil, fmt.Errorf("%w: no e-mail, phone or LinkedIn datapoint", ErrBadLushaPayload)
	}
	return p, v, nil
}

// VerifyLusha checks X-Lusha-Signature: hex HMAC-SHA256 of timestamp + "." + body under the
// account's webhook secret, compared in constant time.
func VerifyLusha(secret, timestamp, signature string, body []byte) bool {
	if secret == "" || timestamp == "" || signature == "" {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	want := hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(strings.ToLower(signature)))
}

// LushaHandler receives Lusha's opt-out webhook: it verifies the signature, suppresses the
// person under every key and marks their lead Do Not Contact (accepted by the workflow before
// answering; the workflow does the rest durably), then acknowledges as Lusha requires.
func (s Service) LushaHandler(secret string, logger *zap.Logger) http.Handler {
	if logger == nil {
		logger = zap.NewNop()
	}
	// Answer once the lead accepted the update: Lusha wants an answer within 10 seconds.
	s.Wait = client.WorkflowUpdateStageAccepted
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if !VerifyLusha(secret, r.Header.Get("X-Lusha-Timestamp"), r.Header.Get("X-Lusha-Signature"), body) {
			logger.Warn("lusha opt-out with a bad signature refused")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid signature"})
			return
		}
		p, values, err := ParseLushaOptOut(body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		res, err := s.DoNotContact(r.Context(), Request{Values: values, Via: leadflow.ViaProvider,
			By: "Lusha opt-out webhook", Reason: "opted out at Lusha on " + p.ContactOptOutDate})
		if err != nil {
			logger.Error("lusha opt-out not recorded", zap.Error(err))
			http.Error(w, "not recorded, send again", http.StatusServiceUnavailable)
			return
		}
		logger.Info("lusha opt-out recorded", zap.String("lead", res.LeadID), zap.Int("keys", res.Keys))
		writeJSON(w, http.StatusCreated, map[string]any{"received": true,
			"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "webhookId": p.ContactID})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
