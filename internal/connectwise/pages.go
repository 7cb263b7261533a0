package connectwise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// MaxPageSize is the largest pageSize ConnectWise accepts.
const MaxPageSize = 1000

// Query selects and shapes the records of a list endpoint.
type Query struct {
	// Conditions is a ConnectWise conditions expression (build it with And, Time, Int, ...).
	Conditions string
	// PageSize is the number of records per page: 0 means MaxPageSize; values above it are rejected.
	PageSize int
	// OrderBy is e.g. "id asc" or "lastUpdated desc, id asc". Not allowed with ForwardOnly.
	OrderBy string
	// ForwardOnly selects forward-only paging (pagination-type: forward-only, pageId=<last id>): records
	// come in id order and deep pages cost no more than the first.
	ForwardOnly bool
	// Fields restricts the response to these field paths (partial response), e.g. "id", "status/id".
	// In forward-only mode "id" is requested too: the paging rules check it.
	Fields []string
	// MaxPages, when positive, stops a walk that would read more pages with a *PagingFault (see
	// PageBudget).
	MaxPages int
}

// Page is one page of a list endpoint.
type Page struct {
	// Number is the 1-based position of the page in this walk (in forward-only mode too).
	Number int
	// Body is the raw JSON array, already validated; the caller may keep it, or Release it once done.
	// Use SplitRecords to walk it.
	Body []byte
	// Records is the number of objects in Body.
	Records int
	// URL is the request URL of this page (it carries no secrets).
	URL string
	// RangeIndex and Range identify the id range of a page delivered by PagesByIDRange: ranges[RangeIndex]
	// is [lo, hi). Both are zero for Pages.
	RangeIndex int
	Range      [2]int64

	// ValidUTF8 is true when the client's validating scan found every string of Body valid UTF-8, with
	// no \u escape of a UTF-16 surrogate: decoding Body replaces nothing with U+FFFD. False when some
	// string may be replaced, or when Body is not the client's.
	ValidUTF8 bool

	pooled *pooledBody // Body's buffer (nil when Body is not the client's)
	// bounds are the records' start and end offsets in Body, found by the validating scan (nil when
	// Body is not the client's).
	bounds []int
}

// NewPage validates body as the client validates each page it reads and returns it as page number of
// a walk, for a source other than the client (pages kept in memory, a replay). Body stays the
// caller's: Release does not pool it.
func NewPage(number int, body []byte) (Page, error) {
	ids, scan, err := scanPage(body, []int{})
	if err != nil {
		return Page{}, err
	}
	return scannedPage(number, body, ids, scan), nil
}

// scannedPage is page number of a walk, body, as its validating scan found it.
func scannedPage(number int, body []byte, ids idSummary, scan pageScan) Page {
	return Page{Number: number, Body: body, Records: ids.records, ValidUTF8: !scan.replaces, bounds: scan.bounds}
}

// EachRecord calls fn with the raw bytes of each record of Body, in order, as SplitValidated finds
// them. A page the client read knows where its records are from validating it, so they are not
// searched for again. An error from fn ends the walk and is returned.
func (p *Page) EachRecord(fn func(rec []byte) error) error {
	if p.bounds == nil {
		return SplitValidated(p.Body, fn)
	}
	for i := 0; i+1 < len(p.bounds); i += 2 {
		if err := fn(p.Body[p.bounds[i]:p.bounds[i+1]]); err != nil {
			return err
		}
	}
	return nil
}

// Release gives Body's buffer back to the client, which reads a later page into it, and sets Body to
// nil. It is optional: a page not released is garbage collected. Release only once nothing refers to
// Body's bytes any more (strings converted from them are copies and stay valid); copies of the page
// share its buffer, and the first Release of any of them gives it back.
func (p *Page) Release() {
	p.pooled.release()
	p.pooled, p.Body, p.bounds = nil, nil, nil
}

