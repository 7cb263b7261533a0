package cwfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseConditionsAcceptsTheLanguage(t *testing.T) {
	e := TicketEntity()
	tk := &Ticket{ID: 1500, Summary: `Printer jam "Tray 2"`, Board: &Ref{ID: 3, Name: "Help Desk"},
		Status: &StatusRef{ID: 9, Name: `In "Progress"`}, ClosedFlag: ptr(false),
		Info: TicketInfo{LastUpdated: Time{time.Date(2020, 5, 1, 10, 0, 0, 0, time.UTC)}}}
	cases := []struct {
		src  string
		want bool
	}{
		{"", true},
		{"id > 1499", true},
		{"id >= 1500 and id <= 1500", true},
		{"id < 1500", false},
		{"id != 1500", false},
		{"id <> 1501", true},
		{"ID = 1500", true},
		{"lastUpdated > [2020-05-01T09:59:59Z]", true},
		{"lastUpdated > [2020-05-01T10:00:00Z]", false},
		{"_info/lastUpdated >= [2020-05-01T10:00:00Z]", true},
		{"lastUpdated <= [2020-05-01T10:00:00.000Z]", true},
		{`board/id in (1, 2,3)`, true},
		{`board/id not in (3)`, false},
		{`status/name = "In \"Progress\""`, true},
		{`status/name = 'in "progress"'`, true}, // case-insensitive, single quotes
		{`(board/id = 4 OR status/name = "x") AND id = 1500`, false},
		{`board/id = 4 OR status/name = "x" AND id = 1500`, false},
		{`board/id = 3 OR (status/name = "x" AND id = 1)`, true},
		{`closedFlag = false and closedFlag != true`, true},
		{`contact/id = null`, true},
		{`contact/id != null`, false},
		{`contact/id > 0`, false}, // missing never compares
		{`owner/id != 5`, false},
		{`summary like "Printer*"`, true},
		{`summary like "*tray%"`, true},
		{`summary like "jam*"`, false},
		{`summary contains 'JAM'`, true},
		{`summary not contains "jam"`, false},
		{`not (id = 1500)`, false},
		{`budgetHours = null and requiredDate = null`, true},
	}
	for _, c := range cases {
		cond, err := parseConditions(e, c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := cond == nil || cond.eval(tk); got != c.want {
			t.Errorf("%q on ticket: got %v, want %v", c.src, got, c.want)
		}
	}
}

func TestParseConditionsRejects(t *testing.T) {
	e := TicketEntity()
	cases := map[string]string{
		"ticket = 1":                   "ticket is not a recognized name.",
		"id = \"5\"":                   "id is an integer field",
		"lastUpdated > 2020-01-01":     "square brackets",
		"lastUpdated > \"2020-01-01\"": "square brackets",
		"id >":                         "expected an integer",
		"(id = 1":                      "Expected ')'",
		"id = 1 and":                   "Expected a field name",
		`status/name = "open`:          "Unterminated string",
		"closedFlag > true":            "not valid for boolean",
		"id = 1 xor id = 2":            "Unexpected 'xor'",
		"lastUpdated > [notadate]":     "Invalid datetime",
		"id in (1, 2":                  "Expected ',' or ')'",
		"id like \"1\"":                "not valid for integer",
		"id = 1 ; drop":                "Unexpected character",
		"id < null":                    "not valid with null",
		"board/id not = 3":             "Expected 'in', 'like' or 'contains'",
	}
	for src, want := range cases {
		_, err := parseConditions(e, src)
		if err == nil {
			t.Errorf("%q: accepted", src)
			continue
		}
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(want)) {
			t.Errorf("%q: error %q does not mention %q", src, err, want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{{"a*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "abd", false}, {"*", "", true}, {"%b%", "abc", true}, {"abc", "abcd", false}} {
		if got := wildcardMatch(c.p, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

// TestServedConditionsMatchStoreFilter compares what the server returns for
// conditions with filtering the store's values in Go.
func TestServedConditionsMatchStoreFilter(t *testing.T) {
	s := NewStore(13, 1500)
	ts := s.TicketValues()
	c := newTestServer(t, Config{Store: s})
	// Boundaries taken from the data, so ">" vs ">=" matters.
	lus := make([]time.Time, len(ts))
	for i, tk := range ts {
		lus[i] = tk.Info.LastUpdated.Time
	}
	slices.SortFunc(lus, func(a, b time.Time) int { return a.Compare(b) })
	mid, q3 := lus[len(lus)/2], lus[3*len(lus)/4]
	midID, hiID := ts[len(ts)/3].ID, ts[2*len(ts)/3].ID
	b0, b1 := ts[0].Board.ID, ts[1].Board.ID
	statusName := ""
	for _, tk := range ts {
		if strings.ContainsAny(tk.Status.Name, `>(`) {
			statusName = tk.Status.Name
			break
		}
	}
	stamp := func(t time.Time) string { return "[" + NewTime(t).String() + "]" }
	cases := []struct {
		cond string
		keep func(Ticket) bool
	}{
		{"lastUpdated > " + stamp(mid), func(t Ticket) bool { return t.Info.LastUpdated.After(mid) }},
		{"_info/lastUpdated >= " + stamp(mid), func(t Ticket) bool { return !t.Info.LastUpdated.Before(mid) }},
		{"lastUpdated >= " + stamp(mid) + " and lastUpdated < " + stamp(q3),
			func(t Ticket) bool { return !t.Info.LastUpdated.Before(mid) && t.Info.LastUpdated.Before(q3) }},
		{"id > " + strconv.Itoa(midID) + " AND id <= " + strconv.Itoa(hiID),
			func(t Ticket) bool { return t.ID > midID && t.ID <= hiID }},
		{"id < " + strconv.Itoa(midID) + " or id >= " + strconv.Itoa(hiID),
			func(t Ticket) bool { return t.ID < midID || t.ID >= hiID }},
		{"(board/id in (" + strconv.Itoa(b0) + "," + strconv.Itoa(b1) + ") or closedFlag = false) and id > " + strconv.Itoa(midID),
			func(t Ticket) bool {
				return (t.Board.ID == b0 || t.Board.ID == b1 || !*t.ClosedFlag) && t.ID > midID
			}},
		{`status/name = "` + strings.ReplaceAll(statusName, `"`, `\"`) + `"`,
			func(t Ticket) bool { return strings.EqualFold(t.Status.Name, statusName) }},
		{"contact/id = null AND owner/id != null", func(t Ticket) bool { return t.Contact == nil && t.Owner != nil }},
	}
	for _, tc := range cases {
		want := filterIDs(s, tc.keep)
		if len(want) == 0 || len(want) == len(ts) {
			t.Fatalf("%q: degenerate case selects %d of %d", tc.cond, len(want), len(ts))
		}
		got, _ := c.crawl("/service/tickets?pageSize=400&conditions="+q(tc.cond), nil, false)
		if d := diffInts(got, want); d != "" {
			t.Errorf("%q (paged): %s", tc.cond, d)
		}
		fwd, _ := c.crawl("/service/tickets?pageSize=333&conditions="+q(tc.cond), map[string]string{"pagination-type": "forward-only"}, false)
		if d := diffInts(fwd, want); d != "" {
			t.Errorf("%q (forward-only): %s", tc.cond, d)
		}
		var n struct{ Count int }
		if err := json.Unmarshal(c.mustOK(c.get("/service/tickets/count?conditions="+q(tc.cond)), "count"), &n); err != nil {
			t.Fatal(err)
		}
		if n.Count != len(want) {
			t.Errorf("%q: count %d, want %d", tc.cond, n.Count, len(want))
		}
	}
}

func TestBadConditionsAnswer400ApiFindCondition(t *testing.T) {
	c := newTestServer(t, Config{Store: NewStore(1, 10)})
	for _, path := range []string{"/service/tickets?conditions=", "/service/tickets/count?conditions="} {
		r := c.get(path + q("ticket = 1"))
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: status %d", path, r.status)
		}
		if string(r.body) != `{"code":"ApiFindCondition","message":"ticket is not a recognized name."}` {
			t.Errorf("%s: body %s", path, r.body)
		}
		r = c.get(path + q("id = [2020-01-01T00:00:00Z]"))
		var e apiError
		if r.status != http.StatusBadRequest || json.Unmarshal(r.body, &e) != nil || e.Code != "ApiFindCondition" || e.Message == "" {
			t.Errorf("%s: type mismatch answered %d %s", path, r.status, r.body)
		}
	}
}
