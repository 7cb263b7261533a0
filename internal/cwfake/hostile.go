package cwfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	gojson "github.com/goccy/go-json"
)

// Hostile modes: ways a ConnectWise-compatible server can break the
// protocol that a loader must notice instead of trusting. A mode applies to
// every list endpoint (and, where it says so, to /count); set it with
// Config.Hostile, Server.SetHostile or POST /_admin/hostile?mode=.
const (
	// HostileEmptyFirstPage answers the first page of every list walk with
	// [] and no Link (ConnectWise does this when the API member's security
	// role changes); /count stays truthful.
	HostileEmptyFirstPage = "empty-first-page"
	// HostileEmptyAll answers every list page with [] and /count with 0.
	HostileEmptyAll = "empty-all"
	// HostileEmptyPageThenData answers the second forward-only page with []
	// and a next link that skips past the records it should have held.
	HostileEmptyPageThenData = "empty-page-then-data"
	// HostileFullPageWithoutLink drops the next link of the second
	// forward-only page, full as it is.
	HostileFullPageWithoutLink = "full-page-without-link"
	// HostileRepeatPages answers every forward-only page after the first
	// with the first page's records and a next pageId that keeps rising.
	HostileRepeatPages = "repeat-pages"
	// HostileOversizedPage puts one record more than pageSize on every page.
	HostileOversizedPage = "oversized-page"
	// HostileHTML200 answers list pages after the first 200 with an HTML
	// body (a sign-in page, as a proxy sends when a session expires).
	HostileHTML200 = "html-200"
	// HostileDeepNesting answers list pages after the first 200 with a
	// record nested 10,000 arrays deep.
	HostileDeepNesting = "deep-nesting"
	// HostileHugeRetryAfter answers list pages after the first 429 with
	// Retry-After: 999999.
	HostileHugeRetryAfter = "huge-retry-after"
	// HostileWideRecords pads the WideField string of every listed record
	// to WideRecordBytes.
	HostileWideRecords = "wide-records"
)

// HostileModes lists the hostile modes.
var HostileModes = []string{
	HostileEmptyFirstPage, HostileEmptyAll, HostileEmptyPageThenData, HostileFullPageWithoutLink,
	HostileRepeatPages, HostileOversizedPage, HostileHTML200, HostileDeepNesting,
	HostileHugeRetryAfter, HostileWideRecords,
}

// Defaults of the wide-records mode.
const (
	DefaultWideRecordBytes = 1 << 20
	DefaultWideField       = "summary"
)

// faultHostile is the Stats.Faults key of answers a hostile mode changed.
const faultHostile = "hostile"

func validHostile(mode string) error {
	if mode == "" {
		return nil
	}
	for _, m := range HostileModes {
		if mode == m {
			return nil
		}
	}
	return fmt.Errorf("unknown hostile mode %q (want one of %s)", mode, strings.Join(HostileModes, ", "))
}

// SetHostile switches the hostile mode ("" for none) while serving.
func (s *Server) SetHostile(mode string) error {
	if err := validHostile(mode); err != nil {
		return fmt.Errorf("cwfake: %w", err)
	}
	s.hostile.Store(&mode)
	return nil
}

// Hostile returns the current hostile mode ("" for none).
func (s *Server) Hostile() string {
	if m := s.hostile.Load(); m != nil {
		return *m
	}
	return ""
}

// hostileAnswer replaces the whole answer to a routed request when the
// mode says so; ok is false when the request is served normally.
func (s *Server) hostileAnswer(r *http.Request, ep endpoint) (response, bool) {
	mode := s.Hostile()
	if ep.kind == "count" && mode == HostileEmptyAll {
		return jsonResponse(http.StatusOK, map[string]int{"count": 0}), true
	}
	if ep.kind != "list" {
		return response{}, false
	}
	// The first page of a walk is served: the run gets going (and past its
	// credential check) before the source turns hostile.
	q := r.URL.Query()
	if q.Get("pageId") == "" && (q.Get("page") == "" || q.Get("page") == "1") {
		return response{}, false
	}
	switch mode {
	case HostileHTML200:
		h := http.Header{}
		h.Set("Content-Type", "text/html; charset=utf-8")
		return response{status: http.StatusOK, header: h, page: true,
			body: []byte("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Your session has expired.</body></html>")}, true
	case HostileDeepNesting:
		h := http.Header{}
		h.Set("Content-Type", "application/json; charset=utf-8")
		body := `[{"id":1,"summary":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}]`
		return response{status: http.StatusOK, header: h, body: []byte(body), page: true}, true
	case HostileHugeRetryAfter:
		resp := errorResponse(http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Retry after 999999 seconds.")
		resp.header.Set("Retry-After", "999999")
		return resp, true
	}
	return response{}, false
}

// pageWindow is the slice of a query's records one list page answers:
// records[lo:hi], and the next link's pageId (forward-only) or page; next
// < 0 means no next link.
type pageWindow struct {
	lo, hi int
	next   int
}

// bendForward applies the page-shaping hostile modes to a forward-only
// page: w is the honest window for the request asking for records after
// pageId after, in pages of size.
func (s *Server) bendForward(ids []int, after, size int, w pageWindow) pageWindow {
	second := after > 0 && w.lo == size // the request for the second page
	switch s.Hostile() {
	case HostileEmptyAll:
		return pageWindow{next: -1}
	case HostileEmptyFirstPage:
		if after == 0 {
			return pageWindow{next: -1}
		}
	case HostileEmptyPageThenData:
		if second && w.hi > w.lo {
			return pageWindow{lo: w.lo, hi: w.lo, next: ids[w.hi-1]}
		}
	case HostileFullPageWithoutLink:
		if second && w.hi-w.lo == size {
			w.next = -1
		}
	case HostileRepeatPages:
		if after > 0 {
			return pageWindow{lo: 0, hi: min(size, len(ids)), next: after + size}
		}
	case HostileOversizedPage:
		if w.hi < len(ids) {
			w.hi++
			w.next = ids[w.hi-1]
		}
	}
	return w
}

// bendClassic applies the modes that shape classic (page-numbered) pages.
func (s *Server) bendClassic(page int, w pageWindow, total int) pageWindow {
	switch s.Hostile() {
	case HostileEmptyAll:
		return pageWindow{next: -1}
	case HostileEmptyFirstPage:
		if page == 1 {
			return pageWindow{next: -1}
		}
	case HostileOversizedPage:
		if w.hi < total {
			w.hi++
		}
	}
	return w
}

// widen pads the WideField string of a rendered record to WideRecordBytes
// in the wide-records mode; other modes and records without the field are
// returned unchanged.
func (s *Server) widen(rec []byte) ([]byte, error) {
	if s.Hostile() != HostileWideRecords {
		return rec, nil
	}
	var m map[string]json.RawMessage
	if err := gojson.Unmarshal(rec, &m); err != nil {
		return nil, err
	}
	if _, ok := m[s.cfg.WideField]; !ok {
		return rec, nil
	}
	s.widePad.Do(func() {
		pad := bytes.Repeat([]byte("wide "), s.cfg.WideRecordBytes/5+1)[:s.cfg.WideRecordBytes]
		s.wideValue = append(append([]byte{'"'}, pad...), '"') // ASCII: nothing to escape
	})
	m[s.cfg.WideField] = s.wideValue
	return marshalRecord(m)
}
