package cwfake

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Endpoint paths of the entities NewStoreWith registers next to tickets.
const (
	CompaniesPath   = "company/companies"
	ContactsPath    = "company/contacts"
	MembersPath     = "system/members"
	BoardsPath      = "service/boards"
	ProjectsPath    = "project/projects"
	TimeEntriesPath = "time/entries"
)

// Counts says how many records NewStoreWith generates per entity.
//
// Tickets reference 36 companies (with their contacts), 30 members and 8
// boards; those are always generated, so Companies, Contacts, Members and
// Boards below those numbers are raised to them. Other counts are exact.
type Counts struct {
	Tickets     int
	Companies   int
	Contacts    int
	Members     int
	Boards      int
	Projects    int
	TimeEntries int
}

// DefaultCounts returns the counts of a realistic mid-sized MSP: members
// and boards are few in real instances (tests that need more records set
// them higher).
func DefaultCounts() Counts {
	return Counts{Tickets: DefaultTickets, Companies: 1000, Contacts: 3000, Members: 75, Boards: 12,
		Projects: 1000, TimeEntries: 5000}
}

// RecordInfo is the part of an entity's _info map the store keeps; links
// are derived from the record id when rendering. DateEntered and EnteredBy
// are omitted when zero (ConnectWise sends them for some entities only).
type RecordInfo struct {
	LastUpdated Time   `json:"lastUpdated"`
	UpdatedBy   string `json:"updatedBy"`
	DateEntered *Time  `json:"dateEntered,omitempty"`
	EnteredBy   string `json:"enteredBy,omitempty"`
}

// render returns the full _info map: the kept values plus links.
func (i RecordInfo) render(links map[string]string) map[string]string {
	m := make(map[string]string, len(links)+4)
	for k, v := range links {
		m[k] = v
	}
	m["lastUpdated"] = i.LastUpdated.String()
	m["updatedBy"] = i.UpdatedBy
	if i.DateEntered != nil {
		m["dateEntered"] = i.DateEntered.String()
	}
	if i.EnteredBy != "" {
		m["enteredBy"] = i.EnteredBy
	}
	return m
}

// TicketRef is a ticket reference {id, summary}, as on a time entry.
type TicketRef struct {
	ID      int               `json:"id"`
	Summary string            `json:"summary"`
	Info    map[string]string `json:"_info,omitempty"`
}

// AgreementRef is an agreement reference {id, name, type}.
type AgreementRef struct {
	ID   int               `json:"id"`
	Name string            `json:"name"`
	Type string            `json:"type,omitempty"`
	Info map[string]string `json:"_info,omitempty"`
}

// CommunicationItem is one of a contact's e-mail addresses or phone
// numbers.
type CommunicationItem struct {
	ID                int    `json:"id"`
	Type              *Ref   `json:"type"`
	Value             string `json:"value"`
	Extension         string `json:"extension,omitempty"`
	DefaultFlag       bool   `json:"defaultFlag"`
	Domain            string `json:"domain,omitempty"`
	CommunicationType string `json:"communicationType"`
}

// fieldFn reads one queryable field of a record of type T.
type fieldFn[T any] struct {
	typ FieldType
	get func(*T) (any, bool)
}

// fieldTable lists the queryable fields of an entity by canonical path.
type fieldTable[T any] map[string]fieldFn[T]

func (ft fieldTable[T]) field(r *T, path string) (any, bool) {
	f, ok := ft[path]
	if !ok {
		return nil, false
	}
	return f.get(r)
}

// entity returns the Entity for the table: lastUpdated, updatedBy (and
// dateEntered, enteredBy when they live in _info) are aliases of their
// _info paths.
func (ft fieldTable[T]) entity(path, noun string) *Entity {
	e := &Entity{Path: path, Noun: noun, Fields: map[string]FieldType{}, Aliases: map[string]string{}}
	for p, f := range ft {
		e.Fields[p] = f.typ
	}
	for _, k := range []string{"lastUpdated", "updatedBy", "dateEntered", "enteredBy"} {
		if _, top := ft[k]; !top {
			if _, ok := ft["_info/"+k]; ok {
				e.Aliases[k] = "_info/" + k
			}
		}
	}
	return e
}

