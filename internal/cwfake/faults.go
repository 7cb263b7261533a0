package cwfake

import (
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Fault kinds, as counted in Stats.Faults.
const (
	faultRateLimit   = "rateLimit"
	faultBudget      = "budget"
	faultServerError = "serverError"
	faultMalformed   = "malformed"
	faultReset       = "reset"
	faultSlow        = "slow"
)

// decision is the fault drawn for one request.
type decision struct {
	kind   string  // "" for none
	status int     // for faultServerError
	cut    float64 // for faultReset: fraction of the body sent
}

// faultInjector draws fault decisions from a seeded generator, one draw per
// request, and enforces the request budget. It is safe for concurrent use.
type faultInjector struct {
	mu          sync.Mutex
	rng         *rand.Rand
	rl, se, mf  float64
	rf          float64
	maxConsec   int
	consecutive map[string]int
	retryAfter  int

	rpm         int
	window      time.Duration
	windowStart time.Time
	windowCount int
}

func newFaultInjector(cfg Config) *faultInjector {
	ra := 0
	if cfg.RetryAfter > 0 {
		ra = int(math.Ceil(cfg.RetryAfter.Seconds()))
	}
	return &faultInjector{
		rng: newRand(cfg.FaultSeed, 3),
		rl:  cfg.RateLimitFraction, se: cfg.ServerErrorFraction, mf: cfg.MalformedFraction, rf: cfg.ResetFraction,
		maxConsec:   cfg.MaxConsecutiveFaults,
		consecutive: map[string]int{},
		retryAfter:  ra,
		rpm:         cfg.RequestsPerMinute,
		window:      cfg.BudgetWindow,
	}
}

// admit counts a request against the budget; when it is spent it returns
// false and the whole seconds until the window ends (at least 1).
func (f *faultInjector) admit(now time.Time) (bool, int) {
	if f.rpm <= 0 {
		return true, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.windowStart.IsZero() || now.Sub(f.windowStart) >= f.window {
		f.windowStart, f.windowCount = now, 0
	}
	if f.windowCount >= f.rpm {
		left := f.window - now.Sub(f.windowStart)
		return false, max(1, int(math.Ceil(left.Seconds())))
	}
	f.windowCount++
	return true, 0
}

// draw decides the fault for a request. One uniform number picks the kind
// from consecutive intervals (rate limit, server error, malformed, reset),
// so each fires at its configured fraction; a second picks the 5xx status
// or the cut point. A request key faulted maxConsec times in a row is not
// faulted again until it succeeds.
func (f *faultInjector) draw(key string) decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, v := f.rng.Float64(), f.rng.Float64()
	if f.maxConsec > 0 && f.consecutive[key] >= f.maxConsec {
		return decision{}
	}
	switch {
	case u < f.rl:
		return decision{kind: faultRateLimit}
	case u < f.rl+f.se:
		return decision{kind: faultServerError, status: []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[int(v*3)%3]}
	case u < f.rl+f.se+f.mf:
		return decision{kind: faultMalformed}
	case u < f.rl+f.se+f.mf+f.rf:
		return decision{kind: faultReset, cut: 0.1 + 0.8*v}
	}
	return decision{}
}

// settle records whether a request was faulted, for the consecutive cap.
func (f *faultInjector) settle(key string, faulted bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !faulted {
		delete(f.consecutive, key)
		return
	}
	if len(f.consecutive) > 100000 {
		clear(f.consecutive)
	}
	f.consecutive[key]++
}
