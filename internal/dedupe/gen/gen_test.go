package gen

import (
	"reflect"
	"testing"

	"haloleads/internal/lead"
	"haloleads/internal/normalize"
)

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a := Generate(Config{Seed: 3, People: 300})
	b := Generate(Config{Seed: 3, People: 300})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different datasets")
	}
	c := Generate(Config{Seed: 4, People: 300})
	if reflect.DeepEqual(a.Records, c.Records) {
		t.Fatal("different seeds, same dataset")
	}
}

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	ds := Generate(Config{Seed: 5, People: 2000})
	if len(ds.Records) != len(ds.Truth) {
		t.Fatalf("%d records, %d truth labels", len(ds.Records), len(ds.Truth))
	}
	if n := len(ds.Records); n < 2*2000 || n > 3*2000 {
		t.Errorf("%d records for 2000 people, want about 2.2 per person", n)
	}
	sources := map[lead.Source]int{}
	var gmailVariants, nationalPhones, nicknames int
	for _, r := range ds.Records {
		sources[r.Source]++
		if e := r.Values[lead.Email]; normalize.EmailKey(e) != "" && normalize.EmailKey(e) != lowerASCII(e) {
			gmailVariants++
		}
		if p := r.Values[lead.PhoneDirect]; len(p) > 0 && p[0] == '0' {
			nationalPhones++
		}
		if normalize.CanonicalFirst(r.Values[lead.FirstName]) != normalize.FoldName(r.Values[lead.FirstName]) {
			nicknames++
		}
	}
	for _, s := range lead.Providers {
		if sources[s] == 0 {
			t.Errorf("no records from %s", s)
		}
	}
	if gmailVariants == 0 || nationalPhones == 0 || nicknames == 0 {
		t.Errorf("variations missing: gmail %d, national phones %d, nicknames %d", gmailVariants, nationalPhones, nicknames)
	}
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	truth := []int{1, 1, 1, 2, 2, 3}
	tests := []struct {
		name    string
		members map[string][]int
		p, r    float64
	}{
		{"perfect", map[string][]int{"a": {0, 1, 2}, "b": {3, 4}, "c": {5}}, 1, 1},
		{"all apart", map[string][]int{"a": {0}, "b": {1}, "c": {2}, "d": {3}, "e": {4}, "f": {5}}, 1, 0},
		{"one wrong merge", map[string][]int{"a": {0, 1, 2}, "b": {3, 4, 5}}, 4.0 / 6, 1},
		{"one split", map[string][]int{"a": {0, 1}, "x": {2}, "b": {3, 4}, "c": {5}}, 1, 2.0 / 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := Evaluate(tt.members, truth)
			if m.Precision != tt.p || m.Recall != tt.r {
				t.Errorf("got %s, want precision %.3f recall %.3f", m, tt.p, tt.r)
			}
		})
	}
}