// Field helpers: a missing key reports false.
func fInt[T any](g func(*T) int) fieldFn[T] {
	return fieldFn[T]{FieldInt, func(r *T) (any, bool) { return int64(g(r)), true }}
}
func fOptInt[T any](g func(*T) *int) fieldFn[T] {
	return fieldFn[T]{FieldInt, func(r *T) (any, bool) {
		if p := g(r); p != nil {
			return int64(*p), true
		}
		return nil, false
	}}
}
func fStr[T any](g func(*T) string) fieldFn[T] {
	return fieldFn[T]{FieldString, func(r *T) (any, bool) { s := g(r); return s, s != "" }}
}
func fBool[T any](g func(*T) bool) fieldFn[T] {
	return fieldFn[T]{FieldBool, func(r *T) (any, bool) { return g(r), true }}
}
func fOptBool[T any](g func(*T) *bool) fieldFn[T] {
	return fieldFn[T]{FieldBool, func(r *T) (any, bool) {
		if p := g(r); p != nil {
			return *p, true
		}
		return nil, false
	}}
}
func fOptNum[T any](g func(*T) *float64) fieldFn[T] {
	return fieldFn[T]{FieldNumber, func(r *T) (any, bool) {
		if p := g(r); p != nil {
			return *p, true
		}
		return nil, false
	}}
}
func fTime[T any](g func(*T) Time) fieldFn[T] {
	return fieldFn[T]{FieldDateTime, func(r *T) (any, bool) { return g(r).Time, true }}
}
func fOptTime[T any](g func(*T) *Time) fieldFn[T] {
	return fieldFn[T]{FieldDateTime, func(r *T) (any, bool) {
		if p := g(r); p != nil {
			return p.Time, true
		}
		return nil, false
	}}
}

// refFields adds prefix/id and prefix/name of a *Ref.
func refFields[T any](ft fieldTable[T], prefix string, g func(*T) *Ref) {
	ft[prefix+"/id"] = fieldFn[T]{FieldInt, func(r *T) (any, bool) {
		if ref := g(r); ref != nil {
			return int64(ref.ID), true
		}
		return nil, false
	}}
	ft[prefix+"/name"] = fieldFn[T]{FieldString, func(r *T) (any, bool) {
		if ref := g(r); ref != nil {
			return ref.Name, true
		}
		return nil, false
	}}
}

// identRefFields adds prefix/id, prefix/identifier and prefix/name of an
// *IdentifierRef.
func identRefFields[T any](ft fieldTable[T], prefix string, g func(*T) *IdentifierRef) {
	ft[prefix+"/id"] = fieldFn[T]{FieldInt, func(r *T) (any, bool) {
		if ref := g(r); ref != nil {
			return int64(ref.ID), true
		}
		return nil, false
	}}
	ft[prefix+"/identifier"] = fieldFn[T]{FieldString, func(r *T) (any, bool) {
		if ref := g(r); ref != nil {
			return ref.Identifier, true
		}
		return nil, false
	}}
	ft[prefix+"/name"] = fieldFn[T]{FieldString, func(r *T) (any, bool) {
		if ref := g(r); ref != nil {
			return ref.Name, true
		}
		return nil, false
	}}
}

// infoFields adds the _info paths every entity has.
func infoFields[T any](ft fieldTable[T], g func(*T) *RecordInfo) {
	ft["_info/lastUpdated"] = fTime(func(r *T) Time { return g(r).LastUpdated })
	ft["_info/updatedBy"] = fStr(func(r *T) string { return g(r).UpdatedBy })
}

// relCompany is the reference data of one company that other entities
// point at.
type relCompany struct {
	ref      *IdentifierRef
	site     *Ref
	addr1    string
	addr2    string
	city     string
	state    string
	zip      string
	country  *Ref
	domain   string
	contacts []*Ref // the company's contacts, first is the default one
	deleted  bool
	entered  time.Time
}

// relGen is the state behind the entities beyond tickets: the reference
// data they share (built on the ticket generator's) and the next unused id
// of each.
type relGen struct {
	tk          *ticketGen
	companies   []*relCompany
	companyByID map[int]*relCompany
	members     []*IdentifierRef // every member; the first ones are the ticket members
	active      []*IdentifierRef // active members (time is logged by these)
	boards      []*Ref
	projBoards  []*Ref
	projStatus  []*Ref
	projTypes   []*Ref
	compStatus  []*Ref
	territories []*Ref
	markets     []*Ref
	workTypes   []*Ref
	workRoles   []*Ref
	memberTypes []*Ref
	timeZones   []*Ref
	agreements  map[int]*AgreementRef // by company id
	// projectsByCompany lists each company's projects, for project time.
	projectsByCompany map[int][]*Ref
	timeSheets        map[string]*Ref // by member id and week
	nextSheetID       int
	nextSiteID        int
	nextID            map[string]int
	countries         map[string]*Ref
	commTypes         map[string]*Ref
}

