package cwfake

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NotesPath is the ticket notes endpoint, a list under each ticket.
const NotesPath = "service/tickets/{parentId}/notes"

// notesRE matches a notes request path: the ticket id, then "" or "/count".
var notesRE = regexp.MustCompile(`^service/tickets/([0-9]+)/notes(/count)?$`)

// Note is a ticket note (ConnectWise's ServiceNote): the ticket's
// description is the note flagged DetailDescriptionFlag, internal analysis
// and resolution are notes too.
type Note struct {
	ID                    int
	TicketID              int
	Text                  string
	DetailDescriptionFlag bool
	InternalAnalysisFlag  bool
	ResolutionFlag        bool
	DateCreated           time.Time
	CreatedBy             string
	LastUpdated           time.Time
	UpdatedBy             string
}

func (n *Note) wire() any {
	return struct {
		ID                    int               `json:"id"`
		TicketID              int               `json:"ticketId"`
		Text                  string            `json:"text"`
		DetailDescriptionFlag bool              `json:"detailDescriptionFlag"`
		InternalAnalysisFlag  bool              `json:"internalAnalysisFlag"`
		ResolutionFlag        bool              `json:"resolutionFlag"`
		DateCreated           Time              `json:"dateCreated"`
		CreatedBy             string            `json:"createdBy"`
		Info                  map[string]string `json:"_info"`
	}{n.ID, n.TicketID, n.Text, n.DetailDescriptionFlag, n.InternalAnalysisFlag, n.ResolutionFlag,
		NewTime(n.DateCreated), n.CreatedBy, map[string]string{
			"lastUpdated": NewTime(n.LastUpdated).Format(time.RFC3339), "updatedBy": n.UpdatedBy,
		}}
}

// MarshalJSON renders the note as the server serves it.
func (n Note) MarshalJSON() ([]byte, error) { return marshalRecord(n.wire()) }

// RecordID is the note id.
func (n *Note) RecordID() int { return n.ID }

// Field returns a queryable field of the note.
func (n *Note) Field(path string) (any, bool) {
	switch path {
	case "id":
		return int64(n.ID), true
	case "ticketId":
		return int64(n.TicketID), true
	case "text":
		return n.Text, true
	case "detailDescriptionFlag":
		return n.DetailDescriptionFlag, true
	case "internalAnalysisFlag":
		return n.InternalAnalysisFlag, true
	case "resolutionFlag":
		return n.ResolutionFlag, true
	case "dateCreated":
		return n.DateCreated, true
	case "createdBy":
		return n.CreatedBy, true
	case "_info/lastUpdated":
		return n.LastUpdated, true
	case "_info/updatedBy":
		return n.UpdatedBy, true
	}
	return nil, false
}

// NoteEntity returns the notes entity: the fields conditions and orderBy
// accept.
func NoteEntity() *Entity {
	return &Entity{
		Path: NotesPath,
		Noun: "Service Note",
		Fields: map[string]FieldType{
			"id": FieldInt, "ticketId": FieldInt, "text": FieldString,
			"detailDescriptionFlag": FieldBool, "internalAnalysisFlag": FieldBool, "resolutionFlag": FieldBool,
			"dateCreated": FieldDateTime, "createdBy": FieldString,
			"_info/lastUpdated": FieldDateTime, "_info/updatedBy": FieldString,
		},
		Aliases: map[string]string{"lastUpdated": "_info/lastUpdated", "updatedBy": "_info/updatedBy"},
	}
}

// noteStore holds every ticket's notes (by ticket id, in id order) and the
// next note id. The Store's lock guards it.
type noteStore struct {
	byTicket map[int][]*Note
	nextID   int
}

