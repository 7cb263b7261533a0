package connectwise

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPagingRule(t *testing.T) {
	ids := func(first, last int64, n int) idSummary {
		return idSummary{records: n, min: first, last: last}
	}
	tests := []struct {
		name string
		f    pageFacts
		want string // substring; "" means the page keeps the rules
	}{
		{"forward full page with next", pageFacts{forward: true, pageSize: 3, pos: 10, ids: ids(11, 13, 3), hasNext: true, next: 13}, ""},
		{"forward short last page", pageFacts{forward: true, pageSize: 3, pos: 10, ids: ids(11, 12, 2)}, ""},
		{"forward short page with next", pageFacts{forward: true, pageSize: 3, pos: 10, ids: ids(11, 12, 2), hasNext: true, next: 12}, ""},
		{"forward empty end, next repeats pageId", pageFacts{forward: true, pageSize: 3, pos: 13, hasNext: true, next: 13}, ""},
		{"forward empty end, no next", pageFacts{forward: true, pageSize: 3, pos: 13}, ""},
		{"forward empty first page", pageFacts{forward: true, pageSize: 3}, ""},
		{"forward empty page skipping ahead", pageFacts{forward: true, pageSize: 3, pos: 13, hasNext: true, next: 40}, "empty page with a next link"},
		{"forward full page without next", pageFacts{forward: true, pageSize: 3, pos: 10, ids: ids(11, 13, 3)}, "full page (3 records) without a next link"},
		{"forward oversized", pageFacts{forward: true, pageSize: 3, ids: ids(1, 4, 4), hasNext: true, next: 4}, "4 records, more than the pageSize 3"},
		{"forward repeated records", pageFacts{forward: true, pageSize: 3, pos: 13, ids: ids(11, 13, 3), hasNext: true, next: 14}, "not above the pageId 13"},
		{"forward next not last id", pageFacts{forward: true, pageSize: 3, pos: 10, ids: ids(11, 13, 3), hasNext: true, next: 20}, "pageId 20 is not the page's last id 13"},
		{"forward unordered, one id repeated", pageFacts{forward: true, pageSize: 4, pos: 4, ids: idSummary{records: 4, min: 5, last: 7}, hasNext: true, next: 7}, ""},
		{"forward unordered, one id at the pageId", pageFacts{forward: true, pageSize: 3, pos: 5, ids: idSummary{records: 3, min: 5, last: 6}, hasNext: true, next: 6}, "record id 5 is not above the pageId 5"},
		{"forward record without id", pageFacts{forward: true, pageSize: 3, ids: idSummary{records: 2, missing: 1, min: 5, last: 5}}, "no integer id"},
		{"classic page with next", pageFacts{pageSize: 3, pos: 1, ids: ids(1, 3, 3), hasNext: true, next: 2}, ""},
		{"classic full last page", pageFacts{pageSize: 3, pos: 2, ids: ids(4, 6, 3)}, ""},
		{"classic empty page with next", pageFacts{pageSize: 3, pos: 2, hasNext: true, next: 3}, "empty page with a next link"},
		{"classic next goes back", pageFacts{pageSize: 3, pos: 2, ids: ids(4, 6, 3), hasNext: true, next: 2}, "goes back to page 2"},
		{"classic oversized", pageFacts{pageSize: 3, pos: 1, ids: ids(1, 5, 5)}, "more than the pageSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pagingRule(tt.f)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("pagingRule = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScanPageIDs(t *testing.T) {
	tests := []struct {
		body string
		want idSummary
	}{
		{`[]`, idSummary{}},
		{`[{"id":3,"x":{"id":99}},{"a":[1,{"id":0}],"id":7}]`, idSummary{records: 2, min: 3, last: 7}},
		{`[{"id":7},{"id":7}]`, idSummary{records: 2, min: 7, last: 7}},
		{`[{"id":7},{"id":9},{"id":6}]`, idSummary{records: 3, min: 6, last: 6}},
		{`[{"id":"7"},{"id":8}]`, idSummary{records: 2, missing: 1, min: 8, last: 8}},
		{`[{"x":{"id":1}}]`, idSummary{records: 1, missing: 1}},
	}
	for _, tt := range tests {
		got, err := scanPageIDs([]byte(tt.body))
		if err != nil || got != tt.want {
			t.Errorf("scanPageIDs(%s) = %+v, %v; want %+v", tt.body, got, err, tt.want)
		}
	}
}

func TestPageBudget(t *testing.T) {
	for _, tt := range []struct{ count, size, want int }{{0, 1000, 10}, {1, 1000, 12}, {1000, 1000, 12}, {1001, 1000, 14}, {25, 10, 16}} {
		if got := PageBudget(tt.count, tt.size); got != tt.want {
			t.Errorf("PageBudget(%d, %d) = %d, want %d", tt.count, tt.size, got, tt.want)
		}
	}
}

// hostilePager answers forward-only pages of ids 1..total in pages of the requested size, then
// lets bend change a page before it is sent (records as ids, and the next pageId; -1 for no link).
func hostilePager(t *testing.T, total int64, bend func(n int, ids []int64, next int64) ([]int64, int64)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := int(n.Add(1))
		if k > 50 {
			t.Error("the client keeps paging")
			w.Write([]byte(`[]`))
			return
		}
		size, _ := strconv.ParseInt(r.URL.Query().Get("pageSize"), 10, 64)
		after, _ := strconv.ParseInt(r.URL.Query().Get("pageId"), 10, 64)
		var ids []int64
		for id := after + 1; id <= total && int64(len(ids)) < size; id++ {
			ids = append(ids, id)
		}
		next := after
		if len(ids) > 0 {
			next = ids[len(ids)-1]
		}
		ids, next = bend(k, ids, next)
		if next >= 0 {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?pageSize=%d&pageId=%d>; rel="next"`, r.Host, r.URL.Path, size, next))
		}
		recs := make([]string, len(ids))
		for i, id := range ids {
			recs[i] = fmt.Sprintf(`{"id":%d}`, id)
		}
		w.Write([]byte("[" + strings.Join(recs, ",") + "]"))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestPagesHostileSources(t *testing.T) {
	tests := []struct {
		name     string
		bend     func(n int, ids []int64, next int64) ([]int64, int64)
		maxPages int
		want     string // PagingFault reason substring; "" means a clean walk of all 25 records
		requests int32  // the requests of a walk one page at a time
		// ahead says the failing page's headers name a plausible next page, so the walk may have
		// sent its request (one more) before the page's body showed the fault.
		ahead bool
	}{
		{"honest", func(_ int, ids []int64, next int64) ([]int64, int64) { return ids, next }, 0, "", 4, false},
		{"empty page then data", func(n int, ids []int64, next int64) ([]int64, int64) {
			if n == 2 {
				return nil, next
			}
			return ids, next
		}, 0, "empty page with a next link", 2, false},
		{"full page without link", func(n int, ids []int64, next int64) ([]int64, int64) {
			if n == 2 {
				return ids, -1
			}
			return ids, next
		}, 0, "full page (10 records) without a next link", 2, false},
		{"rising pageId, repeated records", func(n int, _ []int64, _ int64) ([]int64, int64) {
			return []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, int64(10 + n)
		}, 0, "not the page's last id", 1, true},
		{"repeated records, next = last id", func(n int, _ []int64, _ int64) ([]int64, int64) {
			return []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10
		}, 0, "not above the pageId 10", 2, false},
		{"oversized page", func(n int, ids []int64, next int64) ([]int64, int64) {
			return append(ids, 1000+int64(n)), 1000 + int64(n)
		}, 0, "more than the pageSize 10", 1, true},
		{"endless new records", func(n int, _ []int64, _ int64) ([]int64, int64) {
			base := int64(n) * 100
			return []int64{base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8, base + 9, base + 10}, base + 10
		}, PageBudget(25, 10), "more than 16 pages", 16, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := hostilePager(t, 25, tt.bend)
			c, _, _ := newTestClient(t, srv.URL, nil)
			records := 0
			err := c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: true, PageSize: 10, MaxPages: tt.maxPages}, func(p Page) error {
				records += p.Records
				return nil
			})
			if got := n.Load(); got != tt.requests && !(tt.ahead && got == tt.requests+1) {
				t.Errorf("%d requests, want %d (or one more sent ahead: %v)", got, tt.requests, tt.ahead)
			}
			if tt.want == "" {
				if err != nil || records != 25 {
					t.Fatalf("err = %v, records = %d; want nil and 25", err, records)
				}
				return
			}
			var pf *PagingFault
			if !errors.As(err, &pf) {
				t.Fatalf("err = %v, want a *PagingFault", err)
			}
			if !strings.Contains(pf.Reason, tt.want) || pf.URL == "" || pf.Page < 1 || strings.Contains(pf.Reason, "\n") {
				t.Errorf("fault = %+v, want reason containing %q", pf, tt.want)
			}
		})
	}
}

func TestPagesForwardOnlyRequestsID(t *testing.T) {
	srv, _ := hostilePager(t, 3, func(_ int, ids []int64, next int64) ([]int64, int64) { return ids, next })
	var got string
	c, _, _ := newTestClient(t, srv.URL, func(c *Config) {
		c.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL.Query().Get("fields")
			return http.DefaultTransport.RoundTrip(r)
		})}
	})
	err := c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: true, Fields: []string{"summary"}}, func(Page) error { return nil })
	if err != nil || got != "id,summary" {
		t.Errorf("fields = %q, err = %v; want id,summary", got, err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRetryWaitBudget(t *testing.T) {
	t.Run("huge Retry-After", func(t *testing.T) {
		srv, n := sequenceServer(t, status(429, ``, "Retry-After", "999999"))
		c, clock, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxWait = 10 * time.Second; c.MaxRetries = 50 })
		_, err := fetchOne(c)
		var total time.Duration
		for _, d := range clock.Sleeps() {
			total += d
		}
		if total > 10*time.Second || n.Load() != 2 {
			t.Errorf("waited %v over %d requests; want at most 10s and 2 requests", total, n.Load())
		}
		if !errors.Is(err, ErrRetriesExhausted) || !strings.Contains(err.Error(), "wait budget") || !strings.Contains(err.Error(), "--max-wait") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("backoff cut to the budget", func(t *testing.T) {
		srv, n := sequenceServer(t, status(503, ``))
		c, clock, _ := newTestClient(t, srv.URL, func(c *Config) {
			c.MaxWait = 3 * time.Second
			c.MinBackoff, c.MaxBackoff, c.MaxRetries = time.Second, 2*time.Second, 50
		})
		_, err := fetchOne(c)
		var total time.Duration
		for _, d := range clock.Sleeps() {
			total += d
		}
		if total > 3*time.Second || n.Load() > 5 || !strings.Contains(fmt.Sprint(err), "wait budget") {
			t.Errorf("waited %v over %d requests, err %v", total, n.Load(), err)
		}
	})
	t.Run("default budget", func(t *testing.T) {
		c, err := New(Config{BaseURL: "https://cw.example.com/", Company: testCompany, PublicKey: testPublic, PrivateKey: testPrivate, ClientID: testClientID})
		if err != nil || c.cfg.MaxWait != DefaultMaxWait || c.cfg.MaxRetryAfter != DefaultMaxRetryAfter {
			t.Errorf("err %v, MaxWait %v, MaxRetryAfter %v", err, c.cfg.MaxWait, c.cfg.MaxRetryAfter)
		}
		c, _ = New(Config{BaseURL: "https://cw.example.com/", Company: testCompany, PublicKey: testPublic, PrivateKey: testPrivate, ClientID: testClientID, MaxWait: time.Second})
		if c.cfg.MaxRetryAfter != time.Second {
			t.Errorf("MaxRetryAfter %v, want it bounded by MaxWait 1s", c.cfg.MaxRetryAfter)
		}
	})
}

func TestUnparsableBodyRetriedOnce(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	for name, body := range map[string]string{
		"html":         "<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>",
		"deep nesting": `[{"x":` + deep + `}]`,
		"object":       `{"not":"an array"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv, n := sequenceServer(t, status(200, body))
			c, clock, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 6 })
			_, err := fetchOne(c)
			var se *SyntaxError
			if n.Load() != 2 || len(clock.Sleeps()) != 1 || !errors.As(err, &se) || se.Truncated {
				t.Errorf("%d requests, %d sleeps, err %v; want 2, 1 and a non-truncation *SyntaxError", n.Load(), len(clock.Sleeps()), err)
			}
			if !strings.Contains(fmt.Sprint(err), "did not parse twice") {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("truncated keeps retrying", func(t *testing.T) {
		srv, n := sequenceServer(t, status(200, `[{"id":1},`))
		c, _, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 4 })
		if _, err := fetchOne(c); err == nil || n.Load() != 5 {
			t.Errorf("%d requests, err %v; want 5 (a cut body may be transient)", n.Load(), err)
		}
	})
}

func TestBaseURLParseErrorRedacted(t *testing.T) {
	for _, u := range []string{
		"https://acme+pub:" + testPrivate + "%zz@cw.example.com/apis/3.0/",
		"https://user:" + testPrivate + "@cw example.com/",
		"https://user:pa ss" + testPrivate + "@cw.example.com/",
	} {
		_, err := New(Config{BaseURL: u, Company: testCompany, PublicKey: testPublic, PrivateKey: "other-key-value", ClientID: testClientID})
		if err == nil {
			t.Fatalf("New(%q) succeeded", u)
		}
		if strings.Contains(err.Error(), testPrivate) || !strings.Contains(err.Error(), redacted) {
			t.Errorf("error %q leaks the password or does not show the redacted URL", err)
		}
	}
	_, err := New(Config{BaseURL: "https://cw.example.com:port/", Company: testCompany, PublicKey: testPublic, PrivateKey: testPrivate, ClientID: testClientID})
	if err == nil || !strings.Contains(err.Error(), "invalid port") {
		t.Errorf("err = %v, want the parser's reason for a URL without user information", err)
	}
}

func TestCheck(t *testing.T) {
	var got string
	srv, n := sequenceServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
		status(401, `{"code":"Unauthorized","message":"Unauthorized"}`)(w, r)
	}, status(200, `[{"id":1}]`))
	c, _, _ := newTestClient(t, srv.URL, nil)
	var ae *APIError
	if err := c.Check(context.Background(), "service/tickets"); !errors.As(err, &ae) || ae.Status != 401 || n.Load() != 1 {
		t.Errorf("err = %v after %d requests, want one request and an HTTP 401 *APIError", err, n.Load())
	}
	if got != "fields=id&page=1&pageSize=1" {
		t.Errorf("query %q, want the smallest page", got)
	}
	if err := c.Check(context.Background(), "service/tickets"); err != nil {
		t.Errorf("err = %v", err)
	}
}

// BenchmarkPageValidation compares the validation a page got before the
// paging rules (CountRecords) with the one that also reads every record's
// id for them (scanPageIDs), in one run.
func BenchmarkPageValidation(b *testing.B) {
	page := benchPage(1000)
	for _, bc := range []struct {
		name string
		scan func([]byte) error
	}{
		{"CountRecords", func(p []byte) error { _, err := CountRecords(p); return err }},
		{"scanPageIDs", func(p []byte) error { _, err := scanPageIDs(p); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.scan(page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
