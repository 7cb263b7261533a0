package tables_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/boards"
	"github.com/canonic-data/canonic/generated/connectwise/companies"
	"github.com/canonic-data/canonic/generated/connectwise/contacts"
	"github.com/canonic-data/canonic/generated/connectwise/members"
	"github.com/canonic-data/canonic/generated/connectwise/projects"
	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/generated/connectwise/time_entries"
	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// seed and counts of the source: every table gets 1000+ records.
const seed = 20260
const mutateSeed = 77

var counts = cwfake.Counts{Tickets: 1200, Companies: 1100, Contacts: 1500, Members: 1000, Boards: 1000,
	Projects: 1050, TimeEntries: 2000}

// commands are the generated backfill binaries, one per table.
var commands = []string{"tickets", "companies", "contacts", "time-entries", "members", "boards", "projects"}

// TestBinariesBuild builds every generated backfill binary and runs its -h.
func TestBinariesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds seven binaries (-short)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out := t.TempDir()
	args := []string{"build", "-o", out + string(filepath.Separator)}
	for _, c := range commands {
		args = append(args, "./cmd/backfill-connectwise-"+c)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = moduleRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	for _, c := range commands {
		bin := filepath.Join(out, "backfill-connectwise-"+c)
		var stdout, stderr bytes.Buffer
		h := exec.Command(bin, "-h")
		h.Stdout, h.Stderr = &stdout, &stderr
		if err := h.Run(); err != nil {
			t.Errorf("%s -h: %v\n%s", c, err, stderr.String())
			continue
		}
		if help := stdout.String(); !strings.HasPrefix(help, "Usage: backfill-connectwise-"+c+" ") {
			first, _, _ := strings.Cut(help, "\n")
			t.Errorf("%s -h names another command: %q", c, first)
		}
		if help := stdout.String() + stderr.String(); !strings.Contains(help, "--tenant") {
			t.Errorf("%s -h does not document --tenant:\n%s", c, help)
		}
	}
}

// env is the shared state of TestTables.
type env struct {
	tg    wt.Target
	db    string
	store *cwfake.Store
}

// pick selects served records to spot-check: a predicate that must match
// at least one record (required) or may match none.
type pick struct {
	what     string
	required bool
	match    func(m map[string]any) bool
}