// noteTexts are the short note bodies; some are not ASCII on purpose.
var noteTexts = []string{
	"User cannot print to the second-floor printer since this morning.",
	"Outlook keeps asking for the password after the update.",
	"Le VPN se déconnecte toutes les dix minutes depuis lundi.",
	"Neuer Mitarbeiter braucht Zugang zu SharePoint und Teams – bitte bis Freitag.",
	"サーバーのディスク使用率が90%を超えました。",
	"Laptop screen flickers 🖥️⚡ when docked; tried another cable.",
	"Backup job failed: \"access denied\" on \\\\fs01\\share.",
	"Phones down at the Leeds office.\nCustomer says since 08:15.\n\tCall back on mobile.",
	"Renew the SSL certificate for portal.example.com before it expires.",
	"Клиент просит перенести почтовые ящики в Microsoft 365.",
}

// noteAuthors are the members who write notes.
var noteAuthors = []string{"jsmith", "mgarcia", "akhan", "lchen", "admin1", "Portal"}

// newNoteText returns a note body: mostly a short text, sometimes a long
// one (several KB, to exercise large values).
func newNoteText(rng *rand.Rand, ticketID int) string {
	t := pick(rng, noteTexts)
	if chance(rng, 0.01) {
		var b strings.Builder
		for i := 0; b.Len() < 4000+rng.IntN(8000); i++ {
			fmt.Fprintf(&b, "Log line %d for ticket %d: %s\n", i, ticketID, pick(rng, noteTexts))
		}
		return b.String()
	}
	return t + " (#" + strconv.Itoa(ticketID) + ")"
}

// addTicketNotes generates the notes of one ticket entered at entered:
// most have one detail-description note first, some none at all, some two
// flagged (the earliest is the description), plus internal analysis,
// resolution and plain notes.
func (ns *noteStore) addTicketNotes(rng *rand.Rand, ticketID int, entered time.Time) {
	at := entered
	add := func(detail, analysis, resolution bool) {
		at = at.Add(time.Duration(60+rng.IntN(3*24*3600)) * time.Second)
		by := pick(rng, noteAuthors)
		ns.byTicket[ticketID] = append(ns.byTicket[ticketID], &Note{
			ID: ns.nextID, TicketID: ticketID, Text: newNoteText(rng, ticketID),
			DetailDescriptionFlag: detail, InternalAnalysisFlag: analysis, ResolutionFlag: resolution,
			DateCreated: at, CreatedBy: by, LastUpdated: at, UpdatedBy: by,
		})
		ns.nextID += 1 + rng.IntN(3)
	}
	switch u := rng.Float64(); {
	case u < 0.10: // no notes at all
		return
	case u < 0.20: // notes, but none is the description
		add(false, false, false)
	case u < 0.28: // two flagged as description
		add(true, false, false)
		add(true, false, false)
	default:
		add(true, false, false)
	}
	for range rng.IntN(3) {
		add(false, chance(rng, 0.3), chance(rng, 0.2))
	}
}

// generateNotes gives every ticket of recs its notes, from its own stream.
func generateNotes(seed int64, recs []Record) *noteStore {
	ns := &noteStore{byTicket: map[int][]*Note{}, nextID: 1}
	rng := newRand(seed, 7)
	for _, r := range recs {
		t := r.(*Ticket)
		ns.addTicketNotes(rng, t.ID, t.Info.DateEntered.Time)
	}
	return ns
}

// Notes returns a copy of a ticket's notes in id order (nil when none).
func (s *Store) Notes(ticketID int) []Note {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.notes == nil {
		return nil
	}
	var out []Note
	for _, n := range s.notes.byTicket[ticketID] {
		out = append(out, *n)
	}
	return out
}

// DetailDescription returns what a ticket's description is: the text of
// its earliest (dateCreated, then id) note flagged detailDescriptionFlag,
// and false when it has none.
func (s *Store) DetailDescription(ticketID int) (string, bool) {
	var best *Note
	for _, n := range s.Notes(ticketID) {
		if n.DetailDescriptionFlag && (best == nil || n.DateCreated.Before(best.DateCreated) ||
			n.DateCreated.Equal(best.DateCreated) && n.ID < best.ID) {
			best = &n
		}
	}
	if best == nil {
		return "", false
	}
	return best.Text, true
}

