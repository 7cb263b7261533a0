package cwfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPageBasedPagingYieldsEveryTicketOnce(t *testing.T) {
	s := NewStore(2, 250)
	c := newTestServer(t, Config{Store: s})
	got, bodies := c.crawl("/service/tickets?pageSize=7", nil, false)
	if d := diffInts(got, s.TicketIDs()); d != "" {
		t.Fatal(d)
	}
	if want := (250 + 6) / 7; len(bodies) != want {
		t.Errorf("%d pages, want %d", len(bodies), want)
	}

	// Link relations: none back from page 1, none forward from the last page.
	first := c.get("/service/tickets?pageSize=7")
	links := parseLinks(first.header.Get("Link"))
	if links["first"] != "" || links["prev"] != "" || links["next"] == "" || links["last"] == "" {
		t.Errorf("page 1 links %v", links)
	}
	u, err := url.Parse(links["next"])
	if err != nil || !u.IsAbs() || u.Host != strings.TrimPrefix(c.srv.URL, "http://") || u.Path != DefaultBasePath+"/service/tickets" {
		t.Errorf("next link %q is not an absolute URL on the same host and path", links["next"])
	}
	if u.Query().Get("page") != "2" || u.Query().Get("pageSize") != "7" {
		t.Errorf("next link %q", links["next"])
	}
	lastURL := links["last"]
	last := c.get(lastURL)
	links = parseLinks(last.header.Get("Link"))
	if links["next"] != "" || links["prev"] == "" || links["first"] == "" {
		t.Errorf("last page links %v", links)
	}
	if n := len(ids(t, last.body)); n != 250%7 {
		t.Errorf("last page has %d records, want %d", n, 250%7)
	}
	mid := c.get("/service/tickets?pageSize=7&page=5")
	links = parseLinks(mid.header.Get("Link"))
	for _, rel := range []string{"first", "prev", "next", "last"} {
		if links[rel] == "" {
			t.Errorf("middle page lacks rel=%s: %v", rel, links)
		}
	}
	// Past the end: an empty page, no next.
	past := c.get("/service/tickets?pageSize=7&page=999")
	if string(c.mustOK(past, "past end")) != "[]" || parseLinks(past.header.Get("Link"))["next"] != "" {
		t.Errorf("past the end: %s, Link %q", past.body, past.header.Get("Link"))
	}
	// Other query parameters survive into the links.
	r := c.get("/service/tickets?pageSize=10&conditions=" + q("id > 1100") + "&orderBy=" + q("id desc"))
	nu, _ := url.Parse(parseLinks(r.header.Get("Link"))["next"])
	if nu.Query().Get("conditions") != "id > 1100" || nu.Query().Get("orderBy") != "id desc" {
		t.Errorf("next link lost parameters: %s", nu)
	}
	// Content type and default page size.
	if ct := first.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if n := len(ids(t, c.mustOK(c.get("/service/tickets"), "default page"))); n != DefaultPageSize {
		t.Errorf("default page has %d records", n)
	}
}

