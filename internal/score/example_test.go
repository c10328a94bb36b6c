package score_test

import (
	"fmt"

	"haloleads/internal/lead"
	"haloleads/internal/score"
)

func ExampleQuality() {
	fmt.Println(score.Quality(lead.Values{
		lead.Email: "dana@brightkettle.com", lead.EmailStatus: "accept_all",
		lead.FirstName: "Dana", lead.LastName: "Okafor", lead.Company: "Bright Kettle",
	}))
	// Output: 50
}

func ExampleFit() {
	fmt.Println(score.Fit(lead.Values{
		lead.Industry: "Legal Services", lead.EmployeeRange: "51-200", lead.JobTitle: "Managing Partner",
	}, score.DefaultFitConfig()))
	// Output: 60
}