// EditNotes edits the description note of n tickets (chosen from seed)
// without touching the tickets: ConnectWise does not move a ticket's
// lastUpdated when a note is edited, so only a --full run sees it. Tickets
// without a description note get one. It returns the ticket ids, ascending.
func (s *Store) EditNotes(seed int64, n int) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[TicketsPath]
	if c == nil || s.notes == nil {
		return []int{}
	}
	rng := newRand(seed, 8)
	n = max(0, min(n, len(c.ids)))
	out := []int{}
	for _, i := range rng.Perm(len(c.ids))[:n] {
		out = append(out, c.ids[i])
	}
	slices.Sort(out)
	for _, id := range out {
		s.notes.editDescription(rng, id, s.tk.clock)
	}
	s.bumpLocked()
	return out
}

// editDescription rewrites the text of a ticket's description note (the
// earliest flagged), or adds one.
func (ns *noteStore) editDescription(rng *rand.Rand, ticketID int, at time.Time) {
	notes := ns.byTicket[ticketID]
	var best *Note
	bestIdx := -1
	for i, n := range notes {
		if n.DetailDescriptionFlag && (best == nil || n.DateCreated.Before(best.DateCreated) ||
			n.DateCreated.Equal(best.DateCreated) && n.ID < best.ID) {
			best, bestIdx = n, i
		}
	}
	if best == nil {
		notes = append(notes, &Note{ID: ns.nextID, TicketID: ticketID, Text: newNoteText(rng, ticketID),
			DetailDescriptionFlag: true, DateCreated: at, CreatedBy: "jsmith", LastUpdated: at, UpdatedBy: "jsmith"})
		ns.nextID++
		ns.byTicket[ticketID] = notes
		return
	}
	edited := *best // stored notes are immutable: replace, never modify
	edited.Text = best.Text + " [edited " + strconv.Itoa(rng.IntN(1000)) + "]"
	edited.LastUpdated, edited.UpdatedBy = at, "mgarcia"
	notes = slices.Clone(notes)
	notes[bestIdx] = &edited
	ns.byTicket[ticketID] = notes
}

// noteQuery returns the notes of one ticket matching cond, ordered by
// keys (nil: id), as the list and count endpoints serve them.
func (s *Store) noteQuery(ticketID int, cond condition, keys []orderKey) (*queryResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.colls[TicketsPath]
	if c == nil || s.notes == nil {
		return nil, errNoTicket
	}
	if _, ok := c.byID[ticketID]; !ok {
		return nil, errNoTicket
	}
	res := &queryResult{}
	for _, n := range s.notes.byTicket[ticketID] {
		if cond == nil || cond.eval(n) {
			res.records = append(res.records, n)
		}
	}
	if len(keys) > 0 {
		slices.SortStableFunc(res.records, func(a, b Record) int {
			switch {
			case lessRecords(a, b, keys):
				return -1
			case lessRecords(b, a, keys):
				return 1
			}
			return 0
		})
	}
	res.ids = make([]int, len(res.records))
	for i, r := range res.records {
		res.ids[i] = r.RecordID()
	}
	return res, nil
}

// errNoTicket: the parent ticket of a notes request does not exist.
var errNoTicket = fmt.Errorf("cwfake: no such ticket")

// FirstNote answers what GET service/tickets/{ticketID}/notes with these
// conditions, orderBy, fields= and pageSize=1 answers: the first note, or
// nil when none matches. In-memory sources of tests and benchmarks use it.
func (s *Store) FirstNote(ticketID int, conditions, orderBy string, fields []string) ([]byte, error) {
	cond, err := parseConditions(noteEntity, conditions)
	if err != nil {
		return nil, err
	}
	keys, err := parseOrderBy(noteEntity, orderBy)
	if err != nil {
		return nil, err
	}
	res, err := s.noteQuery(ticketID, cond, keys)
	if err != nil {
		return nil, fmt.Errorf("%w %d", err, ticketID)
	}
	if len(res.records) == 0 {
		return nil, nil
	}
	return s.render(NotesPath, res.records[0], fields)
}
