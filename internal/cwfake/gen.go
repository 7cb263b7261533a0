package cwfake

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FirstTicketID is the id of the first generated ticket; later ids ascend
// with gaps.
const FirstTicketID = 1000

// Generated timestamps: dateEntered falls in [genStart, genEnteredEnd],
// lastUpdated is at most genEnd. Mutations move the clock past genEnd.
var (
	genStart      = time.Date(2019, 1, 2, 0, 0, 0, 0, time.UTC)
	genEnteredEnd = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	genEnd        = time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC)
)

// newRand returns the deterministic generator for a seed and a purpose.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15^stream))
}

type boardData struct {
	ref      *Ref
	project  bool
	open     []*StatusRef
	closed   []*StatusRef
	types    []*Ref
	subTypes []*Ref
	teams    []*Ref
}

type contactData struct {
	ref   *Ref
	phone string
	email string
}

type companyData struct {
	ref      *IdentifierRef
	site     *Ref
	siteName string
	addr1    string
	addr2    string
	city     string
	state    string
	zip      string
	country  *Ref
	contacts []contactData
}

// ticketGen is the reference data tickets point at, plus the store's clock
// (the latest lastUpdated handed out) and the next unused id.
type ticketGen struct {
	boards           []*boardData
	companies        []*companyData
	members          []*IdentifierRef
	integrators      []string
	priorities       []*PriorityRef
	sources          []*Ref
	serviceLocations []*Ref
	locations        []*Ref
	departments      []*IdentifierRef
	bulkTimes        []time.Time
	clock            time.Time
	nextID           int
}

func info(k, v string, more ...string) map[string]string {
	m := map[string]string{k: v}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i]] = more[i+1]
	}
	return m
}

func href(path string, id int) string { return HrefBase + "/" + path + "/" + strconv.Itoa(id) }

