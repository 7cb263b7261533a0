package cwfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"
)

// query answers an endpoint's records matching cond in keys order: the
// entity's records, or one ticket's notes.
func (s *Server) query(ep endpoint, cond condition, condKey string, keys []orderKey) (*queryResult, response, bool) {
	var res *queryResult
	var err error
	if ep.entity == noteEntity {
		res, err = s.store.noteQuery(ep.id, cond, keys)
		if err == errNoTicket {
			return nil, errorResponse(http.StatusNotFound, "NotFound", "Service Ticket %d not found", ep.id), false
		}
	} else {
		res, err = s.store.query(ep.entity.Path, cond, condKey, keys, orderKeyString(keys))
	}
	if err != nil {
		return nil, errorResponse(http.StatusInternalServerError, "UnexpectedError", "%v", err), false
	}
	return res, response{}, true
}

// list answers a page of an entity.
func (s *Server) list(r *http.Request, ep endpoint, lq *listQuery) response {
	ent := ep.entity
	q := r.URL.Query()
	if lq == nil {
		lq = &listQuery{}
	}
	if lq.conditions == "" {
		lq.conditions, _ = param(q, "conditions")
	}
	if lq.orderBy == "" {
		lq.orderBy, _ = param(q, "orderBy")
	}
	size := DefaultPageSize
	if v, ok := param(q, "pageSize"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || (s.cfg.StrictPageSize && n > MaxPageSize) {
			return invalidParam("pageSize", "The field pageSize must be between 1 and %d.", MaxPageSize)
		}
		size = min(n, MaxPageSize)
	}
	forward := strings.EqualFold(strings.TrimSpace(r.Header.Get("pagination-type")), "forward-only")
	if forward && strings.TrimSpace(lq.orderBy) != "" {
		return errorResponse(http.StatusBadRequest, "InvalidObject",
			"orderBy cannot be used with forward-only pagination; results are always in id order.")
	}
	cond, err := parseConditions(ent, lq.conditions)
	if err != nil {
		return conditionError(err)
	}
	keys, err := parseOrderBy(ent, lq.orderBy)
	if err != nil {
		return conditionError(err)
	}
	res, bad, ok := s.query(ep, cond, strings.TrimSpace(lq.conditions), keys)
	if !ok {
		return bad
	}
	var cacheKey string
	if s.Hostile() == "" && s.store.pageCacheOn() {
		cacheKey = r.URL.RequestURI() + "\x00" + r.Header.Get("pagination-type") + "\x00" + lq.conditions + "\x00" + lq.orderBy
		if cached, ok := res.pages.Load(cacheKey); ok {
			resp := cached.(response)
			resp.header = resp.header.Clone() // a fault may change it; the body is only resliced
			return resp
		}
	}

	var page []Record
	var links []string
	if forward {
		after := 0
		if v, ok := param(q, "pageId"); ok && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return invalidParam("pageId", "The field pageId must be an integer.")
			}
			after = n
		}
		i := sort.SearchInts(res.ids, after+1)
		j := min(len(res.records), i+size)
		// Like ConnectWise, a full page names a next page even when no
		// record follows (the next page is then empty).
		win := pageWindow{lo: i, hi: j, next: -1}
		if j > i && (j < len(res.records) || j-i == size) {
			win.next = res.ids[j-1]
		}
		win = s.bendForward(res.ids, after, size, win)
		page = res.records[win.lo:win.hi]
		if win.next >= 0 {
			links = append(links, linkTo(r, "next", map[string]string{"pageId": strconv.Itoa(win.next), "pageSize": strconv.Itoa(size)}, "page"))
		}
	} else {
		p := 1
		if v, ok := param(q, "page"); ok && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return invalidParam("page", "The field page must be a positive integer.")
			}
			p = n
		}
		last := max(1, (len(res.records)+size-1)/size)
		i := min(len(res.records), (p-1)*size)
		j := min(len(res.records), i+size)
		win := s.bendClassic(p, pageWindow{lo: i, hi: j}, len(res.records))
		page = res.records[win.lo:win.hi]
		set := func(n int) map[string]string {
			return map[string]string{"page": strconv.Itoa(n), "pageSize": strconv.Itoa(size)}
		}
		if p > 1 {
			links = append(links, linkTo(r, "first", set(1), "pageId"), linkTo(r, "prev", set(min(p-1, last)), "pageId"))
		}
		if p < last {
			links = append(links, linkTo(r, "next", set(p+1), "pageId"), linkTo(r, "last", set(last), "pageId"))
		}
	}
	fields := fieldList(q)
	// The records first, then one body of their total size: a page of a
	// thousand records is megabytes, not worth growing by doubling.
	recs := make([][]byte, len(page))
	bodySize := 2 + len(page)
	for i, rec := range page {
		b, err := s.store.render(ent.Path, rec, fields)
		if err == nil {
			b, err = s.widen(b)
		}
		if err != nil {
			return errorResponse(http.StatusInternalServerError, "UnexpectedError", "%v", err)
		}
		recs[i] = b
		bodySize += len(b)
	}
	body := make([]byte, 0, bodySize)
	body = append(body, '[')
	for i, b := range recs {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, b...)
	}
	body = append(body, ']')
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
	resp := response{status: http.StatusOK, header: h, body: body, page: true}
	if cacheKey != "" {
		res.pages.Store(cacheKey, resp)
	}
	return resp
}

