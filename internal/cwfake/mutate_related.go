package cwfake

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// MutateEntity changes, deletes and adds records of one of the entities
// NewStoreWith registers (CompaniesPath, ContactsPath, MembersPath,
// BoardsPath, ProjectsPath, TimeEntriesPath), deterministically from seed
// and the store's state, on the store's clock shared with Mutate: every
// changed and added record gets a lastUpdated later than any before, so
// "lastUpdated > [report.Since]" selects exactly Changed and Added (and,
// for companies, Deleted).
//
// Deleted records disappear, except companies: ConnectWise soft-deletes
// companies, so a deleted company stays served with deletedFlag true,
// dateDeleted and deletedBy and a new lastUpdated. Added records reference
// existing records like generated ones. Counts are clamped as in Mutate;
// id lists are ascending. MutateEntity("service/tickets", ...) is Mutate.
func (s *Store) MutateEntity(path string, seed int64, changed, deleted, added int) (MutationReport, error) {
	if path == TicketsPath {
		return s.Mutate(seed, changed, deleted, added), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := MutationReport{Seed: seed, Changed: []int{}, Deleted: []int{}, Added: []int{}}
	r := s.rel
	c := s.colls[path]
	if r == nil || c == nil {
		return rep, fmt.Errorf("cwfake: entity %q cannot be mutated (stores from NewStoreWith mutate %s, %s, %s, %s, %s, %s)",
			path, CompaniesPath, ContactsPath, MembersPath, BoardsPath, ProjectsPath, TimeEntriesPath)
	}
	g := r.tk
	rng := newRand(seed, 20+uint64(len(path)))
	rep.Since = Time{g.clock}

	changed = max(0, min(changed, len(c.ids)))
	deleted = max(0, min(deleted, len(c.ids)-changed))
	added = max(0, added)
	perm := rng.Perm(len(c.ids))
	for _, i := range perm[:changed] {
		rep.Changed = append(rep.Changed, c.ids[i])
	}
	for _, i := range perm[changed : changed+deleted] {
		rep.Deleted = append(rep.Deleted, c.ids[i])
	}
	slices.Sort(rep.Changed)
	slices.Sort(rep.Deleted)
	tick := func() time.Time {
		g.clock = g.clock.Add(time.Duration(1+rng.IntN(900)) * time.Second)
		return g.clock
	}

	change := func(old Record, at time.Time) Record {
		switch v := old.(type) {
		case *Company:
			return r.changeCompany(rng, v, at, false)
		case *Contact:
			return r.changeContact(rng, v, at)
		case *Member:
			return r.changeMember(rng, v, at)
		case *Board:
			return r.changeBoard(rng, v, at)
		case *Project:
			return r.changeProject(rng, v, at)
		case *TimeEntry:
			return r.changeTimeEntry(rng, v, at)
		}
		panic(fmt.Sprintf("cwfake: cannot change %T", old))
	}
	for _, id := range rep.Changed {
		old := c.byID[id]
		at := tick()
		nr := change(old, at)
		// A change always changes something besides _info.
		for i := 0; i < 8 && sameBusiness(old, nr); i++ {
			nr = change(old, at)
		}
		c.put(nr)
	}
	for _, id := range rep.Deleted {
		if path == CompaniesPath {
			c.put(r.changeCompany(rng, c.byID[id].(*Company), tick(), true))
			continue
		}
		c.remove(id)
	}
	for range added {
		at := tick()
		id := r.nextIDAfter(path, rng)
		if len(c.ids) > 0 && id <= c.ids[len(c.ids)-1] {
			id = c.ids[len(c.ids)-1] + 1 + rng.IntN(3)
			r.nextID[path] = id
		}
		c.put(r.newRecord(rng, s, path, id, at))
		rep.Added = append(rep.Added, id)
	}
	rep.Until = Time{g.clock}
	s.bumpLocked()
	return rep, nil
}

// newRecord draws a new record of path with id, entered and last updated
// at at. The caller holds s.mu.
func (r *relGen) newRecord(rng *rand.Rand, s *Store, path string, id int, at time.Time) Record {
	switch path {
	case CompaniesPath:
		used := map[string]bool{}
		for _, rc := range r.companies {
			used[strings.ToLower(rc.ref.Identifier)] = true
		}
		rc := r.newRelCompany(rng, id, used)
		rc.entered = at
		r.companies = append(r.companies, rc)
		r.companyByID[rc.ref.ID] = rc
		co := r.newCompany(rng, rc, false)
		co.Info.LastUpdated = Time{at}
		if co.DateAcquired != nil {
			co.DateAcquired = &Time{at.Truncate(24 * time.Hour)}
		}
		return co
	case ContactsPath:
		rc := r.liveCompany(rng)
		sd := r.newContactSeed(rng, id, rc)
		rc.contacts = append(rc.contacts, sd.ref)
		return r.newContact(rng, sd, at)
	case MembersPath:
		fn, ln := pick(rng, firstNames), pick(rng, lastNames)
		used := map[string]bool{}
		for _, m := range r.members {
			used[strings.ToLower(m.Identifier)] = true
		}
		ref := &IdentifierRef{ID: id, Identifier: uniqueIdent(used, asciiIdent(string([]rune(fn)[:1])+ln)), Name: fn + " " + ln,
			Info: info("member_href", href("system/members", id))}
		r.members = append(r.members, ref)
		m := r.newMember(rng, ref, true, at)
		m.HireDate = &Time{at.Truncate(24 * time.Hour)}
		r.active = append(r.active, ref)
		return m
	case BoardsPath:
		ref := &Ref{ID: id, Name: fmt.Sprintf("%s - %s (new %d)", pick(rng, boardPrefixes), pick(rng, boardFunctions), id),
			Info: info("board_href", href("service/boards", id))}
		r.boards = append(r.boards, ref)
		b := r.newBoard(rng, boardSeed{ref: ref})
		b.Info.LastUpdated = Time{at}
		return b
	case ProjectsPath:
		p := r.newProject(rng, id, at, at)
		r.projectsByCompany[p.Company.ID] = append(r.projectsByCompany[p.Company.ID],
			&Ref{ID: p.ID, Name: p.Name, Info: info("project_href", href("project/projects", p.ID))})
		return p
	case TimeEntriesPath:
		var t *Ticket
		if tc := s.colls[TicketsPath]; tc != nil && len(tc.ids) > 0 && chance(rng, 0.9) {
			cand := tc.byID[tc.ids[rng.IntN(len(tc.ids))]].(*Ticket)
			if cand.RecordType == "ServiceTicket" {
				t = cand
			}
		}
		return r.newTimeEntry(rng, id, t, at)
	}
	panic("cwfake: no generator for " + path)
}

// sameBusiness reports whether two versions of a record render the same
// apart from _info.
func sameBusiness(a, b Record) bool {
	strip := func(r Record) []byte {
		var v Record
		switch x := r.(type) {
		case *Company:
			c := *x
			c.Info = RecordInfo{}
			v = &c
		case *Contact:
			c := *x
			c.Info = RecordInfo{}
			v = &c
		case *Member:
			c := *x
			c.Info = RecordInfo{}
			v = &c
		case *Board:
			c := *x
			c.Info = RecordInfo{}
			v = &c
		case *Project:
			c := *x
			c.Info = RecordInfo{}
			v = &c
		case *TimeEntry:
			c := *x
			c.Info = RecordInfo{}
			v = &c
		default:
			return nil
		}
		out, _ := marshalRecord(v)
		return out
	}
	return bytes.Equal(strip(a), strip(b))
}
