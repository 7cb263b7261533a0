package cwfake

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Project is a project as ConnectWise renders it (a realistic subset of the
// 2026.4 Project schema).
type Project struct {
	ID                 int            `json:"id"`
	ActualEnd          *Time          `json:"actualEnd,omitempty"`
	ActualHours        *float64       `json:"actualHours,omitempty"`
	ActualStart        *Time          `json:"actualStart,omitempty"`
	BillExpenses       string         `json:"billExpenses,omitempty"`
	BillProducts       string         `json:"billProducts,omitempty"`
	BillTime           string         `json:"billTime,omitempty"`
	BillingAmount      *float64       `json:"billingAmount,omitempty"`
	BillingMethod      string         `json:"billingMethod,omitempty"`
	Board              *Ref           `json:"board,omitempty"`
	BudgetFlag         bool           `json:"budgetFlag"`
	BudgetHours        *float64       `json:"budgetHours,omitempty"`
	ClosedFlag         bool           `json:"closedFlag"`
	Company            *IdentifierRef `json:"company,omitempty"`
	Contact            *Ref           `json:"contact,omitempty"`
	CustomerPO         string         `json:"customerPO,omitempty"`
	Department         *IdentifierRef `json:"department,omitempty"`
	Description        string         `json:"description,omitempty"`
	EstimatedEnd       *Time          `json:"estimatedEnd,omitempty"`
	EstimatedHours     *float64       `json:"estimatedHours,omitempty"`
	EstimatedStart     *Time          `json:"estimatedStart,omitempty"`
	EstimatedTimeCost  *float64       `json:"estimatedTimeCost,omitempty"`
	Location           *Ref           `json:"location,omitempty"`
	Manager            *IdentifierRef `json:"manager,omitempty"`
	Name               string         `json:"name"`
	PercentComplete    *float64       `json:"percentComplete,omitempty"`
	ScheduledHours     *float64       `json:"scheduledHours,omitempty"`
	Site               *Ref           `json:"site,omitempty"`
	Status             *Ref           `json:"status,omitempty"`
	Type               *Ref           `json:"type,omitempty"`
	RestrictDownPaymen bool           `json:"restrictDownPaymentFlag"`
	MobileGUID         string         `json:"mobileGuid,omitempty"`
	Info               RecordInfo     `json:"_info"`
}

type projectAlias Project

type projectWire struct {
	*projectAlias
	Info map[string]string `json:"_info"`
}

func (p *Project) wire() any {
	id := strconv.Itoa(p.ID)
	return projectWire{(*projectAlias)(p), p.Info.render(map[string]string{
		"phases_href":      HrefBase + "/project/projects/" + id + "/phases",
		"tickets_href":     HrefBase + "/project/tickets?conditions=project/id=" + id,
		"notes_href":       HrefBase + "/project/projects/" + id + "/notes",
		"teamMembers_href": HrefBase + "/project/projects/" + id + "/teamMembers",
	})}
}

// MarshalJSON renders the project as the server serves it.
func (p Project) MarshalJSON() ([]byte, error) { return marshalRecord(p.wire()) }

// RecordID implements Record.
func (p *Project) RecordID() int { return p.ID }

// Field implements Record for the fields listed in ProjectEntity.
func (p *Project) Field(path string) (any, bool) { return projectFields.field(p, path) }

var projectFields = func() fieldTable[Project] {
	ft := fieldTable[Project]{
		"id":                fInt(func(p *Project) int { return p.ID }),
		"name":              fStr(func(p *Project) string { return p.Name }),
		"closedFlag":        fBool(func(p *Project) bool { return p.ClosedFlag }),
		"billingMethod":     fStr(func(p *Project) string { return p.BillingMethod }),
		"estimatedStart":    fOptTime(func(p *Project) *Time { return p.EstimatedStart }),
		"estimatedEnd":      fOptTime(func(p *Project) *Time { return p.EstimatedEnd }),
		"actualEnd":         fOptTime(func(p *Project) *Time { return p.ActualEnd }),
		"budgetHours":       fOptNum(func(p *Project) *float64 { return p.BudgetHours }),
		"actualHours":       fOptNum(func(p *Project) *float64 { return p.ActualHours }),
		"_info/dateEntered": fOptTime(func(p *Project) *Time { return p.Info.DateEntered }),
		"_info/enteredBy":   fStr(func(p *Project) string { return p.Info.EnteredBy }),
	}
	identRefFields(ft, "company", func(p *Project) *IdentifierRef { return p.Company })
	refFields(ft, "contact", func(p *Project) *Ref { return p.Contact })
	refFields(ft, "board", func(p *Project) *Ref { return p.Board })
	refFields(ft, "status", func(p *Project) *Ref { return p.Status })
	refFields(ft, "type", func(p *Project) *Ref { return p.Type })
	identRefFields(ft, "manager", func(p *Project) *IdentifierRef { return p.Manager })
	infoFields(ft, func(p *Project) *RecordInfo { return &p.Info })
	return ft
}()

// ProjectEntity returns the projects entity.
func ProjectEntity() *Entity { return projectFields.entity(ProjectsPath, "Project") }

// Projects returns every project as served, decoded into maps.
func (s *Store) Projects() []map[string]any { return s.RecordMaps(ProjectsPath) }

var projectNames = []string{"Microsoft 365 Migration", "Firewall Replacement", "Office Move – {place}", "Server Refresh {year}",
	"Wi-Fi Upgrade", "Backup & DR Implementation", "New Client Onboarding", "Security Assessment {year}",
	"Windows 11 Rollout", "VoIP Phone System", "SharePoint Intranet", "Network Redesign", "MFA Rollout",
	"Azure AD Cleanup", "Laptop Refresh – {n} units", "Camera System Install", "\"Zero Trust\" Pilot", "ERP Upgrade (Sage 50 → Intacct)"}

// genProjects returns n projects, ids ascending from 1 with gaps, on
// project boards, for companies (and their contacts) that exist, managed
// by active members.
func (r *relGen) genProjects(rng *rand.Rand, n int) []Record {
	r.nextID[ProjectsPath] = 0
	out := make([]Record, 0, n)
	for range n {
		id := r.nextIDAfter(ProjectsPath, rng)
		entered := randTime(rng, genStart, genEnteredEnd)
		p := r.newProject(rng, id, entered, time.Time{})
		r.projectsByCompany[p.Company.ID] = append(r.projectsByCompany[p.Company.ID],
			&Ref{ID: p.ID, Name: p.Name, Info: info("project_href", href("project/projects", p.ID))})
		out = append(out, p)
	}
	return out
}

// liveCompany picks a company that is not soft-deleted, favouring the
// first ones.
func (r *relGen) liveCompany(rng *rand.Rand) *relCompany {
	for range 20 {
		if c := r.companies[skewed(rng, len(r.companies))]; !c.deleted {
			return c
		}
	}
	return r.companies[0]
}

// newProject draws a project entered at entered; a zero updated draws
// lastUpdated.
func (r *relGen) newProject(rng *rand.Rand, id int, entered, updated time.Time) *Project {
	g := r.tk
	rc := r.liveCompany(rng)
	p := &Project{ID: id, Company: rc.ref, MobileGUID: guid(rng)}
	year := entered.Year()
	p.Name = pick(rng, projectNames)
	p.Name = strings.NewReplacer("{place}", pick(rng, places), "{year}", strconv.Itoa(year), "{n}", strconv.Itoa(5+rng.IntN(60))).Replace(p.Name)
	if chance(rng, 0.3) {
		p.Name = rc.ref.Identifier + " - " + p.Name
	}
	if len([]rune(p.Name)) > 100 {
		p.Name = string([]rune(p.Name)[:100])
	}
	if len(rc.contacts) > 0 && chance(rng, 0.8) {
		p.Contact = pick(rng, rc.contacts)
	}
	if chance(rng, 0.9) {
		p.Site = rc.site
	}
	if len(r.projBoards) > 0 {
		p.Board = pick(rng, r.projBoards)
	}
	p.Type = pick(rng, r.projTypes)
	p.Manager = pick(rng, r.active[:min(len(r.active), 12)])
	p.Department = pick(rng, g.departments)
	p.Location = pick(rng, g.locations)
	start := entered.Add(time.Duration(rng.IntN(30*24)) * time.Hour).Truncate(24 * time.Hour)
	end := start.AddDate(0, 0, 7+rng.IntN(120))
	p.EstimatedStart, p.EstimatedEnd = &Time{start}, &Time{end}
	p.BillingMethod = []string{"ActualRates", "FixedFee", "NotToExceed", "OverrideRate"}[weighted(rng, []float64{0.5, 0.3, 0.15, 0.05})]
	if p.BillingMethod == "FixedFee" || p.BillingMethod == "NotToExceed" {
		p.BillingAmount = ptr(pick(rng, []float64{1500, 2500, 4999.99, 12000, 18750.5, round2(500 + rng.Float64()*60000)}))
	}
	p.BillTime, p.BillExpenses, p.BillProducts = "Billable", pick(rng, billOptions), "Billable"
	est := float64(4 * (1 + rng.IntN(60)))
	p.EstimatedHours = &est
	if chance(rng, 0.7) {
		p.BudgetFlag = true
		p.BudgetHours = ptr(est + float64(4*rng.IntN(5)))
	}
	p.EstimatedTimeCost = ptr(round2(est * 65))
	if chance(rng, 0.2) {
		p.CustomerPO = fmt.Sprintf("PO-%06d", rng.IntN(1000000))
	}
	if chance(rng, 0.4) {
		p.Description = "Scope: " + p.Name + ". See the SOW attached to the opportunity."
	}
	if updated.IsZero() {
		updated = updatedAfter(rng, entered)
	}
	// Status follows the project's age: older projects are mostly done.
	old := updated.Before(genEnd.AddDate(0, -4, 0))
	var si int
	if old {
		si = []int{4, 5, 6, 2}[weighted(rng, []float64{0.45, 0.4, 0.1, 0.05})]
	} else {
		si = weighted(rng, []float64{0.3, 0.4, 0.1, 0.1, 0.05, 0.05, 0})
	}
	p.Status = r.projStatus[si]
	if si >= 1 {
		p.ActualStart = &Time{start.Add(time.Duration(rng.IntN(72)) * time.Hour)}
		if p.ActualStart.After(updated) {
			p.ActualStart = &Time{updated}
		}
		p.ActualHours = ptr(round2(est * (0.2 + rng.Float64()*1.1)))
		p.ScheduledHours = ptr(est)
	}
	switch si {
	case 4, 5, 6: // completed, closed, cancelled
		p.ClosedFlag = true
		p.ActualEnd = &Time{randTime(rng, p.ActualStart.Time, updated)}
		p.PercentComplete = ptr(100.0)
		if si == 6 {
			p.PercentComplete = ptr(float64(rng.IntN(60)))
		}
	default:
		if p.ActualHours != nil {
			p.PercentComplete = ptr(float64(min(95, int(*p.ActualHours/est*100))))
		} else {
			p.PercentComplete = ptr(0.0)
		}
	}
	p.Info = RecordInfo{LastUpdated: Time{updated}, UpdatedBy: g.who(rng), DateEntered: &Time{entered}, EnteredBy: p.Manager.Identifier}
	return p
}

// changeProject returns a changed copy of old, last updated at at.
func (r *relGen) changeProject(rng *rand.Rand, old *Project, at time.Time) *Project {
	p := *old
	ops := []func(){
		func() {
			p.Status = other(rng, r.projStatus, p.Status)
			closed := p.Status.ID >= 5
			p.ClosedFlag = closed
			if closed {
				p.ActualEnd = &Time{at}
			} else {
				p.ActualEnd = nil
			}
		},
		func() {
			h := 0.0
			if p.ActualHours != nil {
				h = *p.ActualHours
			}
			p.ActualHours = ptr(round2(h + 0.5 + rng.Float64()*8))
		},
		func() { p.Manager = other(rng, r.active[:min(len(r.active), 12)], p.Manager) },
		func() {
			end := at.AddDate(0, 0, 7+rng.IntN(60)).Truncate(24 * time.Hour)
			p.EstimatedEnd = &Time{end}
		},
	}
	for _, i := range rng.Perm(len(ops))[:1+rng.IntN(2)] {
		ops[i]()
	}
	p.Info.LastUpdated, p.Info.UpdatedBy = Time{at}, r.tk.who(rng)
	return &p
}