// NewStoreWith returns a store serving tickets (exactly what NewStore(seed,
// c.Tickets) serves) and the six related entities: companies (some
// soft-deleted), contacts, members, boards, projects and time entries, all
// deterministic from seed and c, and consistent with each other: every
// company, contact, member and board a ticket names exists with the same
// id and name; contacts belong to companies that exist; time entries charge
// to service tickets (chargeToType ServiceTicket), to project tickets
// (ProjectTicket, with a project of the ticket's company) or to companies,
// all existing, and name active members; projects reference live
// companies, their contacts, project boards and members that exist. Every
// record's lastUpdated is at most the store's clock, so MutateEntity and
// Mutate keep "lastUpdated > [report.Since]" exact.
func NewStoreWith(seed int64, c Counts) *Store {
	s := NewStore(seed, c.Tickets)
	g := s.tk
	r := &relGen{tk: g, nextID: map[string]int{}, agreements: map[int]*AgreementRef{}, timeSheets: map[string]*Ref{},
		companyByID: map[int]*relCompany{}, projectsByCompany: map[int][]*Ref{}}
	r.refData(newRand(seed, 10))

	members := r.genMembers(newRand(seed, 11), c.Members)
	boards := r.genBoards(newRand(seed, 12), c.Boards)
	companies := r.genCompanies(newRand(seed, 13), c.Companies)
	contacts := r.genContacts(newRand(seed, 14), c.Contacts)
	r.linkDefaultContacts(companies)
	projects := r.genProjects(newRand(seed, 15), c.Projects)
	entries := r.genTimeEntries(newRand(seed, 16), c.TimeEntries, s.Records(TicketsPath))

	for _, reg := range []struct {
		e    *Entity
		recs []Record
	}{
		{CompanyEntity(), companies}, {ContactEntity(), contacts}, {MemberEntity(), members},
		{BoardEntity(), boards}, {ProjectEntity(), projects}, {TimeEntryEntity(), entries},
	} {
		if err := s.Register(reg.e, reg.recs); err != nil {
			panic(err) // ids are strictly ascending, so this cannot happen
		}
		for _, rec := range reg.recs {
			if lu := recordInfo(rec).LastUpdated.Time; lu.After(g.clock) {
				g.clock = lu
			}
		}
	}
	s.rel = r
	return s
}

// recordInfo returns the _info of a record of one of the related entities.
func recordInfo(r Record) *RecordInfo {
	switch v := r.(type) {
	case *Company:
		return &v.Info
	case *Contact:
		return &v.Info
	case *Member:
		return &v.Info
	case *Board:
		return &v.Info
	case *Project:
		return &v.Info
	case *TimeEntry:
		return &v.Info
	}
	panic(fmt.Sprintf("cwfake: no _info for %T", r))
}

func refList(path, hrefKey string, firstID int, names ...string) []*Ref {
	out := make([]*Ref, len(names))
	for i, n := range names {
		id := firstID + i
		out[i] = &Ref{ID: id, Name: n, Info: info(hrefKey, href(path, id))}
	}
	return out
}