func TestForwardOnlyPaging(t *testing.T) {
	s := NewStore(4, 230)
	c := newTestServer(t, Config{Store: s})
	fwd := map[string]string{"pagination-type": "forward-only"}
	got, bodies := c.crawl("/service/tickets?pageSize=9&page=4", fwd, false) // page is ignored
	if d := diffInts(got, s.TicketIDs()); d != "" {
		t.Fatal(d)
	}
	if len(bodies) != (230+8)/9 {
		t.Errorf("%d pages", len(bodies))
	}
	// The next link names the last id seen.
	r := c.do(http.MethodGet, "/service/tickets?pageSize=9", nil, fwd)
	page := ids(t, r.body)
	links := parseLinks(r.header.Get("Link"))
	nu, _ := url.Parse(links["next"])
	if nu.Query().Get("pageId") != strconv.Itoa(page[len(page)-1]) || nu.Query().Get("page") != "" || links["last"] != "" {
		t.Errorf("forward-only links %v for page ending %d", links, page[len(page)-1])
	}
	all := s.TicketIDs()
	r = c.do(http.MethodGet, "/service/tickets?pageSize=9&pageId="+strconv.Itoa(all[len(all)-10]), nil, fwd)
	// A full final page still names a next page, as ConnectWise does; that one is empty and names none.
	last := strconv.Itoa(all[len(all)-1])
	if got := ids(t, r.body); !slices.Equal(got, all[len(all)-9:]) || !strings.Contains(r.header.Get("Link"), "pageId="+last+"&") {
		t.Errorf("final page %v, Link %q", got, r.header.Get("Link"))
	}
	r = c.do(http.MethodGet, "/service/tickets?pageSize=9&pageId="+last, nil, fwd)
	if string(r.body) != "[]" || r.header.Get("Link") != "" {
		t.Errorf("past the final page: %s, Link %q", r.body, r.header.Get("Link"))
	}
	// pageId acts as id > pageId, also between ids.
	r = c.do(http.MethodGet, "/service/tickets?pageSize=3&pageId="+strconv.Itoa(all[5]+0), nil, fwd)
	if got := ids(t, r.body); !slices.Equal(got, all[6:9]) {
		t.Errorf("pageId=%d gave %v, want %v", all[5], got, all[6:9])
	}
	// Not with orderBy.
	r = c.do(http.MethodGet, "/service/tickets?orderBy="+q("id desc"), nil, fwd)
	if r.status != http.StatusBadRequest {
		t.Errorf("forward-only with orderBy: status %d", r.status)
	}
	r = c.do(http.MethodGet, "/service/tickets?pageId=abc", nil, fwd)
	if r.status != http.StatusBadRequest {
		t.Errorf("pageId=abc: status %d", r.status)
	}
}

func TestPageSizeLimits(t *testing.T) {
	s := NewStore(6, 1100)
	c := newTestServer(t, Config{Store: s})
	if n := len(ids(t, c.mustOK(c.get("/service/tickets?pageSize=5000"), "pageSize=5000"))); n != MaxPageSize {
		t.Errorf("pageSize=5000 gave %d records, want the %d clamp", n, MaxPageSize)
	}
	for _, bad := range []string{"0", "-1", "ten"} {
		r := c.get("/service/tickets?pageSize=" + bad)
		var e apiError
		if r.status != http.StatusBadRequest || json.Unmarshal(r.body, &e) != nil || e.Code != "InvalidObject" || len(e.Errors) != 1 || e.Errors[0].Field != "pageSize" {
			t.Errorf("pageSize=%s: %d %s", bad, r.status, r.body)
		}
	}
	for _, bad := range []string{"0", "x"} {
		if r := c.get("/service/tickets?page=" + bad); r.status != http.StatusBadRequest {
			t.Errorf("page=%s: status %d", bad, r.status)
		}
	}
	strict := newTestServer(t, Config{Store: s, StrictPageSize: true})
	if r := strict.get("/service/tickets?pageSize=1001"); r.status != http.StatusBadRequest {
		t.Errorf("strict pageSize=1001: status %d", r.status)
	}
	// Parameter names match case-insensitively, as in ConnectWise.
	if n := len(ids(t, c.mustOK(c.get("/service/tickets?PAGESIZE=3"), "PAGESIZE"))); n != 3 {
		t.Errorf("PAGESIZE=3 gave %d", n)
	}
}

func TestOrderBy(t *testing.T) {
	s := NewStore(8, 300)
	c := newTestServer(t, Config{Store: s})
	desc, _ := c.crawl("/service/tickets?pageSize=40&orderBy="+q("id desc"), nil, false)
	want := slices.Clone(s.TicketIDs())
	slices.Reverse(want)
	if d := diffInts(desc, want); d != "" {
		t.Errorf("id desc: %s", d)
	}
	ts := s.TicketValues()
	byLU := slices.Clone(ts)
	slices.SortStableFunc(byLU, func(a, b Ticket) int { return a.Info.LastUpdated.Compare(b.Info.LastUpdated.Time) })
	want = nil
	for _, tk := range byLU {
		want = append(want, tk.ID)
	}
	for _, ob := range []string{"lastUpdated asc", "_info/lastUpdated", "lastUpdated ASC, id asc"} {
		got, _ := c.crawl("/service/tickets?pageSize=64&orderBy="+q(ob), nil, false)
		if d := diffInts(got, want); d != "" {
			t.Errorf("%s: %s", ob, d)
		}
	}
	slices.SortStableFunc(byLU, func(a, b Ticket) int { return -a.Info.LastUpdated.Compare(b.Info.LastUpdated.Time) })
	want = nil
	for _, tk := range byLU {
		want = append(want, tk.ID)
	}
	if got, _ := c.crawl("/service/tickets?pageSize=100&orderBy="+q("_info/lastUpdated desc"), nil, false); diffInts(got, want) != "" {
		t.Errorf("lastUpdated desc: %s", diffInts(got, want))
	}
	for _, bad := range []string{"nope asc", "id sideways", "id asc desc"} {
		if r := c.get("/service/tickets?orderBy=" + q(bad)); r.status != http.StatusBadRequest {
			t.Errorf("orderBy %q: status %d", bad, r.status)
		}
	}
}

