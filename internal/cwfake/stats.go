package cwfake

import (
	"maps"
	"sync"
)

// Stats counts the API requests a server answered (admin and companyinfo
// requests are not counted).
type Stats struct {
	// Requests is the number of API requests answered.
	Requests int64 `json:"requests"`
	// ByStatus counts answers by HTTP status ("200", "429", ...); "reset"
	// counts connections closed mid-body.
	ByStatus map[string]int64 `json:"byStatus"`
	// Faults counts injected faults: rateLimit, budget, serverError,
	// malformed, reset, slow, and hostile (answers a hostile mode replaced).
	Faults map[string]int64 `json:"faults"`
	// Versions counts the model versions requested in Accept headers;
	// "none" when absent.
	Versions map[string]int64 `json:"versions"`
	// Endpoints counts requests by method and endpoint, e.g.
	// "GET service/tickets", "GET service/tickets/{id}".
	Endpoints map[string]int64 `json:"endpoints"`
}

type statsRecorder struct {
	mu sync.Mutex
	s  Stats
}

func newStatsRecorder() *statsRecorder {
	r := &statsRecorder{}
	r.reset()
	return r
}

func (r *statsRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s = Stats{ByStatus: map[string]int64{}, Faults: map[string]int64{}, Versions: map[string]int64{}, Endpoints: map[string]int64{}}
}

func (r *statsRecorder) record(endpoint, version, status, fault string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.Requests++
	r.s.ByStatus[status]++
	if version == "" {
		version = "none"
	}
	r.s.Versions[version]++
	r.s.Endpoints[endpoint]++
	if fault != "" {
		r.s.Faults[fault]++
	}
}

func (r *statsRecorder) fault(kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.Faults[kind]++
}

func (r *statsRecorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Requests: r.s.Requests, ByStatus: maps.Clone(r.s.ByStatus), Faults: maps.Clone(r.s.Faults),
		Versions: maps.Clone(r.s.Versions), Endpoints: maps.Clone(r.s.Endpoints)}
}

// Stats returns a snapshot of the request counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats clears the request counters.
func (s *Server) ResetStats() { s.stats.reset() }