// refData builds the small reference lists.
func (r *relGen) refData(rng *rand.Rand) {
	r.compStatus = refList("company/companies/statuses", "status_href", 1, "Active", "Inactive", "Not Approved", "Credit Hold", "Delinquent")
	r.territories = r.tk.locations
	r.markets = refList("company/marketDescriptions", "market_href", 1, "Healthcare", "Legal", "Manufacturing", "Financial Services",
		"Education", "Non-Profit", "Retail", "Construction", "Hospitality")
	r.workTypes = refList("time/workTypes", "workType_href", 1, "Regular", "After Hours", "Remote", "Onsite", "Travel")
	r.workRoles = refList("time/workRoles", "workRole_href", 8, "System Engineer", "Help Desk Technician", "Network Engineer",
		"Project Manager", "vCIO", "Field Technician")
	r.memberTypes = refList("system/memberTypes", "type_href", 1, "Employee", "Contractor", "API")
	r.timeZones = refList("system/timeZoneSetups", "timeZoneSetup_href", 1, "GMT-5/Eastern Time: US & Canada",
		"GMT-6/Central Time: US & Canada", "GMT-7/Mountain Time: US & Canada", "GMT-8/Pacific Time: US & Canada", "GMT/London")
	r.projStatus = refList("project/statuses", "status_href", 1, "Open", "In Progress", "On-Hold", "Waiting on Client",
		"Completed", "Closed", "Cancelled")
	r.projTypes = refList("project/projectTypes", "type_href", 1, "Implementation", "Migration", "Onboarding", "Infrastructure",
		"Internal", "Security Assessment")
	r.countries = map[string]*Ref{}
	for i, n := range []string{"United States", "Canada", "United Kingdom", "Germany"} {
		r.countries[n] = &Ref{ID: i + 1, Name: n, Info: info("country_href", href("company/countries", i+1))}
	}
	r.commTypes = map[string]*Ref{"Email": {ID: 1, Name: "Email"}, "Direct": {ID: 2, Name: "Direct"}, "Mobile": {ID: 4, Name: "Mobile"}}
	for _, c := range r.tk.companies {
		if c.site != nil && c.site.ID >= r.nextSiteID {
			r.nextSiteID = c.site.ID + 1
		}
	}
	r.nextSheetID = 1000 + rng.IntN(100)
}

// countryOf returns the country of a generated address.
func (r *relGen) countryOf(city, state string) *Ref {
	switch {
	case state == "QC":
		return r.countries["Canada"]
	case city == "London":
		return r.countries["United Kingdom"]
	case city == "München":
		return r.countries["Germany"]
	}
	return r.countries["United States"]
}

// nextIDAfter returns the next id of an entity: ascending with gaps.
func (r *relGen) nextIDAfter(path string, rng *rand.Rand) int {
	id := r.nextID[path]
	switch u := rng.Float64(); {
	case u < 0.8:
		id++
	case u < 0.95:
		id += 2 + rng.IntN(4)
	default:
		id += 6 + rng.IntN(45)
	}
	r.nextID[path] = id
	return id
}

// randTime returns a time in [lo, hi], to the second.
func randTime(rng *rand.Rand, lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo
	}
	return lo.Add(time.Duration(rng.Int64N(int64(hi.Sub(lo)/time.Second)+1)) * time.Second)
}

// updatedAfter draws a lastUpdated at or after t, at most genEnd: often
// equal, else within weeks, else within years.
func updatedAfter(rng *rand.Rand, t time.Time) time.Time {
	var u time.Time
	switch v := rng.Float64(); {
	case v < 0.25:
		u = t
	case v < 0.65:
		u = t.Add(time.Duration(rng.Int64N(21*24*3600)) * time.Second)
	default:
		u = t.Add(time.Duration(rng.Int64N(900*24*3600)) * time.Second)
	}
	if u.After(genEnd) {
		u = genEnd
	}
	if u.Before(t) {
		u = t
	}
	return u
}

// uniqueIdent makes ident unique among used (appending digits, at most 30
// characters) and marks it used.
func uniqueIdent(used map[string]bool, ident string) string {
	out := ident
	for n := 2; used[strings.ToLower(out)]; n++ {
		suffix := strconv.Itoa(n)
		out = ident[:min(len(ident), 30-len(suffix))] + suffix
	}
	used[strings.ToLower(out)] = true
	return out
}

// splitName splits "First Last" at the first space.
func splitName(name string) (first, last string) {
	first, last, _ = strings.Cut(name, " ")
	return first, last
}

// weekOf returns the Sunday starting t's week.
func weekOf(t time.Time) time.Time {
	d := t.Truncate(24 * time.Hour)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// timeSheet returns the time sheet of a member's week.
func (r *relGen) timeSheet(member *IdentifierRef, t time.Time) *Ref {
	w := weekOf(t)
	key := strconv.Itoa(member.ID) + "/" + w.Format("2006-01-02")
	if ts, ok := r.timeSheets[key]; ok {
		return ts
	}
	r.nextSheetID++
	ts := &Ref{ID: r.nextSheetID, Name: w.Format("2006-01-02") + " to " + w.AddDate(0, 0, 6).Format("2006-01-02"),
		Info: info("timeSheet_href", href("time/sheets", r.nextSheetID))}
	r.timeSheets[key] = ts
	return ts
}

// sortRecords sorts records by id.
func sortRecords(recs []Record) {
	sort.Slice(recs, func(i, j int) bool { return recs[i].RecordID() < recs[j].RecordID() })
}