// params validates q and returns the query parameters of the first page.
func (q Query) params() ([]param, error) {
	var ps []param
	if cond := strings.TrimSpace(q.Conditions); cond != "" {
		if hasControl(cond) {
			return nil, errors.New("connectwise: query: conditions contain control characters")
		}
		ps = append(ps, param{"conditions", cond})
	}
	if q.OrderBy != "" {
		if q.ForwardOnly {
			return nil, errors.New("connectwise: query: OrderBy cannot be combined with ForwardOnly (forward-only pages are always in id order)")
		}
		ob, err := checkOrderBy(q.OrderBy)
		if err != nil {
			return nil, err
		}
		ps = append(ps, param{"orderBy", ob})
	}
	if len(q.Fields) > 0 {
		fields := q.Fields
		for _, f := range fields {
			if !ValidField(f) {
				return nil, fmt.Errorf("connectwise: query: invalid field %q in Fields", f)
			}
		}
		if q.ForwardOnly && !slices.Contains(fields, "id") {
			fields = append([]string{"id"}, fields...)
		}
		ps = append(ps, param{"fields", strings.Join(fields, ",")})
	}
	size := q.PageSize
	switch {
	case size == 0:
		size = MaxPageSize
	case size < 0 || size > MaxPageSize:
		return nil, fmt.Errorf("connectwise: query: PageSize %d out of range 1-%d", size, MaxPageSize)
	}
	if !q.ForwardOnly {
		ps = append(ps, param{"page", "1"})
	}
	ps = append(ps, param{"pageSize", strconv.Itoa(size)})
	return ps, nil
}

// checkOrderBy validates "field [asc|desc], ..." and returns it normalized.
func checkOrderBy(s string) (string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 2 || !ValidField(f[0]) {
			return "", fmt.Errorf("connectwise: query: invalid OrderBy %q (want e.g. \"id asc\")", s)
		}
		if len(f) == 2 {
			dir := strings.ToLower(f[1])
			if dir != "asc" && dir != "desc" {
				return "", fmt.Errorf("connectwise: query: invalid OrderBy direction %q (want asc or desc)", f[1])
			}
			f[1] = dir
		}
		out = append(out, strings.Join(f, " "))
	}
	return strings.Join(out, ", "), nil
}

// Pages fetches every page of endpoint (e.g. "/service/tickets") matching q, calling fn with each page
// in order. It follows the Link header's rel="next" target until there is none or a page is empty;
// fn is never called with an empty page (so a query matching nothing calls it zero times). A page
// that breaks the paging rules (see pagingRule: an empty page linking further on, a full forward-only
// page without a next link, more records than pageSize, ids not above the pageId asked for, a next
// pageId that is not the page's last id, more than q.MaxPages pages) ends the walk with a
// *PagingFault.
// Only the paging parameter of the next link (page, or pageId in forward-only mode) is taken from it;
// the URL is rebuilt from BaseURL and q, so the credentials never go to another host and the query
// cannot silently change. An error from fn stops the walk and is returned unchanged.
func (c *Client) Pages(ctx context.Context, endpoint string, q Query, fn func(page Page) error) error {
	return c.pages(ctx, endpoint, q, fn)
}

// walk is what every request of one page walk shares.
type walk struct {
	c        *Client
	endpoint string
	q        Query
	params   []param     // the first page's query parameters
	key      string      // the paging parameter: "page", or "pageId" in forward-only mode
	size     int         // the records a page holds at most
	extra    http.Header // request headers beyond the client's own
}

// url is the request URL of the page at pos (a page number, or a pageId in forward-only mode).
func (w *walk) url(pos int64) (string, error) {
	return w.c.buildURL(w.endpoint, withParam(w.params, w.key, strconv.FormatInt(pos, 10)))
}

// start sends the GET of the page at url in a goroutine of its own.
func (w *walk) start(ctx context.Context, url string) *pageRequest {
	return w.c.startPage(ctx, url, w.extra, w.size)
}

