package diag

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "abc", 0}, {"stauts", "status", 1}, {"intialdescription", "initialdescription", 1},
		{"kitten", "sitting", 3}, {"ca", "abc", 3}, {"naïve", "naive", 1},
	} {
		if got := EditDistance(c.a, c.b); got != c.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
		if got := EditDistance(c.b, c.a); got != c.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.b, c.a, got, c.d)
		}
	}
}
