package cwfake

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The notes corpus has what the description mapping must handle: tickets
// without notes or without a description note, tickets with two flagged,
// unicode and long texts.
func TestNotesCorpus(t *testing.T) {
	s := NewStore(1, 2000)
	var none, undescribed, several, unicode, long int
	for _, id := range s.TicketIDs() {
		notes := s.Notes(id)
		flagged := 0
		for _, n := range notes {
			if n.TicketID != id {
				t.Fatalf("note %d of ticket %d says ticket %d", n.ID, id, n.TicketID)
			}
			if n.DetailDescriptionFlag {
				flagged++
			}
			if len(n.Text) > 4000 {
				long++
			}
			if utf8.RuneCountInString(n.Text) < len(n.Text) {
				unicode++
			}
		}
		switch {
		case len(notes) == 0:
			none++
		case flagged == 0:
			undescribed++
		case flagged > 1:
			several++
		}
	}
	for what, n := range map[string]int{"no notes": none, "no description note": undescribed, "several flagged": several, "unicode": unicode, "long": long} {
		if n == 0 {
			t.Errorf("no ticket with %s", what)
		}
	}
}

// A notes request answers one ticket's notes with conditions, orderBy,
// fields=, paging and /count; the earliest description note is what
// DetailDescription says.
func TestNotesEndpoint(t *testing.T) {
	s := NewStore(1, 300)
	c := newTestServer(t, Config{Store: s})
	var id int
	for _, tid := range s.TicketIDs() {
		flagged := 0
		for _, n := range s.Notes(tid) {
			if n.DetailDescriptionFlag {
				flagged++
			}
		}
		if flagged > 1 {
			id = tid
			break
		}
	}
	if id == 0 {
		t.Fatal("no ticket with several description notes")
	}
	base := "/service/tickets/" + strconv.Itoa(id) + "/notes"
	q := url.Values{"conditions": {"detailDescriptionFlag = true"}, "orderBy": {"dateCreated asc,id asc"}, "fields": {"text"}, "pageSize": {"1"}}
	r := c.get(base + "?" + q.Encode())
	var got []map[string]any
	if err := json.Unmarshal(c.mustOK(r, "notes"), &got); err != nil {
		t.Fatal(err)
	}
	want, _ := s.DetailDescription(id)
	if len(got) != 1 || got[0]["text"] != want || len(got[0]) != 1 {
		t.Fatalf("first description note = %v, want only text %q", got, want)
	}
	if !strings.Contains(r.header.Get("Link"), `rel="next"`) {
		t.Errorf("pageSize=1 of several: no next link in %q", r.header.Get("Link"))
	}
	q.Set("orderBy", "dateCreated desc,id desc")
	var last []map[string]any
	_ = json.Unmarshal(c.mustOK(c.get(base+"?"+q.Encode()), "notes desc"), &last)
	if len(last) != 1 || last[0]["text"] == want {
		t.Errorf("last description note = %v, want another text than the first", last)
	}
	var count map[string]int
	_ = json.Unmarshal(c.mustOK(c.get(base+"/count?conditions="+url.QueryEscape("detailDescriptionFlag = true")), "count"), &count)
	if count["count"] < 2 {
		t.Errorf("count of flagged notes = %v, want >= 2", count)
	}
	var all []map[string]any
	_ = json.Unmarshal(c.mustOK(c.get(base), "all notes"), &all)
	if len(all) != len(s.Notes(id)) || all[0]["ticketId"] != float64(id) || all[0]["_info"] == nil {
		t.Errorf("all notes: got %d (%v), want %d full notes", len(all), all[0], len(s.Notes(id)))
	}
	if r := c.get("/service/tickets/1/notes"); r.status != 404 {
		t.Errorf("notes of a missing ticket: status %d, want 404", r.status)
	}
	if r := c.get(base + "?conditions=" + url.QueryEscape("nosuch = 1")); r.status != 400 {
		t.Errorf("unknown condition field: status %d, want 400", r.status)
	}
}

// EditNotes changes descriptions without touching tickets; Mutate drops the
// notes of deleted tickets and gives added tickets notes.
func TestNotesMutate(t *testing.T) {
	s := NewStore(1, 300)
	before := map[int]string{}
	for _, id := range s.TicketIDs() {
		before[id], _ = s.DetailDescription(id)
	}
	lu := s.LastUpdatedMax()
	edited := s.EditNotes(5, 7)
	if len(edited) != 7 {
		t.Fatalf("edited %v, want 7 tickets", edited)
	}
	for _, id := range edited {
		if now, _ := s.DetailDescription(id); now == before[id] {
			t.Errorf("ticket %d: description unchanged after EditNotes", id)
		}
	}
	if !s.LastUpdatedMax().Equal(lu) {
		t.Errorf("EditNotes moved lastUpdated")
	}
	rep := s.Mutate(9, 0, 3, 20)
	for _, id := range rep.Deleted {
		if len(s.Notes(id)) != 0 {
			t.Errorf("deleted ticket %d still has notes", id)
		}
	}
	withNotes := 0
	for _, id := range rep.Added {
		if len(s.Notes(id)) > 0 {
			withNotes++
		}
	}
	if withNotes == 0 {
		t.Errorf("no added ticket has notes")
	}
}
