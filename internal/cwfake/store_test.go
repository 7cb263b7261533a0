package cwfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func renderAll(t *testing.T, s *Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range s.Records(TicketsPath) {
		b, err := marshalRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func TestNewStoreIsDeterministic(t *testing.T) {
	a, b := renderAll(t, NewStore(7, 300)), renderAll(t, NewStore(7, 300))
	if !bytes.Equal(a, b) {
		t.Fatal("two stores from seed 7 render different bytes")
	}
	if c := renderAll(t, NewStore(8, 300)); bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 render identical bytes")
	}
}

func TestGeneratedTicketsAreRealistic(t *testing.T) {
	s := NewStore(3, 2000)
	ts := s.TicketValues()
	if len(ts) != 2000 {
		t.Fatalf("got %d tickets, want 2000", len(ts))
	}
	if ts[0].ID != FirstTicketID {
		t.Errorf("first id %d, want %d", ts[0].ID, FirstTicketID)
	}
	lo, hi := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	gaps := 0
	count := map[string]int{}
	companies, boards, owners := map[int]bool{}, map[int]bool{}, map[int]bool{}
	recordTypes := map[string]bool{}
	for i, tk := range ts {
		if i > 0 {
			if tk.ID <= ts[i-1].ID {
				t.Fatalf("ids not ascending: %d after %d", tk.ID, ts[i-1].ID)
			}
			if tk.ID > ts[i-1].ID+1 {
				gaps++
			}
			if tk.Info.DateEntered.Before(ts[i-1].Info.DateEntered.Time) {
				t.Errorf("ticket %d entered before ticket %d", tk.ID, ts[i-1].ID)
			}
		}
		if n := utf8.RuneCountInString(tk.Summary); n == 0 || n > 100 {
			t.Errorf("ticket %d summary has %d characters", tk.ID, n)
		}
		if strings.ContainsRune(tk.Summary, '"') {
			count["quote"]++
		}
		if strings.IndexFunc(tk.Summary, func(r rune) bool { return r > 127 }) >= 0 {
			count["unicode"]++
		}
		recordTypes[tk.RecordType] = true
		e, u := tk.Info.DateEntered.Time, tk.Info.LastUpdated.Time
		if u.Before(e) || e.Before(lo) || u.After(hi) {
			t.Errorf("ticket %d: dateEntered %s, lastUpdated %s out of order or range", tk.ID, e, u)
		}
		closed := tk.ClosedFlag != nil && *tk.ClosedFlag
		if closed != (tk.ClosedDate != nil) || closed != (tk.ClosedBy != "") {
			t.Errorf("ticket %d: closedFlag %v but closedDate %v closedBy %q", tk.ID, closed, tk.ClosedDate, tk.ClosedBy)
		}
		if closed {
			count["closed"]++
			if tk.ClosedDate.Before(e) || tk.ClosedDate.After(u) {
				t.Errorf("ticket %d closed at %s outside [%s, %s]", tk.ID, tk.ClosedDate, e, u)
			}
		}
		if tk.Company == nil || tk.Board == nil || tk.Status == nil || tk.Priority == nil {
			t.Fatalf("ticket %d lacks a company, board, status or priority", tk.ID)
		}
		companies[tk.Company.ID], boards[tk.Board.ID] = true, true
		if tk.Owner != nil {
			owners[tk.Owner.ID] = true
		}
		for name, missing := range map[string]bool{"contact": tk.Contact == nil, "owner": tk.Owner == nil,
			"subType": tk.SubType == nil, "team": tk.Team == nil, "budgetHours": tk.BudgetHours == nil,
			"actualHours": tk.ActualHours == nil, "requiredDate": tk.RequiredDate == nil, "severity": tk.Severity == ""} {
			if missing {
				count["no "+name]++
			} else {
				count[name]++
			}
		}
		if (tk.Contact != nil && tk.Contact.Name == "") || (tk.ContactName != nil && *tk.ContactName == "") {
			count["empty contact name"]++
		}
		if u.Equal(e) {
			count["updated at entry"]++
		}
	}
	if gaps == 0 {
		t.Error("no id gaps")
	}
	for _, k := range []string{"quote", "unicode", "closed", "empty contact name", "updated at entry",
		"contact", "no contact", "owner", "no owner", "subType", "no subType", "team", "no team",
		"budgetHours", "no budgetHours", "actualHours", "no actualHours", "requiredDate", "no requiredDate", "severity", "no severity"} {
		if count[k] == 0 || count[k] == len(ts) {
			t.Errorf("%q occurs in %d of %d tickets; want some but not all", k, count[k], len(ts))
		}
	}
	if len(recordTypes) != 3 {
		t.Errorf("record types %v, want ServiceTicket, ProjectTicket and ProjectIssue", recordTypes)
	}
	if len(companies) < 20 || len(boards) < 5 || len(owners) < 20 {
		t.Errorf("references: %d companies, %d boards, %d owners; want a few dozen", len(companies), len(boards), len(owners))
	}
	// The spread reaches both ends of 2019-2026.
	if y := ts[0].Info.DateEntered.Year(); y != 2019 {
		t.Errorf("earliest dateEntered in %d", y)
	}
	if y := ts[len(ts)-1].Info.DateEntered.Year(); y < 2025 {
		t.Errorf("latest dateEntered in %d", y)
	}
}

func TestServedJSONHasNoNullAndUTCSecondTimestamps(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(11, 400)})
	_, bodies := c.crawl("/service/tickets?pageSize=100", nil, false)
	single := c.mustOK(c.get("/service/tickets/1000"), "get 1000")
	bodies = append(bodies, single)
	dateKeys := map[string]bool{"lastUpdated": true, "dateEntered": true, "closedDate": true, "requiredDate": true,
		"dateResolved": true, "dateResponded": true}
	seen := 0
	for _, b := range bodies {
		if p, err := findNull(b); err != nil || p != "" {
			t.Fatalf("null at %q (err %v)", p, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if s, ok := e.(string); ok && dateKeys[k] {
						seen++
						if !timestampRE.MatchString(s) {
							t.Errorf("%s = %q is not YYYY-MM-DDTHH:MM:SSZ", k, s)
						}
					}
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(v)
	}
	if seen < 800 {
		t.Errorf("checked only %d timestamps", seen)
	}
}

func TestServedTicketsDecodeToStoredValues(t *testing.T) {
	s := NewStore(5, 120)
	c := newTestServer(t, Config{Store: s})
	_, bodies := c.crawl("/service/tickets?pageSize=50", nil, false)
	var got []Ticket
	for _, b := range bodies {
		var page []Ticket
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
	}
	want := s.TicketValues()
	if !reflect.DeepEqual(got, want) {
		t.Fatal("served tickets decode to values different from the stored ones")
	}
	maps := s.Tickets()
	if len(maps) != len(want) || maps[0]["summary"] != want[0].Summary ||
		maps[0]["_info"].(map[string]any)["lastUpdated"] != want[0].Info.LastUpdated.String() {
		t.Fatalf("Tickets() maps do not match the stored values: %v", maps[0])
	}
	b, ok := s.RecordJSON(TicketsPath, want[3].ID)
	single := c.mustOK(c.get("/service/tickets/"+strconv.Itoa(want[3].ID)), "get")
	if !ok || !bytes.Equal(b, single) {
		t.Fatalf("RecordJSON differs from the served record")
	}
}

func TestMutate(t *testing.T) {
	s := NewStore(21, 300)
	before := map[int][]byte{}
	oldIDs := s.TicketIDs()
	for _, id := range oldIDs {
		before[id], _ = s.RecordJSON(TicketsPath, id)
	}
	oldMax := s.LastUpdatedMax()
	rep := s.Mutate(9, 40, 15, 12)
	if len(rep.Changed) != 40 || len(rep.Deleted) != 15 || len(rep.Added) != 12 {
		t.Fatalf("report sizes %d/%d/%d, want 40/15/12", len(rep.Changed), len(rep.Deleted), len(rep.Added))
	}
	if !rep.Since.Equal(oldMax) || !rep.Until.After(oldMax) {
		t.Errorf("report since %s until %s, store max was %s", rep.Since, rep.Until, oldMax)
	}
	for _, id := range rep.Changed {
		if slices.Contains(rep.Deleted, id) {
			t.Fatalf("id %d both changed and deleted", id)
		}
	}
	for _, id := range rep.Added {
		if id <= oldIDs[len(oldIDs)-1] {
			t.Errorf("added id %d not above old max id %d", id, oldIDs[len(oldIDs)-1])
		}
	}
	wantIDs := slices.DeleteFunc(slices.Clone(oldIDs), func(id int) bool { return slices.Contains(rep.Deleted, id) })
	wantIDs = append(wantIDs, rep.Added...)
	if d := diffInts(s.TicketIDs(), wantIDs); d != "" {
		t.Fatalf("ids after mutate: %s", d)
	}

	c := newTestServer(t, Config{Store: s})
	served, _ := c.crawl("/service/tickets?pageSize=1000", nil, false)
	if d := diffInts(served, wantIDs); d != "" {
		t.Fatalf("served ids after mutate: %s", d)
	}
	for _, id := range rep.Deleted {
		if r := c.get("/service/tickets/" + strconv.Itoa(id)); r.status != http.StatusNotFound {
			t.Errorf("deleted ticket %d: status %d", id, r.status)
		}
	}
	for _, id := range oldIDs {
		after, ok := s.RecordJSON(TicketsPath, id)
		switch {
		case slices.Contains(rep.Deleted, id):
			if ok {
				t.Errorf("deleted ticket %d still stored", id)
			}
		case slices.Contains(rep.Changed, id):
			oldT, newT := decodeTicket(t, before[id]), decodeTicket(t, after)
			if !newT.Info.LastUpdated.After(rep.Since.Time) || !newT.Info.LastUpdated.After(oldT.Info.LastUpdated.Time) {
				t.Errorf("changed ticket %d lastUpdated %s not moved forward", id, newT.Info.LastUpdated)
			}
			oldT.Info, newT.Info = TicketInfo{}, TicketInfo{}
			if reflect.DeepEqual(oldT, newT) {
				t.Errorf("changed ticket %d has no business change", id)
			}
			if newT.ClosedFlag != nil && *newT.ClosedFlag != (newT.ClosedDate != nil) {
				t.Errorf("changed ticket %d: closedFlag and closedDate disagree", id)
			}
		default:
			if !bytes.Equal(before[id], after) {
				t.Errorf("untouched ticket %d changed", id)
			}
		}
	}
	// An incremental poll past the old watermark sees exactly changed+added.
	got, _ := c.crawl("/service/tickets?pageSize=1000&conditions="+q("lastUpdated > ["+rep.Since.String()+"]"), nil, false)
	want := slices.Sorted(slices.Values(append(slices.Clone(rep.Changed), rep.Added...)))
	if d := diffInts(got, want); d != "" {
		t.Fatalf("lastUpdated > since: %s", d)
	}

	// Same seed, same state: same report and bytes, directly or over HTTP.
	twin := NewStore(21, 300)
	tc := newTestServer(t, Config{Store: twin})
	r := tc.do(http.MethodPost, tc.srv.URL+"/_admin/mutate?seed=9&changed=40&deleted=15&added=12", nil, nil)
	var rep2 MutationReport
	if err := json.Unmarshal(tc.mustOK(r, "admin mutate"), &rep2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep, rep2) {
		t.Fatalf("reports differ:\n%+v\n%+v", rep, rep2)
	}
	if !bytes.Equal(renderAll(t, s), renderAll(t, twin)) {
		t.Fatal("same mutation on twin stores gives different bytes")
	}
	// A second mutation keeps moving the clock.
	rep3 := s.Mutate(10, 5, 0, 1)
	if !rep3.Since.Equal(rep.Until.Time) {
		t.Errorf("second mutation since %s, want %s", rep3.Since, rep.Until)
	}
	// Oversized counts clamp.
	small := NewStore(1, 5)
	rep4 := small.Mutate(1, 4, 9, 0)
	if len(rep4.Changed) != 4 || len(rep4.Deleted) != 1 || len(small.TicketIDs()) != 4 {
		t.Errorf("clamped mutation: %+v, %d left", rep4, len(small.TicketIDs()))
	}
}

func decodeTicket(t *testing.T, b []byte) Ticket {
	t.Helper()
	var tk Ticket
	if err := json.Unmarshal(b, &tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

// The page cache answers a repeated request with the page as first sent,
// until the store changes.
func TestPageCache(t *testing.T) {
	store := NewStore(1, 30)
	store.SetPageCache(true)
	c := newTestServer(t, Config{Store: store})
	fwd := map[string]string{"pagination-type": "forward-only"}
	first := c.do(http.MethodGet, "/"+TicketsPath+"?pageSize=10&pageId=0", nil, fwd)
	again := c.do(http.MethodGet, "/"+TicketsPath+"?pageSize=10&pageId=0", nil, fwd)
	if first.status != http.StatusOK || !bytes.Equal(first.body, again.body) || first.header.Get("Link") != again.header.Get("Link") {
		t.Fatalf("the cached page differs: %d %q vs %q", first.status, first.header.Get("Link"), again.header.Get("Link"))
	}
	store.Mutate(2, 10, 0, 0)
	changed := c.do(http.MethodGet, "/"+TicketsPath+"?pageSize=10&pageId=0", nil, fwd)
	if bytes.Equal(first.body, changed.body) {
		t.Fatal("the page cache served a page from before the store changed")
	}
}
