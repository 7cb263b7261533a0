package cwfake

import (
	"net/http"
	"strconv"
)

// serveAdmin answers the unauthenticated test-control endpoints:
//
//	POST /_admin/mutate?seed=&changed=&deleted=&added=[&notes=][&entity=path]  -> MutationReport
//	     (notes: edit the description note of that many tickets without
//	     touching the tickets; their ids are the report's notes_edited)
//	     (entity: an endpoint path such as company/companies; default service/tickets)
//	POST /_admin/hostile?mode=                           -> 204 (mode: one of HostileModes, "" for none)
//	GET  /_admin/stats                                  -> Stats
//	POST /_admin/stats/reset                            -> 204
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	allow := func(method string) bool {
		if r.Method == method {
			return true
		}
		resp := errorResponse(http.StatusMethodNotAllowed, "MethodNotAllowed", "Use %s for %s.", method, r.URL.Path)
		resp.header.Set("Allow", method)
		writeResponse(w, resp)
		return false
	}
	switch r.URL.Path {
	case "/_admin/mutate":
		if !allow(http.MethodPost) {
			return
		}
		q := r.URL.Query()
		var nums [5]int64
		for i, name := range []string{"seed", "changed", "deleted", "added", "notes"} {
			v := q.Get(name)
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || (i > 0 && (n < 0 || n > 10_000_000)) {
				writeResponse(w, errorResponse(http.StatusBadRequest, "InvalidObject", "%s must be an integer (counts 0..10000000), got %q", name, v))
				return
			}
			nums[i] = n
		}
		if ent := q.Get("entity"); ent != "" && ent != TicketsPath {
			rep, err := s.store.MutateEntity(ent, nums[0], int(nums[1]), int(nums[2]), int(nums[3]))
			if err != nil {
				writeResponse(w, errorResponse(http.StatusBadRequest, "InvalidObject", "%v", err))
				return
			}
			writeResponse(w, jsonResponse(http.StatusOK, rep))
			return
		}
		rep := s.store.Mutate(nums[0], int(nums[1]), int(nums[2]), int(nums[3]))
		if nums[4] > 0 {
			rep.NotesEdited = s.store.EditNotes(nums[0], int(nums[4]))
		}
		writeResponse(w, jsonResponse(http.StatusOK, rep))
	case "/_admin/hostile":
		if !allow(http.MethodPost) {
			return
		}
		if err := s.SetHostile(r.URL.Query().Get("mode")); err != nil {
			writeResponse(w, errorResponse(http.StatusBadRequest, "InvalidObject", "%v", err))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "/_admin/stats":
		if allow(http.MethodGet) {
			writeResponse(w, jsonResponse(http.StatusOK, s.Stats()))
		}
	case "/_admin/stats/reset":
		if allow(http.MethodPost) {
			s.ResetStats()
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		writeResponse(w, errorResponse(http.StatusNotFound, "NotFound", "No admin endpoint %s", r.URL.Path))
	}
}
