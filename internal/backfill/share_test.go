package backfill

import "testing"

func TestShare(t *testing.T) {
	for _, c := range []struct {
		part, whole int64
		want        string
	}{
		{89, 300, "29.7%"},
		{0, 300, "0.0%"},
		{300, 300, "100.0%"},
		{1, 100000, "<0.1%"},
		{99999, 100000, ">99.9%"},
		{1, 0, "-"},
	} {
		if got := share(c.part, c.whole); got != c.want {
			t.Errorf("share(%d, %d) = %q, want %q", c.part, c.whole, got, c.want)
		}
	}
}