func guid(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// skewed picks an index in [0,n) favouring low indexes, so some companies
// and boards carry most tickets, as in real instances.
func skewed(rng *rand.Rand, n int) int {
	u := rng.Float64()
	return int(float64(n) * u * u)
}

// weighted picks an index with probability proportional to its weight.
func weighted(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := rng.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

var (
	firstNames = []string{"Ramon", "Arnie", "Bob", "Training", "Jessica", "Priya", "Chen", "Zoë", "José", "Björn",
		"Siobhán", "Mohammed", "Aiko", "Liam", "Olivia", "Noah", "Emma", "Lucía", "Mateo", "Ngozi", "Dmitri", "Fatima",
		"Grace", "Hiroshi", "Ines", "Kwame", "Léa", "Marek", "Nadia", "Oscar"}
	lastNames = []string{"Stawiarz", "Bellini", "Dobbs", "Smith", "Johnson", "Patel", "Nguyễn", "García", "Müller",
		"O'Brien", "Kowalski", "Okafor", "Tanaka", "Larsen", "Rossi", "Dubois", "Andersson", "Haddad", "Kim", "Silva",
		"Novák", "Ivanova", "Mensah", "Schmidt", "Walsh", "Fernández", "Cohen", "Yılmaz", "Brown", "Wright"}
	companyNames = []string{"IndigoStrawberry, Co.", "Example Company", "Northwind Traders", "Contoso Dental Group",
		"Fabrikam Logistics LLC", "Tailspin Toys", "Wingtip Law Partners", "Litware, Inc.", "Proseware Clinic",
		"Lucerne Publishing", "Coho Winery", "Alpine Ski House", "Harbor Freight Brokers", "Summit Orthopedics",
		"Cedar Ridge Schools", "Maple & Birch Accounting", "Granite State Credit Union", "Silverline Realty",
		"Bluebird Veterinary", "Redwood Capital", "Sterling \"Premier\" Motors", "Evergreen Senior Living",
		"Café Olé Restaurants", "Müller Maschinenbau GmbH", "Zürich Treuhand AG", "Société Générale d'Électricité",
		"Nordström & Åberg AB", "Kōbō Design 株式会社", "São Paulo Importações Ltda", "Blue Ridge Pediatrics",
		"Adventure Works Cycles", "Trey Research", "Woodgrove Bank", "City Power & Light", "Margie's Travel",
		"Humongous Insurance", "Wide World Importers", "Graphic Design Institute"}
	cities = []struct{ city, state, zip string }{{"Tampa", "FL", "33602"}, {"Plano", "TX", "75024"},
		{"Harrells", "FL", "34667"}, {"London", "", "EC1A 1BB"}, {"Denver", "CO", "80202"}, {"Portland", "OR", "97204"},
		{"Austin", "TX", "78701"}, {"Raleigh", "NC", "27601"}, {"Columbus", "OH", "43215"}, {"Boise", "ID", "83702"},
		{"Montréal", "QC", "H2Y 1C6"}, {"München", "", "80331"}}
	streets    = []string{"Windcrest Dr", "Shadyhill Ter", "Main St", "Oak Ave", "Commerce Pkwy", "Harbor Blvd", "Elm St", "Rue Saint-Paul"}
	boardNames = []string{"Professional Services", "Help Desk", "Network Security - South", "Alerts",
		"Managed Services – Tier 2", "Escalations", "Onboarding", "Projects"}
	openStatusNames   = []string{"New", "New (not responded)", "In Progress", "Waiting on Client", "Scheduled", "Escalated", "Customer Updated", "Assigned"}
	closedStatusNames = []string{">Closed", "Closed (resolved)", "Completed", "Cancelled"}
	typeNames         = []string{"Incident", "Service Request", "Problem", "Change", "Proactive", "Reports", "Testing", "Maintenance", "Alert"}
	subTypeNames      = []string{"Active Directory", "Email", "Printer", "Network", "Backup", "Firewall", "VPN", "Workstation", "Server", "Microsoft 365", "Phone System", "Security"}
	teamNames         = []string{"Service Team", "Network Security", "Tier 1", "Tier 2", "Dispatch", "Projects Team"}
	devices           = []string{"printer", "laptop", "firewall", "switch", "VPN", "NAS", "Wi-Fi", "scanner", "server", "UPS"}
	apps              = []string{"Outlook", "Teams", "QuickBooks", "Dentrix", "SharePoint", "OneDrive", "Chrome", "Excel", "Zoom", "Sage 50"}
	places            = []string{"Front Desk", "2nd floor", "Warehouse", "Conference Room B", "Café", "Reception", "Lab 3", "Büro München"}
	summaryTemplates  = []string{
		"{device} offline at \"{place}\"",
		"{app} crashes on startup after update",
		"New user setup: {user}",
		"Daily Tenable Reports",
		"Check Remote Backup",
		"Backup job failed: \"Nightly-Full\" on {place} server",
		"Mapped drive \\\\fs01\\share missing for {user}",
		"{app} keeps asking for password",
		"Replace {device} toner – {place}",
		"VPN drops every ~10 min <urgent>",
		"Disk space low on C: (< 5% free)",
		"Password reset for {user}",
		"Onboarding – {user} starts Monday",
		"Offboarding: remove {user}'s access",
		"{device} firmware update & reboot",
		"Slow internet at {place}",
		"Phishing email reported by {user}",
		"Quote request: 5x new {device}",
		"Café Wi-Fi not working ☕",
		"{app} license renewal",
		"Alert: CPU > 90% on SRV-{n}",
		"Monthly patching – {place}",
		"Ünïcödé test: naïve résumé façade",
		"Printer jam \"Tray 2\" again",
		"test",
		"Security camera {n} not recording",
		"Install {app} on {user}'s laptop",
		"RE: FW: {app} sync issue",
		"Email bounce-backs from {user}",
		"Network outage — all of {place}",
		"{app}: \"The operation couldn't be completed. (OSStatus error -43.)\" when saving files to {place} share from {user}'s MacBook",
	}
	priorityDefs = []struct {
		id    int
		name  string
		sort  int
		level string
	}{{7, "Priority 1 - Emergency Response", 1, "Critical"}, {6, "Priority 2 - Quick Response", 3, "High"},
		{4, "Priority 3 - Normal Response", 6, "Medium"}, {8, "Priority 4 - Low", 4, "Low"},
		{12, "Priority 5 - Service Request", 5, "Low"}, {15, "Do Not Respond", 10, ""}}
	// priorityWeights makes "Priority 3 - Normal Response" the usual one.
	priorityWeights = []float64{0.04, 0.12, 0.5, 0.14, 0.16, 0.04}
)

// newTicketGen builds the reference data for a seed: a few dozen companies
// (with sites and contacts), boards (with statuses, types, subtypes,
// teams), members and priorities.
func newTicketGen(rng *rand.Rand) *ticketGen {
	g := &ticketGen{}
	memberID := 100
	used := map[string]bool{}
	for len(g.members) < 30 {
		memberID += 1 + rng.IntN(40)
		fn, ln := pick(rng, firstNames), pick(rng, lastNames)
		ident := asciiIdent(fn[:1] + ln)
		if used[ident] {
			continue
		}
		used[ident] = true
		g.members = append(g.members, &IdentifierRef{ID: memberID, Identifier: ident, Name: fn + " " + ln,
			Info: info("member_href", href("system/members", memberID),
				"image_href", href("system/members", memberID)+"/image?lm=2022-08-03T19:50:33Z")})
	}
	g.integrators = []string{"Automate", "EmailConnector", "template3", "userint", "PortalUser"}

	for _, p := range priorityDefs {
		g.priorities = append(g.priorities, &PriorityRef{ID: p.id, Name: p.name, Sort: ptr(p.sort), Level: p.level,
			Info: info("priority_href", href("service/priorities", p.id),
				"image_href", href("service/priorities", p.id)+"/image?lm=2020-05-27T21:17:07Z")})
	}
	for i, n := range []string{"Phone", "Email Connector", "Portal", "Internal", "Automate"} {
		id := []int{2, 4, 6, 3, 11}[i]
		g.sources = append(g.sources, &Ref{ID: id, Name: n, Info: info("source_href", href("service/sources", id))})
	}
	for i, n := range []string{"On-Site", "In-house", "Remote"} {
		g.serviceLocations = append(g.serviceLocations, &Ref{ID: i + 1, Name: n, Info: info("location_href", href("service/locations", i+1))})
	}
	for i, n := range []string{"Tampa Office", "Example Location", "Plano HQ"} {
		id := []int{2, 11, 14}[i]
		g.locations = append(g.locations, &Ref{ID: id, Name: n, Info: info("location_href", href("system/locations", id))})
	}
	g.departments = []*IdentifierRef{
		{ID: 10, Identifier: "Services", Name: "Professional Services", Info: info("department_href", href("system/departments", 10))},
		{ID: 5, Identifier: "Engineering", Name: "Engineering", Info: info("department_href", href("system/departments", 5))},
	}

	boardID, statusID, typeID, subTypeID, teamID := 0, 10, 200, 600, 8
	for i, name := range boardNames {
		boardID += 1 + rng.IntN(9)
		b := &boardData{ref: &Ref{ID: boardID, Name: name, Info: info("board_href", href("service/boards", boardID))},
			project: name == "Projects"}
		withSort := i%3 != 1 // some boards' statuses carry no sort, as in real data
		nOpen := 3 + rng.IntN(4)
		for j, sn := range shuffled(rng, openStatusNames)[:nOpen] {
			statusID += 1 + rng.IntN(3)
			s := &StatusRef{ID: statusID, Name: sn, Info: info("status_href", href(fmt.Sprintf("service/boards/%d/statuses", boardID), statusID))}
			if withSort {
				s.Sort = ptr(j)
			}
			b.open = append(b.open, s)
		}
		for j, sn := range shuffled(rng, closedStatusNames)[:1+rng.IntN(2)] {
			statusID += 1 + rng.IntN(3)
			s := &StatusRef{ID: statusID, Name: sn, Info: info("status_href", href(fmt.Sprintf("service/boards/%d/statuses", boardID), statusID))}
			if withSort {
				s.Sort = ptr(nOpen + j)
			}
			b.closed = append(b.closed, s)
		}
		for _, tn := range shuffled(rng, typeNames)[:3+rng.IntN(4)] {
			typeID += 1 + rng.IntN(5)
			b.types = append(b.types, &Ref{ID: typeID, Name: tn, Info: info("type_href", href(fmt.Sprintf("service/boards/%d/types", boardID), typeID))})
		}
		for _, sn := range shuffled(rng, subTypeNames)[:3+rng.IntN(4)] {
			subTypeID += 1 + rng.IntN(5)
			b.subTypes = append(b.subTypes, &Ref{ID: subTypeID, Name: sn, Info: info("subType_href", href(fmt.Sprintf("service/boards/%d/subtypes", boardID), subTypeID))})
		}
		for _, tn := range shuffled(rng, teamNames)[:1+rng.IntN(3)] {
			teamID += 1 + rng.IntN(4)
			b.teams = append(b.teams, &Ref{ID: teamID, Name: tn, Info: info("team_href", href(fmt.Sprintf("service/boards/%d/teams", boardID), teamID))})
		}
		g.boards = append(g.boards, b)
	}

	usa := &Ref{ID: 1, Name: "United States", Info: info("country_href", href("company/countries", 1))}
	companyID, siteID, contactID := 19250, 1000, 17700
	for _, name := range shuffled(rng, companyNames)[:36] {
		companyID += 1 + rng.IntN(60)
		siteID += 1 + rng.IntN(5)
		loc := pick(rng, cities)
		c := &companyData{
			ref: &IdentifierRef{ID: companyID, Identifier: asciiIdent(name), Name: name,
				Info: info("company_href", href("company/companies", companyID), "mobileGuid", guid(rng))},
			site: &Ref{ID: siteID, Name: "Main", Info: info("site_href", href(fmt.Sprintf("company/companies/%d/sites", companyID), siteID),
				"mobileGuid", guid(rng))},
			siteName: "Main",
			addr1:    fmt.Sprintf("%d %s", 100+rng.IntN(9000), pick(rng, streets)),
			city:     loc.city, state: loc.state, zip: loc.zip,
		}
		if chance(rng, 0.3) {
			c.addr2 = fmt.Sprintf("Suite %d", 100+rng.IntN(400))
		}
		if loc.state != "" && loc.state != "QC" {
			c.country = usa
		}
		domain := strings.ToLower(c.ref.Identifier) + ".example.com"
		for range rng.IntN(6) {
			contactID += 1 + rng.IntN(30)
			fn, ln := pick(rng, firstNames), pick(rng, lastNames)
			name := fn + " " + ln
			if chance(rng, 0.07) {
				name = "" // real contacts sometimes have no name
			}
			c.contacts = append(c.contacts, contactData{
				ref: &Ref{ID: contactID, Name: name, Info: info("mobileGuid", guid(rng),
					"contact_href", href("company/contacts", contactID))},
				phone: fmt.Sprintf("%d%07d", 200+rng.IntN(700), rng.IntN(10000000)),
				email: strings.ToLower(asciiIdent(fn)+"."+asciiIdent(ln)) + "@" + domain,
			})
		}
		g.companies = append(g.companies, c)
	}
	// A few instants at which an integration touched many tickets at once:
	// real data has lastUpdated ties.
	for range 6 {
		g.bulkTimes = append(g.bulkTimes, genStart.Add(time.Duration(rng.Int64N(int64(genEnd.Sub(genStart))))).Truncate(time.Second))
	}
	return g
}

// shuffled returns a shuffled copy of xs.
func shuffled[T any](rng *rand.Rand, xs []T) []T {
	out := slices.Clone(xs)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// asciiIdent keeps the ASCII letters and digits of s, at most 25 of them.
func asciiIdent(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		}
		if sb.Len() == 25 {
			break
		}
	}
	if sb.Len() == 0 {
		return "Company"
	}
	return sb.String()
}

// summary draws a ticket summary of at most 100 characters.
func (g *ticketGen) summary(rng *rand.Rand) string {
	m := pick(rng, g.members)
	r := strings.NewReplacer("{device}", pick(rng, devices), "{app}", pick(rng, apps), "{place}", pick(rng, places),
		"{user}", strings.SplitN(m.Name, " ", 2)[0], "{n}", strconv.Itoa(1+rng.IntN(40)))
	s := r.Replace(pick(rng, summaryTemplates))
	if utf8.RuneCountInString(s) > 100 {
		s = string([]rune(s)[:100])
	}
	return s
}

// who draws the member identifier (or integration name) behind a change.
func (g *ticketGen) who(rng *rand.Rand) string {
	if chance(rng, 0.2) {
		return pick(rng, g.integrators)
	}
	return pick(rng, g.members).Identifier
}

func pickLevel(rng *rand.Rand) string {
	switch u := rng.Float64(); {
	case u < 0.5:
		return "Low"
	case u < 0.85:
		return "Medium"
	}
	return "High"
}

// newTicket draws one ticket entered at entered and last updated at updated
// (updated >= entered). If closedAt is non-nil the ticket is closed then
// (entered <= *closedAt <= updated).
func (g *ticketGen) newTicket(rng *rand.Rand, id int, entered, updated time.Time, closedAt *time.Time) *Ticket {
	b := g.boards[skewed(rng, len(g.boards))]
	c := g.companies[skewed(rng, len(g.companies))]
	t := &Ticket{ID: id, Summary: g.summary(rng), RecordType: "ServiceTicket", Board: b.ref, Company: c.ref}
	if b.project {
		t.RecordType = "ProjectTicket"
		if chance(rng, 0.3) {
			t.RecordType = "ProjectIssue"
		}
	}
	if chance(rng, 0.9) {
		t.Site, t.SiteName = c.site, c.siteName
		t.AddressLine1, t.AddressLine2, t.City, t.StateIdentifier, t.Zip = c.addr1, c.addr2, c.city, c.state, c.zip
		t.Country = c.country
	}
	if len(c.contacts) > 0 && chance(rng, 0.6) {
		ct := pick(rng, c.contacts)
		t.Contact, t.ContactName = ct.ref, ptr(ct.ref.Name)
		if chance(rng, 0.8) {
			t.ContactPhoneNumber = ct.phone
		}
		if chance(rng, 0.7) {
			t.ContactEmailAddress = ct.email
		}
	} else if chance(rng, 0.25) {
		t.ContactName = ptr("")
	}
	if chance(rng, 0.97) {
		t.Type = pick(rng, b.types)
	}
	if chance(rng, 0.65) {
		t.SubType = pick(rng, b.subTypes)
	}
	if chance(rng, 0.75) {
		t.Team = pick(rng, b.teams)
	}
	if chance(rng, 0.8) {
		t.Owner = pick(rng, g.members)
		t.Resources = t.Owner.Identifier
	}
	t.Priority = g.priorities[weighted(rng, priorityWeights)]
	if chance(rng, 0.8) {
		t.ServiceLocation = pick(rng, g.serviceLocations)
	}
	if chance(rng, 0.9) {
		t.Source = pick(rng, g.sources)
	}
	if chance(rng, 0.3) {
		d := entered.AddDate(0, 0, 1+rng.IntN(30)).Truncate(24 * time.Hour)
		t.RequiredDate = &Time{d}
	}
	if chance(rng, 0.45) {
		t.BudgetHours = ptr(pick(rng, []float64{0.5, 1, 1.5, 2, 4, 8, 10.5, 16, 40, round2(rng.Float64() * 20)}))
	}
	if chance(rng, 0.95) {
		t.Severity = pickLevel(rng)
	}
	if chance(rng, 0.95) {
		t.Impact = pickLevel(rng)
	}
	t.AutomaticEmailContactFlag = chance(rng, 0.4)
	t.AutomaticEmailResourceFlag = chance(rng, 0.4)
	t.AutomaticEmailCcFlag = chance(rng, 0.2)
	t.ClosedFlag = ptr(closedAt != nil)
	if closedAt != nil {
		t.Status = pick(rng, b.closed)
		t.ClosedDate = &Time{*closedAt}
		t.ClosedBy = g.who(rng)
		resolved := closedAt.Add(-time.Duration(rng.IntN(60)) * time.Second)
		if resolved.Before(entered) {
			resolved = entered
		}
		t.DateResolved = &Time{resolved}
		t.ResolveMinutes = int(min(closedAt.Sub(entered).Minutes(), 100000))
	} else {
		t.Status = pick(rng, b.open)
	}
	if chance(rng, map[bool]float64{true: 0.85, false: 0.4}[closedAt != nil]) {
		t.ActualHours = ptr(round2(rng.ExpFloat64() * 2))
	}
	if chance(rng, 0.97) {
		t.Approved = ptr(chance(rng, 0.9))
	}
	t.BillingMethod, t.SubBillingMethod = "ActualRates", "ActualRates"
	if chance(rng, 0.6) {
		r := entered.Add(time.Duration(rng.IntN(7200)) * time.Second)
		if r.After(updated) {
			r = updated
		}
		t.DateResponded = &Time{r}
	}
	if chance(rng, 0.9) {
		t.IsInSla = ptr(chance(rng, 0.85))
	}
	t.BillTime, t.BillExpenses, t.BillProducts = "NoDefault", "NoDefault", pick(rng, []string{"NoDefault", "Billable"})
	t.Location = pick(rng, g.locations)
	t.Department = pick(rng, g.departments)
	t.MobileGUID = guid(rng)
	t.Info = TicketInfo{LastUpdated: Time{updated}, UpdatedBy: g.who(rng), DateEntered: Time{entered}, EnteredBy: g.who(rng)}
	if chance(rng, 0.5) {
		t.EscalationLevel = ptr(0)
	}
	return t
}

// NewStore returns a store with the tickets entity holding n deterministic
// tickets drawn from seed: ids ascending from FirstTicketID with gaps,
// dateEntered spread over 2019-2026 in id order, lastUpdated >= dateEntered.
// The same seed and n always give identical records.
func NewStore(seed int64, n int) *Store {
	rng := newRand(seed, 1)
	g := newTicketGen(rng)
	entered := make([]time.Time, n)
	span := int64(genEnteredEnd.Sub(genStart) / time.Second)
	for i := range entered {
		entered[i] = genStart.Add(time.Duration(rng.Int64N(span)) * time.Second)
	}
	slices.SortFunc(entered, func(a, b time.Time) int { return a.Compare(b) })

	records := make([]Record, 0, n)
	id := FirstTicketID
	for i := range n {
		if i > 0 {
			switch u := rng.Float64(); {
			case u < 0.8:
				id++
			case u < 0.95:
				id += 2 + rng.IntN(4)
			default:
				id += 6 + rng.IntN(45)
			}
		}
		e := entered[i]
		var u time.Time
		switch v := rng.Float64(); {
		case v < 0.15:
			u = e
		case v < 0.65:
			u = e.Add(time.Duration(rng.Int64N(14*24*3600)) * time.Second)
		default:
			u = e.Add(time.Duration(rng.Int64N(720*24*3600)) * time.Second)
		}
		if bt := pick(rng, g.bulkTimes); chance(rng, 0.02) && !bt.Before(e) {
			u = bt
		}
		if u.After(genEnd) {
			u = genEnd
		}
		var closedAt *time.Time
		pClosed := 0.85
		if e.After(genEnd.AddDate(0, -6, 0)) {
			pClosed = 0.4
		}
		if chance(rng, pClosed) {
			if u.Sub(e) < time.Hour {
				u = e.Add(time.Hour + time.Duration(rng.Int64N(30*24*3600))*time.Second)
				if u.After(genEnd) {
					u = genEnd
				}
			}
			ca := e.Add(time.Duration(rng.Int64N(int64(u.Sub(e)/time.Second)+1)) * time.Second)
			closedAt = &ca
		}
		records = append(records, g.newTicket(rng, id, e, u, closedAt))
		if u.After(g.clock) {
			g.clock = u
		}
	}
	g.nextID = id + 1 + rng.IntN(10)
	s := newEmptyStore()
	s.tk = g
	s.notes = generateNotes(seed, records)
	if err := s.Register(TicketEntity(), records); err != nil {
		panic(err) // ids are strictly ascending, so this cannot happen
	}
	return s
}
