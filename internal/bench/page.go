package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"slices"
	"strings"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
)

// RenderPage returns the first page of service/tickets as a cwfake server
// answers it (pageSize records, forward-only, default credentials), without
// a network round trip.
func RenderPage(store *cwfake.Store, pageSize int) ([]byte, error) {
	return RenderPageFields(store, pageSize, nil)
}

// RenderPageFields is RenderPage with the ConnectWise fields parameter
// (partial response: only these paths, like "status/name", are kept).
func RenderPageFields(store *cwfake.Store, pageSize int, fields []string) ([]byte, error) {
	srv := cwfake.New(cwfake.Config{Store: store})
	url := fmt.Sprintf("http://127.0.0.1%s/%s?pageSize=%d", cwfake.DefaultBasePath, cwfake.TicketsPath, pageSize)
	if len(fields) > 0 {
		url += "&fields=" + neturl.QueryEscape(strings.Join(fields, ","))
	}
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", cwfake.BasicAuth(cwfake.DefaultCompanyID, cwfake.DefaultPublicKey, cwfake.DefaultPrivateKey))
	req.Header.Set("clientId", cwfake.DefaultClientID)
	req.Header.Set("pagination-type", "forward-only")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("cwfake answered %d: %s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes(), nil
}

// RenderPages renders every ticket of store as the cwfake server pages
// them (forward-only, pageSize records a page), with the fields parameter
// when fields is not empty, without a network round trip.
func RenderPages(store *cwfake.Store, pageSize int, fields []string) ([][]byte, error) {
	srv := cwfake.New(cwfake.Config{Store: store})
	ids := store.TicketIDs()
	var pages [][]byte
	for after := 0; len(ids) > 0; {
		url := fmt.Sprintf("http://127.0.0.1%s/%s?pageSize=%d&pageId=%d", cwfake.DefaultBasePath, cwfake.TicketsPath, pageSize, after)
		if len(fields) > 0 {
			url += "&fields=" + neturl.QueryEscape(strings.Join(fields, ","))
		}
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", cwfake.BasicAuth(cwfake.DefaultCompanyID, cwfake.DefaultPublicKey, cwfake.DefaultPrivateKey))
		req.Header.Set("clientId", cwfake.DefaultClientID)
		req.Header.Set("pagination-type", "forward-only")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return nil, fmt.Errorf("cwfake answered %d: %s", rec.Code, rec.Body.String())
		}
		n := min(pageSize, len(ids))
		after, ids = ids[n-1], ids[n:]
		pages = append(pages, rec.Body.Bytes())
	}
	return pages, nil
}

// Records splits a page into its records (connectwise.SplitRecords), each
// a sub-slice of page.
func Records(page []byte) ([][]byte, error) {
	var out [][]byte
	err := connectwise.SplitRecords(page, func(rec []byte) error {
		out = append(out, rec)
		return nil
	})
	return out, err
}

// MemorySource serves pre-rendered pages of a cwfake store to the loader
// without HTTP, so that a measurement covers the loader and the engine
// only. It answers full sweeps only (a condition gets no records), and the
// tickets' notes (FirstChild) when made from a store.
type MemorySource struct {
	pages [][]byte
	store *cwfake.Store // nil for NewOffHeapMemorySource, which answers from notes
	// notes, when set, answers FirstChild for one query without a store.
	notes *renderedNotes
	arena *offHeap // holds pages and notes; nil when they are on the heap
}

// renderedNotes are the answers to one notes query, rendered up front:
// the note of ids[i] is blob[ends[i-1]:ends[i]] (empty when none matches).
type renderedNotes struct {
	template string
	query    connectwise.Query
	ids      []int64 // ascending
	ends     []int64
	blob     []byte
}

