package e2e

import (
	"fmt"
	"github.com/canonic-data/canonic/internal/cwfake"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// businessColumns are the 35 business columns of the generated tickets
// table, in DDL order; scdColumns the six SCD columns after them.
var (
	businessColumns = []string{
		"id", "ticket_number", "summary", "description", "status", "priority", "severity", "impact", "urgency",
		"type_id", "type_name", "subtype_id", "subtype_name", "company_id", "company_name", "contact_id", "contact_name",
		"board_id", "board_name", "team_id", "team_name", "owner_id", "owner_name",
		"created_by", "created_date", "last_updated", "last_updated_by", "required_date",
		"budget_hours", "actual_hours", "approved", "closed_date", "closed_by", "closed_flag", "record_type",
	}
	scdColumns = []string{"effective_start_date", "effective_end_date", "is_current", "created_at", "updated_at", "record_hash"}
	allColumns = append(append([]string{}, businessColumns...), scdColumns...)
	// ignoredColumns change without opening a version (scd.ignore_changes).
	ignoredColumns = map[string]bool{"last_updated": true, "last_updated_by": true}
	// floatColumns compare as numbers: engines may print a Float64 with
	// another number of digits.
	floatColumns = map[string]bool{"budget_hours": true, "actual_hours": true}
)

// ticket is one source record as served, decoded from JSON.
type ticket map[string]any

// sourceTickets returns the served tickets by id.
func sourceTickets(maps []map[string]any) map[int64]ticket {
	out := make(map[int64]ticket, len(maps))
	for _, m := range maps {
		id, ok := m["id"].(float64)
		if !ok {
			panic(fmt.Sprintf("served ticket without a numeric id: %v", m))
		}
		out[int64(id)] = m
	}
	return out
}

// lookup follows a path of object keys.
func (tk ticket) lookup(path ...string) (any, bool) {
	var v any = map[string]any(tk)
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok || v == nil {
			return nil, false
		}
	}
	return v, true
}

// dbTime is how a DateTime('UTC') prints.
const dbTime = "2006-01-02 15:04:05"

// expected returns the row the source record should load as: the business
// columns, read here from the served JSON (a missing key gives NULL), and
// what a current version's SCD columns hold. It errors when a key the
// table requires is missing.
func (tk ticket) expected() (row, error) {
	r := row{}
	var errs []string
	text := func(col string, required bool, path ...string) {
		v, ok := tk.lookup(path...)
		if !ok {
			if required {
				errs = append(errs, col+" ("+strings.Join(path, ".")+") missing")
			}
			r[col] = nil
			return
		}
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case float64:
			if v != math.Trunc(v) {
				errs = append(errs, fmt.Sprintf("%s: %v is not an integer", col, v))
			}
			s = strconv.FormatInt(int64(v), 10)
		case bool:
			s = "0"
			if v {
				s = "1"
			}
		default:
			errs = append(errs, fmt.Sprintf("%s: unexpected %T", col, v))
		}
		r[col] = &s
	}
	datetime := func(col string, required bool, path ...string) {
		text(col, required, path...)
		if r[col] == nil {
			return
		}
		tm, err := time.Parse(time.RFC3339, *r[col])
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", col, err))
			return
		}
		s := tm.UTC().Format(dbTime)
		r[col] = &s
	}
	number := func(col string, path ...string) {
		v, ok := tk.lookup(path...)
		if !ok {
			r[col] = nil
			return
		}
		f, ok := v.(float64)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: %T is not a number", col, v))
			return
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		r[col] = &s
	}
	text("id", true, "id")
	text("ticket_number", true, "id")
	text("summary", true, "summary")
	r["description"] = nil // a child column: see expectedRows
	text("status", true, "status", "name")
	text("priority", true, "priority", "name")
	text("severity", false, "severity")
	text("impact", false, "impact")
	r["urgency"] = nil
	text("type_id", false, "type", "id")
	text("type_name", false, "type", "name")
	text("subtype_id", false, "subType", "id")
	text("subtype_name", false, "subType", "name")
	text("company_id", true, "company", "id")
	text("company_name", true, "company", "name")
	text("contact_id", false, "contact", "id")
	text("contact_name", false, "contact", "name")
	text("board_id", true, "board", "id")
	text("board_name", true, "board", "name")
	text("team_id", false, "team", "id")
	text("team_name", false, "team", "name")
	text("owner_id", false, "owner", "id")
	text("owner_name", false, "owner", "name")
	text("created_by", true, "_info", "enteredBy")
	datetime("created_date", true, "_info", "dateEntered")
	datetime("last_updated", true, "_info", "lastUpdated")
	text("last_updated_by", true, "_info", "updatedBy")
	datetime("required_date", false, "requiredDate")
	number("budget_hours", "budgetHours")
	number("actual_hours", "actualHours")
	text("approved", false, "approved")
	datetime("closed_date", false, "closedDate")
	text("closed_by", false, "closedBy")
	text("closed_flag", false, "closedFlag")
	text("record_type", false, "recordType")
	// A current version starts at the ticket's lastUpdated.
	r["effective_start_date"] = r["last_updated"]
	r["effective_end_date"] = nil
	one := "1"
	r["is_current"] = &one
	if len(errs) > 0 {
		return nil, fmt.Errorf("ticket %v: %s", tk["id"], strings.Join(errs, "; "))
	}
	return r, nil
}

