package dedupe

import (
	"math"
	"testing"
	"unicode/utf8"
)

func TestJaroWinkler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"katherine", "catherine", 0.9259},
		{"smith", "smyth", 0.8933},
		{"anna", "anne", 0.8833},
		{"same", "same", 1},
		{"", "x", 0},
		{"abc", "xyz", 0},
		{"zoë", "zoe", 0.8222},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			t.Parallel()
			if got := JaroWinkler(tt.a, tt.b); math.Abs(got-tt.want) > 1e-4 {
				t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func FuzzJaroWinkler(f *testing.F) {
	f.Add("martha", "marhta")
	f.Add("", "")
	f.Add("zoë", "zoe")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		x, y := JaroWinkler(a, b), JaroWinkler(b, a)
		if x < 0 || x > 1 {
			t.Errorf("JaroWinkler(%q, %q) = %v out of [0,1]", a, b, x)
		}
		if math.Abs(x-y) > 1e-9 {
			t.Errorf("not symmetric: %v vs %v", x, y)
		}
		if a == b && x != 1 {
			t.Errorf("JaroWinkler(%q, %q) = %v, want 1", a, a, x)
		}
	})
}

func BenchmarkJaroWinkler(b *testing.B) {
	for b.Loop() {
		JaroWinkler("katherine", "catherine")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
