package backfill

import (
	"testing"
	"time"
)

func TestSweepBudget(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := time.Second
	ms := time.Millisecond
	cases := []struct {
		name     string
		timeout  time.Duration
		pages    []time.Duration // arrival offsets from t0
		write    time.Duration   // longest INSERT seen
		now      time.Duration   // when asked
		wantStop bool
	}{
		{"no page yet: never stop", 5 * s, nil, 0, 4900 * ms, false},
		{"first page, even past the deadline", 5 * s, []time.Duration{6 * s}, 0, 6 * s, true},
		{"5 s, 1 s pages, time for another", 5 * s, []time.Duration{1 * s, 2 * s}, 100 * ms, 2 * s, false},
		// 3 s + 1 s page + 2x0.5 s writes (the reserve as a floor) + 0.5 s reserve > 5 s
		{"5 s, 1 s pages, no time left", 5 * s, []time.Duration{1 * s, 2 * s, 3 * s}, 100 * ms, 3 * s, true},
		{"slow writes count twice", 60 * s, []time.Duration{1 * s}, 20 * s, 14 * s, true},
		{"slow writes, in time", 60 * s, []time.Duration{1 * s}, 20 * s, 12 * s, false},
		{"15 min, 2 s pages, early", 15 * time.Minute, []time.Duration{2 * s, 4 * s}, s, 4 * s, false},
		// 15 min: reserve capped at 10 s; need 2 s + 2x10 s + 10 s
		{"15 min, near the end", 15 * time.Minute, []time.Duration{2 * s}, s, 15*time.Minute - 31*s, true},
		{"15 min, just enough", 15 * time.Minute, []time.Duration{2 * s}, s, 15*time.Minute - 33*s, false},
	}
	for _, c := range cases {
		b := newSweepBudget(t0, t0.Add(c.timeout))
		for _, p := range c.pages {
			b.pageArrived(t0.Add(p))
		}
		b.wrote(c.write)
		if got := b.stop(t0.Add(c.now)); got != c.wantStop {
			t.Errorf("%s: stop = %v, want %v (page %v, write %v, reserve %v)", c.name, got, c.wantStop, b.page, b.write, b.reserve)
		}
	}
}

// TestHardStop: a fetch still waiting is cancelled when only the time to
// finish is left: two INSERTs (the reserve as a floor) and the reserve.
func TestHardStop(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		timeout, write, want time.Duration // want: hard stop after t0
	}{
		{5 * time.Second, 100 * time.Millisecond, 3500 * time.Millisecond},   // reserve 0.5 s: 5 - 1 - 0.5
		{5 * time.Second, 800 * time.Millisecond, 2900 * time.Millisecond},   // 5 - 1.6 - 0.5
		{time.Second, 0, 250 * time.Millisecond},                             // reserve floor 0.25 s: 1 - 0.5 - 0.25
		{15 * time.Minute, 2 * time.Second, 15*time.Minute - 30*time.Second}, // reserve cap 10 s
	}
	for _, c := range cases {
		b := newSweepBudget(t0, t0.Add(c.timeout))
		b.wrote(c.write)
		if got := b.hardStop().Sub(t0); got != c.want {
			t.Errorf("timeout %v, write %v: hard stop at +%v, want +%v", c.timeout, c.write, got, c.want)
		}
	}
}