// loadTable loads tbl from path on an empty table and checks: every served
// record becomes one current row; each current row is what the mapper
// makes of the served record; the picked records (and the first, middle
// and last) match the served JSON column by column; a rerun writes nothing.
// It returns the row count.
func loadTable[R any](t *testing.T, e *env, tbl *table.Table[R], path string, spot func(c *checker, r *R), picks ...pick) int {
	t.Helper()
	ctx := context.Background()
	served := e.store.RecordMaps(path)
	n := len(served)
	if n < 1000 {
		t.Fatalf("%s serves %d records, want 1000+", path, n)
	}
	out := run(t, e.tg, e.db, tbl)
	expect(t, out, map[string]int{"records read": n, "new keys": n, "rows written": n, "rejected": 0})

	q := func(sql string) int64 { return count(t, e.tg.Engine, sql) }
	if got := q(fmt.Sprintf("SELECT toInt64(count()) FROM %s.%s", warehouse.QuoteIdent(e.db), warehouse.QuoteIdent(tbl.CurrentView))); got != int64(n) {
		t.Errorf("%s has %d rows, the source %d", tbl.CurrentView, got, n)
	}
	if got := q(fmt.Sprintf("SELECT toInt64(count()) FROM %s.%s FINAL", warehouse.QuoteIdent(e.db), warehouse.QuoteIdent(tbl.Name))); got != int64(n) {
		t.Errorf("%s has %d version rows, want %d", tbl.Name, got, n)
	}

	// Every current row is the mapper's row of the served record.
	keys := make([]int64, n)
	byID := make(map[int64]map[string]any, n)
	for i, m := range served {
		keys[i] = int64(m["id"].(float64))
		byID[keys[i]] = m
	}
	rows := map[int64]*R{}
	err := warehouse.FetchRows(ctx, e.tg.Engine, e.db, tbl, keys, func(r *R) error {
		rows[tbl.Key(r)] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("read back %d current rows of %s, want %d", len(rows), tbl.Name, n)
	}
	bad := 0
	for _, k := range keys {
		raw, ok := e.store.RecordJSON(path, int(k))
		if !ok {
			t.Fatalf("%s %d: no served JSON", path, k)
		}
		var want R
		if err := tbl.Decode(raw, &want); err != nil {
			t.Fatalf("%s %d: decode: %v", path, k, err)
		}
		for _, ch := range tbl.Children { // the served child, as the server picks it
			if ch.Endpoint != cwfake.NotesPath {
				t.Fatalf("%s: no served child endpoint %s", tbl.Name, ch.Endpoint)
			}
			rec, err := e.store.FirstNote(int(k), ch.Conditions, ch.OrderBy, ch.Fields)
			if err == nil {
				err = ch.Set(&want, rec)
			}
			if err != nil {
				t.Fatalf("%s %d: child %s: %v", path, k, ch.Column, err)
			}
		}
		got := rows[k]
		if gs := tbl.SCD(got); !gs.IsCurrent || gs.EffectiveEndDate.Valid || gs.RecordHash == "" {
			t.Errorf("%s %d: SCD columns %+v of a current version", tbl.Name, k, *gs)
		}
		*tbl.SCD(got), *tbl.SCD(&want) = table.SCD{}, table.SCD{}
		if !bytes.Equal(tbl.AppendRowBinary(nil, got), tbl.AppendRowBinary(nil, &want)) && bad < 3 {
			bad++
			t.Errorf("%s %d: loaded row %+v\ndiffers from the served record's %+v", tbl.Name, k, *got, want)
		}
	}

	// Spot checks against the served JSON, independent of the mapper.
	idx := []int{0, n / 3, n / 2, 2 * n / 3, n - 1}
	for _, p := range picks {
		i := slices.IndexFunc(served, p.match)
		if i < 0 {
			if p.required {
				t.Errorf("%s: the source has no %s to check", path, p.what)
			}
			continue
		}
		idx = append(idx, i)
	}
	checked := 0
	for _, i := range idx {
		m := served[i]
		c := &checker{t: t, table: tbl.Name, rec: m, id: keys[i], store: e.store}
		spot(c, rows[keys[i]])
		checked += c.n
	}
	if checked < 10*len(idx) {
		t.Errorf("%s: only %d spot comparisons", tbl.Name, checked)
	}

	out = run(t, e.tg, e.db, tbl)
	expect(t, out, map[string]int{"rows written": 0, "new keys": 0, "changed": 0})
	t.Logf("%s: %d source records, %d rows in %s, rerun wrote 0", tbl.Name, n, n, tbl.CurrentView)
	return n
}

// TestTables loads all seven tables from one related source, checks
// references across the loaded tables, then changes and adds records of
// the six new entities and loads them incrementally.
func TestTables(t *testing.T) {
	start := time.Now()
	e := &env{tg: wt.Embedded(t), store: cwfake.NewStoreWith(seed, counts)}
	serveCW(t, e.store)
	e.db = wt.Database(t)
	t.Logf("source built in %s", time.Since(start).Round(time.Millisecond))

	loaded := map[string]int{}
	ok := true
	ok = ok && t.Run("tickets", func(t *testing.T) {
		loaded["tickets"] = loadTable(t, e, &tickets.Table, cwfake.TicketsPath, spotTicket,
			pick{"ticket without contact", false, func(m map[string]any) bool { return m["contact"] == nil }},
			pick{"closed ticket", true, func(m map[string]any) bool { return m["closedFlag"] == true }})
	})
	ok = t.Run("companies", func(t *testing.T) {
		loaded["companies"] = loadTable(t, e, &companies.Table, cwfake.CompaniesPath, spotCompany,
			pick{"soft-deleted company", true, func(m map[string]any) bool { return m["deletedFlag"] == true }},
			pick{"company with annual revenue", true, func(m map[string]any) bool { return m["annualRevenue"] != nil }},
			pick{"company with a parent", false, func(m map[string]any) bool { return m["parentCompany"] != nil }})
		// Soft-deleted companies stay in the current view.
		deleted := 0
		for _, m := range e.store.Companies() {
			if m["deletedFlag"] == true {
				deleted++
			}
		}
		got := count(t, e.tg.Engine, "SELECT toInt64(count()) FROM "+e.db+".companies_current WHERE deleted_flag = 1 AND date_deleted IS NOT NULL AND deleted_by IS NOT NULL")
		if deleted == 0 || got != int64(deleted) {
			t.Errorf("companies_current has %d soft-deleted companies, the source %d", got, deleted)
		}
		t.Logf("companies: %d soft-deleted", deleted)
	}) && ok
	ok = t.Run("contacts", func(t *testing.T) {
		loaded["contacts"] = loadTable(t, e, &contacts.Table, cwfake.ContactsPath, spotContact,
			pick{"contact without a name", false, func(m map[string]any) bool { return m["firstName"] == nil }},
			pick{"contact with a manager", true, func(m map[string]any) bool { return m["managerContact"] != nil }},
			pick{"contact with a gender", true, func(m map[string]any) bool { return m["gender"] != nil }})
	}) && ok
	ok = t.Run("time_entries", func(t *testing.T) {
		loaded["time_entries"] = loadTable(t, e, &time_entries.Table, cwfake.TimeEntriesPath, spotTimeEntry,
			pick{"entry charged to a company", true, func(m map[string]any) bool { return m["chargeToType"] == "Company" }},
			pick{"entry charged to a project ticket", true, func(m map[string]any) bool { return m["chargeToType"] == "ProjectTicket" }},
			pick{"entry on an agreement", true, func(m map[string]any) bool { return m["agreement"] != nil }},
			pick{"billable entry", true, func(m map[string]any) bool {
				return m["billableOption"] == "Billable" && m["extendedInvoiceAmount"] != 0.0
			}})
	}) && ok
	ok = t.Run("members", func(t *testing.T) {
		loaded["members"] = loadTable(t, e, &members.Table, cwfake.MembersPath, spotMember,
			pick{"inactive member", true, func(m map[string]any) bool { return m["inactiveFlag"] == true }},
			pick{"API member", true, func(m map[string]any) bool { return m["licenseClass"] == "A" }})
	}) && ok
	ok = t.Run("boards", func(t *testing.T) {
		loaded["boards"] = loadTable(t, e, &boards.Table, cwfake.BoardsPath, spotBoard,
			pick{"project board", true, func(m map[string]any) bool { return m["projectFlag"] == true }},
			pick{"board without dispatcher", true, func(m map[string]any) bool { return m["dispatchMember"] == nil }})
	}) && ok
	ok = t.Run("projects", func(t *testing.T) {
		loaded["projects"] = loadTable(t, e, &projects.Table, cwfake.ProjectsPath, spotProject,
			pick{"closed project", true, func(m map[string]any) bool { return m["closedFlag"] == true }},
			pick{"fixed-fee project", true, func(m map[string]any) bool { return m["billingAmount"] != nil }})
	}) && ok
	if !ok {
		t.Fatal("a table failed to load; skipping the cross-table and incremental checks")
	}
	t.Logf("loaded rows per table: %v (%s)", loaded, time.Since(start).Round(time.Millisecond))

	t.Run("references", func(t *testing.T) { checkReferences(t, e) })
	t.Run("incremental", func(t *testing.T) { incremental(t, e) })
}

// checkReferences checks, in the warehouse, that every reference between
// the loaded tables resolves.
func checkReferences(t *testing.T, e *env) {
	db := e.db
	for _, c := range []struct{ what, q string }{
		{"tickets with an unknown company", "SELECT toInt64(count()) FROM DB.tickets_current WHERE company_id NOT IN (SELECT id FROM DB.companies_current)"},
		{"tickets whose company name differs", "SELECT toInt64(count()) FROM DB.tickets_current AS t INNER JOIN DB.companies_current AS c ON t.company_id = c.id WHERE t.company_name != c.name"},
		{"tickets with an unknown contact", "SELECT toInt64(count()) FROM DB.tickets_current WHERE contact_id IS NOT NULL AND contact_id NOT IN (SELECT id FROM DB.contacts_current)"},
		{"tickets whose contact is another company's", "SELECT toInt64(count()) FROM DB.tickets_current AS t INNER JOIN DB.contacts_current AS c ON t.contact_id = c.id WHERE c.company_id != t.company_id"},
		{"tickets on an unknown board", "SELECT toInt64(count()) FROM DB.tickets_current WHERE board_id NOT IN (SELECT id FROM DB.boards_current)"},
		{"tickets with an unknown owner", "SELECT toInt64(count()) FROM DB.tickets_current WHERE owner_id IS NOT NULL AND owner_id NOT IN (SELECT id FROM DB.members_current)"},
		{"contacts of an unknown company", "SELECT toInt64(count()) FROM DB.contacts_current WHERE company_id IS NULL OR company_id NOT IN (SELECT id FROM DB.companies_current)"},
		{"companies whose default contact is unknown or another company's", "SELECT toInt64(count()) FROM DB.companies_current WHERE default_contact_id IS NOT NULL AND (id, default_contact_id) NOT IN (SELECT company_id, id FROM DB.contacts_current WHERE default_flag = 1)"},
		{"time entries on an unknown ticket", "SELECT toInt64(count()) FROM DB.time_entries_current WHERE charge_to_type IN ('ServiceTicket', 'ProjectTicket') AND (ticket_id IS NULL OR ticket_id != charge_to_id OR ticket_id NOT IN (SELECT id FROM DB.tickets_current))"},
		{"project time entries on an unknown project or another company's", "SELECT toInt64(count()) FROM DB.time_entries_current WHERE charge_to_type = 'ProjectTicket' AND (company_id, project_id) NOT IN (SELECT company_id, id FROM DB.projects_current)"},
		{"time entries whose company is not their ticket's", "SELECT toInt64(count()) FROM DB.time_entries_current AS e INNER JOIN DB.tickets_current AS t ON e.ticket_id = t.id WHERE e.company_id != t.company_id"},
		{"time entries on an unknown company", "SELECT toInt64(count()) FROM DB.time_entries_current WHERE company_id IS NULL OR company_id NOT IN (SELECT id FROM DB.companies_current)"},
		{"time entries by an unknown or inactive member", "SELECT toInt64(count()) FROM DB.time_entries_current WHERE member_id IS NULL OR member_id NOT IN (SELECT id FROM DB.members_current WHERE inactive_flag = 0)"},
		{"projects of an unknown company", "SELECT toInt64(count()) FROM DB.projects_current WHERE company_id IS NULL OR company_id NOT IN (SELECT id FROM DB.companies_current WHERE deleted_flag = 0)"},
		{"projects with another company's contact", "SELECT toInt64(count()) FROM DB.projects_current WHERE contact_id IS NOT NULL AND (company_id, contact_id) NOT IN (SELECT company_id, id FROM DB.contacts_current)"},
		{"projects on a board that is not a project board", "SELECT toInt64(count()) FROM DB.projects_current WHERE board_id IS NULL OR board_id NOT IN (SELECT id FROM DB.boards_current WHERE project_flag = 1)"},
		{"projects with an unknown manager", "SELECT toInt64(count()) FROM DB.projects_current WHERE manager_id IS NULL OR manager_id NOT IN (SELECT id FROM DB.members_current)"},
		{"boards with an unknown dispatcher", "SELECT toInt64(count()) FROM DB.boards_current WHERE dispatch_member_id IS NOT NULL AND dispatch_member_id NOT IN (SELECT id FROM DB.members_current)"},
		{"members reporting to an unknown member", "SELECT toInt64(count()) FROM DB.members_current WHERE reports_to_id IS NOT NULL AND reports_to_id NOT IN (SELECT id FROM DB.members_current)"},
	} {
		if n := count(t, e.tg.Engine, strings.ReplaceAll(c.q, "DB.", warehouse.QuoteIdent(db)+".")); n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	// The references are not vacuous.
	for _, c := range []struct{ what, q string }{
		{"time entries charged to tickets", "SELECT toInt64(count()) FROM DB.time_entries_current WHERE charge_to_type = 'ServiceTicket'"},
		{"time entries charged to project tickets", "SELECT toInt64(count()) FROM DB.time_entries_current WHERE charge_to_type = 'ProjectTicket'"},
		{"tickets with a contact", "SELECT toInt64(count()) FROM DB.tickets_current WHERE contact_id IS NOT NULL"},
		{"projects with a contact", "SELECT toInt64(count()) FROM DB.projects_current WHERE contact_id IS NOT NULL"},
	} {
		if n := count(t, e.tg.Engine, strings.ReplaceAll(c.q, "DB.", warehouse.QuoteIdent(db)+".")); n < 100 {
			t.Errorf("only %d %s", n, c.what)
		}
	}
}

// incremental changes, (soft-)deletes and adds records of each new entity
// and checks that a run without flags picks exactly those up.
func incremental(t *testing.T, e *env) {
	type step struct {
		name, path string
		load       func() string
	}
	steps := []step{
		{"companies", cwfake.CompaniesPath, func() string { return run(t, e.tg, e.db, &companies.Table) }},
		{"contacts", cwfake.ContactsPath, func() string { return run(t, e.tg, e.db, &contacts.Table) }},
		{"time_entries", cwfake.TimeEntriesPath, func() string { return run(t, e.tg, e.db, &time_entries.Table) }},
		{"members", cwfake.MembersPath, func() string { return run(t, e.tg, e.db, &members.Table) }},
		{"boards", cwfake.BoardsPath, func() string { return run(t, e.tg, e.db, &boards.Table) }},
		{"projects", cwfake.ProjectsPath, func() string { return run(t, e.tg, e.db, &projects.Table) }},
	}
	for _, s := range steps {
		deleted := 0
		if s.path == cwfake.CompaniesPath {
			deleted = 4 // soft deletes: served again with deletedFlag
		}
		rep, err := e.store.MutateEntity(s.path, mutateSeed, 15, deleted, 5)
		if err != nil {
			t.Fatal(err)
		}
		changed := len(rep.Changed) + len(rep.Deleted)
		out := s.load()
		expect(t, out, map[string]int{"changed": changed, "new keys": len(rep.Added), "rows written": 2*changed + len(rep.Added), "rejected": 0})
		view := s.name + "_current"
		if got := count(t, e.tg.Engine, fmt.Sprintf("SELECT toInt64(count()) FROM %s.%s", warehouse.QuoteIdent(e.db), view)); got != int64(len(e.store.IDs(s.path))) {
			t.Errorf("%s: %d rows after the change, the source %d", view, got, len(e.store.IDs(s.path)))
		}
		if deleted > 0 {
			ids := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(rep.Deleted)), ","), "[]")
			q := fmt.Sprintf("SELECT toInt64(countIf(is_current AND deleted_flag = 1 AND date_deleted IS NOT NULL)) * 1000 + toInt64(count()) FROM %s.companies FINAL WHERE id IN (%s)",
				warehouse.QuoteIdent(e.db), ids)
			if got := count(t, e.tg.Engine, q); got != int64(deleted*1000+2*deleted) {
				t.Errorf("soft-deleted companies %v: got code %d, want %d current deleted versions of %d rows", rep.Deleted, got, deleted, 2*deleted)
			}
		}
		t.Logf("%s: %d changed, %d added -> %s rows written", s.name, changed, len(rep.Added), summary(t, out, "rows written"))
	}
}

