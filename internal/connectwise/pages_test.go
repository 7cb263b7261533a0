package connectwise

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordServer emulates a ConnectWise list endpoint over a set of ids, in page mode (page, pageSize,
// Link first/prev/next/last) and forward-only mode (pageId; the Link always names a next pageId, even
// after the last record). It understands conditions containing `<f> >= lo AND <f> < hi`.
type recordServer struct {
	t        *testing.T
	ids      []int64
	linkFmts []string // Link header templates rotated per request; %s is the next URL

	mu       sync.Mutex
	requests []*url.URL
	headers  []http.Header

	inflight, maxInflight atomic.Int32
	delay                 time.Duration
}

var rangeCond = regexp.MustCompile(`(\w+) >= (-?\d+) AND (\w+) < (-?\d+)`)

func (s *recordServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cur := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		m := s.maxInflight.Load()
		if cur <= m || s.maxInflight.CompareAndSwap(m, cur) {
			break
		}
	}
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.URL)
	s.headers = append(s.headers, r.Header.Clone())
	n := len(s.requests)
	s.mu.Unlock()

	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("pageSize"))
	if size <= 0 {
		size = 25
	}
	ids := s.ids
	if m := rangeCond.FindStringSubmatch(q.Get("conditions")); m != nil {
		lo, _ := strconv.ParseInt(m[2], 10, 64)
		hi, _ := strconv.ParseInt(m[4], 10, 64)
		ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id < lo || id >= hi })
	}
	self := "http://" + r.Host + r.URL.Path
	var pageIDs []int64
	var next string
	if r.Header.Get("pagination-type") == "forward-only" {
		if q.Has("page") {
			s.t.Errorf("forward-only request carries page: %s", r.URL)
		}
		after, _ := strconv.ParseInt(q.Get("pageId"), 10, 64)
		for _, id := range ids {
			if id > after && len(pageIDs) < size {
				pageIDs = append(pageIDs, id)
			}
		}
		last := after
		if len(pageIDs) > 0 {
			last = pageIDs[len(pageIDs)-1]
		}
		nq := url.Values{"pageSize": {strconv.Itoa(size)}, "pageId": {strconv.FormatInt(last, 10)}}
		next = self + "?" + nq.Encode()
	} else {
		page, _ := strconv.Atoi(q.Get("page"))
		if page < 1 {
			page = 1
		}
		lo := min((page-1)*size, len(ids))
		hi := min(lo+size, len(ids))
		pageIDs = ids[lo:hi]
		if hi < len(ids) {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("page", strconv.Itoa(page+1))
			next = self + "?" + nq.Encode()
		}
	}
	if next != "" {
		f := `<%s>; rel="next"`
		if len(s.linkFmts) > 0 {
			f = s.linkFmts[(n-1)%len(s.linkFmts)]
		}
		w.Header().Set("Link", fmt.Sprintf(f, next))
	} else {
		w.Header().Set("Link", fmt.Sprintf(`<%s?page=1>; rel="first", <%s?page=1>; rel="last"`, self, self))
	}
	recs := make([]string, len(pageIDs))
	for i, id := range pageIDs {
		recs[i] = fmt.Sprintf(`{"id":%d,"summary":"t[%d] \"x\"","_info":{"lastUpdated":"2026-01-01T00:00:00Z"}}`, id, id)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("[" + strings.Join(recs, ",") + "]"))
}

func (s *recordServer) Requests() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func seq(lo, hi int64) []int64 {
	var out []int64
	for i := lo; i <= hi; i++ {
		out = append(out, i)
	}
	return out
}

