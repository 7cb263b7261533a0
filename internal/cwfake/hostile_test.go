package cwfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fwdPage fetches one forward-only page of tickets after pageId and returns
// its ids and its next link's pageId ("" when none).
func fwdPage(c *testClient, size, after int) (result, []int, string) {
	c.t.Helper()
	target := "/service/tickets?pageSize=" + strconv.Itoa(size)
	if after > 0 {
		target += "&pageId=" + strconv.Itoa(after)
	}
	r := c.do(http.MethodGet, target, nil, map[string]string{"pagination-type": "forward-only"})
	var got []int
	if r.status == http.StatusOK && json.Valid(r.body) {
		got = ids(c.t, r.body)
	}
	next := ""
	if l := parseLinks(r.header.Get("Link"))["next"]; l != "" {
		u, _ := url.Parse(l)
		next = u.Query().Get("pageId")
	}
	return r, got, next
}

func TestHostileModes(t *testing.T) {
	s := NewStore(3, 40)
	all := s.TicketIDs()
	const size = 10
	itoa := strconv.Itoa
	tests := []struct {
		mode  string
		check func(t *testing.T, c *testClient)
	}{
		{HostileEmptyFirstPage, func(t *testing.T, c *testClient) {
			r, got, next := fwdPage(c, size, 0)
			if string(r.body) != "[]" || next != "" || len(got) != 0 {
				t.Errorf("first page %s, next %q", r.body, next)
			}
			if _, got, _ := fwdPage(c, size, all[size-1]); !slices.Equal(got, all[size:2*size]) {
				t.Errorf("second page %v, want the honest one", got)
			}
			if b := c.mustOK(c.get("/service/tickets/count"), "count"); string(b) != `{"count":40}` {
				t.Errorf("count %s, want the truth", b)
			}
		}},
		{HostileEmptyAll, func(t *testing.T, c *testClient) {
			for _, after := range []int{0, all[size-1]} {
				if r, _, next := fwdPage(c, size, after); string(r.body) != "[]" || next != "" {
					t.Errorf("page after %d: %s, next %q", after, r.body, next)
				}
			}
			if b := c.mustOK(c.get("/service/tickets/count"), "count"); string(b) != `{"count":0}` {
				t.Errorf("count %s", b)
			}
		}},
		{HostileEmptyPageThenData, func(t *testing.T, c *testClient) {
			_, first, next := fwdPage(c, size, 0)
			if !slices.Equal(first, all[:size]) || next != itoa(all[size-1]) {
				t.Fatalf("first page %v next %q", first, next)
			}
			r, got, next := fwdPage(c, size, all[size-1])
			if len(got) != 0 || next != itoa(all[2*size-1]) {
				t.Errorf("second page %s, next %q; want [] and a link skipping to %d", r.body, next, all[2*size-1])
			}
			if _, got, _ := fwdPage(c, size, all[2*size-1]); !slices.Equal(got, all[2*size:3*size]) {
				t.Errorf("third page %v", got)
			}
		}},
		{HostileFullPageWithoutLink, func(t *testing.T, c *testClient) {
			if _, _, next := fwdPage(c, size, 0); next == "" {
				t.Error("the first page lost its link")
			}
			if _, got, next := fwdPage(c, size, all[size-1]); len(got) != size || next != "" {
				t.Errorf("second page %d records, next %q; want a full page without link", len(got), next)
			}
		}},
		{HostileRepeatPages, func(t *testing.T, c *testClient) {
			after := all[size-1]
			for range 3 {
				_, got, next := fwdPage(c, size, after)
				n, _ := strconv.Atoi(next)
				if !slices.Equal(got, all[:size]) || n <= after {
					t.Fatalf("page after %d: %v, next %q; want the first page again and a rising pageId", after, got, next)
				}
				after = n
			}
		}},
		{HostileOversizedPage, func(t *testing.T, c *testClient) {
			_, got, next := fwdPage(c, size, 0)
			if len(got) != size+1 || next != itoa(got[len(got)-1]) {
				t.Errorf("page of %d records (next %q), want %d", len(got), next, size+1)
			}
			if got := ids(t, c.mustOK(c.get("/service/tickets?pageSize=5&page=1"), "classic")); len(got) != 6 {
				t.Errorf("classic page of %d records, want 6", len(got))
			}
		}},
		{HostileHTML200, func(t *testing.T, c *testClient) {
			if _, got, _ := fwdPage(c, size, 0); len(got) != size {
				t.Errorf("first page: %d records", len(got))
			}
			r, _, _ := fwdPage(c, size, all[size-1])
			if r.status != http.StatusOK || !strings.HasPrefix(string(r.body), "<!DOCTYPE html>") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("status %d body %.40s", r.status, r.body)
			}
		}},
		{HostileDeepNesting, func(t *testing.T, c *testClient) {
			r, _, _ := fwdPage(c, size, all[size-1])
			if r.status != http.StatusOK || !strings.Contains(string(r.body), strings.Repeat("[", 10000)) {
				t.Errorf("status %d, %d bytes", r.status, len(r.body))
			}
		}},
		{HostileHugeRetryAfter, func(t *testing.T, c *testClient) {
			if r, got, _ := fwdPage(c, size, 0); r.status != http.StatusOK || len(got) != size {
				t.Errorf("first page: status %d, %d records", r.status, len(got))
			}
			if r, _, _ := fwdPage(c, size, all[size-1]); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "999999" {
				t.Errorf("second page: status %d Retry-After %q", r.status, r.header.Get("Retry-After"))
			}
		}},
		{HostileWideRecords, func(t *testing.T, c *testClient) {
			r := c.do(http.MethodGet, "/service/tickets?pageSize=2&fields=id,summary", nil, map[string]string{"pagination-type": "forward-only"})
			var recs []struct {
				ID      int    `json:"id"`
				Summary string `json:"summary"`
			}
			if err := json.Unmarshal(r.body, &recs); err != nil || len(recs) != 2 {
				t.Fatalf("%v: %d records", err, len(recs))
			}
			for _, rec := range recs {
				if len(rec.Summary) != 4096 {
					t.Errorf("record %d: summary of %d bytes, want 4096", rec.ID, len(rec.Summary))
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			c := newTestServer(t, Config{Store: s, Hostile: tt.mode, WideRecordBytes: 4096})
			tt.check(t, c)
			replaced := tt.mode == HostileHTML200 || tt.mode == HostileDeepNesting || tt.mode == HostileHugeRetryAfter || tt.mode == HostileEmptyAll
			if st := c.api.Stats(); replaced && st.Faults[faultHostile] == 0 {
				t.Errorf("no hostile answer counted: %v", st.Faults)
			}
		})
	}
}

func TestHostileAdmin(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(3, 20)})
	post := func(mode string) int {
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/_admin/hostile?mode="+url.QueryEscape(mode), nil)
		res, err := c.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post(HostileEmptyAll); code != http.StatusNoContent || c.api.Hostile() != HostileEmptyAll {
		t.Fatalf("set: %d, mode %q", code, c.api.Hostile())
	}
	if r, _, _ := fwdPage(c, 5, 0); string(r.body) != "[]" {
		t.Errorf("page %s after switching to %s", r.body, HostileEmptyAll)
	}
	if code := post("bogus"); code != http.StatusBadRequest || c.api.Hostile() != HostileEmptyAll {
		t.Errorf("bogus mode: %d, mode %q", code, c.api.Hostile())
	}
	if code := post(""); code != http.StatusNoContent || c.api.Hostile() != "" {
		t.Errorf("clear: %d, mode %q", code, c.api.Hostile())
	}
	if _, got, _ := fwdPage(c, 5, 0); len(got) != 5 {
		t.Errorf("%d records after clearing the mode", len(got))
	}
	if err := (Config{Hostile: "nope"}).Validate(); err == nil || !strings.Contains(err.Error(), "unknown hostile mode") {
		t.Errorf("Validate: %v", err)
	}
}
