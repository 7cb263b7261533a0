package cwfake

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Member is a member (the MSP's staff) as ConnectWise renders it (a
// realistic subset of the 2026.4 Member schema). lastLogin is a plain
// string in the spec but carries a timestamp.
type Member struct {
	ID                  int            `json:"id"`
	Identifier          string         `json:"identifier"`
	FirstName           string         `json:"firstName,omitempty"`
	MiddleInitial       string         `json:"middleInitial,omitempty"`
	LastName            string         `json:"lastName,omitempty"`
	Title               string         `json:"title,omitempty"`
	LicenseClass        string         `json:"licenseClass,omitempty"`
	DisableOnlineFlag   bool           `json:"disableOnlineFlag"`
	InactiveFlag        bool           `json:"inactiveFlag"`
	InactiveDate        *Time          `json:"inactiveDate,omitempty"`
	HireDate            *Time          `json:"hireDate,omitempty"`
	Type                *Ref           `json:"type,omitempty"`
	OfficeEmail         string         `json:"officeEmail,omitempty"`
	PrimaryEmail        string         `json:"primaryEmail,omitempty"`
	DefaultEmail        string         `json:"defaultEmail,omitempty"`
	OfficePhone         string         `json:"officePhone,omitempty"`
	DefaultPhone        string         `json:"defaultPhone,omitempty"`
	SecurityRole        *Ref           `json:"securityRole,omitempty"`
	AdminFlag           bool           `json:"adminFlag"`
	DefaultLocation     *Ref           `json:"defaultLocation,omitempty"`
	DefaultDepartment   *IdentifierRef `json:"defaultDepartment,omitempty"`
	ReportsTo           *IdentifierRef `json:"reportsTo,omitempty"`
	TimeApprover        *IdentifierRef `json:"timeApprover,omitempty"`
	ServiceDefaultBoard *Ref           `json:"serviceDefaultBoard,omitempty"`
	WorkRole            *Ref           `json:"workRole,omitempty"`
	WorkType            *Ref           `json:"workType,omitempty"`
	TimeZone            *Ref           `json:"timeZone,omitempty"`
	HourlyCost          *float64       `json:"hourlyCost,omitempty"`
	HourlyRate          *float64       `json:"hourlyRate,omitempty"`
	DailyCapacity       *float64       `json:"dailyCapacity,omitempty"`
	EnableMobileFlag    bool           `json:"enableMobileFlag"`
	LastLogin           string         `json:"lastLogin,omitempty"`
	TimeSheetStartDate  string         `json:"timeSheetStartDate,omitempty"`
	Info                RecordInfo     `json:"_info"`
}

type memberAlias Member

type memberWire struct {
	*memberAlias
	Info map[string]string `json:"_info"`
}

func (m *Member) wire() any {
	return memberWire{(*memberAlias)(m), m.Info.render(map[string]string{
		"image_href": HrefBase + "/system/members/" + strconv.Itoa(m.ID) + "/image?lm=" + m.Info.LastUpdated.String(),
	})}
}

// MarshalJSON renders the member as the server serves it.
func (m Member) MarshalJSON() ([]byte, error) { return marshalRecord(m.wire()) }

// RecordID implements Record.
func (m *Member) RecordID() int { return m.ID }

// Field implements Record for the fields listed in MemberEntity.
func (m *Member) Field(path string) (any, bool) { return memberFields.field(m, path) }

var memberFields = func() fieldTable[Member] {
	ft := fieldTable[Member]{
		"id":           fInt(func(m *Member) int { return m.ID }),
		"identifier":   fStr(func(m *Member) string { return m.Identifier }),
		"firstName":    fStr(func(m *Member) string { return m.FirstName }),
		"lastName":     fStr(func(m *Member) string { return m.LastName }),
		"title":        fStr(func(m *Member) string { return m.Title }),
		"licenseClass": fStr(func(m *Member) string { return m.LicenseClass }),
		"inactiveFlag": fBool(func(m *Member) bool { return m.InactiveFlag }),
		"inactiveDate": fOptTime(func(m *Member) *Time { return m.InactiveDate }),
		"hireDate":     fOptTime(func(m *Member) *Time { return m.HireDate }),
		"officeEmail":  fStr(func(m *Member) string { return m.OfficeEmail }),
		"adminFlag":    fBool(func(m *Member) bool { return m.AdminFlag }),
		"hourlyRate":   fOptNum(func(m *Member) *float64 { return m.HourlyRate }),
	}
	refFields(ft, "type", func(m *Member) *Ref { return m.Type })
	refFields(ft, "defaultLocation", func(m *Member) *Ref { return m.DefaultLocation })
	identRefFields(ft, "defaultDepartment", func(m *Member) *IdentifierRef { return m.DefaultDepartment })
	identRefFields(ft, "reportsTo", func(m *Member) *IdentifierRef { return m.ReportsTo })
	refFields(ft, "serviceDefaultBoard", func(m *Member) *Ref { return m.ServiceDefaultBoard })
	infoFields(ft, func(m *Member) *RecordInfo { return &m.Info })
	return ft
}()

// MemberEntity returns the members entity.
func MemberEntity() *Entity { return memberFields.entity(MembersPath, "Member") }

// Members returns every member as served, decoded into maps.
func (s *Store) Members() []map[string]any { return s.RecordMaps(MembersPath) }

var memberTitles = []string{"Service Technician", "Senior Network Engineer", "Help Desk Technician", "Service Manager",
	"Project Manager", "Dispatcher", "vCIO", "Systems Administrator", "Account Manager", "Field Technician", "Owner"}

// genMembers returns n member records (at least the ticket members, which
// stay active): ids ascending, identifiers unique.
func (r *relGen) genMembers(rng *rand.Rand, n int) []Record {
	g := r.tk
	used := map[string]bool{}
	maxID := 0
	for _, m := range g.members {
		used[strings.ToLower(m.Identifier)] = true
		maxID = max(maxID, m.ID)
	}
	r.members = append(r.members, g.members...)
	r.nextID[MembersPath] = maxID
	for len(r.members) < n {
		id := r.nextIDAfter(MembersPath, rng)
		fn, ln := pick(rng, firstNames), pick(rng, lastNames)
		ident := uniqueIdent(used, asciiIdent(string([]rune(fn)[:1])+ln))
		r.members = append(r.members, &IdentifierRef{ID: id, Identifier: ident, Name: fn + " " + ln,
			Info: info("member_href", href("system/members", id), "image_href", href("system/members", id)+"/image?lm=2022-08-03T19:50:33Z")})
	}
	out := make([]Record, 0, len(r.members))
	for i, ref := range r.members {
		m := r.newMember(rng, ref, i < len(g.members), time.Time{})
		if !m.InactiveFlag {
			r.active = append(r.active, ref)
		}
		out = append(out, m)
	}
	return out
}

// newMember draws the member record of ref; ticket members are always
// active. A zero at draws lastUpdated.
func (r *relGen) newMember(rng *rand.Rand, ref *IdentifierRef, ticketMember bool, at time.Time) *Member {
	g := r.tk
	m := &Member{ID: ref.ID, Identifier: ref.Identifier}
	m.FirstName, m.LastName = splitName(ref.Name)
	if chance(rng, 0.15) {
		m.MiddleInitial = string(rune('A' + rng.IntN(26)))
	}
	hired := randTime(rng, genStart.AddDate(-8, 0, 0), genEnteredEnd).Truncate(24 * time.Hour).Add(8 * time.Hour)
	m.HireDate = &Time{hired}
	m.Type = r.memberTypes[0]
	m.LicenseClass = "F"
	switch {
	case !ticketMember && chance(rng, 0.05):
		m.Type, m.LicenseClass = r.memberTypes[2], "A"
		m.Title, m.HireDate = "API Member", nil
	case !ticketMember && chance(rng, 0.1):
		m.Type = r.memberTypes[1]
		m.Title = pick(rng, memberTitles)
	default:
		m.Title = pick(rng, memberTitles)
	}
	if chance(rng, 0.05) {
		m.Title = ""
	}
	if !ticketMember && chance(rng, 0.25) {
		m.InactiveFlag = true
		m.InactiveDate = &Time{randTime(rng, hired, genEnd.AddDate(0, -1, 0))}
	}
	if m.LicenseClass != "A" {
		m.OfficeEmail = strings.ToLower(ref.Identifier) + "@canonic-msp.example.com"
		m.PrimaryEmail, m.DefaultEmail, m.DefaultPhone = m.OfficeEmail, "Office", "Office"
		m.OfficePhone = fmt.Sprintf("813-555-%04d", rng.IntN(10000))
		m.HourlyCost = ptr(pick(rng, []float64{35, 42.5, 55, 65, 80, 95.75}))
		if chance(rng, 0.7) {
			m.HourlyRate = ptr(pick(rng, []float64{95, 125, 150, 175, 210}))
		}
		m.DailyCapacity = ptr(pick(rng, []float64{8, 8, 8, 7.5, 6, 4}))
		m.WorkRole = pick(rng, r.workRoles)
		m.WorkType = r.workTypes[0]
		if len(g.boards) > 0 && chance(rng, 0.8) {
			m.ServiceDefaultBoard = g.boards[skewed(rng, len(g.boards))].ref
		}
		m.TimeSheetStartDate = hired.Format(TimeLayout)
		if !m.InactiveFlag && chance(rng, 0.9) {
			m.LastLogin = randTime(rng, genEnd.AddDate(0, -2, 0), genEnd).Format(TimeLayout)
		}
	}
	m.SecurityRole = pick(rng, []*Ref{{ID: 63, Name: "Admin"}, {ID: 64, Name: "Technician"}, {ID: 65, Name: "Dispatch"}, {ID: 66, Name: "Finance"}})
	m.AdminFlag = m.SecurityRole.ID == 63
	m.DefaultLocation = pick(rng, g.locations)
	m.DefaultDepartment = pick(rng, g.departments)
	if m.ID != r.members[0].ID && chance(rng, 0.85) {
		boss := r.members[rng.IntN(min(5, len(r.members)))]
		if boss.ID != m.ID {
			m.ReportsTo, m.TimeApprover = boss, boss
		}
	}
	m.TimeZone = r.timeZones[weighted(rng, []float64{0.6, 0.2, 0.05, 0.1, 0.05})]
	m.EnableMobileFlag = chance(rng, 0.5)
	m.DisableOnlineFlag = chance(rng, 0.05)
	if at.IsZero() {
		at = updatedAfter(rng, hired)
		if m.InactiveDate != nil && at.Before(m.InactiveDate.Time) {
			at = m.InactiveDate.Time
		}
	}
	m.Info = RecordInfo{LastUpdated: Time{at}, UpdatedBy: pick(rng, r.members[:min(5, len(r.members))]).Identifier}
	return m
}

// changeMember returns a changed copy of old, last updated at at.
func (r *relGen) changeMember(rng *rand.Rand, old *Member, at time.Time) *Member {
	m := *old
	ops := []func(){
		func() { m.Title = other(rng, memberTitles, m.Title) },
		func() {
			rate := 125.0
			if m.HourlyRate != nil {
				rate = *m.HourlyRate + float64(5+5*rng.IntN(4))
			}
			m.HourlyRate = &rate
		},
		func() { m.DefaultLocation = other(rng, r.tk.locations, m.DefaultLocation) },
		func() { m.TimeZone = other(rng, r.timeZones, m.TimeZone) },
		func() {
			cur := 0.0
			if m.DailyCapacity != nil {
				cur = *m.DailyCapacity
			}
			m.DailyCapacity = ptr(other(rng, []float64{4, 6, 7.5, 8}, cur))
		},
	}
	for _, i := range rng.Perm(len(ops))[:1+rng.IntN(2)] {
		ops[i]()
	}
	m.Info.LastUpdated, m.Info.UpdatedBy = Time{at}, pick(rng, r.members[:min(5, len(r.members))]).Identifier
	return &m
}