func TestCountAndGetByID(t *testing.T) {
	s := NewStore(9, 77)
	c := newTestServer(t, Config{Store: s})
	if b := c.mustOK(c.get("/service/tickets/count"), "count"); string(b) != `{"count":77}` {
		t.Errorf("count body %s", b)
	}
	id := s.TicketIDs()[10]
	want, _ := s.RecordJSON(TicketsPath, id)
	if b := c.mustOK(c.get("/service/tickets/"+strconv.Itoa(id)), "get"); !bytes.Equal(b, want) {
		t.Errorf("get %d body differs", id)
	}
	// Matches the recorded real body exactly.
	r := c.get("/service/tickets/404")
	if r.status != http.StatusNotFound || string(r.body) != `{"code":"NotFound","message":"Service Ticket 404 not found"}` {
		t.Errorf("404: %d %s", r.status, r.body)
	}
	if r := c.get("/service/nothing"); r.status != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", r.status)
	}
	if r := c.get("/service/tickets/abc"); r.status != http.StatusNotFound {
		t.Errorf("non-numeric id: %d", r.status)
	}
	if r := c.do(http.MethodDelete, "/service/tickets/"+strconv.Itoa(id), nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", r.status)
	}
	if r := c.do(http.MethodGet, c.srv.URL+"/other/apis/3.0/service/tickets", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("outside base path: %d", r.status)
	}
}

func TestAuthFailures(t *testing.T) {
	const private = "s3cr3t-Private"
	c := newTestServer(t, Config{Store: NewStore(1, 5), CompanyID: "acme", PublicKey: "pub", PrivateKey: private, ClientID: "client-1"})
	good := map[string]string{"Authorization": BasicAuth("acme", "pub", private), "clientId": "client-1"}
	if r := c.do(http.MethodGet, "/service/tickets", nil, good); r.status != http.StatusOK {
		t.Fatalf("good credentials: %d %s", r.status, r.body)
	}
	lower := map[string]string{"Authorization": BasicAuth("ACME", "pub", private), "clientId": "client-1"}
	if r := c.do(http.MethodGet, "/service/tickets", nil, lower); r.status != http.StatusOK {
		t.Errorf("company id case: %d", r.status)
	}
	b64 := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"no authorization", map[string]string{"Authorization": "", "clientId": "client-1"}, 401},
		{"bearer", map[string]string{"Authorization": "Bearer abc", "clientId": "client-1"}, 401},
		{"not base64", map[string]string{"Authorization": "Basic !!!", "clientId": "client-1"}, 401},
		{"no plus", map[string]string{"Authorization": b64("acmepub:" + private), "clientId": "client-1"}, 401},
		{"wrong private", map[string]string{"Authorization": BasicAuth("acme", "pub", "wrong-"+private), "clientId": "client-1"}, 401},
		{"wrong public", map[string]string{"Authorization": BasicAuth("acme", "pubx", private), "clientId": "client-1"}, 401},
		{"wrong company", map[string]string{"Authorization": BasicAuth("other", "pub", private), "clientId": "client-1"}, 401},
		{"no clientId", map[string]string{"Authorization": BasicAuth("acme", "pub", private), "clientId": ""}, 403},
		{"wrong clientId", map[string]string{"Authorization": BasicAuth("acme", "pub", private), "clientId": "client-2"}, 403},
	}
	for _, tc := range cases {
		r := c.do(http.MethodGet, "/service/tickets", nil, tc.hdr)
		var e apiError
		if r.status != tc.status || json.Unmarshal(r.body, &e) != nil || e.Code == "" || e.Message == "" {
			t.Errorf("%s: %d %s, want %d with a code and message", tc.name, r.status, r.body, tc.status)
		}
		if strings.Contains(string(r.body), private) || strings.Contains(strings.Join(r.header.Values("WWW-Authenticate"), ""), private) {
			t.Errorf("%s: response echoes the private key", tc.name)
		}
	}
	// Any non-empty clientId is accepted when none is configured.
	open := newTestServer(t, Config{Store: NewStore(1, 5)})
	if r := open.do(http.MethodGet, "/service/tickets", nil, map[string]string{"clientId": "anything"}); r.status != 200 {
		t.Errorf("any clientId: %d", r.status)
	}
	// Admin needs no auth.
	if r := open.do(http.MethodGet, open.srv.URL+"/_admin/stats", nil, map[string]string{"Authorization": "", "clientId": ""}); r.status != 200 {
		t.Errorf("admin stats without auth: %d", r.status)
	}
}