func (c *Client) pages(ctx context.Context, endpoint string, q Query, fn func(Page) error) error {
	params, err := q.params()
	if err != nil {
		return err
	}
	cur, err := c.buildURL(endpoint, params)
	if err != nil {
		return err
	}
	w := &walk{c: c, endpoint: endpoint, q: q, params: params, key: "page", size: q.PageSize}
	if q.ForwardOnly {
		w.extra = http.Header{"Pagination-Type": {"forward-only"}}
		w.key = "pageId"
	}
	if w.size == 0 {
		w.size = MaxPageSize
	}
	var pos int64 = 1 // current page number, or last pageId (0 = none yet) in forward-only mode
	if q.ForwardOnly {
		pos = 0
	}
	// The walk keeps one request ahead (see pageRequest): req is this page's, ahead the next page's,
	// sent from req's headers before req's body was checked. A page that fails its checks discards
	// the request ahead, so a failing page costs at most one request more than a walk one page at a
	// time would send; a walk that succeeds sends exactly the same requests.
	var req, ahead *pageRequest
	defer func() {
		req.discard()
		ahead.discard()
	}()
	req = w.start(ctx, cur)
	for number := 1; ; number++ {
		for waiting := true; waiting; {
			select {
			case h := <-req.headers:
				ahead = w.sendAhead(ctx, ahead, h, number, pos, cur)
			case <-req.done:
				waiting = false
			}
		}
		if req.err != nil {
			return req.err
		}
		resp, ids := req.resp, req.ids
		next, hasNext := nextLink(resp.header)
		var nextPos int64
		if hasNext {
			if nextPos, err = linkParam(cur, next, w.key); err != nil {
				return &PagingFault{Page: number, URL: cur, Reason: err.Error()}
			}
		}
		if reason := pagingRule(pageFacts{forward: q.ForwardOnly, pageSize: w.size, pos: pos, ids: ids, hasNext: hasNext, next: nextPos}); reason != "" {
			return &PagingFault{Page: number, URL: cur, Reason: reason}
		}
		if ids.records == 0 {
			return nil // an empty page the rules let through ends the walk
		}
		page := scannedPage(number, resp.body, ids, req.scan)
		page.URL, page.pooled = cur, resp.pooled
		req.resp, req = nil, nil // the page owns the body now
		if err := fn(page); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err // stopped by the caller: whatever the request ahead got is not the walk's outcome
		}
		if !hasNext {
			return nil
		}
		pos = nextPos
		if cur, err = w.url(nextPos); err != nil {
			return err
		}
		if q.MaxPages > 0 && number+1 > q.MaxPages {
			return &PagingFault{Page: number + 1, URL: cur, Reason: fmt.Sprintf(
				"more than %d pages, far beyond what the record count implies; the source keeps sending pages", q.MaxPages)}
		}
		if ahead != nil && ahead.url == cur {
			req, ahead = ahead, nil
		} else {
			ahead.discard()
			ahead = nil
			req = w.start(ctx, cur)
		}
	}
}

// pageFacts is what the paging rules look at on one page.
type pageFacts struct {
	forward  bool
	pageSize int
	pos      int64 // the page number asked for, or the pageId (0 for the first page) in forward-only mode
	ids      idSummary
	hasNext  bool
	next     int64 // the next link's page number or pageId
}

