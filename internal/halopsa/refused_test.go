package halopsa

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"haloleads/internal/halosandbox"
)

// TestRefusedRecordsAreIsolated saves batches in which HaloPSA (the sandbox) refuses some users
// for having no name: every other user is saved, each refused one is named with HaloPSA's
// message, and saving the refused ones again refuses them again without saving anything twice.
func TestRefusedRecordsAreIsolated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		n       int
		refused []int
	}{
		{"one of 100", 100, []int{41}},
		{"first and last of 100", 100, []int{0, 99}},
		{"three of 250", 250, []int{5, 120, 249}},
		{"the only one", 1, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, c, _ := sandbox(t, halosandbox.Options{RateLimit: -1}, nil)
			cu, site := companyWithSite(t, c, "Acme")
			in := sandboxUsers(tc.n, cu, site)
			for _, i := range tc.refused {
				in[i].Name = ""
			}
			before := c.Requests()
			got, err := c.SaveUsers(context.Background(), in)
			var re *RefusedError
			if !errors.As(err, &re) || !equalInts(re.Indexes(), tc.refused) {
				t.Fatalf("err = %v, want a *RefusedError for %v", err, tc.refused)
			}
			if !IsValidation(err) || re.Refused[0].Err.Message != "Please enter a name for this User" {
				t.Errorf("refusal %+v, want HaloPSA's message", re.Refused[0].Err)
			}
			if len(got) != tc.n {
				t.Fatalf("got %d users back, want %d", len(got), tc.n)
			}
			for i, u := range got {
				refused := contains(tc.refused, i)
				if (u.ID == 0) != refused || (!refused && u.EmailAddress != in[i].EmailAddress) {
					t.Fatalf("user %d = %+v (refused: %v)", i, u, refused)
				}
			}
			if len(sb.Users()) != tc.n-len(tc.refused) {
				t.Errorf("sandbox holds %d users, want %d", len(sb.Users()), tc.n-len(tc.refused))
			}
			t.Logf("%d users, %d refused: %d POSTs", tc.n, len(tc.refused), c.Requests()-before)

			again := make([]User, 0, len(tc.refused))
			for _, i := range tc.refused {
				again = append(again, in[i])
			}
			if _, err := c.UpsertUsers(context.Background(), again); !errors.As(err, &re) || len(re.Refused) != len(again) {
				t.Errorf("saving the refused users again: %v", err)
			}
			if len(sb.Users()) != tc.n-len(tc.refused) {
				t.Errorf("after the re-run the sandbox holds %d users", len(sb.Users()))
			}
		})
	}
}

// TestSetupBatchesAreNotSplit checks that the tenant set-up resources, which must land whole,
// still fail as a batch.
func TestSetupBatchesAreNotSplit(t *testing.T) {
	t.Parallel()
	_, c, _ := sandbox(t, halosandbox.Options{RateLimit: -1}, nil)
	if err := c.Authenticate(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := c.Requests()
	_, err := c.SaveStatuses(context.Background(), []Status{{Name: "Fine"}, {Name: ""}})
	var re *RefusedError
	if err == nil || errors.As(err, &re) || c.Requests()-before != 1 {
		t.Errorf("err = %v after %d POSTs, want one refused POST", err, c.Requests()-before)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestIsSetupMissing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		msg    string
		want   bool
	}{
		{400, "Custom field 12 does not exist", true},
		{400, "The value '9' is not valid for tickettype_id.", true},
		{400, "Status 31 does not exist", true},
		{400, "Ticket Type 4 not found", true},
		{400, "Please enter a name for this User", false},
		{400, "User 5 does not exist", false},
		{500, "Custom field 12 does not exist", false},
	} {
		err := fmt.Errorf("saving: %w", &APIError{StatusCode: tc.status, Message: tc.msg})
		if got := IsSetupMissing(err); got != tc.want {
			t.Errorf("IsSetupMissing(%d %q) = %v, want %v", tc.status, tc.msg, got, tc.want)
		}
	}
}
