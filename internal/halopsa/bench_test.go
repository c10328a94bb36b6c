package halopsa

import (
	"context"
	"fmt"
	"testing"
	"time"

	"haloleads/internal/halosandbox"
)

// BenchmarkSaveUsers saves 1,000 users per iteration into a fresh sandbox and reports the
// requests the client sends: the figures the import's halo_requests summary and the rate-limit
// budget depend on.
func BenchmarkSaveUsers(b *testing.B) {
	for _, firstOnly := range []bool{false, true} {
		b.Run(fmt.Sprint("firstObjectOnly=", firstOnly), func(b *testing.B) {
			var requests, writes int64
			for b.Loop() {
				b.StopTimer()
				_, c, _ := sandbox(b, halosandbox.Options{FirstObjectOnly: firstOnly, RateLimit: -1}, nil)
				cu, site := companyWithSite(b, c, "Acme")
				in := sandboxUsers(1000, cu, site)
				r0, w0 := c.Requests(), c.WriteRequests()
				b.StartTimer()
				if _, err := c.SaveUsers(context.Background(), in); err != nil {
					b.Fatal(err)
				}
				requests += c.Requests() - r0
				writes += c.WriteRequests() - w0
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/1000users")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/1000users")
		})
	}
}

// BenchmarkLimiterWait measures the cost of taking budget when budget is available (a window
// of 1 µs keeps it from ever filling).
func BenchmarkLimiterWait(b *testing.B) {
	l, err := NewLimiter(LimiterConfig{Limit: 300, Window: time.Microsecond})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if err := l.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(l.Waits()), "waits")
}