// pagingRule returns why a page breaks the paging rules, "" when it keeps them. A page that breaks
// them means the walk cannot be trusted to deliver every record exactly once:
//   - no page holds more records than the pageSize asked for;
//   - classic paging: an empty page has no next link, and a next link names a later page;
//   - forward-only: an empty page ends the walk, and its next link (ConnectWise names one after the
//     last record too) may only repeat the pageId asked for: one further on means the source skipped
//     ahead with nothing, so the walk would stop before the end;
//   - forward-only pages with records: every record has an integer id above the pageId the page was
//     asked for, a full page has a next link (ConnectWise names one even when it is the last page),
//     and the next pageId is the page's last id. (Ids out of order or repeated within a page break
//     no rule: the walk still advances, and the loader collapses duplicates.)
func pagingRule(f pageFacts) string {
	n := f.ids.records
	switch {
	case n > f.pageSize:
		return fmt.Sprintf("the page holds %d records, more than the pageSize %d asked for", n, f.pageSize)
	case !f.forward:
		switch {
		case n == 0 && f.hasNext:
			return fmt.Sprintf("an empty page with a next link to page %d: the walk would stop before the end", f.next)
		case f.hasNext && f.next <= f.pos:
			return fmt.Sprintf("the next link goes back to page %d (at page %d)", f.next, f.pos)
		}
		return ""
	case n == 0:
		if f.hasNext && f.next != f.pos {
			return fmt.Sprintf("an empty page with a next link to pageId %d (asked for pageId %d): the walk would stop before the end", f.next, f.pos)
		}
		return "" // ConnectWise names a next page even after the last record: the walk ends here
	case f.ids.missing > 0:
		return fmt.Sprintf("%d of %d records have no integer id, so forward-only paging cannot be checked", f.ids.missing, n)
	case f.ids.min <= f.pos:
		return fmt.Sprintf("record id %d is not above the pageId %d the page was asked for (records repeated)", f.ids.min, f.pos)
	case !f.hasNext && n == f.pageSize:
		return fmt.Sprintf("a full page (%d records) without a next link: the walk would stop before the end", n)
	case f.hasNext && f.next != f.ids.last:
		return fmt.Sprintf("the next link's pageId %d is not the page's last id %d", f.next, f.ids.last)
	}
	return ""
}

// PageBudget is the most pages a walk of pageSize-record pages may take when /count reported count
// records: twice the pages the count implies (records added during the walk) plus ten. A walk past
// it is stopped with a *PagingFault.
func PageBudget(count, pageSize int) int {
	if pageSize <= 0 {
		pageSize = MaxPageSize
	}
	return 2*((max(count, 0)+pageSize-1)/pageSize) + 10
}

// linkParam extracts the integer parameter key from a next-link target.
func linkParam(cur, next, key string) (int64, error) {
	base, err := url.Parse(cur)
	if err != nil {
		return 0, err
	}
	u, err := base.Parse(next)
	if err != nil {
		return 0, fmt.Errorf("connectwise: GET %s: unparseable Link rel=\"next\" target: %w", cur, err)
	}
	vals, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return 0, fmt.Errorf("connectwise: GET %s: unparseable query in Link rel=\"next\" target: %w", cur, err)
	}
	for k, vs := range vals {
		if strings.EqualFold(k, key) && len(vs) > 0 {
			v, err := strconv.ParseInt(strings.TrimSpace(vs[0]), 10, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("connectwise: GET %s: Link rel=\"next\" has a non-numeric %s %q", cur, key, vs[0])
			}
			return v, nil
		}
	}
	return 0, fmt.Errorf("connectwise: GET %s: Link rel=\"next\" target %q has no %s parameter", cur, u.Redacted(), key)
}

// withParam returns a copy of params with key set to value (appended when absent).
func withParam(params []param, key, value string) []param {
	out := make([]param, 0, len(params)+1)
	found := false
	for _, p := range params {
		if p.key == key {
			p.value = value
			found = true
		}
		out = append(out, p)
	}
	if !found {
		out = append(out, param{key, value})
	}
	return out
}