// pageIDs decodes the ids of a page's records via SplitRecords.
func pageIDs(t *testing.T, body []byte) []int64 {
	t.Helper()
	var ids []int64
	err := SplitRecords(body, func(rec []byte) error {
		var r struct{ ID int64 }
		if err := json.Unmarshal(rec, &r); err != nil {
			return err
		}
		ids = append(ids, r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPagesPageMode(t *testing.T) {
	rs := &recordServer{t: t, ids: seq(1, 25), linkFmts: []string{
		`<%s>; rel="next", <http://x/last>; rel="last"`,
		`<http://x/first>;rel=first,<%s>;rel=next`,
		`  < %s > ; type="text/html" ; REL = 'Next Last'  `,
	}}
	srv := httptest.NewServer(rs)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL+"/v4_6_release/apis/3.0/", nil)
	q := Query{Conditions: `board/name = "Ops & Support" AND closedFlag = false`, PageSize: 10, OrderBy: "id asc", Fields: []string{"id", "summary", "_info/lastUpdated"}}
	var got []int64
	var pages []Page
	err := c.Pages(context.Background(), "/service/tickets", q, func(p Page) error {
		pages = append(pages, p)
		got = append(got, pageIDs(t, p.Body)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, seq(1, 25)) {
		t.Errorf("ids = %v", got)
	}
	if len(pages) != 3 || pages[0].Records != 10 || pages[2].Records != 5 || pages[2].Number != 3 {
		t.Errorf("pages = %+v", pages)
	}
	reqs := rs.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, u := range reqs {
		v := u.Query()
		if v.Get("page") != strconv.Itoa(i+1) || v.Get("pageSize") != "10" || v.Get("conditions") != q.Conditions ||
			v.Get("orderBy") != "id asc" || v.Get("fields") != "id,summary,_info/lastUpdated" || u.Path != "/v4_6_release/apis/3.0/service/tickets" {
			t.Errorf("request %d: %s", i, u)
		}
		if strings.Contains(u.RawQuery, "+") {
			t.Errorf("spaces should be encoded as %%20: %s", u.RawQuery)
		}
		if pages[i].URL != srv.URL+u.String() {
			t.Errorf("page URL %q, request %q", pages[i].URL, u)
		}
	}
}

func TestPagesForwardOnly(t *testing.T) {
	rs := &recordServer{t: t, ids: append(seq(1, 12), seq(100, 112)...)}
	srv := httptest.NewServer(rs)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL, nil)
	var got []int64
	calls := 0
	err := c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: true, PageSize: 10, Conditions: "closedFlag = false"}, func(p Page) error {
		calls++
		if p.Number != calls {
			t.Errorf("page number %d, want %d", p.Number, calls)
		}
		got = append(got, pageIDs(t, p.Body)...)
		checkEachRecord(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := append(seq(1, 12), seq(100, 112)...); !slices.Equal(got, want) {
		t.Errorf("ids = %v", got)
	}
	reqs := rs.Requests()
	var pageIDsSent []string
	for _, u := range reqs {
		pageIDsSent = append(pageIDsSent, u.Query().Get("pageId"))
		if u.Query().Get("conditions") != "closedFlag = false" {
			t.Errorf("conditions lost: %s", u)
		}
	}
	// 25 records in pages of 10, then an empty page ends the walk (the Link always names a next page).
	if want := []string{"", "10", "107", "112"}; !slices.Equal(pageIDsSent, want) || calls != 3 {
		t.Errorf("pageIds sent %v (want %v), fn calls %d", pageIDsSent, want, calls)
	}
	for _, h := range rs.headers {
		if h.Get("Pagination-Type") != "forward-only" {
			t.Errorf("missing pagination-type header: %v", h)
		}
	}
}

// checkEachRecord checks that a page the client read walks its records by
// the bounds its validating scan found, and finds what SplitRecords finds;
// and that the same page without them (as a caller builds one) does too.
func checkEachRecord(t *testing.T, p Page) {
	t.Helper()
	if len(p.bounds) != 2*p.Records {
		t.Errorf("page %d: %d bounds for %d records", p.Number, len(p.bounds), p.Records)
	}
	var want [][]byte
	if err := SplitRecords(p.Body, func(rec []byte) error { want = append(want, rec); return nil }); err != nil {
		t.Fatal(err)
	}
	bare := Page{Body: p.Body}
	for _, page := range []*Page{&p, &bare} {
		var got [][]byte
		if err := page.EachRecord(func(rec []byte) error { got = append(got, rec); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("page %d (bounds %v): EachRecord found %q, SplitRecords %q", p.Number, page.bounds != nil, got, want)
		}
	}
}

func TestPagesEmptyResult(t *testing.T) {
	rs := &recordServer{t: t}
	srv := httptest.NewServer(rs)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL, nil)
	for _, fo := range []bool{false, true} {
		err := c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: fo}, func(p Page) error {
			t.Errorf("fn called for an empty result: %+v", p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(rs.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestPagesLinkGuards(t *testing.T) {
	tests := []struct {
		name    string
		fo      bool
		link    string
		wantErr string
	}{
		{"same page", false, `<%s/service/tickets?page=1&pageSize=1000>; rel="next"`, "goes back to page 1"},
		{"page goes back", false, `<%s/service/tickets?page=0>; rel="next"`, "goes back to page 0"},
		{"no page param", false, `<%s/service/tickets?pageSize=1000>; rel="next"`, "no page parameter"},
		{"bad page param", false, `<%s/service/tickets?page=two>; rel="next"`, "non-numeric page"},
		{"forward-only no pageId", true, `<%s/service/tickets?pageSize=1000>; rel="next"`, "no pageId parameter"},
		{"forward-only pageId not advancing", true, `<%s/service/tickets?pageId=0>; rel="next"`, "not the page's last id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) > 5 {
					t.Error("client keeps looping")
					w.Write([]byte(`[]`))
					return
				}
				w.Header().Set("Link", fmt.Sprintf(tt.link, "http://"+r.Host))
				w.Write([]byte(okPage))
			}))
			defer srv.Close()
			c, _, _ := newTestClient(t, srv.URL, nil)
			err := c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: tt.fo}, func(Page) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestPagesNextLinkCannotRedirect(t *testing.T) {
	// A Link naming another host (or dropping the conditions) must not send the credentials there nor
	// change the query: only the page number is taken from it.
	var reqs []*url.URL
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.URL)
		n := len(reqs)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Link", `<https://evil.example/other/path?page=2&conditions=1%3D1>; rel="next"`)
		}
		w.Write([]byte(okPage))
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL+"/apis/3.0/", nil)
	pages := 0
	if err := c.Pages(context.Background(), "service/tickets", Query{Conditions: "id > 5"}, func(Page) error { pages++; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || pages != 2 {
		t.Fatalf("%d requests, %d pages", len(reqs), pages)
	}
	if u := reqs[1]; u.Path != "/apis/3.0/service/tickets" || u.Query().Get("page") != "2" || u.Query().Get("conditions") != "id > 5" {
		t.Errorf("second request %s", u)
	}
}

func TestPagesCallbackError(t *testing.T) {
	rs := &recordServer{t: t, ids: seq(1, 30)}
	srv := httptest.NewServer(rs)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL, nil)
	stop := errors.New("stop here")
	err := c.Pages(context.Background(), "service/tickets", Query{PageSize: 10}, func(p Page) error {
		if p.Number == 2 {
			return stop
		}
		return nil
	})
	if err != stop || len(rs.Requests()) != 2 {
		t.Errorf("err = %v after %d requests", err, len(rs.Requests()))
	}
}

func TestQueryValidation(t *testing.T) {
	c, _, _ := newTestClient(t, "http://127.0.0.1:1/", nil)
	for _, tt := range []struct {
		q    Query
		want string
	}{
		{Query{PageSize: 1001}, "PageSize"},
		{Query{PageSize: -1}, "PageSize"},
		{Query{ForwardOnly: true, OrderBy: "id asc"}, "ForwardOnly"},
		{Query{OrderBy: "id upward"}, "direction"},
		{Query{OrderBy: "id; drop"}, "OrderBy"},
		{Query{Fields: []string{"id", "na me"}}, "field"},
		{Query{Conditions: "id > 1\nAND id < 5"}, "control"},
	} {
		err := c.Pages(context.Background(), "service/tickets", tt.q, func(Page) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.q, err, tt.want)
		}
	}
	if p, err := (Query{OrderBy: "lastUpdated DESC,id  asc"}).params(); err != nil || p[0] != (param{"orderBy", "lastUpdated desc, id asc"}) {
		t.Errorf("params = %v, %v", p, err)
	}
}

func TestCount(t *testing.T) {
	var got atomic.Pointer[url.URL]
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL)
		if n.Add(1) == 1 {
			w.Write([]byte(`{"cou`)) // truncated: retried
			return
		}
		w.Write([]byte(`{"count": 4321}`))
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL+"/apis/3.0", nil)
	cnt, err := c.Count(context.Background(), "/service/tickets", `lastUpdated > [2016-08-20T18:04:26Z]`)
	if err != nil || cnt != 4321 || n.Load() != 2 {
		t.Fatalf("Count = %d, %v after %d requests", cnt, err, n.Load())
	}
	if u := got.Load(); u.Path != "/apis/3.0/service/tickets/count" || u.Query().Get("conditions") != `lastUpdated > [2016-08-20T18:04:26Z]` {
		t.Errorf("request %s", u)
	}

	srv2, _ := sequenceServer(t, status(200, `{"total": 3}`))
	c2, _, _ := newTestClient(t, srv2.URL, func(c *Config) { c.MaxRetries = -1 })
	if _, err := c2.Count(context.Background(), "service/tickets", ""); err == nil || !strings.Contains(err.Error(), `{"count": n}`) {
		t.Errorf("err = %v", err)
	}
}

func TestPagesByIDRange(t *testing.T) {
	all := append(seq(1, 40), seq(60, 95)...)
	rs := &recordServer{t: t, ids: all, delay: 5 * time.Millisecond}
	srv := httptest.NewServer(rs)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL, nil)
	ranges, err := SplitIDRange(1, 95, 5)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	lastPage := map[int]int{}
	err = c.PagesByIDRange(context.Background(), "service/tickets", Query{PageSize: 7, Conditions: "closedFlag = false"}, "id", ranges, 3,
		func(stream int, p Page) error {
			if stream < 0 || stream >= 3 {
				t.Errorf("stream index %d", stream)
			}
			if ranges[p.RangeIndex] != p.Range {
				t.Errorf("page range %v does not match index %d", p.Range, p.RangeIndex)
			}
			ids := pageIDs(t, p.Body)
			mu.Lock()
			defer mu.Unlock()
			if p.Number != lastPage[p.RangeIndex]+1 {
				t.Errorf("range %d: page %d after %d", p.RangeIndex, p.Number, lastPage[p.RangeIndex])
			}
			lastPage[p.RangeIndex] = p.Number
			for _, id := range ids {
				if id < p.Range[0] || id >= p.Range[1] {
					t.Errorf("id %d outside range %v", id, p.Range)
				}
				seen[id]++
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(all) {
		t.Errorf("saw %d distinct ids, want %d", len(seen), len(all))
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("id %d seen %d times", id, k)
		}
	}
	if m := rs.maxInflight.Load(); m > 3 || m < 2 {
		t.Errorf("max concurrent requests %d, want 2..3", m)
	}
	conds := map[string]bool{}
	for _, u := range rs.Requests() {
		conds[u.Query().Get("conditions")] = true
	}
	for _, r := range ranges {
		want := fmt.Sprintf("(closedFlag = false) AND id >= %d AND id < %d", r[0], r[1])
		if !conds[want] {
			t.Errorf("no request with conditions %q; saw %v", want, conds)
		}
	}
}

func TestPagesByIDRangeFirstErrorCancels(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if strings.Contains(r.URL.Query().Get("conditions"), "id >= 0 ") {
			w.WriteHeader(404)
			w.Write([]byte(`{"code":"NotFound","message":"no such thing"}`))
			return
		}
		// Other ranges page forever (each page advances pageId) until cancelled.
		after, _ := strconv.Atoi(r.URL.Query().Get("pageId"))
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?pageId=%d>; rel="next"`, r.Host, r.URL.Path, after+1))
		time.Sleep(2 * time.Millisecond)
		w.Write([]byte(okPage))
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL, nil)
	ranges := [][2]int64{{10, 20}, {20, 30}, {0, 10}, {30, 40}, {40, 50}}
	done := make(chan error, 1)
	go func() {
		done <- c.PagesByIDRange(context.Background(), "service/tickets", Query{}, "id", ranges, 3, func(int, Page) error { return nil })
	}()
	select {
	case err := <-done:
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != "NotFound" || !strings.Contains(err.Error(), "id range 2 [0, 10)") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("PagesByIDRange did not stop after an error")
	}

	// Argument validation.
	for _, tt := range []struct {
		field   string
		ranges  [][2]int64
		streams int
		q       Query
	}{
		{"id;", ranges, 1, Query{}},
		{"id", ranges, 0, Query{}},
		{"id", [][2]int64{{5, 5}}, 1, Query{}},
		{"id", ranges, 1, Query{OrderBy: "id"}},
		{"id", ranges, 1, Query{Conditions: "(unbalanced"}},
	} {
		if err := c.PagesByIDRange(context.Background(), "service/tickets", tt.q, tt.field, tt.ranges, tt.streams, func(int, Page) error { return nil }); err == nil {
			t.Errorf("%+v accepted", tt)
		}
	}
}

func TestSplitIDRange(t *testing.T) {
	tests := []struct {
		lo, hi int64
		n      int
		want   [][2]int64
	}{
		{1, 10, 3, [][2]int64{{1, 5}, {5, 8}, {8, 11}}},
		{1, 10, 1, [][2]int64{{1, 11}}},
		{5, 5, 4, [][2]int64{{5, 6}}},
		{1, 3, 10, [][2]int64{{1, 2}, {2, 3}, {3, 4}}},
		{-10, 9, 2, [][2]int64{{-10, 0}, {0, 10}}},
		{math.MinInt64, math.MaxInt64 - 1, 2, [][2]int64{{math.MinInt64, 0}, {0, math.MaxInt64}}},
	}
	for _, tt := range tests {
		got, err := SplitIDRange(tt.lo, tt.hi, tt.n)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitIDRange(%d, %d, %d) = %v, %v; want %v", tt.lo, tt.hi, tt.n, got, err, tt.want)
		}
	}
	for _, bad := range [][3]int64{{1, 10, 0}, {10, 1, 2}, {1, math.MaxInt64, 2}} {
		if _, err := SplitIDRange(bad[0], bad[1], int(bad[2])); err == nil {
			t.Errorf("SplitIDRange%v accepted", bad)
		}
	}
}

func TestRateLimitSequential(t *testing.T) {
	srv, n := sequenceServer(t, status(200, `{"count": 1}`))
	c, clock, _ := newTestClient(t, srv.URL, func(c *Config) { c.RequestsPerMinute = 600 }) // 10/s, burst 10
	for range 30 {
		if _, err := c.Count(context.Background(), "service/tickets", ""); err != nil {
			t.Fatal(err)
		}
	}
	var total time.Duration
	for _, d := range clock.Sleeps() {
		total += d
	}
	// 10 requests ride the burst; the other 20 are spaced 100ms apart.
	if n.Load() != 30 || len(clock.Sleeps()) != 20 || total < 1990*time.Millisecond || total > 2010*time.Millisecond {
		t.Errorf("%d requests, %d waits totalling %v; want 30, 20 and 2s", n.Load(), len(clock.Sleeps()), total)
	}
}

func TestTokenBucketShared(t *testing.T) {
	clock := newFakeClock()
	b := newTokenBucket(120, clock.Now) // 2/s, burst 2
	var mu sync.Mutex
	var waits []time.Duration
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				d := b.reserve()
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(waits)
	// 20 reservations without time passing: 2 free, then one every 500ms.
	for i, d := range waits {
		want := time.Duration(max(0, i-1)) * 500 * time.Millisecond
		if d < want-time.Millisecond || d > want+time.Millisecond {
			t.Errorf("wait %d = %v, want %v", i, d, want)
		}
	}
	// After time passes the bucket refills, but never above the burst.
	clock.Sleep(context.Background(), time.Hour)
	if d1, d2, d3 := b.reserve(), b.reserve(), b.reserve(); d1 != 0 || d2 != 0 || d3 == 0 {
		t.Errorf("after refill: %v %v %v", d1, d2, d3)
	}
	b.cancel()
	if d := b.reserve(); d == 0 {
		t.Errorf("cancel refunded more than one token")
	}
}

// TestPageValidUTF8 checks that a page says whether decoding it replaces
// anything, as the client reads it and as NewPage builds it.
func TestPageValidUTF8(t *testing.T) {
	for _, tt := range []struct {
		body string
		want bool
	}{
		{`[{"id":1,"summary":"Café \u00e9"}]`, true},
		{"[{\"id\":1,\"summary\":\"caf\xe9\"}]", false},
		{`[{"id":1,"summary":"a"},{"id":2,"summary":"\ud83d"}]`, false},
	} {
		srv, _ := sequenceServer(t, status(200, tt.body))
		c, _, _ := newTestClient(t, srv.URL, nil)
		pages, err := fetchOne(c)
		if err != nil || len(pages) != 1 {
			t.Fatalf("%q: %d pages, %v", tt.body, len(pages), err)
		}
		built, err := NewPage(1, []byte(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []Page{pages[0], built} {
			if p.ValidUTF8 != tt.want {
				t.Errorf("%q: ValidUTF8 = %v, want %v", tt.body, p.ValidUTF8, tt.want)
			}
			checkEachRecord(t, p)
		}
	}
	if _, err := NewPage(1, []byte(`[{"id":1},`)); err == nil {
		t.Error("NewPage took a cut page")
	}
}
