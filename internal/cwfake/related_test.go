package cwfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

var relatedPaths = []string{CompaniesPath, ContactsPath, MembersPath, BoardsPath, ProjectsPath, TimeEntriesPath}

var testCounts = Counts{Tickets: 400, Companies: 300, Contacts: 700, Members: 60, Boards: 20, Projects: 250, TimeEntries: 1200}

func renderEntity(t *testing.T, s *Store, path string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range s.Records(path) {
		b, err := marshalRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func TestNewStoreWithIsDeterministicAndKeepsTickets(t *testing.T) {
	a, b := NewStoreWith(7, testCounts), NewStoreWith(7, testCounts)
	if got := a.Entities(); !reflect.DeepEqual(got, []string{CompaniesPath, ContactsPath, ProjectsPath, BoardsPath, TicketsPath, MembersPath, TimeEntriesPath}) {
		t.Fatalf("entities %v", got)
	}
	for _, p := range append(relatedPaths, TicketsPath) {
		if !bytes.Equal(renderEntity(t, a, p), renderEntity(t, b, p)) {
			t.Errorf("%s: two stores from seed 7 render different bytes", p)
		}
	}
	// Tickets are exactly NewStore's.
	if !bytes.Equal(renderAll(t, a), renderAll(t, NewStore(7, testCounts.Tickets))) {
		t.Error("NewStoreWith tickets differ from NewStore's")
	}
	want := map[string]int{CompaniesPath: 300, ContactsPath: 700, MembersPath: 60, BoardsPath: 20, ProjectsPath: 250, TimeEntriesPath: 1200}
	for p, n := range want {
		if got := len(a.IDs(p)); got != n {
			t.Errorf("%s: %d records, want %d", p, got, n)
		}
	}
	// Counts below what tickets reference are raised to it.
	small := NewStoreWith(7, Counts{Tickets: 50})
	if len(small.IDs(CompaniesPath)) != 36 || len(small.IDs(MembersPath)) != 30 || len(small.IDs(BoardsPath)) != 8 {
		t.Errorf("minimum counts: %d companies, %d members, %d boards", len(small.IDs(CompaniesPath)), len(small.IDs(MembersPath)), len(small.IDs(BoardsPath)))
	}
}

// TestRelatedRecordsReferenceEachOther checks referential integrity on the
// served JSON.
func TestRelatedRecordsReferenceEachOther(t *testing.T) {
	s := NewStoreWith(3, testCounts)
	byID := func(path string) map[int]map[string]any {
		out := map[int]map[string]any{}
		for _, m := range s.RecordMaps(path) {
			out[int(m["id"].(float64))] = m
		}
		return out
	}
	companies, contacts, members, boards := byID(CompaniesPath), byID(ContactsPath), byID(MembersPath), byID(BoardsPath)
	tickets, projects := byID(TicketsPath), byID(ProjectsPath)
	ref := func(m map[string]any, key string) (int, map[string]any, bool) {
		r, ok := m[key].(map[string]any)
		if !ok {
			return 0, nil, false
		}
		return int(r["id"].(float64)), r, true
	}
	for _, tk := range tickets {
		id, r, _ := ref(tk, "company")
		if c, ok := companies[id]; !ok || c["name"] != r["name"] || c["identifier"] != r["identifier"] {
			t.Fatalf("ticket %v: company %v does not match a company", tk["id"], r)
		}
		if id, r, ok := ref(tk, "contact"); ok {
			ct, found := contacts[id]
			if !found || int(ct["company"].(map[string]any)["id"].(float64)) != int(tk["company"].(map[string]any)["id"].(float64)) {
				t.Fatalf("ticket %v: contact %v is not a contact of its company", tk["id"], r)
			}
		}
		if id, r, _ := ref(tk, "board"); boards[id] == nil || boards[id]["name"] != r["name"] {
			t.Fatalf("ticket %v: board %v unknown", tk["id"], r)
		}
		if id, r, ok := ref(tk, "owner"); ok && (members[id] == nil || members[id]["identifier"] != r["identifier"] || members[id]["inactiveFlag"] != false) {
			t.Fatalf("ticket %v: owner %v unknown or inactive", tk["id"], r)
		}
	}
	deleted := 0
	for _, c := range companies {
		if c["deletedFlag"] == true {
			deleted++
			if c["dateDeleted"] == nil || c["deletedBy"] == nil {
				t.Errorf("deleted company %v lacks dateDeleted/deletedBy", c["id"])
			}
		} else if c["dateDeleted"] != nil {
			t.Errorf("live company %v has dateDeleted", c["id"])
		}
		if id, _, ok := ref(c, "defaultContact"); ok {
			ct := contacts[id]
			if ct == nil || ct["defaultFlag"] != true || int(ct["company"].(map[string]any)["id"].(float64)) != int(c["id"].(float64)) {
				t.Errorf("company %v: default contact %d is not its default contact", c["id"], id)
			}
		}
	}
	if deleted < 5 || deleted > len(companies)/4 {
		t.Errorf("%d of %d companies soft-deleted", deleted, len(companies))
	}
	for _, ct := range contacts {
		if id, _, _ := ref(ct, "company"); companies[id] == nil {
			t.Fatalf("contact %v: unknown company %d", ct["id"], id)
		}
	}
	charged := map[string]int{}
	for _, e := range s.RecordMaps(TimeEntriesPath) {
		typ, _ := e["chargeToType"].(string)
		charged[typ]++
		cid := int(e["chargeToId"].(float64))
		switch typ {
		case "ServiceTicket":
			tk := tickets[cid]
			if tk == nil || tk["recordType"] != "ServiceTicket" {
				t.Fatalf("time entry %v: charged to unknown service ticket %d", e["id"], cid)
			}
			if id, _, _ := ref(e, "ticket"); id != cid {
				t.Fatalf("time entry %v: ticket %d, chargeToId %d", e["id"], id, cid)
			}
			if id, _, _ := ref(e, "company"); id != int(tk["company"].(map[string]any)["id"].(float64)) {
				t.Fatalf("time entry %v: company is not its ticket's", e["id"])
			}
		case "ProjectTicket":
			tk := tickets[cid]
			pid, _, ok := ref(e, "project")
			if tk == nil || tk["recordType"] == "ServiceTicket" || !ok || projects[pid] == nil {
				t.Fatalf("time entry %v: charged to unknown project ticket %d or project %d", e["id"], cid, pid)
			}
			tc, _, _ := ref(tk, "company")
			if pc, _, _ := ref(projects[pid], "company"); pc != tc {
				t.Fatalf("time entry %v: project %d is not of its ticket's company", e["id"], pid)
			}
		case "Company":
			if companies[cid] == nil {
				t.Fatalf("time entry %v: charged to unknown company %d", e["id"], cid)
			}
		default:
			t.Fatalf("time entry %v: chargeToType %q", e["id"], typ)
		}
		if id, _, _ := ref(e, "member"); members[id] == nil || members[id]["inactiveFlag"] != false {
			t.Fatalf("time entry %v: member %d unknown or inactive", e["id"], id)
		}
		start, _ := time.Parse(TimeLayout, e["timeStart"].(string))
		end, _ := time.Parse(TimeLayout, e["timeEnd"].(string))
		if got := end.Sub(start).Hours(); got != e["actualHours"].(float64) {
			t.Fatalf("time entry %v: %v hours between start and end, actualHours %v", e["id"], got, e["actualHours"])
		}
	}
	if charged["ServiceTicket"] < len(s.IDs(TimeEntriesPath))*7/10 || charged["ProjectTicket"] == 0 || charged["Company"] == 0 {
		t.Errorf("charge types %v", charged)
	}
	for _, p := range s.RecordMaps(ProjectsPath) {
		cid, _, _ := ref(p, "company")
		if companies[cid] == nil || companies[cid]["deletedFlag"] == true {
			t.Fatalf("project %v: company %d unknown or deleted", p["id"], cid)
		}
		if id, _, ok := ref(p, "contact"); ok && int(contacts[id]["company"].(map[string]any)["id"].(float64)) != cid {
			t.Fatalf("project %v: contact %d is not its company's", p["id"], id)
		}
		if id, _, _ := ref(p, "board"); boards[id] == nil || boards[id]["projectFlag"] != true {
			t.Fatalf("project %v: board %d is not a project board", p["id"], id)
		}
		if id, _, _ := ref(p, "manager"); members[id] == nil {
			t.Fatalf("project %v: unknown manager %d", p["id"], id)
		}
		if (p["closedFlag"] == true) != (p["actualEnd"] != nil) {
			t.Fatalf("project %v: closedFlag %v, actualEnd %v", p["id"], p["closedFlag"], p["actualEnd"])
		}
	}
}

// TestRelatedEndpointsPageFilterAndCount serves each new entity with page
// and forward-only paging, conditions on id and lastUpdated, and /count,
// like tickets.
func TestRelatedEndpointsPageFilterAndCount(t *testing.T) {
	s := NewStoreWith(5, testCounts)
	c := newTestServer(t, Config{Store: s})
	fwd := map[string]string{"pagination-type": "forward-only"}
	for _, p := range relatedPaths {
		all := s.IDs(p)
		got, _ := c.crawl("/"+p+"?pageSize=97", nil, false)
		if d := diffInts(got, all); d != "" {
			t.Errorf("%s paged: %s", p, d)
		}
		got, _ = c.crawl("/"+p+"?pageSize=113", fwd, false)
		if d := diffInts(got, all); d != "" {
			t.Errorf("%s forward-only: %s", p, d)
		}
		// Conditions on lastUpdated (the backfill cursor) and id.
		var lus []time.Time
		for _, r := range s.Records(p) {
			lus = append(lus, recordInfo(r).LastUpdated.Time)
		}
		sorted := slices.Clone(lus)
		slices.SortFunc(sorted, func(a, b time.Time) int { return a.Compare(b) })
		mid := sorted[len(sorted)/2]
		midID := all[len(all)/3]
		var want []int
		for i, r := range s.Records(p) {
			if lus[i].After(mid) && r.RecordID() > midID {
				want = append(want, r.RecordID())
			}
		}
		cond := "lastUpdated > [" + NewTime(mid).String() + "] and id > " + strconv.Itoa(midID)
		got, _ = c.crawl("/"+p+"?pageSize=50&conditions="+q(cond), fwd, false)
		if len(want) == 0 {
			t.Fatalf("%s: degenerate condition", p)
		}
		if d := diffInts(got, want); d != "" {
			t.Errorf("%s %q: %s", p, cond, d)
		}
		var n struct{ Count int }
		if err := json.Unmarshal(c.mustOK(c.get("/"+p+"/count?conditions="+q(cond)), "count"), &n); err != nil {
			t.Fatal(err)
		}
		if n.Count != len(want) {
			t.Errorf("%s count %d, want %d", p, n.Count, len(want))
		}
		b, _ := s.RecordJSON(p, all[7])
		if single := c.mustOK(c.get("/"+p+"/"+strconv.Itoa(all[7])), "get"); !bytes.Equal(b, single) {
			t.Errorf("%s/{id} differs from RecordJSON", p)
		}
		if path, err := findNull(b); err != nil || path != "" {
			t.Errorf("%s: null at %s (%v): keys without a value must be omitted", p, path, err)
		}
	}
	if r := c.get("/company/companies?conditions=" + q("deletedFlag = true")); r.status != http.StatusOK || len(ids(t, r.body)) == 0 {
		t.Errorf("deletedFlag = true: %d, %d records", r.status, len(ids(t, r.body)))
	}
}

func TestMutateEntity(t *testing.T) {
	s := NewStoreWith(9, testCounts)
	c := newTestServer(t, Config{Store: s})
	for _, p := range relatedPaths {
		before := map[int][]byte{}
		for _, id := range s.IDs(p) {
			before[id], _ = s.RecordJSON(p, id)
		}
		oldIDs := s.IDs(p)
		rep, err := s.MutateEntity(p, 4, 12, 3, 6)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Changed) != 12 || len(rep.Deleted) != 3 || len(rep.Added) != 6 {
			t.Fatalf("%s: report %d/%d/%d", p, len(rep.Changed), len(rep.Deleted), len(rep.Added))
		}
		wantIDs := slices.Clone(oldIDs)
		if p != CompaniesPath {
			wantIDs = slices.DeleteFunc(wantIDs, func(id int) bool { return slices.Contains(rep.Deleted, id) })
		}
		wantIDs = append(wantIDs, rep.Added...)
		if d := diffInts(s.IDs(p), wantIDs); d != "" {
			t.Fatalf("%s ids after mutate: %s", p, d)
		}
		for _, id := range rep.Changed {
			after, _ := s.RecordJSON(p, id)
			r, _ := s.Get(p, id)
			if bytes.Equal(before[id], after) || !recordInfo(r).LastUpdated.After(rep.Since.Time) {
				t.Errorf("%s %d: not changed after %s", p, id, rep.Since)
			}
		}
		// An incremental poll past the old watermark sees exactly the
		// changed and added records (and soft-deleted companies).
		got, _ := c.crawl("/"+p+"?pageSize=1000&conditions="+q("lastUpdated > ["+rep.Since.String()+"]"), nil, false)
		want := append(slices.Clone(rep.Changed), rep.Added...)
		if p == CompaniesPath {
			want = append(want, rep.Deleted...)
			for _, id := range rep.Deleted {
				if co, _ := s.Get(p, id); !co.(*Company).DeletedFlag {
					t.Errorf("company %d not soft-deleted", id)
				}
			}
		}
		if d := diffInts(got, slices.Sorted(slices.Values(want))); d != "" {
			t.Errorf("%s lastUpdated > since: %s", p, d)
		}
	}
	// Same seed and state over HTTP: same report.
	twin := NewStoreWith(9, testCounts)
	tc := newTestServer(t, Config{Store: twin})
	r := tc.do(http.MethodPost, tc.srv.URL+"/_admin/mutate?entity=company/companies&seed=4&changed=12&deleted=3&added=6", nil, nil)
	var rep MutationReport
	if err := json.Unmarshal(tc.mustOK(r, "admin mutate"), &rep); err != nil {
		t.Fatal(err)
	}
	again := NewStoreWith(9, testCounts)
	want, _ := again.MutateEntity(CompaniesPath, 4, 12, 3, 6)
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("admin mutate report differs:\n%+v\n%+v", rep, want)
	}
	if r := tc.do(http.MethodPost, tc.srv.URL+"/_admin/mutate?entity=finance/agreements&changed=1", nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("unknown entity: status %d", r.status)
	}
	if _, err := NewStore(1, 10).MutateEntity(CompaniesPath, 1, 1, 0, 0); err == nil {
		t.Error("MutateEntity on a tickets-only store succeeded")
	}
}