func TestFieldsSearchAndURLLength(t *testing.T) {
	s := NewStore(10, 60)
	c := newTestServer(t, Config{Store: s})
	b := c.mustOK(c.get("/service/tickets?pageSize=2&fields="+q("id,status/name,_info/lastUpdated,nope")), "fields")
	var recs []map[string]any
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatal(err)
	}
	ts := s.TicketValues()
	if len(recs) != 2 || len(recs[0]) != 3 || recs[0]["status"].(map[string]any)["name"] != ts[0].Status.Name ||
		len(recs[0]["_info"].(map[string]any)) != 1 {
		t.Errorf("partial response %s", b)
	}

	cond := "id > " + strconv.Itoa(ts[30].ID)
	body, _ := json.Marshal(map[string]string{"conditions": cond})
	r := c.do(http.MethodPost, "/service/tickets/search?pageSize=1000", bytes.NewReader(body), map[string]string{"Content-Type": "application/json"})
	want := filterIDs(s, func(t Ticket) bool { return t.ID > ts[30].ID })
	if got := ids(t, c.mustOK(r, "search")); !slices.Equal(got, want) {
		t.Errorf("search: %s", diffInts(got, want))
	}
	if r := c.do(http.MethodPost, "/service/tickets/search", strings.NewReader("{"), nil); r.status != http.StatusBadRequest {
		t.Errorf("bad search body: %d", r.status)
	}

	long := "id in (" + strings.Repeat("1,", 1200) + "1)"
	if r := c.get("/service/tickets?conditions=" + q(long)); r.status != http.StatusRequestURITooLong {
		t.Errorf("long URL: %d", r.status)
	}
	body, _ = json.Marshal(map[string]string{"conditions": long})
	if r := c.do(http.MethodPost, "/service/tickets/search", bytes.NewReader(body), nil); r.status != http.StatusOK {
		t.Errorf("long conditions through search: %d %s", r.status, r.body)
	}
}