// mains are the generated tables' backfill.Main calls by the cmd/
// directory their main.go lives in.
var mains = map[string]func(args []string, stdout, stderr *bytes.Buffer) int{
	"backfill-connectwise-boards": func(a []string, o, e *bytes.Buffer) int { return backfill.Main(&boards.Table, a, o, e) },
	"backfill-connectwise-companies": func(a []string, o, e *bytes.Buffer) int {
		return backfill.Main(&companies.Table, a, o, e)
	},
	"backfill-connectwise-contacts": func(a []string, o, e *bytes.Buffer) int { return backfill.Main(&contacts.Table, a, o, e) },
	"backfill-connectwise-members":  func(a []string, o, e *bytes.Buffer) int { return backfill.Main(&members.Table, a, o, e) },
	"backfill-connectwise-projects": func(a []string, o, e *bytes.Buffer) int { return backfill.Main(&projects.Table, a, o, e) },
	"backfill-connectwise-tickets":  func(a []string, o, e *bytes.Buffer) int { return backfill.Main(&tickets.Table, a, o, e) },
	"backfill-connectwise-time-entries": func(a []string, o, e *bytes.Buffer) int {
		return backfill.Main(&time_entries.Table, a, o, e)
	},
}

// TestCommandNames: every generated backfill command names itself (its
// cmd/ directory, the binary go build makes) in -h and in usage errors.
func TestCommandNames(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(moduleRoot(t), "cmd", "backfill-*"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "main.go")); err == nil {
			names = append(names, filepath.Base(d))
		}
	}
	var known []string
	for n := range mains {
		known = append(known, n)
	}
	slices.Sort(known)
	if !slices.Equal(names, known) {
		t.Fatalf("cmd/ holds %v, the test knows %v: add the new table to mains", names, known)
	}
	for _, name := range names {
		var out, errb bytes.Buffer
		if code := mains[name]([]string{"-h"}, &out, &errb); code != 0 {
			t.Errorf("%s -h: exit %d\n%s", name, code, errb.String())
		}
		if want := "Usage: " + name + " "; !strings.HasPrefix(out.String(), want) {
			first, _, _ := strings.Cut(out.String(), "\n")
			t.Errorf("%s -h prints %q, want it to start with %q", name, first, want)
		}
		out.Reset()
		errb.Reset()
		if code := mains[name]([]string{"--no-such-flag"}, &out, &errb); code != 2 {
			t.Errorf("%s --no-such-flag: exit %d, want 2", name, code)
		}
		if want := name + ": "; !strings.HasPrefix(errb.String(), want) || !strings.Contains(errb.String(), "Run "+name+" -h") {
			t.Errorf("%s usage error does not name the command:\n%s", name, errb.String())
		}
	}
}
