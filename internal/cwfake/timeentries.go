package cwfake

import (
	"math/rand/v2"
	"time"
)

// TimeEntry is a time entry as ConnectWise renders it (a realistic subset
// of the 2026.4 TimeEntry schema). dateEntered and enteredBy are top-level
// fields on time entries, not _info values.
type TimeEntry struct {
	ID                    int            `json:"id"`
	Company               *IdentifierRef `json:"company,omitempty"`
	CompanyType           string         `json:"companyType,omitempty"`
	ChargeToID            *int           `json:"chargeToId,omitempty"`
	ChargeToType          string         `json:"chargeToType,omitempty"`
	Member                *IdentifierRef `json:"member,omitempty"`
	LocationID            *int           `json:"locationId,omitempty"`
	BusinessUnitID        *int           `json:"businessUnitId,omitempty"`
	WorkType              *Ref           `json:"workType,omitempty"`
	WorkRole              *Ref           `json:"workRole,omitempty"`
	Agreement             *AgreementRef  `json:"agreement,omitempty"`
	Ticket                *TicketRef     `json:"ticket,omitempty"`
	Project               *Ref           `json:"project,omitempty"`
	TimeStart             *Time          `json:"timeStart,omitempty"`
	TimeEnd               *Time          `json:"timeEnd,omitempty"`
	HoursDeduct           *float64       `json:"hoursDeduct,omitempty"`
	ActualHours           *float64       `json:"actualHours,omitempty"`
	BillableOption        string         `json:"billableOption,omitempty"`
	Notes                 string         `json:"notes,omitempty"`
	InternalNotes         string         `json:"internalNotes,omitempty"`
	AddToDetailDescFlag   bool           `json:"addToDetailDescriptionFlag"`
	AddToInternalFlag     bool           `json:"addToInternalAnalysisFlag"`
	AddToResolutionFlag   bool           `json:"addToResolutionFlag"`
	EmailResourceFlag     bool           `json:"emailResourceFlag"`
	EmailContactFlag      bool           `json:"emailContactFlag"`
	EmailCcFlag           bool           `json:"emailCcFlag"`
	HoursBilled           *float64       `json:"hoursBilled,omitempty"`
	InvoiceHours          *float64       `json:"invoiceHours,omitempty"`
	HourlyRate            *float64       `json:"hourlyRate,omitempty"`
	ExtendedInvoiceAmount *float64       `json:"extendedInvoiceAmount,omitempty"`
	AgreementHours        *float64       `json:"agreementHours,omitempty"`
	AgreementAmount       *float64       `json:"agreementAmount,omitempty"`
	EnteredBy             string         `json:"enteredBy,omitempty"`
	DateEntered           *Time          `json:"dateEntered,omitempty"`
	TimeSheet             *Ref           `json:"timeSheet,omitempty"`
	Status                string         `json:"status,omitempty"`
	TicketBoard           string         `json:"ticketBoard,omitempty"`
	TicketStatus          string         `json:"ticketStatus,omitempty"`
	TicketType            string         `json:"ticketType,omitempty"`
	MobileGUID            string         `json:"mobileGuid,omitempty"`
	Info                  RecordInfo     `json:"_info"`
	chargeToMobileGUID    string
}

type timeEntryAlias TimeEntry

type timeEntryWire struct {
	*timeEntryAlias
	Info map[string]string `json:"_info"`
}

func (e *TimeEntry) wire() any {
	links := map[string]string{}
	if e.chargeToMobileGUID != "" {
		links["chargeToMobileGuid"] = e.chargeToMobileGUID
	}
	return timeEntryWire{(*timeEntryAlias)(e), e.Info.render(links)}
}

// MarshalJSON renders the time entry as the server serves it.
func (e TimeEntry) MarshalJSON() ([]byte, error) { return marshalRecord(e.wire()) }

// RecordID implements Record.
func (e *TimeEntry) RecordID() int { return e.ID }

// Field implements Record for the fields listed in TimeEntryEntity.
func (e *TimeEntry) Field(path string) (any, bool) { return timeEntryFields.field(e, path) }

