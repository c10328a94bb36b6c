package normalize

import (
	"slices"
	"strings"
	"testing"
)

func TestTitleKey(t *testing.T) {
	t.Parallel()
	groups := [][]string{
		{"VP Sales", "Vice President, Sales", "Vice President of Sales", "vp - sales"},
		{"CTO", "Chief Technology Officer", "chief technology officer"},
		{"Sr. Software Engineer", "Senior Software Engineer", "Software Engineer, Senior"},
		{"IT Manager", "Manager, IT", "IT Mgr"},
		{"Director of Operations", "Operations Director", "Dir. Operations"},
	}
	for _, g := range groups {
		t.Run(g[0], func(t *testing.T) {
			t.Parallel()
			want := TitleKey(g[0])
			for _, title := range g[1:] {
				if got := TitleKey(title); got != want {
					t.Errorf("TitleKey(%q) = %q, want %q (as %q)", title, got, want, g[0])
				}
			}
		})
	}
	if TitleKey("CEO") == TitleKey("CFO") {
		t.Error("CEO and CFO share a key")
	}
}

func FuzzTitleKey(f *testing.F) {
	for _, s := range []string{"VP Sales", "Sr. Mgr, IT & Ops", "", "of the"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		k := TitleKey(title)
		w := strings.Fields(k)
		if !slices.IsSorted(w) {
			t.Errorf("TitleKey(%q) = %q: words not sorted", title, k)
		}
		if again := TitleKey(k); again != k {
			t.Errorf("TitleKey not stable: %q then %q", k, again)
		}
	})
}
