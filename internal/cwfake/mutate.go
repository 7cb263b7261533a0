package cwfake

import (
	"math/rand/v2"
	"slices"
	"time"
)

// MutationReport says what one Mutate did. Every changed and added ticket
// has lastUpdated after Since (the latest lastUpdated before the mutation),
// so "lastUpdated > [Since]" selects exactly Changed and Added.
type MutationReport struct {
	Seed int64 `json:"seed"`
	// Since is the latest lastUpdated in the store before the mutation.
	Since Time `json:"since"`
	// Until is the latest lastUpdated after it.
	Until   Time  `json:"until"`
	Changed []int `json:"changed"`
	Deleted []int `json:"deleted"`
	Added   []int `json:"added"`
	// NotesEdited lists tickets whose description note was edited without
	// the ticket changing (admin parameter notes=).
	NotesEdited []int `json:"notes_edited,omitempty"`
}

// Mutate changes, hard-deletes and adds tickets, deterministically from
// seed and the store's current state. Changed tickets get new values for
// one to three of summary, status (closing or reopening them), priority,
// owner (sometimes removed), severity/impact, actualHours, team, contact,
// budgetHours, and a lastUpdated later than any before. Deleted tickets
// disappear (ConnectWise deletes leave no trace in lastUpdated polling).
// Added tickets get ids above any id ever used. Counts larger than the
// store are clamped; changed and deleted ids are disjoint. Id lists in the
// report are ascending.
func (s *Store) Mutate(seed int64, changed, deleted, added int) MutationReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := MutationReport{Seed: seed, Changed: []int{}, Deleted: []int{}, Added: []int{}}
	g := s.tk
	c := s.colls[TicketsPath]
	if g == nil || c == nil {
		return rep
	}
	rng := newRand(seed, 2)
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
	for _, id := range rep.Changed {
		old := c.byID[id].(*Ticket)
		at := tick()
		c.put(g.change(rng, old, at))
		if s.notes != nil && chance(rng, 0.3) {
			// the edit that changed the ticket also rewrote its description
			s.notes.editDescription(rng, id, at)
		}
	}
	for _, id := range rep.Deleted {
		c.remove(id)
		if s.notes != nil {
			delete(s.notes.byTicket, id)
		}
	}
	for range added {
		id := g.nextID
		g.nextID += 1 + rng.IntN(3)
		at := tick()
		var closedAt *time.Time
		if chance(rng, 0.1) {
			closedAt = &at
		}
		c.put(g.newTicket(rng, id, at, at, closedAt))
		if s.notes != nil {
			s.notes.addTicketNotes(rng, id, at)
		}
		rep.Added = append(rep.Added, id)
	}
	rep.Until = Time{g.clock}
	s.bumpLocked()
	return rep
}

// change returns a changed copy of t, last updated at at.
func (g *ticketGen) change(rng *rand.Rand, old *Ticket, at time.Time) *Ticket {
	t := *old
	var b *boardData
	for _, bd := range g.boards {
		if bd.ref == t.Board {
			b = bd
		}
	}
	ops := []func(){
		func() { // summary, always different
			s := g.summary(rng)
			for i := 0; s == old.Summary && i < 8; i++ {
				s = g.summary(rng)
			}
			if s == old.Summary {
				s = string([]rune("Updated: " + s)[:min(100, len([]rune(s))+9)])
			}
			t.Summary = s
		},
		func() { // status: move along the board, closing or reopening
			closed := t.ClosedFlag != nil && *t.ClosedFlag
			if closed || chance(rng, 0.6) {
				t.Status = other(rng, b.open, t.Status)
				t.ClosedFlag, t.ClosedDate, t.ClosedBy, t.DateResolved = ptr(false), nil, "", nil
			} else {
				t.Status = pick(rng, b.closed)
				t.ClosedFlag, t.ClosedDate, t.ClosedBy = ptr(true), &Time{at}, g.who(rng)
				t.DateResolved = &Time{at}
				t.ResolveMinutes = int(min(at.Sub(t.Info.DateEntered.Time).Minutes(), 100000))
			}
		},
		func() { t.Priority = other(rng, g.priorities, t.Priority) },
		func() { // owner: reassign, or unassign
			if t.Owner != nil && chance(rng, 0.25) {
				t.Owner, t.Resources = nil, ""
				return
			}
			t.Owner = other(rng, g.members, t.Owner)
			t.Resources = t.Owner.Identifier
		},
		func() {
			t.Severity = other(rng, []string{"Low", "Medium", "High"}, t.Severity)
			t.Impact = pickLevel(rng)
		},
		func() { // more time logged
			h := 0.0
			if t.ActualHours != nil {
				h = *t.ActualHours
			}
			t.ActualHours = ptr(round2(h + 0.25 + rng.Float64()*3))
		},
		func() { // team: change, or drop
			if t.Team != nil && (chance(rng, 0.3) || len(b.teams) == 1) {
				t.Team = nil
				return
			}
			t.Team = other(rng, b.teams, t.Team)
		},
		func() { // budget: set, change, or drop
			if t.BudgetHours != nil && chance(rng, 0.3) {
				t.BudgetHours = nil
				return
			}
			t.BudgetHours = ptr(float64(1 + rng.IntN(40)))
			if old.BudgetHours != nil && *old.BudgetHours == *t.BudgetHours {
				*t.BudgetHours += 0.5
			}
		},
	}
	n := 1 + rng.IntN(3)
	for _, i := range rng.Perm(len(ops))[:n] {
		ops[i]()
	}
	t.Info.LastUpdated = Time{at}
	t.Info.UpdatedBy = g.who(rng)
	return &t
}

// other picks an element of xs different from cur when there is one.
func other[T comparable](rng *rand.Rand, xs []T, cur T) T {
	if len(xs) == 1 {
		return xs[0]
	}
	for {
		if x := pick(rng, xs); x != cur {
			return x
		}
	}
}