var timeEntryFields = func() fieldTable[TimeEntry] {
	ft := fieldTable[TimeEntry]{
		"id":             fInt(func(e *TimeEntry) int { return e.ID }),
		"chargeToId":     fOptInt(func(e *TimeEntry) *int { return e.ChargeToID }),
		"chargeToType":   fStr(func(e *TimeEntry) string { return e.ChargeToType }),
		"timeStart":      fOptTime(func(e *TimeEntry) *Time { return e.TimeStart }),
		"timeEnd":        fOptTime(func(e *TimeEntry) *Time { return e.TimeEnd }),
		"actualHours":    fOptNum(func(e *TimeEntry) *float64 { return e.ActualHours }),
		"billableOption": fStr(func(e *TimeEntry) string { return e.BillableOption }),
		"status":         fStr(func(e *TimeEntry) string { return e.Status }),
		"dateEntered":    fOptTime(func(e *TimeEntry) *Time { return e.DateEntered }),
		"enteredBy":      fStr(func(e *TimeEntry) string { return e.EnteredBy }),
		"ticket/id": fieldFn[TimeEntry]{FieldInt, func(e *TimeEntry) (any, bool) {
			if e.Ticket != nil {
				return int64(e.Ticket.ID), true
			}
			return nil, false
		}},
		"agreement/id": fieldFn[TimeEntry]{FieldInt, func(e *TimeEntry) (any, bool) {
			if e.Agreement != nil {
				return int64(e.Agreement.ID), true
			}
			return nil, false
		}},
	}
	identRefFields(ft, "company", func(e *TimeEntry) *IdentifierRef { return e.Company })
	identRefFields(ft, "member", func(e *TimeEntry) *IdentifierRef { return e.Member })
	refFields(ft, "project", func(e *TimeEntry) *Ref { return e.Project })
	refFields(ft, "workType", func(e *TimeEntry) *Ref { return e.WorkType })
	infoFields(ft, func(e *TimeEntry) *RecordInfo { return &e.Info })
	return ft
}()

// TimeEntryEntity returns the time entries entity.
func TimeEntryEntity() *Entity { return timeEntryFields.entity(TimeEntriesPath, "Time Entry") }

// TimeEntries returns every time entry as served, decoded into maps.
func (s *Store) TimeEntries() []map[string]any { return s.RecordMaps(TimeEntriesPath) }

var (
	timeNotes = []string{
		"Remoted in, cleared print queue and restarted spooler.",
		"Reset password and walked user through MFA enrolment.",
		"Replaced toner; test page OK.",
		"Investigated \"Nightly-Full\" failure: VSS writer timed out, re-ran job manually.",
		"Called client, left voicemail.",
		"Patched & rebooted; verified services came back <all green>.",
		"Onsite: re-terminated patch cable in Conference Room B.",
		"Updated firmware to 7.2.4 — no issues.",
		"Reviewed alerts with Ngozi; closing as false positive.",
		"Créé le compte utilisateur et configuré Outlook.",
		"Weekly maintenance window.",
		"Travel to client site.",
		"",
	}
	entryHours = []float64{0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 1, 1, 1, 1.25, 1.5, 2, 2.5, 3, 4, 6, 8}
	rates      = []float64{95, 125, 150, 175}
)

// genTimeEntries returns n time entries, ids ascending: eight in ten
// charge to service tickets (chargeToType ServiceTicket, chargeToId the
// ticket id, the ticket's company), one in ten to project tickets of
// companies with projects (chargeToType ProjectTicket, with one of the
// company's projects), the rest to companies; every member is an active
// member.
func (r *relGen) genTimeEntries(rng *rand.Rand, n int, tickets []Record) []Record {
	var service, project []*Ticket
	for _, rec := range tickets {
		switch t := rec.(*Ticket); {
		case t.RecordType == "ServiceTicket":
			service = append(service, t)
		case len(r.projectsByCompany[t.Company.ID]) > 0:
			project = append(project, t)
		}
	}
	r.nextID[TimeEntriesPath] = 40000 + rng.IntN(1000)
	out := make([]Record, 0, n)
	for range n {
		id := r.nextIDAfter(TimeEntriesPath, rng)
		var t *Ticket
		switch u := rng.Float64(); {
		case u < 0.8 && len(service) > 0:
			t = service[rng.IntN(len(service))]
		case u < 0.9 && len(project) > 0:
			t = project[rng.IntN(len(project))]
		case u < 0.9 && len(service) > 0:
			t = service[rng.IntN(len(service))]
		}
		out = append(out, r.newTimeEntry(rng, id, t, time.Time{}))
	}
	return out
}