// expectedRows maps every ticket the store serves to its expected current
// row; the description is the ticket's detail note (the store's notes).
func expectedRows(t testing.TB, store *cwfake.Store) map[int64]row {
	t.Helper()
	src := sourceTickets(store.Tickets())
	out := make(map[int64]row, len(src))
	for id, tk := range src {
		r, err := tk.expected()
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := store.DetailDescription(int(id)); ok {
			r["description"] = &d
		}
		out[id] = r
	}
	return out
}

// sameValue compares a loaded value with an expected one.
func sameValue(col string, got, want *string) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	if floatColumns[col] {
		g, err1 := strconv.ParseFloat(*got, 64)
		w, err2 := strconv.ParseFloat(*want, 64)
		return err1 == nil && err2 == nil && g == w
	}
	return *got == *want
}

// diffRow lists the columns of cols where got differs from want.
func diffRow(got, want row, cols []string) []string {
	var d []string
	for _, c := range cols {
		if !sameValue(c, got[c], want[c]) {
			d = append(d, fmt.Sprintf("%s = %s, want %s", c, got.get(c), want.get(c)))
		}
	}
	return d
}

// businessChanged reports whether a source change reaches a column that
// opens a version (scd.ignore_changes excluded).
func businessChanged(before, after row) bool {
	for _, c := range businessColumns {
		if !ignoredColumns[c] && !sameValue(c, before[c], after[c]) {
			return true
		}
	}
	return false
}