// NewOffHeapMemorySource serves pages, and the answers of store to the
// notes query of child, both copied outside the Go heap (see offHeap):
// the store is not needed afterwards. Free releases them.
func NewOffHeapMemorySource(pages [][]byte, store *cwfake.Store, template string, child connectwise.Query) (*MemorySource, error) {
	ids := store.TicketIDs()
	notes := make([][]byte, len(ids))
	size := 8 * 2 * len(ids)
	for i, id := range ids {
		n, err := store.FirstNote(id, child.Conditions, child.OrderBy, child.Fields)
		if err != nil {
			return nil, err
		}
		notes[i] = n
		size += len(n) + 8
	}
	for _, p := range pages {
		size += len(p) + 8
	}
	arena, err := newOffHeap(size)
	if err != nil {
		return nil, err
	}
	s := &MemorySource{arena: arena, notes: &renderedNotes{template: template, query: child}}
	for _, p := range pages {
		s.pages = append(s.pages, arena.copy(p))
	}
	rn := s.notes
	rn.ids, rn.ends = arena.int64s(len(ids)), arena.int64s(len(ids))
	total := 0
	for _, n := range notes {
		total += len(n)
	}
	rn.blob = arena.alloc(total)[:0]
	for i, id := range ids {
		rn.ids[i] = int64(id)
		rn.blob = append(rn.blob, notes[i]...)
		rn.ends[i] = int64(len(rn.blob))
	}
	return s, nil
}

// Free releases an off-heap source's memory; it must not be used after.
func (s *MemorySource) Free() {
	if s.arena != nil {
		s.arena.free()
		s.pages, s.notes, s.arena = nil, nil, nil
	}
}

// first returns the rendered note of id, nil when it has none.
func (rn *renderedNotes) first(template string, id int64, q connectwise.Query) ([]byte, error) {
	if template != rn.template || q.Conditions != rn.query.Conditions || q.OrderBy != rn.query.OrderBy ||
		!slices.Equal(q.Fields, rn.query.Fields) {
		return nil, fmt.Errorf("memory source: only %s with %+v was rendered, not %s with %+v", rn.template, rn.query, template, q)
	}
	i, ok := slices.BinarySearch(rn.ids, id)
	if !ok {
		return nil, fmt.Errorf("memory source: no ticket %d", id)
	}
	start := int64(0)
	if i > 0 {
		start = rn.ends[i-1]
	}
	if start == rn.ends[i] {
		return nil, nil
	}
	return rn.blob[start:rn.ends[i]:rn.ends[i]], nil
}

// NewMemorySource renders every ticket of store into pages of pageSize
// records, as cwfake renders them.
func NewMemorySource(store *cwfake.Store, pageSize int) *MemorySource {
	s := &MemorySource{store: store}
	ids := store.TicketIDs()
	for len(ids) > 0 {
		n := min(pageSize, len(ids))
		var b bytes.Buffer
		b.WriteByte('[')
		for i, id := range ids[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			rec, _ := store.RecordJSON(cwfake.TicketsPath, id)
			b.Write(rec)
		}
		b.WriteByte(']')
		s.pages = append(s.pages, b.Bytes())
		ids = ids[n:]
	}
	return s
}

// Pages implements backfill.Source.
func (s *MemorySource) Pages(_ context.Context, _ string, q connectwise.Query, fn func(connectwise.Page) error) error {
	if q.Conditions != "" {
		return nil
	}
	for i, p := range s.pages {
		page, err := connectwise.NewPage(i+1, p)
		if err != nil {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
	}
	return nil
}

// WithDescription returns a ticket record with its description (the
// ticket's detail note, as the tickets mapping reads it) joined in as the
// key "description", for the engine's own ingest, which cannot request
// notes; unchanged when the ticket has none.
func WithDescription(store *cwfake.Store, rec []byte) []byte {
	var probe struct {
		ID int `json:"id"`
	}
	if err := json.Unmarshal(rec, &probe); err != nil {
		return rec
	}
	desc, ok := store.DetailDescription(probe.ID)
	if !ok {
		return rec
	}
	v, _ := json.Marshal(desc)
	out := append([]byte(nil), rec[:bytes.LastIndexByte(rec, '}')]...)
	out = append(out, `,"description":`...)
	out = append(out, v...)
	return append(out, '}')
}

// FirstChild implements backfill.ChildSource for the tickets' notes, with
// the compatible server's own conditions, order and fields.
func (s *MemorySource) FirstChild(_ context.Context, template string, parentID int64, q connectwise.Query) ([]byte, error) {
	if s.notes != nil {
		return s.notes.first(template, parentID, q)
	}
	if s.store == nil || template != cwfake.NotesPath {
		return nil, fmt.Errorf("memory source: no child endpoint %s", template)
	}
	return s.store.FirstNote(int(parentID), q.Conditions, q.OrderBy, q.Fields)
}

// Count implements backfill.Source.
func (s *MemorySource) Count(context.Context, string, string) (int, error) { return -1, nil }