// newTimeEntry draws a time entry charged to t (nil: to a company; a
// project ticket of a company with projects: to one of its projects). A zero
// at draws the times from the ticket or company; otherwise the work ended
// shortly before at, which is its dateEntered and lastUpdated.
func (r *relGen) newTimeEntry(rng *rand.Rand, id int, t *Ticket, at time.Time) *TimeEntry {
	g := r.tk
	e := &TimeEntry{ID: id, MobileGUID: guid(rng)}
	var lo, hi time.Time
	var member *IdentifierRef
	if t != nil {
		e.ChargeToID, e.ChargeToType = ptr(t.ID), "ServiceTicket"
		e.Company = t.Company
		if ps := r.projectsByCompany[t.Company.ID]; t.RecordType != "ServiceTicket" && len(ps) > 0 {
			e.ChargeToType, e.Project = "ProjectTicket", pick(rng, ps)
		}
		e.Ticket = &TicketRef{ID: t.ID, Summary: t.Summary, Info: info("ticket_href", href("service/tickets", t.ID))}
		if t.Board != nil {
			e.TicketBoard = t.Board.Name
		}
		if t.Status != nil {
			e.TicketStatus = t.Status.Name
		}
		if t.Type != nil {
			e.TicketType = t.Type.Name
		}
		e.chargeToMobileGUID = t.MobileGUID
		lo, hi = t.Info.DateEntered.Time, t.Info.LastUpdated.Time
		if t.Owner != nil && chance(rng, 0.6) {
			member = t.Owner
		}
	} else {
		rc := r.liveCompany(rng)
		e.ChargeToID, e.ChargeToType = ptr(rc.ref.ID), "Company"
		e.Company = rc.ref
		lo, hi = rc.entered, genEnd
		if lo.Before(genStart) {
			lo = genStart
		}
	}
	e.CompanyType = "Client"
	if member == nil {
		member = r.active[skewed(rng, len(r.active))]
	}
	e.Member = member
	e.LocationID, e.BusinessUnitID = ptr(pick(rng, g.locations).ID), ptr(pick(rng, g.departments).ID)

	hours := pick(rng, entryHours)
	var start time.Time
	if at.IsZero() {
		if hi.Before(lo.Add(2 * time.Hour)) {
			hi = lo.Add(2 * time.Hour)
		}
		if limit := genEnd.Add(-24 * time.Hour); hi.After(limit) {
			hi = limit
		}
		start = randTime(rng, lo, hi).Truncate(15 * time.Minute)
		if start.Before(lo) {
			start = start.Add(15 * time.Minute)
		}
	} else {
		start = at.Add(-time.Duration(hours*3600)*time.Second - time.Duration(rng.IntN(3600))*time.Second).Truncate(time.Minute)
	}
	end := start.Add(time.Duration(hours * float64(time.Hour)))
	e.TimeStart, e.TimeEnd, e.ActualHours = &Time{start}, &Time{end}, ptr(hours)
	e.HoursDeduct = ptr(0.0)
	e.WorkType = r.workTypes[weighted(rng, []float64{0.75, 0.08, 0.1, 0.05, 0.02})]
	e.WorkRole = pick(rng, r.workRoles)

	e.BillableOption = billOptions[weighted(rng, []float64{0.6, 0.15, 0.2, 0.05})]
	rate := rates[member.ID%len(rates)]
	e.HourlyRate = ptr(rate)
	billed := 0.0
	if e.BillableOption == "Billable" {
		billed = hours
	}
	e.HoursBilled, e.InvoiceHours = ptr(billed), ptr(billed)
	e.ExtendedInvoiceAmount = ptr(round2(billed * rate))
	if chance(rng, 0.35) {
		ag, ok := r.agreements[e.Company.ID]
		if !ok {
			aid := 100 + len(r.agreements)*3 + rng.IntN(3)
			ag = &AgreementRef{ID: aid, Name: pick(rng, []string{"Managed Services Agreement", "Block Hours (20)", "Help Desk – All You Can Eat", "Backup Monitoring"}),
				Type: pick(rng, []string{"Managed Services", "Block Time", "Monitoring"}), Info: info("agreement_href", href("finance/agreements", aid))}
			r.agreements[e.Company.ID] = ag
		}
		e.Agreement = ag
		e.AgreementHours, e.AgreementAmount = ptr(hours), ptr(round2(hours*rate))
	}
	e.Notes = pick(rng, timeNotes)
	if chance(rng, 0.15) {
		e.InternalNotes = "Internal: " + pick(rng, timeNotes)
	}
	e.AddToDetailDescFlag = t != nil && chance(rng, 0.7)
	e.AddToInternalFlag = t != nil && !e.AddToDetailDescFlag && chance(rng, 0.5)
	e.AddToResolutionFlag = t != nil && chance(rng, 0.1)
	e.EmailContactFlag = e.AddToDetailDescFlag && chance(rng, 0.3)
	e.EnteredBy = member.Identifier
	if chance(rng, 0.05) {
		e.EnteredBy = pick(rng, g.integrators)
	}
	entered, updated := at, at
	if at.IsZero() {
		entered = end.Add(time.Duration(rng.IntN(36*3600)) * time.Second)
		if entered.After(genEnd) {
			entered = genEnd
		}
		updated = entered
		if chance(rng, 0.5) {
			updated = entered.Add(time.Duration(rng.Int64N(45*24*3600)) * time.Second)
			if updated.After(genEnd) {
				updated = genEnd
			}
		}
	}
	e.DateEntered = &Time{entered}
	e.TimeSheet = r.timeSheet(member, start)
	old := updated.Before(genEnd.AddDate(0, -2, 0))
	switch {
	case old && e.Agreement != nil && chance(rng, 0.5):
		e.Status = "BilledAgreement"
	case old:
		e.Status = []string{"Billed", "ReadyToBill", "WrittenOff", "ApprovedByTierTwo"}[weighted(rng, []float64{0.85, 0.07, 0.03, 0.05})]
	default:
		e.Status = []string{"Open", "PendingApproval", "ApprovedByTierOne", "ReadyToBill", "Rejected", "ErrorsCorrected"}[weighted(rng, []float64{0.4, 0.25, 0.1, 0.17, 0.04, 0.04})]
	}
	who := e.EnteredBy
	if updated.After(entered) {
		who = g.who(rng)
	}
	e.Info = RecordInfo{LastUpdated: Time{updated}, UpdatedBy: who}
	return e
}

