package cwfake

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// outcome classifies one answer the way a client sees it.
func outcome(r result) string {
	switch {
	case r.err != nil:
		if errors.Is(r.err, io.ErrUnexpectedEOF) {
			return "reset"
		}
		return "error: " + r.err.Error()
	case r.status == http.StatusTooManyRequests:
		return "429"
	case r.status >= 500:
		return "5xx"
	case r.status == http.StatusOK && !json.Valid(r.body):
		return "malformed"
	case r.status == http.StatusOK:
		return "ok"
	}
	return strconv.Itoa(r.status)
}

func TestEachFaultOccursAtItsRate(t *testing.T) {
	const n, frac = 600, 0.2
	s := NewStore(1, 40)
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"rate limit", Config{RateLimitFraction: frac}, "429"},
		{"server error", Config{ServerErrorFraction: frac}, "5xx"},
		{"malformed", Config{MalformedFraction: frac}, "malformed"},
		{"reset", Config{ResetFraction: frac}, "reset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Store, tc.cfg.FaultSeed, tc.cfg.RetryAfter = s, 77, -1
			c := newTestServer(t, tc.cfg)
			got := map[string]int{}
			statuses := map[int]int{}
			for i := range n {
				// Distinct URLs, so the consecutive-fault cap never applies.
				r := c.get("/service/tickets?pageSize=1&page=" + strconv.Itoa(1+i%40) + "&x=" + strconv.Itoa(i))
				got[outcome(r)]++
				statuses[r.status]++
				if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") != "0" {
					t.Fatalf("Retry-After %q, want 0", r.header.Get("Retry-After"))
				}
			}
			rate := float64(got[tc.want]) / n
			if math.Abs(rate-frac) > 0.06 || got["ok"]+got[tc.want] != n {
				t.Errorf("outcomes %v: %s rate %.3f, want about %.2f and nothing else", got, tc.want, rate, frac)
			}
			st := c.api.Stats()
			kind := map[string]string{"429": faultRateLimit, "5xx": faultServerError, "malformed": faultMalformed, "reset": faultReset}[tc.want]
			if st.Faults[kind] != int64(got[tc.want]) {
				t.Errorf("stats count %d %s faults, client saw %d", st.Faults[kind], kind, got[tc.want])
			}
			if tc.want == "5xx" && (statuses[500] == 0 || statuses[502] == 0 || statuses[503] == 0) {
				t.Errorf("server errors %v, want a mix of 500, 502 and 503", statuses)
			}
		})
	}
}

func TestRetryingClientGetsAllDataThroughFaults(t *testing.T) {
	s := NewStore(12, 700)
	cfg := Config{Store: s, FaultSeed: 5, RetryAfter: -1,
		RateLimitFraction: 0.1, ServerErrorFraction: 0.1, MalformedFraction: 0.1, ResetFraction: 0.1}
	for _, mode := range []map[string]string{nil, {"pagination-type": "forward-only"}} {
		c := newTestServer(t, cfg)
		got, _ := c.crawl("/service/tickets?pageSize=20", mode, true)
		if d := diffInts(got, s.TicketIDs()); d != "" {
			t.Fatalf("mode %v: %s", mode, d)
		}
		st := c.api.Stats()
		for _, k := range []string{faultRateLimit, faultServerError, faultMalformed, faultReset} {
			if st.Faults[k] == 0 {
				t.Errorf("mode %v: no %s fault in %d requests (%v)", mode, k, st.Requests, st.Faults)
			}
		}
	}
}

func TestFaultsAreReproducibleFromTheSeed(t *testing.T) {
	run := func(seed int64) []string {
		c := newTestServer(t, Config{Store: NewStore(1, 30), FaultSeed: seed, RetryAfter: -1,
			RateLimitFraction: 0.15, ServerErrorFraction: 0.15, MalformedFraction: 0.15, ResetFraction: 0.15})
		var out []string
		for i := range 80 {
			r := c.get("/service/tickets?pageSize=2&page=" + strconv.Itoa(1+i%15))
			out = append(out, outcome(r)+" "+strconv.Itoa(r.status))
		}
		return out
	}
	a, b, other := run(3), run(3), run(4)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %q vs %q from the same seed", i, a[i], b[i])
		}
	}
	same := 0
	for i := range a {
		if a[i] == other[i] {
			same++
		}
	}
	if same == len(a) {
		t.Error("seeds 3 and 4 fault identically")
	}
}

func TestConsecutiveFaultCap(t *testing.T) {
	s := NewStore(1, 10)
	c := newTestServer(t, Config{Store: s, RateLimitFraction: 1, RetryAfter: -1, MaxConsecutiveFaults: 3})
	var seq []int
	for range 5 {
		seq = append(seq, c.get("/service/tickets").status)
	}
	if want := []int{429, 429, 429, 200, 429}; !equalInts(seq, want) {
		t.Errorf("statuses %v, want %v", seq, want)
	}
	uncapped := newTestServer(t, Config{Store: s, RateLimitFraction: 1, RetryAfter: -1, MaxConsecutiveFaults: -1})
	for i := range 10 {
		if st := uncapped.get("/service/tickets").status; st != 429 {
			t.Fatalf("uncapped request %d: %d", i, st)
		}
	}
	// Default Retry-After is one second.
	def := newTestServer(t, Config{Store: s, RateLimitFraction: 1})
	if r := def.get("/service/tickets"); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("default Retry-After: %d %q", r.status, r.header.Get("Retry-After"))
	}
}

func equalInts(a, b []int) bool { return diffInts(a, b) == "" }

func TestRequestBudget(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(1, 10), RequestsPerMinute: 5, BudgetWindow: 300 * time.Millisecond})
	start := time.Now()
	for i := range 5 {
		if r := c.get("/service/tickets/count"); r.status != 200 {
			t.Fatalf("request %d within budget: %d", i, r.status)
		}
	}
	r := c.get("/service/tickets/count")
	if time.Since(start) < 250*time.Millisecond && (r.status != 429 || r.header.Get("Retry-After") != "1") {
		t.Fatalf("over budget: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	time.Sleep(time.Until(start.Add(350 * time.Millisecond)))
	if r := c.get("/service/tickets/count"); r.status != 200 {
		t.Errorf("next window: %d", r.status)
	}
	if c.api.Stats().Faults[faultBudget] < 1 {
		t.Error("budget 429 not counted")
	}
}

func TestSlowPage(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(1, 10), SlowPage: 120 * time.Millisecond})
	start := time.Now()
	c.mustOK(c.get("/service/tickets"), "page")
	if d := time.Since(start); d < 120*time.Millisecond {
		t.Errorf("page took %s, want at least 120ms", d)
	}
	start = time.Now()
	c.mustOK(c.get("/service/tickets/count"), "count")
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("count took %s; only pages are slowed", d)
	}
}