func conditionError(err error) response {
	var ce *ConditionError
	if errors.As(err, &ce) {
		return errorResponse(http.StatusBadRequest, "ApiFindCondition", "%s", ce.Message)
	}
	return errorResponse(http.StatusBadRequest, "ApiFindCondition", "%v", err)
}

// linkTo builds one RFC 5988 link to the same path on the same host with
// query parameters replaced by set and drop removed.
func linkTo(r *http.Request, rel string, set map[string]string, drop ...string) string {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		skip := false
		for name := range set {
			skip = skip || strings.EqualFold(k, name)
		}
		for _, name := range drop {
			skip = skip || strings.EqualFold(k, name)
		}
		if !skip {
			q[k] = v
		}
	}
	for k, v := range set {
		q.Set(k, v)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("<%s://%s%s?%s>; rel=%q", scheme, r.Host, r.URL.EscapedPath(), q.Encode(), rel)
}

func (s *Server) count(r *http.Request, ep endpoint) response {
	conds, _ := param(r.URL.Query(), "conditions")
	cond, err := parseConditions(ep.entity, conds)
	if err != nil {
		return conditionError(err)
	}
	res, bad, ok := s.query(ep, cond, strings.TrimSpace(conds), nil)
	if !ok {
		return bad
	}
	return jsonResponse(http.StatusOK, map[string]int{"count": len(res.records)})
}

func (s *Server) get(r *http.Request, ent *Entity, id int) response {
	rec, ok := s.store.Get(ent.Path, id)
	if !ok {
		return errorResponse(http.StatusNotFound, "NotFound", "%s %d not found", ent.Noun, id)
	}
	b, err := renderRecord(rec, fieldList(r.URL.Query()))
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "UnexpectedError", "%v", err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: http.StatusOK, header: h, body: b}
}

// fieldList parses fields=a,b/c (partial responses); nil means all.
func fieldList(q url.Values) []string {
	v, _ := param(q, "fields")
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// renderRecord renders a record, keeping only fields when fields is
// non-empty (paths like "status/name" keep nested keys). The projection
// works on raw JSON values (goccy/go-json decodes only the objects a path
// crosses), so partial responses cost little more than whole ones.
func renderRecord(rec Record, fields []string) ([]byte, error) {
	b, err := marshalRecord(rec)
	if err != nil || len(fields) == 0 {
		return b, err
	}
	var full map[string]json.RawMessage
	if err := gojson.Unmarshal(b, &full); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, f := range fields {
		if err := projectPath(out, full, strings.Split(f, "/")); err != nil {
			return nil, err
		}
	}
	return marshalRecord(out)
}

// projectPath copies the value at path (keys matched case-insensitively,
// like ConnectWise) from src into dst, creating the objects on the way.
func projectPath(dst map[string]any, src map[string]json.RawMessage, path []string) error {
	var key string
	var v json.RawMessage
	for k, val := range src {
		if strings.EqualFold(k, path[0]) {
			key, v = k, val
		}
	}
	if key == "" {
		return nil
	}
	if len(path) == 1 {
		dst[key] = v
		return nil
	}
	var sub map[string]json.RawMessage
	if err := gojson.Unmarshal(v, &sub); err != nil {
		return nil // not an object: nothing below it to keep
	}
	d, ok := dst[key].(map[string]any)
	if !ok {
		d = map[string]any{}
		dst[key] = d
	}
	return projectPath(d, sub, path[1:])
}
