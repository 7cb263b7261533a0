package backfill

import "testing"

// needsChild: children are requested for every record of a sweep that
// must see them change on their own, for new keys and for changed records.
func TestNeedsChild(t *testing.T) {
	for _, c := range []struct {
		name                           string
		everyRecord, exists, unchanged bool
		want                           bool
	}{
		{"new key", false, false, false, true},
		{"own columns changed", false, true, false, true},
		{"own columns unchanged: stored children reused", false, true, true, false},
		{"--full, unchanged", true, true, true, true},
		{"--full, new", true, false, false, true},
	} {
		if got := needsChild(c.everyRecord, c.exists, c.unchanged); got != c.want {
			t.Errorf("%s: needsChild = %v, want %v", c.name, got, c.want)
		}
	}
}
