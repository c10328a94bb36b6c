package zoominfo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"haloleads/internal/lead"
	"haloleads/internal/providers"
)

// contactFields are the outputFields Enrich asks for.
var contactFields = []string{"id", "firstName", "lastName", "email", "phone", "directPhoneDoNotCall",
	"mobilePhone", "mobilePhoneDoNotCall", "jobTitle", "managementLevel", "jobFunction", "externalUrls",
	"city", "state", "country", "contactAccuracyScore", "companyId", "companyName", "companyWebsite",
	"companyPhone", "companyRevenueNumeric", "companyEmployeeCount", "companyPrimaryIndustry"}

// companyFields are the outputFields EnrichCompanies asks for.
var companyFields = []string{"id", "name", "website", "phone", "street", "city", "state", "zipCode", "country",
	"revenue", "employeeCount", "employeeRange", "revenueRange", "primaryIndustry", "techAttributes"}

// Enrich matches the records in batches of MaxEnrich. Records from a ZoomInfo search match by
// personId; others by email, or first and last name with company. Credits are the records
// returned: ZoomInfo does not charge records bought in the last 12 months but does not mark
// them either, so the count is an upper bound. When ZoomInfo answers LIMIT_EXCEEDED the
// records matched so far are returned with a QuotaExhausted *providers.APIError.
func (c *Client) Enrich(ctx context.Context, in []lead.Record) ([]lead.Record, int, error) {
	var out []lead.Record
	credits := 0
	for _, b := range providers.Batches(len(in), MaxEnrich) {
		recs, n, err := c.enrichBatch(ctx, in[b[0]:b[1]])
		out, credits = append(out, recs...), credits+n
		if err != nil {
			return out, credits, err
		}
	}
	return out, credits, nil
}

// enrichBatch enriches one batch of contacts, then their companies when configured.
func (c *Client) enrichBatch(ctx context.Context, batch []lead.Record) ([]lead.Record, int, error) {
	inputs := make([]map[string]any, len(batch))
	for i, r := range batch {
		inputs[i] = matchInput(r)
	}
	var raw json.RawMessage
	req := providers.Request{Op: opEnrichContact, Method: http.MethodPost, Path: "/enrich/contact",
		Body: map[string]any{"matchPersonInput": inputs, "outputFields": contactFields}}
	if _, err := c.call(ctx, req, &raw); err != nil {
		return nil, 0, fmt.Errorf("enriching %d zoominfo contacts: %w", len(batch), err)
	}
	results, err := ParseEnrichContact(raw)
	if err != nil {
		return nil, 0, err
	}
	credits := c.chargeContacts(results)
	if c.cfg.CompanyDetails {
		n, err := c.addCompanies(ctx, results)
		credits += n
		if err != nil {
			return nil, credits, err
		}
	}
	recs, err := toRecords(batch, results, c.now())
	return recs, credits, err
}

// chargeContacts counts the contacts returned and records them in the ledger.
func (c *Client) chargeContacts(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Cells != nil {
			n++
		}
	}
	c.ledger.Charge(opEnrichContact, n)
	return n
}

// matchInput is the matchPersonInput of r.
func matchInput(r lead.Record) map[string]any {
	if r.Source == lead.ZoomInfo && r.SourceID != "" {
		if id, err := strconv.ParseInt(r.SourceID, 10, 64); err == nil {
			return map[string]any{"personId": id}
		}
	}
	if e := r.Get(lead.Email); e != "" {
		return map[string]any{"emailAddress": e}
	}
	return map[string]any{"firstName": r.Get(lead.FirstName), "lastName": r.Get(lead.LastName),
		"companyName": r.Get(lead.Company)}
}

// addCompanies enriches the companies of the matched contacts and adds their cells.
func (c *Client) addCompanies(ctx context.Context, results []Result) (int, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, r := range results {
		if r.CompanyID != 0 && !seen[r.CompanyID] {
			seen[r.CompanyID] = true
			ids = append(ids, r.CompanyID)
		}
	}
	companies, credits, err := c.EnrichCompanies(ctx, ids)
	if err != nil {
		return credits, err
	}
	for _, r := range results {
		for k, v := range companies[r.CompanyID] {
			if v != "" {
				r.Cells[k] = v
			}
		}
	}
	return credits, nil
}

// EnrichCompanies looks companies up by ZoomInfo id in batches of MaxEnrich and returns their
// export cells by id, with the credits spent (one per company returned, an upper bound as for
// contacts).
func (c *Client) EnrichCompanies(ctx context.Context, ids []int64) (map[int64]map[string]string, int, error) {
	out := make(map[int64]map[string]string, len(ids))
	credits := 0
	for _, b := range providers.Batches(len(ids), MaxEnrich) {
		inputs := make([]map[string]any, 0, b[1]-b[0])
		for _, id := range ids[b[0]:b[1]] {
			inputs = append(inputs, map[string]any{"companyId": id})
		}
		var raw json.RawMessage
		req := providers.Request{Op: opEnrichCompany, Method: http.MethodPost, Path: "/enrich/company",
			Body: map[string]any{"matchCompanyInput": inputs, "outputFields": companyFields}}
		if _, err := c.call(ctx, req, &raw); err != nil {
			return out, credits, fmt.Errorf("enriching %d zoominfo companies: %w", len(inputs), err)
		}
		found, err := ParseEnrichCompany(raw)
		if err != nil {
			return out, credits, err
		}
		for id, cells := range found {
			out[id] = cells
		}
		credits += len(found)
		c.ledger.Charge(opEnrichCompany, len(found))
	}
	return out, credits, nil
}

// toRecords maps the results of batch through the ZoomInfo export mapping. An OPT_OUT result
// becomes a Do Not Contact record built from its input; LIMIT_EXCEEDED ends the batch with a
// QuotaExhausted error after the records before it.
func toRecords(batch []lead.Record, results []Result, seenAt time.Time) ([]lead.Record, error) {
	sheet := providers.NewSheet(lead.ZoomInfo, columns)
	var quota error
	for i, r := range results {
		switch {
		case r.Status == "LIMIT_EXCEEDED":
			quota = &providers.APIError{Provider: lead.ZoomInfo, StatusCode: http.StatusOK, QuotaExhausted: true,
				Message: "enrich result LIMIT_EXCEEDED: the plan's record limit is reached"}
		case quota != nil:
		case r.Status == "OPT_OUT" && i < len(batch):
			sheet.Add(optOutCells(batch[i]))
		case r.Cells != nil:
			sheet.Add(r.Cells)
		}
	}
	recs, _, err := sheet.Records(seenAt)
	if err != nil {
		return nil, err
	}
	return recs, quota
}

// optOutCells describes an opted-out input: its identity and the OPT_OUT status.
func optOutCells(r lead.Record) map[string]string {
	c := map[string]string{"Match Status": "OPT_OUT", "Email Address": r.Get(lead.Email),
		"First Name": r.Get(lead.FirstName), "Last Name": r.Get(lead.LastName), "Company Name": r.Get(lead.Company),
		"Website": r.Get(lead.Website)}
	if r.Source == lead.ZoomInfo {
		c["ZoomInfo Contact ID"] = r.SourceID
	}
	return c
}
