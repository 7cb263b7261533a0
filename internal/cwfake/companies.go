package cwfake

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Company is a company as ConnectWise renders it (a realistic subset of the
// 2026.4 Company schema). Soft-deleted companies keep being served with
// deletedFlag true, dateDeleted and deletedBy, as ConnectWise does.
type Company struct {
	ID                int            `json:"id"`
	Identifier        string         `json:"identifier"`
	Name              string         `json:"name"`
	Status            *Ref           `json:"status,omitempty"`
	AddressLine1      string         `json:"addressLine1,omitempty"`
	AddressLine2      string         `json:"addressLine2,omitempty"`
	City              string         `json:"city,omitempty"`
	State             string         `json:"state,omitempty"`
	Zip               string         `json:"zip,omitempty"`
	Country           *Ref           `json:"country,omitempty"`
	PhoneNumber       string         `json:"phoneNumber"`
	FaxNumber         string         `json:"faxNumber"`
	Website           string         `json:"website,omitempty"`
	Territory         *Ref           `json:"territory,omitempty"`
	Market            *Ref           `json:"market,omitempty"`
	AccountNumber     string         `json:"accountNumber"`
	DefaultContact    *Ref           `json:"defaultContact,omitempty"`
	DateAcquired      *Time          `json:"dateAcquired,omitempty"`
	AnnualRevenue     *float64       `json:"annualRevenue,omitempty"`
	NumberOfEmployees *int           `json:"numberOfEmployees,omitempty"`
	LeadFlag          bool           `json:"leadFlag"`
	UnsubscribeFlag   bool           `json:"unsubscribeFlag"`
	ParentCompany     *IdentifierRef `json:"parentCompany,omitempty"`
	TerritoryManager  *IdentifierRef `json:"territoryManager,omitempty"`
	BillingTerms      *Ref           `json:"billingTerms,omitempty"`
	DeletedFlag       bool           `json:"deletedFlag"`
	DateDeleted       *Time          `json:"dateDeleted,omitempty"`
	DeletedBy         string         `json:"deletedBy,omitempty"`
	MobileGUID        string         `json:"mobileGuid,omitempty"`
	IsVendorFlag      bool           `json:"isVendorFlag"`
	Types             []*Ref         `json:"types,omitempty"`
	Site              *Ref           `json:"site,omitempty"`
	Info              RecordInfo     `json:"_info"`
}

type companyAlias Company

type companyWire struct {
	*companyAlias
	Info map[string]string `json:"_info"`
}

func (c *Company) wire() any {
	id := strconv.Itoa(c.ID)
	q := "?conditions=company/id=" + id
	return companyWire{(*companyAlias)(c), c.Info.render(map[string]string{
		"contacts_href":   HrefBase + "/company/contacts" + q,
		"agreements_href": HrefBase + "/finance/agreements" + q,
		"tickets_href":    HrefBase + "/service/tickets" + q,
		"projects_href":   HrefBase + "/project/projects" + q,
		"sites_href":      HrefBase + "/company/companies/" + id + "/sites",
		"notes_href":      HrefBase + "/company/companies/" + id + "/notes",
	})}
}

// MarshalJSON renders the company as the server serves it.
func (c Company) MarshalJSON() ([]byte, error) { return marshalRecord(c.wire()) }

// RecordID implements Record.
func (c *Company) RecordID() int { return c.ID }

// Field implements Record for the fields listed in CompanyEntity.
func (c *Company) Field(path string) (any, bool) { return companyFields.field(c, path) }

var companyFields = func() fieldTable[Company] {
	ft := fieldTable[Company]{
		"id":                fInt(func(c *Company) int { return c.ID }),
		"identifier":        fStr(func(c *Company) string { return c.Identifier }),
		"name":              fStr(func(c *Company) string { return c.Name }),
		"city":              fStr(func(c *Company) string { return c.City }),
		"state":             fStr(func(c *Company) string { return c.State }),
		"zip":               fStr(func(c *Company) string { return c.Zip }),
		"phoneNumber":       fStr(func(c *Company) string { return c.PhoneNumber }),
		"website":           fStr(func(c *Company) string { return c.Website }),
		"accountNumber":     fStr(func(c *Company) string { return c.AccountNumber }),
		"dateAcquired":      fOptTime(func(c *Company) *Time { return c.DateAcquired }),
		"annualRevenue":     fOptNum(func(c *Company) *float64 { return c.AnnualRevenue }),
		"numberOfEmployees": fOptInt(func(c *Company) *int { return c.NumberOfEmployees }),
		"leadFlag":          fBool(func(c *Company) bool { return c.LeadFlag }),
		"isVendorFlag":      fBool(func(c *Company) bool { return c.IsVendorFlag }),
		"deletedFlag":       fBool(func(c *Company) bool { return c.DeletedFlag }),
		"dateDeleted":       fOptTime(func(c *Company) *Time { return c.DateDeleted }),
		"deletedBy":         fStr(func(c *Company) string { return c.DeletedBy }),
		"_info/dateEntered": fOptTime(func(c *Company) *Time { return c.Info.DateEntered }),
		"_info/enteredBy":   fStr(func(c *Company) string { return c.Info.EnteredBy }),
	}
	refFields(ft, "status", func(c *Company) *Ref { return c.Status })
	refFields(ft, "country", func(c *Company) *Ref { return c.Country })
	refFields(ft, "territory", func(c *Company) *Ref { return c.Territory })
	refFields(ft, "market", func(c *Company) *Ref { return c.Market })
	refFields(ft, "defaultContact", func(c *Company) *Ref { return c.DefaultContact })
	refFields(ft, "site", func(c *Company) *Ref { return c.Site })
	identRefFields(ft, "parentCompany", func(c *Company) *IdentifierRef { return c.ParentCompany })
	identRefFields(ft, "territoryManager", func(c *Company) *IdentifierRef { return c.TerritoryManager })
	infoFields(ft, func(c *Company) *RecordInfo { return &c.Info })
	return ft
}()

// CompanyEntity returns the companies entity.
func CompanyEntity() *Entity { return companyFields.entity(CompaniesPath, "Company") }

// Companies returns every company as served, decoded into maps.
func (s *Store) Companies() []map[string]any { return s.RecordMaps(CompaniesPath) }

var (
	companyWords1 = []string{"Blue", "Summit", "Pioneer", "Harbor", "Granite", "Cedar", "Silver", "North", "Bright", "Keystone",
		"Lakeside", "Prairie", "Golden", "Riverbend", "Oak", "Coastal", "Liberty", "Evergreen", "Iron", "Crescent", "Maple",
		"Sunrise", "Highland", "Copper", "Falcon", "Aurora", "Magnolia", "Sierra", "Atlas", "Beacon", "Müller", "O'Neil",
		"Saint-Laurent", "Nakamura", "García"}
	companyWords2 = []string{"Dental", "Logistics", "Law", "Realty", "Orthopedics", "Accounting", "Veterinary", "Capital",
		"Motors", "Pediatrics", "Engineering", "Builders", "Insurance", "Pharmacy", "Family Medicine", "Architects",
		"Credit Union", "Manufacturing", "Hospitality", "Plumbing & Heating", "Wealth Management", "Schools", "Foods",
		"Printing", "Title & Escrow", "Chiropractic", "Media", "Freight", "Surgical Associates", "Auto Group"}
	companySuffixes = []string{"", "", "", "LLC", "Inc.", "Group", "& Co.", "Partners", "PLLC", "Ltd.", "Corp."}
)

// genCompanyName draws a company name.
func genCompanyName(rng *rand.Rand) string {
	n := pick(rng, companyWords1) + " " + pick(rng, companyWords2)
	if s := pick(rng, companySuffixes); s != "" {
		if s == "Inc." || s == "Ltd." || s == "Corp." {
			n += ","
		}
		n += " " + s
	}
	return n
}

// genCompanies returns n company records (at least the ticket companies).
func (r *relGen) genCompanies(rng *rand.Rand, n int) []Record {
	g := r.tk
	used := map[string]bool{}
	maxID := 0
	for _, c := range g.companies {
		rc := &relCompany{ref: c.ref, site: c.site, addr1: c.addr1, addr2: c.addr2, city: c.city, state: c.state,
			zip: c.zip, country: c.country, domain: strings.ToLower(c.ref.Identifier) + ".example.com"}
		for _, ct := range c.contacts {
			rc.contacts = append(rc.contacts, ct.ref)
		}
		// Ticket companies were customers before the first ticket.
		rc.entered = randTime(rng, genStart.AddDate(-6, 0, 0), genStart.AddDate(0, 0, -1))
		used[strings.ToLower(c.ref.Identifier)] = true
		maxID = max(maxID, c.ref.ID)
		r.companies = append(r.companies, rc)
	}
	r.nextID[CompaniesPath] = maxID
	for len(r.companies) < n {
		r.companies = append(r.companies, r.newRelCompany(rng, r.nextIDAfter(CompaniesPath, rng), used))
	}
	for _, rc := range r.companies {
		r.companyByID[rc.ref.ID] = rc
	}
	out := make([]Record, 0, len(r.companies))
	for i, rc := range r.companies {
		// Only companies no ticket names are soft-deleted.
		deleted := i >= len(g.companies) && chance(rng, 0.06)
		out = append(out, r.newCompany(rng, rc, deleted))
	}
	return out
}

// newRelCompany draws the reference data of a company beyond the ticket
// companies.
func (r *relGen) newRelCompany(rng *rand.Rand, id int, used map[string]bool) *relCompany {
	name := genCompanyName(rng)
	ident := uniqueIdent(used, asciiIdent(name))
	loc := pick(rng, cities)
	siteID := r.nextSiteID
	r.nextSiteID += 1 + rng.IntN(3)
	siteName := pick(rng, []string{"Main", "Main", "Main", "Headquarters", loc.city + " Office"})
	rc := &relCompany{
		ref: &IdentifierRef{ID: id, Identifier: ident, Name: name,
			Info: info("company_href", href("company/companies", id), "mobileGuid", guid(rng))},
		site: &Ref{ID: siteID, Name: siteName, Info: info("site_href", href(fmt.Sprintf("company/companies/%d/sites", id), siteID),
			"mobileGuid", guid(rng))},
		addr1:   fmt.Sprintf("%d %s", 100+rng.IntN(9000), pick(rng, streets)),
		city:    loc.city,
		state:   loc.state,
		zip:     loc.zip,
		country: r.countryOf(loc.city, loc.state),
		domain:  strings.ToLower(ident) + ".example.com",
		entered: randTime(rng, genStart.AddDate(-6, 0, 0), genEnteredEnd),
	}
	if chance(rng, 0.25) {
		rc.addr2 = fmt.Sprintf("Suite %d", 100+rng.IntN(400))
	}
	return rc
}

// newCompany draws the company record of rc, soft-deleted if deleted.
func (r *relGen) newCompany(rng *rand.Rand, rc *relCompany, deleted bool) *Company {
	g := r.tk
	c := &Company{ID: rc.ref.ID, Identifier: rc.ref.Identifier, Name: rc.ref.Name,
		AddressLine1: rc.addr1, AddressLine2: rc.addr2, City: rc.city, State: rc.state, Zip: rc.zip, Country: rc.country,
		Site: rc.site, MobileGUID: rc.ref.Info["mobileGuid"]}
	c.Status = r.compStatus[weighted(rng, []float64{0.85, 0.08, 0.02, 0.03, 0.02})]
	if chance(rng, 0.85) {
		c.PhoneNumber = fmt.Sprintf("%d%07d", 200+rng.IntN(700), rng.IntN(10000000))
	}
	if chance(rng, 0.1) {
		c.FaxNumber = fmt.Sprintf("%d%07d", 200+rng.IntN(700), rng.IntN(10000000))
	}
	if chance(rng, 0.75) {
		c.Website = "www." + rc.domain
	}
	if chance(rng, 0.9) {
		c.Territory = pick(rng, r.territories)
	}
	if chance(rng, 0.7) {
		c.Market = pick(rng, r.markets)
	}
	if chance(rng, 0.3) {
		c.AccountNumber = fmt.Sprintf("A%05d", rng.IntN(100000))
	}
	if chance(rng, 0.8) {
		c.DateAcquired = &Time{rc.entered.Truncate(24 * time.Hour).Add(4 * time.Hour)}
	}
	if chance(rng, 0.6) {
		c.AnnualRevenue = ptr(pick(rng, []float64{0, 250000, 1200000, 4750000.5, round2(rng.Float64() * 2e7), round2(rng.Float64() * 9e5)}))
	}
	if chance(rng, 0.7) {
		c.NumberOfEmployees = ptr(pick(rng, []int{0, 3, 8, 12, 25, 40, 75, 150, 420, 1 + rng.IntN(900)}))
	}
	c.LeadFlag = chance(rng, 0.05)
	c.IsVendorFlag = chance(rng, 0.04)
	c.UnsubscribeFlag = chance(rng, 0.03)
	if len(r.companies) > 1 && c.ID != r.companies[0].ref.ID && chance(rng, 0.04) {
		p := r.companies[rng.IntN(len(r.companies))]
		if p.ref.ID != c.ID {
			c.ParentCompany = p.ref
		}
	}
	if chance(rng, 0.6) {
		c.TerritoryManager = pick(rng, g.members)
	}
	c.BillingTerms = pick(rng, []*Ref{{ID: 1, Name: "Net 30 days"}, {ID: 2, Name: "Net 10 days"}, {ID: 4, Name: "Due on receipt"}})
	c.Types = []*Ref{pick(rng, []*Ref{
		{ID: 1, Name: "Client", Info: info("type_href", href("company/companies/types", 1))},
		{ID: 1, Name: "Client", Info: info("type_href", href("company/companies/types", 1))},
		{ID: 3, Name: "Prospect", Info: info("type_href", href("company/companies/types", 3))},
		{ID: 5, Name: "Partner", Info: info("type_href", href("company/companies/types", 5))},
	})}
	entered := rc.entered
	c.Info = RecordInfo{DateEntered: &Time{entered}, EnteredBy: pick(rng, []string{"CONVERSION", g.who(rng), g.who(rng)})}
	updated := updatedAfter(rng, entered)
	if deleted {
		at := randTime(rng, entered, genEnd)
		c.DeletedFlag, c.DateDeleted, c.DeletedBy = true, &Time{at}, pick(rng, g.members).Identifier
		c.Status = r.compStatus[1]
		if updated.Before(at) {
			updated = at
		}
		rc.deleted = true
	}
	c.Info.LastUpdated, c.Info.UpdatedBy = Time{updated}, g.who(rng)
	return c
}

// linkDefaultContacts points every company with contacts at its first
// contact, the one with defaultFlag.
func (r *relGen) linkDefaultContacts(companies []Record) {
	for _, rec := range companies {
		c := rec.(*Company)
		if rc := r.companyByID[c.ID]; len(rc.contacts) > 0 {
			c.DefaultContact = rc.contacts[0]
		}
	}
}

// changeCompany returns a changed copy of old, last updated at at; with
// del it soft-deletes the company instead.
func (r *relGen) changeCompany(rng *rand.Rand, old *Company, at time.Time, del bool) *Company {
	c := *old
	g := r.tk
	if del {
		c.DeletedFlag, c.DateDeleted, c.DeletedBy = true, &Time{at}, pick(rng, g.members).Identifier
		c.Status = r.compStatus[1]
		r.companyByID[c.ID].deleted = true
	} else {
		ops := []func(){
			func() { c.Status = other(rng, r.compStatus, c.Status) },
			func() { c.PhoneNumber = fmt.Sprintf("%d%07d", 200+rng.IntN(700), rng.IntN(10000000)) },
			func() { c.NumberOfEmployees = ptr(1 + rng.IntN(2000)) },
			func() { c.TerritoryManager = other(rng, g.members, c.TerritoryManager) },
			func() {
				v := round2(rng.Float64() * 3e7)
				c.AnnualRevenue = &v
			},
			func() {
				if c.DeletedFlag { // restore
					c.DeletedFlag, c.DateDeleted, c.DeletedBy = false, nil, ""
					c.Status = r.compStatus[0]
					r.companyByID[c.ID].deleted = false
					return
				}
				c.Website = "www." + strings.ToLower(asciiIdent(genCompanyName(rng))) + ".example.net"
			},
		}
		for _, i := range rng.Perm(len(ops))[:1+rng.IntN(2)] {
			ops[i]()
		}
	}
	c.Info.LastUpdated, c.Info.UpdatedBy = Time{at}, g.who(rng)
	return &c
}