// changeTimeEntry returns a changed copy of old, last updated at at.
func (r *relGen) changeTimeEntry(rng *rand.Rand, old *TimeEntry, at time.Time) *TimeEntry {
	e := *old
	ops := []func(){
		func() { // approval and billing move on
			next := map[string]string{"Open": "PendingApproval", "PendingApproval": "ApprovedByTierOne", "ApprovedByTierOne": "ReadyToBill",
				"ReadyToBill": "Billed", "Rejected": "ErrorsCorrected", "ErrorsCorrected": "PendingApproval"}
			if s, ok := next[e.Status]; ok {
				e.Status = s
			} else {
				e.Status = "WrittenOff"
			}
		},
		func() { e.Notes = other(rng, timeNotes, e.Notes) },
		func() { // billing decision changes
			e.BillableOption = other(rng, billOptions, e.BillableOption)
			billed := 0.0
			if e.BillableOption == "Billable" && e.ActualHours != nil {
				billed = *e.ActualHours
			}
			e.HoursBilled, e.InvoiceHours = ptr(billed), ptr(billed)
			if e.HourlyRate != nil {
				e.ExtendedInvoiceAmount = ptr(round2(billed * *e.HourlyRate))
			}
		},
	}
	for _, i := range rng.Perm(len(ops))[:1+rng.IntN(2)] {
		ops[i]()
	}
	e.Info.LastUpdated, e.Info.UpdatedBy = Time{at}, r.tk.who(rng)
	return &e
}
