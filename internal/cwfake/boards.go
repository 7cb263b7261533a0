package cwfake

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Board is a service board as ConnectWise renders it (a realistic subset of
// the 2026.4 Board schema). Project boards are boards with projectFlag.
type Board struct {
	ID                       int            `json:"id"`
	Name                     string         `json:"name"`
	Location                 *Ref           `json:"location,omitempty"`
	Department               *IdentifierRef `json:"department,omitempty"`
	InactiveFlag             bool           `json:"inactiveFlag"`
	SignOffTemplate          *Ref           `json:"signOffTemplate,omitempty"`
	SendToContactFlag        bool           `json:"sendToContactFlag"`
	ContactTemplate          *Ref           `json:"contactTemplate,omitempty"`
	SendToResourceFlag       bool           `json:"sendToResourceFlag"`
	ProjectFlag              bool           `json:"projectFlag"`
	ShowDependenciesFlag     bool           `json:"showDependenciesFlag"`
	ShowEstimatesFlag        bool           `json:"showEstimatesFlag"`
	BillTicketsAfterClosed   bool           `json:"billTicketsAfterClosedFlag"`
	BillTicketSeparatelyFlag bool           `json:"billTicketSeparatelyFlag"`
	BillUnapprovedTimeExpFlg bool           `json:"billUnapprovedTimeExpenseFlag"`
	OverrideBillingSetupFlag bool           `json:"overrideBillingSetupFlag"`
	DispatchMember           *IdentifierRef `json:"dispatchMember,omitempty"`
	ServiceManagerMember     *IdentifierRef `json:"serviceManagerMember,omitempty"`
	DutyManagerMember        *IdentifierRef `json:"dutyManagerMember,omitempty"`
	OncallMember             *IdentifierRef `json:"oncallMember,omitempty"`
	WorkRole                 *Ref           `json:"workRole,omitempty"`
	WorkType                 *Ref           `json:"workType,omitempty"`
	BillTime                 string         `json:"billTime,omitempty"`
	BillExpense              string         `json:"billExpense,omitempty"`
	BillProduct              string         `json:"billProduct,omitempty"`
	AutoCloseStatus          *StatusRef     `json:"autoCloseStatus,omitempty"`
	AutoAssignNewTicketsFlag bool           `json:"autoAssignNewTicketsFlag"`
	TimeEntryLockedFlag      bool           `json:"timeEntryLockedFlag"`
	Info                     RecordInfo     `json:"_info"`
}

type boardAlias Board

type boardWire struct {
	*boardAlias
	Info map[string]string `json:"_info"`
}

func (b *Board) wire() any {
	id := strconv.Itoa(b.ID)
	return boardWire{(*boardAlias)(b), b.Info.render(map[string]string{
		"statuses_href": HrefBase + "/service/boards/" + id + "/statuses",
		"types_href":    HrefBase + "/service/boards/" + id + "/types",
		"teams_href":    HrefBase + "/service/boards/" + id + "/teams",
	})}
}

// MarshalJSON renders the board as the server serves it.
func (b Board) MarshalJSON() ([]byte, error) { return marshalRecord(b.wire()) }

// RecordID implements Record.
func (b *Board) RecordID() int { return b.ID }

// Field implements Record for the fields listed in BoardEntity.
func (b *Board) Field(path string) (any, bool) { return boardFields.field(b, path) }

var boardFields = func() fieldTable[Board] {
	ft := fieldTable[Board]{
		"id":           fInt(func(b *Board) int { return b.ID }),
		"name":         fStr(func(b *Board) string { return b.Name }),
		"inactiveFlag": fBool(func(b *Board) bool { return b.InactiveFlag }),
		"projectFlag":  fBool(func(b *Board) bool { return b.ProjectFlag }),
		"billTime":     fStr(func(b *Board) string { return b.BillTime }),
	}
	refFields(ft, "location", func(b *Board) *Ref { return b.Location })
	identRefFields(ft, "department", func(b *Board) *IdentifierRef { return b.Department })
	identRefFields(ft, "dispatchMember", func(b *Board) *IdentifierRef { return b.DispatchMember })
	infoFields(ft, func(b *Board) *RecordInfo { return &b.Info })
	return ft
}()

// BoardEntity returns the boards entity.
func BoardEntity() *Entity { return boardFields.entity(BoardsPath, "Board") }

// Boards returns every board as served, decoded into maps.
func (s *Store) Boards() []map[string]any { return s.RecordMaps(BoardsPath) }

var (
	boardPrefixes  = []string{"Tampa", "Plano", "Denver", "Remote", "Enterprise", "SMB", "Healthcare", "Legal", "Managed", "Public Sector", "München"}
	boardFunctions = []string{"Help Desk", "Escalations", "Alerts", "Onboarding", "Network Operations", "Field Services",
		"Security Operations", "Procurement", "Projects", "Implementations", "Backups", "Patching", "Tier 1", "Tier 2", "Tier 3"}
	billOptions = []string{"Billable", "DoNotBill", "NoCharge", "NoDefault"}
)

// boardSeed is what a board record is drawn from.
type boardSeed struct {
	ref     *Ref
	project bool
	closed  *StatusRef
}

// genBoards returns n board records (at least the ticket boards, with
// their ids, names and project flags). Extra boards are about one in five
// project boards.
func (r *relGen) genBoards(rng *rand.Rand, n int) []Record {
	g := r.tk
	var seeds []boardSeed
	maxID, maxStatus := 0, 0
	names := map[string]bool{}
	for _, b := range g.boards {
		sd := boardSeed{ref: b.ref, project: b.project}
		if len(b.closed) > 0 {
			sd.closed = b.closed[0]
		}
		for _, s := range append(append([]*StatusRef{}, b.open...), b.closed...) {
			maxStatus = max(maxStatus, s.ID)
		}
		seeds = append(seeds, sd)
		names[b.ref.Name] = true
		maxID = max(maxID, b.ref.ID)
	}
	r.nextID[BoardsPath] = maxID
	statusID := maxStatus + 100
	for len(seeds) < n {
		id := r.nextIDAfter(BoardsPath, rng)
		name := pick(rng, boardPrefixes) + " - " + pick(rng, boardFunctions)
		for k := 2; names[name]; k++ {
			name = fmt.Sprintf("%s - %s %d", pick(rng, boardPrefixes), pick(rng, boardFunctions), k)
		}
		names[name] = true
		statusID += 1 + rng.IntN(5)
		project := chance(rng, 0.2)
		seeds = append(seeds, boardSeed{
			ref:     &Ref{ID: id, Name: name, Info: info("board_href", href("service/boards", id))},
			project: project,
			closed: &StatusRef{ID: statusID, Name: pick(rng, closedStatusNames),
				Info: info("status_href", href(fmt.Sprintf("service/boards/%d/statuses", id), statusID))},
		})
	}
	out := make([]Record, 0, len(seeds))
	for _, sd := range seeds {
		r.boards = append(r.boards, sd.ref)
		if sd.project {
			r.projBoards = append(r.projBoards, sd.ref)
		}
		out = append(out, r.newBoard(rng, sd))
	}
	return out
}

func (r *relGen) newBoard(rng *rand.Rand, sd boardSeed) *Board {
	g := r.tk
	b := &Board{ID: sd.ref.ID, Name: sd.ref.Name, ProjectFlag: sd.project}
	b.Location = pick(rng, g.locations)
	b.Department = pick(rng, g.departments)
	b.InactiveFlag = chance(rng, 0.08)
	b.SignOffTemplate = &Ref{ID: 1, Name: "Default Sign Off"}
	b.SendToContactFlag, b.SendToResourceFlag = chance(rng, 0.7), chance(rng, 0.8)
	b.ShowDependenciesFlag, b.ShowEstimatesFlag = sd.project && chance(rng, 0.6), sd.project
	b.BillTicketsAfterClosed, b.BillTicketSeparatelyFlag = chance(rng, 0.3), chance(rng, 0.1)
	b.BillUnapprovedTimeExpFlg, b.OverrideBillingSetupFlag = chance(rng, 0.1), chance(rng, 0.15)
	if chance(rng, 0.6) {
		b.DispatchMember = pick(rng, r.active)
	}
	if chance(rng, 0.7) {
		b.ServiceManagerMember = pick(rng, r.active)
	}
	if chance(rng, 0.4) {
		b.DutyManagerMember = pick(rng, r.active)
	}
	if chance(rng, 0.2) {
		b.OncallMember = pick(rng, r.active)
	}
	if chance(rng, 0.8) {
		b.WorkRole = pick(rng, r.workRoles)
	}
	if chance(rng, 0.8) {
		b.WorkType = r.workTypes[0]
	}
	b.BillTime = billOptions[weighted(rng, []float64{0.4, 0.05, 0.15, 0.4})]
	b.BillExpense = billOptions[weighted(rng, []float64{0.5, 0.05, 0.05, 0.4})]
	b.BillProduct = billOptions[weighted(rng, []float64{0.6, 0.0, 0.0, 0.4})]
	if chance(rng, 0.7) {
		b.AutoCloseStatus = sd.closed
	}
	b.AutoAssignNewTicketsFlag = chance(rng, 0.2)
	b.TimeEntryLockedFlag = chance(rng, 0.1)
	at := updatedAfter(rng, randTime(rng, genStart.AddDate(-3, 0, 0), genEnteredEnd))
	b.Info = RecordInfo{LastUpdated: Time{at}, UpdatedBy: pick(rng, r.members[:min(5, len(r.members))]).Identifier}
	return b
}

// changeBoard returns a changed copy of old, last updated at at.
func (r *relGen) changeBoard(rng *rand.Rand, old *Board, at time.Time) *Board {
	b := *old
	ops := []func(){
		func() { b.InactiveFlag = !b.InactiveFlag },
		func() { b.DispatchMember = other(rng, r.active, b.DispatchMember) },
		func() { b.BillTime = other(rng, billOptions, b.BillTime) },
		func() { b.Location = other(rng, r.tk.locations, b.Location) },
		func() { b.TimeEntryLockedFlag = !b.TimeEntryLockedFlag },
	}
	for _, i := range rng.Perm(len(ops))[:1+rng.IntN(2)] {
		ops[i]()
	}
	b.Info.LastUpdated, b.Info.UpdatedBy = Time{at}, pick(rng, r.members[:min(5, len(r.members))]).Identifier
	return &b
}