// key returns a row's id.
func (r row) key(t testing.TB) int64 {
	t.Helper()
	if r["id"] == nil {
		t.Fatalf("row without id: %v", r)
	}
	id, err := strconv.ParseInt(*r["id"], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// byKey groups rows (in start order) by id.
func byKey(t testing.TB, rows []row) map[int64][]row {
	t.Helper()
	out := map[int64][]row{}
	for _, r := range rows {
		k := r.key(t)
		out[k] = append(out[k], r)
	}
	return out
}

// errorList collects test failures and reports the first few of them.
type errorList struct {
	what string
	msgs []string
}

func (e *errorList) add(format string, args ...any) {
	e.msgs = append(e.msgs, fmt.Sprintf(format, args...))
}

func (e *errorList) report(t testing.TB) {
	t.Helper()
	if len(e.msgs) == 0 {
		return
	}
	const show = 25
	msgs := e.msgs
	more := ""
	if len(msgs) > show {
		more = fmt.Sprintf("\n... and %d more", len(msgs)-show)
		msgs = msgs[:show]
	}
	t.Errorf("%s: %d problem(s):\n%s%s", e.what, len(e.msgs), strings.Join(msgs, "\n"), more)
}

// checkCurrentMatchesSource checks that db's current rows are exactly the
// source's tickets, field by field.
func checkCurrentMatchesSource(t testing.TB, tg *target, db string, want map[int64]row) {
	t.Helper()
	cur := tg.current(t, db)
	errs := &errorList{what: "current rows vs. the served tickets"}
	seen := map[int64]bool{}
	cols := append(append([]string{}, businessColumns...), "effective_start_date", "effective_end_date", "is_current")
	for _, r := range cur {
		id := r.key(t)
		if seen[id] {
			errs.add("id %d: more than one current row", id)
			continue
		}
		seen[id] = true
		w, ok := want[id]
		if !ok {
			errs.add("id %d: current row of a ticket the source does not serve", id)
			continue
		}
		for _, d := range diffRow(r, w, cols) {
			errs.add("id %d: %s", id, d)
		}
		if h := r["record_hash"]; h == nil || len(*h) != 64 || strings.Trim(*h, "0123456789abcdef") != "" {
			errs.add("id %d: record_hash %s is not a SHA-256 in hex", id, str(h))
		}
	}
	var missing []int64
	for id := range want {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	for _, id := range missing {
		errs.add("id %d: no current row", id)
	}
	errs.report(t)
}

// checkSCD checks the shape of every key's history in db (FINAL): no
// duplicate (id, start), at most one current version, the current one
// last and open, each closed version ending where the next starts, and
// exactly one current version for the keys in live (when live is not nil,
// every key of live must be there, and keys outside it have none).
func checkSCD(t testing.TB, tg *target, db string, live map[int64]bool) map[int64][]row {
	t.Helper()
	all := byKey(t, tg.versions(t, db, ""))
	errs := &errorList{what: "SCD invariants of " + db + ".tickets"}
	for id, vs := range all {
		cur := 0
		for i, v := range vs {
			if i > 0 && v.get("effective_start_date") == vs[i-1].get("effective_start_date") {
				errs.add("id %d: two rows start %s after FINAL", id, v.get("effective_start_date"))
			}
			switch v.get("is_current") {
			case `"1"`:
				cur++
				if v["effective_end_date"] != nil {
					errs.add("id %d: current version ends %s", id, v.get("effective_end_date"))
				}
				if i != len(vs)-1 {
					errs.add("id %d: current version starting %s is not the latest", id, v.get("effective_start_date"))
				}
			case `"0"`:
				end := v["effective_end_date"]
				if end == nil {
					errs.add("id %d: closed version starting %s has no end", id, v.get("effective_start_date"))
				} else if *end <= *v["effective_start_date"] {
					errs.add("id %d: version starting %s ends %s, not after its start", id, v.get("effective_start_date"), *end)
				} else if i+1 < len(vs) && *end != *vs[i+1]["effective_start_date"] {
					errs.add("id %d: version ends %s but the next starts %s", id, *end, vs[i+1].get("effective_start_date"))
				}
			default:
				errs.add("id %d: is_current = %s", id, v.get("is_current"))
			}
			if *v["updated_at"] < *v["created_at"] {
				errs.add("id %d: updated_at %s before created_at %s", id, v.get("updated_at"), v.get("created_at"))
			}
		}
		switch {
		case live == nil && cur > 1:
			errs.add("id %d: %d current versions", id, cur)
		case live != nil && live[id] && cur != 1:
			errs.add("id %d: %d current versions, want 1", id, cur)
		case live != nil && !live[id] && cur != 0:
			errs.add("id %d: the source no longer has it but it has %d current version(s)", id, cur)
		}
	}
	for id := range live {
		if _, ok := all[id]; !ok {
			errs.add("id %d: served by the source but not in the table", id)
		}
	}
	errs.report(t)
	return all
}

// idSet returns the ids of src.
func idSet[V any](src map[int64]V) map[int64]bool {
	out := make(map[int64]bool, len(src))
	for id := range src {
		out[id] = true
	}
	return out
}