// Count returns the number of records of endpoint matching conditions (GET <endpoint>/count).
func (c *Client) Count(ctx context.Context, endpoint, conditions string) (int, error) {
	var ps []param
	if cond := strings.TrimSpace(conditions); cond != "" {
		if hasControl(cond) {
			return 0, errors.New("connectwise: count: conditions contain control characters")
		}
		ps = append(ps, param{"conditions", cond})
	}
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return 0, err
	}
	u, err := c.buildURL(ep+"/count", ps)
	if err != nil {
		return 0, err
	}
	var n int64
	_, err = c.get(ctx, u, nil, func(b []byte) error {
		var doc struct {
			Count *int64 `json:"count"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return err
		}
		if doc.Count == nil || *doc.Count < 0 {
			return errors.New(`want {"count": n}`)
		}
		n = *doc.Count
		return nil
	}, nil)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt {
		return 0, fmt.Errorf("connectwise: count %d overflows int", n)
	}
	return int(n), nil
}

// PagesByIDRange fetches endpoint in forward-only mode once per id range, running up to streams ranges
// concurrently. Range i is fetched with `idField >= ranges[i][0] AND idField < ranges[i][1]` ANDed with
// q.Conditions (q.OrderBy must be empty). fn receives the index of the stream (0..streams-1) that fetched
// the page; the page's RangeIndex and Range say which range it belongs to. Pages of one range arrive in
// order from one goroutine; pages of different ranges may arrive concurrently, so fn must be safe for
// concurrent use. The first error (from a request or from fn) cancels the other streams and is
// returned, wrapped with its range.
func (c *Client) PagesByIDRange(ctx context.Context, endpoint string, q Query, idField string, ranges [][2]int64, streams int, fn func(streamIndex int, page Page) error) error {
	if !ValidField(idField) {
		return fmt.Errorf("connectwise: invalid id field %q", idField)
	}
	if streams < 1 {
		return fmt.Errorf("connectwise: streams must be at least 1, got %d", streams)
	}
	if q.OrderBy != "" {
		return errors.New("connectwise: PagesByIDRange uses forward-only paging, which cannot be combined with OrderBy")
	}
	base := Raw(q.Conditions)
	if err := base.Err(); err != nil {
		return err
	}
	queries := make([]Query, len(ranges))
	for i, r := range ranges {
		cond, err := And(base, IDRange(idField, r[0], r[1])).Build()
		if err != nil {
			return fmt.Errorf("connectwise: range %d: %w", i, err)
		}
		qq := q
		qq.Conditions = cond
		qq.ForwardOnly = true
		if _, err := qq.params(); err != nil {
			return err
		}
		queries[i] = qq
	}
	if _, err := cleanEndpoint(endpoint); err != nil {
		return err
	}
	streams = min(streams, len(ranges))

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan int)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel(err) })
	}
	for s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := ranges[i]
				err := c.pages(ctx, endpoint, queries[i], func(p Page) error {
					p.RangeIndex, p.Range = i, r
					return fn(s, p)
				})
				if err != nil {
					fail(fmt.Errorf("connectwise: id range %d [%d, %d): %w", i, r[0], r[1], err))
					return
				}
			}
		}()
	}
feed:
	for i := range ranges {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// SplitIDRange splits the inclusive id interval [minID, maxID] into at most n contiguous half-open
// ranges [lo, hi) of nearly equal width that together cover exactly minID..maxID. It returns fewer
// ranges when the interval has fewer than n ids.
func SplitIDRange(minID, maxID int64, n int) ([][2]int64, error) {
	if n < 1 {
		return nil, fmt.Errorf("connectwise: cannot split into %d ranges", n)
	}
	if minID > maxID {
		return nil, fmt.Errorf("connectwise: empty id interval [%d, %d]", minID, maxID)
	}
	if maxID == math.MaxInt64 {
		return nil, errors.New("connectwise: maxID must be below math.MaxInt64 (ranges are half-open)")
	}
	span := uint64(maxID) - uint64(minID) + 1 // no overflow: at most 2^64-1 here
	if uint64(n) > span {
		n = int(span)
	}
	width, extra := span/uint64(n), span%uint64(n)
	out := make([][2]int64, 0, n)
	lo := minID
	for i := range n {
		w := width
		if uint64(i) < extra {
			w++
		}
		hi := int64(uint64(lo) + w)
		out = append(out, [2]int64{lo, hi})
		lo = hi
	}
	return out, nil
}