func TestStatsAndAdmin(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(1, 30)})
	c.get("/service/tickets")
	c.do(http.MethodGet, "/service/tickets/count", nil, map[string]string{"Accept": "application/json"})
	c.do(http.MethodGet, "/service/tickets/1000", nil, map[string]string{"Accept": "application/vnd.connectwise.com+json; version=2019.5"})
	c.do(http.MethodGet, "/service/tickets", nil, map[string]string{"clientId": ""})
	var st Stats
	if err := json.Unmarshal(c.mustOK(c.get(c.srv.URL+"/_admin/stats"), "stats"), &st); err != nil {
		t.Fatal(err)
	}
	if st.Requests != 4 || st.ByStatus["200"] != 3 || st.ByStatus["403"] != 1 {
		t.Errorf("stats %+v", st)
	}
	if st.Versions["2026.4"] != 2 || st.Versions["2019.5"] != 1 || st.Versions["none"] != 1 {
		t.Errorf("versions %v", st.Versions)
	}
	if st.Endpoints["GET service/tickets"] != 1 || st.Endpoints["GET service/tickets/count"] != 1 || st.Endpoints["GET service/tickets/{id}"] != 1 {
		t.Errorf("endpoints %v", st.Endpoints)
	}
	if r := c.do(http.MethodPost, c.srv.URL+"/_admin/stats/reset", nil, nil); r.status != http.StatusNoContent || c.api.Stats().Requests != 0 {
		t.Errorf("reset: %d, %d requests", r.status, c.api.Stats().Requests)
	}
	if r := c.get(c.srv.URL + "/_admin/mutate?changed=1"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET mutate: %d", r.status)
	}
	if r := c.do(http.MethodPost, c.srv.URL+"/_admin/mutate?changed=x", nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("bad mutate count: %d", r.status)
	}
	if r := c.get(c.srv.URL + "/_admin/unknown"); r.status != http.StatusNotFound {
		t.Errorf("unknown admin: %d", r.status)
	}
	var info map[string]any
	if err := json.Unmarshal(c.mustOK(c.get(c.srv.URL+"/login/companyinfo/"+DefaultCompanyID), "companyinfo"), &info); err != nil || info["Codebase"] != "v4_6_release/" {
		t.Errorf("companyinfo %v %v", info, err)
	}
}

func TestTwoServersFromOneSeedServeIdenticalBytes(t *testing.T) {
	a := newTestServer(t, Config{Store: NewStore(99, 180)})
	b := newTestServer(t, Config{Store: NewStore(99, 180)})
	for _, path := range []string{"/service/tickets?pageSize=50&page=1", "/service/tickets?pageSize=50&page=4",
		"/service/tickets?pageSize=1000&orderBy=" + q("lastUpdated desc"), "/service/tickets/1001", "/service/tickets/count"} {
		ra, rb := a.get(path), b.get(path)
		if ra.status != rb.status || !bytes.Equal(ra.body, rb.body) {
			t.Errorf("%s: servers differ", path)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{RateLimitFraction: 1.5},
		{RateLimitFraction: 0.6, ServerErrorFraction: 0.6},
		{SlowPage: -time.Second},
		{BasePath: "no-slash"},
		{CompanyID: "x"},
		{CompanyID: "a+b", PublicKey: "p", PrivateKey: "k"},
	}
	for _, cfg := range bad {
		if cfg.Validate() == nil {
			t.Errorf("%+v validated", cfg)
		}
	}
	if err := (Config{RateLimitFraction: 0.25, ServerErrorFraction: 0.25, MalformedFraction: 0.25, ResetFraction: 0.25}).Validate(); err != nil {
		t.Error(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("New accepted an invalid config")
		}
	}()
	New(Config{ResetFraction: 2})
}

func TestCustomBasePath(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(1, 3), BasePath: "/v2025_1/apis/3.0/"})
	if c.api.BasePath() != "/v2025_1/apis/3.0" {
		t.Fatalf("base path %q", c.api.BasePath())
	}
	if n := len(ids(t, c.mustOK(c.get("/service/tickets"), "custom base"))); n != 3 {
		t.Errorf("%d tickets", n)
	}
}

// TestConcurrentClientsAndMutations exercises the locks (run with -race).
func TestConcurrentClientsAndMutations(t *testing.T) {
	s := NewStore(30, 400)
	c := newTestServer(t, Config{Store: s, RateLimitFraction: 0.05, RetryAfter: -1})
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hdr := map[string]string{}
			if w%2 == 1 {
				hdr["pagination-type"] = "forward-only"
			}
			for i := range 15 {
				r := c.do(http.MethodGet, "/service/tickets?pageSize=50&page="+strconv.Itoa(1+i%8)+"&conditions="+q("id > "+strconv.Itoa(1000+i)), nil, hdr)
				if r.err != nil || (r.status != 200 && r.status != 429) {
					errs <- fmt.Sprintf("worker %d: %d %v", w, r.status, r.err)
				}
			}
		}()
	}
	for i := range 5 {
		s.Mutate(int64(i), 10, 2, 3)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(s.TicketIDs()); n != 400-10+15 {
		t.Errorf("%d tickets after mutations, want %d", n, 405)
	}
}
