package cwfake

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Contact is a contact as ConnectWise renders it (a realistic subset of the
// 2026.4 Contact schema). Its _info carries lastUpdated and updatedBy only,
// like recorded contacts.
type Contact struct {
	ID                     int                 `json:"id"`
	FirstName              string              `json:"firstName,omitempty"`
	LastName               string              `json:"lastName,omitempty"`
	Company                *IdentifierRef      `json:"company,omitempty"`
	Site                   *Ref                `json:"site,omitempty"`
	AddressLine1           string              `json:"addressLine1,omitempty"`
	City                   string              `json:"city,omitempty"`
	State                  string              `json:"state,omitempty"`
	Zip                    string              `json:"zip,omitempty"`
	Country                *Ref                `json:"country,omitempty"`
	InactiveFlag           bool                `json:"inactiveFlag"`
	Title                  string              `json:"title,omitempty"`
	Department             *Ref                `json:"department,omitempty"`
	ManagerContact         *Ref                `json:"managerContact,omitempty"`
	MarriedFlag            bool                `json:"marriedFlag"`
	ChildrenFlag           bool                `json:"childrenFlag"`
	Gender                 string              `json:"gender,omitempty"`
	PortalSecurityLevel    *int                `json:"portalSecurityLevel,omitempty"`
	DisablePortalLoginFlag *bool               `json:"disablePortalLoginFlag,omitempty"`
	UnsubscribeFlag        bool                `json:"unsubscribeFlag"`
	MobileGUID             string              `json:"mobileGuid,omitempty"`
	DefaultPhoneType       string              `json:"defaultPhoneType,omitempty"`
	DefaultPhoneNbr        string              `json:"defaultPhoneNbr,omitempty"`
	DefaultPhoneExtension  string              `json:"defaultPhoneExtension,omitempty"`
	DefaultBillingFlag     bool                `json:"defaultBillingFlag"`
	DefaultFlag            bool                `json:"defaultFlag"`
	CompanyLocation        *Ref                `json:"companyLocation,omitempty"`
	CommunicationItems     []CommunicationItem `json:"communicationItems,omitempty"`
	Types                  []*Ref              `json:"types"`
	IgnoreDuplicates       bool                `json:"ignoreDuplicates"`
	Info                   RecordInfo          `json:"_info"`
}

type contactAlias Contact

type contactWire struct {
	*contactAlias
	Info map[string]string `json:"_info"`
}

func (c *Contact) wire() any {
	id := strconv.Itoa(c.ID)
	return contactWire{(*contactAlias)(c), c.Info.render(map[string]string{
		"communications_href": HrefBase + "/company/contacts/" + id + "/communications",
		"notes_href":          HrefBase + "/company/contacts/" + id + "/notes",
		"tickets_href":        HrefBase + "/service/tickets?conditions=contact/id=" + id,
		"projects_href":       HrefBase + "/project/projects?conditions=contact/id=" + id,
	})}
}

// MarshalJSON renders the contact as the server serves it.
func (c Contact) MarshalJSON() ([]byte, error) { return marshalRecord(c.wire()) }

// RecordID implements Record.
func (c *Contact) RecordID() int { return c.ID }

// Field implements Record for the fields listed in ContactEntity.
func (c *Contact) Field(path string) (any, bool) { return contactFields.field(c, path) }

var contactFields = func() fieldTable[Contact] {
	ft := fieldTable[Contact]{
		"id":                  fInt(func(c *Contact) int { return c.ID }),
		"firstName":           fStr(func(c *Contact) string { return c.FirstName }),
		"lastName":            fStr(func(c *Contact) string { return c.LastName }),
		"title":               fStr(func(c *Contact) string { return c.Title }),
		"city":                fStr(func(c *Contact) string { return c.City }),
		"state":               fStr(func(c *Contact) string { return c.State }),
		"inactiveFlag":        fBool(func(c *Contact) bool { return c.InactiveFlag }),
		"defaultFlag":         fBool(func(c *Contact) bool { return c.DefaultFlag }),
		"defaultBillingFlag":  fBool(func(c *Contact) bool { return c.DefaultBillingFlag }),
		"gender":              fStr(func(c *Contact) string { return c.Gender }),
		"portalSecurityLevel": fOptInt(func(c *Contact) *int { return c.PortalSecurityLevel }),
		"defaultPhoneNbr":     fStr(func(c *Contact) string { return c.DefaultPhoneNbr }),
	}
	identRefFields(ft, "company", func(c *Contact) *IdentifierRef { return c.Company })
	refFields(ft, "site", func(c *Contact) *Ref { return c.Site })
	refFields(ft, "department", func(c *Contact) *Ref { return c.Department })
	refFields(ft, "managerContact", func(c *Contact) *Ref { return c.ManagerContact })
	infoFields(ft, func(c *Contact) *RecordInfo { return &c.Info })
	return ft
}()

// ContactEntity returns the contacts entity.
func ContactEntity() *Entity { return contactFields.entity(ContactsPath, "Contact") }

// Contacts returns every contact as served, decoded into maps.
func (s *Store) Contacts() []map[string]any { return s.RecordMaps(ContactsPath) }

var (
	contactTitles      = []string{"Office Manager", "CEO", "CFO", "Controller", "Practice Administrator", "IT Coordinator", "Receptionist", "Paralegal", "Operations Director", "Owner", "Bookkeeper", "HR Manager", "Dr.", "CPA, MBA"}
	contactDepartments = refList("company/contacts/departments", "department_href", 1, "Administration", "Accounting", "Operations", "Sales", "IT")
)

// contactSeed is what a generated contact is drawn from.
type contactSeed struct {
	ref   *Ref
	phone string
	email string
	rc    *relCompany
}

// genContacts returns n contact records (at least the ticket contacts):
// the ticket companies' contacts with their ids, names, phones and e-mail
// addresses, then more contacts spread over all companies.
func (r *relGen) genContacts(rng *rand.Rand, n int) []Record {
	var seeds []contactSeed
	maxID := 0
	for i, c := range r.tk.companies {
		for _, ct := range c.contacts {
			seeds = append(seeds, contactSeed{ref: ct.ref, phone: ct.phone, email: ct.email, rc: r.companies[i]})
			maxID = max(maxID, ct.ref.ID)
		}
	}
	r.nextID[ContactsPath] = maxID
	for len(seeds) < n {
		rc := r.companies[skewed(rng, len(r.companies))]
		seeds = append(seeds, r.newContactSeed(rng, r.nextIDAfter(ContactsPath, rng), rc))
	}
	out := make([]Record, 0, len(seeds))
	for _, sd := range seeds {
		if !containsRef(sd.rc.contacts, sd.ref) {
			sd.rc.contacts = append(sd.rc.contacts, sd.ref)
		}
		out = append(out, r.newContact(rng, sd, time.Time{}))
	}
	return out
}

func containsRef(refs []*Ref, ref *Ref) bool {
	for _, x := range refs {
		if x.ID == ref.ID {
			return true
		}
	}
	return false
}

// newContactSeed draws a new contact of rc with the next id.
func (r *relGen) newContactSeed(rng *rand.Rand, id int, rc *relCompany) contactSeed {
	fn, ln := pick(rng, firstNames), pick(rng, lastNames)
	name := fn + " " + ln
	if chance(rng, 0.03) {
		name = ""
	}
	return contactSeed{
		ref:   &Ref{ID: id, Name: name, Info: info("mobileGuid", guid(rng), "contact_href", href("company/contacts", id))},
		phone: fmt.Sprintf("%d%07d", 200+rng.IntN(700), rng.IntN(10000000)),
		email: strings.ToLower(asciiIdent(fn)+"."+asciiIdent(ln)) + "@" + rc.domain,
		rc:    rc,
	}
}

// newContact draws the contact record of sd; a zero at means a lastUpdated
// drawn after the company was entered.
func (r *relGen) newContact(rng *rand.Rand, sd contactSeed, at time.Time) *Contact {
	g := r.tk
	rc := sd.rc
	c := &Contact{ID: sd.ref.ID, Company: rc.ref, MobileGUID: sd.ref.Info["mobileGuid"], Types: []*Ref{}}
	c.FirstName, c.LastName = splitName(sd.ref.Name)
	if chance(rng, 0.92) {
		c.Site = rc.site
	}
	if chance(rng, 0.3) {
		c.AddressLine1, c.City, c.State, c.Zip, c.Country = rc.addr1, rc.city, rc.state, rc.zip, rc.country
	}
	c.DefaultFlag = len(rc.contacts) > 0 && rc.contacts[0].ID == c.ID
	c.DefaultBillingFlag = c.DefaultFlag && chance(rng, 0.5)
	c.InactiveFlag = !c.DefaultFlag && chance(rng, 0.08)
	if chance(rng, 0.6) {
		c.Title = pick(rng, contactTitles)
	}
	if chance(rng, 0.3) {
		c.Department = pick(rng, contactDepartments)
	}
	if len(rc.contacts) > 0 && rc.contacts[0].ID != c.ID && chance(rng, 0.15) {
		c.ManagerContact = rc.contacts[0]
	}
	if chance(rng, 0.2) {
		c.Gender = pick(rng, []string{"Female", "Male"})
	}
	c.MarriedFlag, c.ChildrenFlag, c.UnsubscribeFlag = chance(rng, 0.1), chance(rng, 0.08), chance(rng, 0.03)
	if chance(rng, 0.95) {
		c.PortalSecurityLevel = ptr(pick(rng, []int{1, 1, 1, 3, 6}))
		c.DisablePortalLoginFlag = ptr(chance(rng, 0.7))
	}
	var ext string
	if chance(rng, 0.35) {
		ext = strconv.Itoa(100 + rng.IntN(800))
	}
	if sd.phone != "" && chance(rng, 0.9) {
		c.DefaultPhoneType = pick(rng, []string{"Direct", "Direct", "Mobile"})
		c.DefaultPhoneNbr = sd.phone
		if c.DefaultPhoneType == "Direct" {
			c.DefaultPhoneExtension = ext
		}
		c.CommunicationItems = append(c.CommunicationItems, CommunicationItem{ID: 2 * c.ID, Type: r.commTypes[c.DefaultPhoneType],
			Value: sd.phone, Extension: c.DefaultPhoneExtension, DefaultFlag: true, CommunicationType: "Phone"})
	}
	if sd.email != "" && sd.ref.Name != "" {
		c.CommunicationItems = append(c.CommunicationItems, CommunicationItem{ID: 2*c.ID + 1, Type: r.commTypes["Email"],
			Value: sd.email, DefaultFlag: true, Domain: "@" + rc.domain, CommunicationType: "Email"})
	}
	if chance(rng, 0.6) {
		c.CompanyLocation = pick(rng, g.locations)
	}
	if chance(rng, 0.1) {
		c.Types = []*Ref{pick(rng, []*Ref{{ID: 11, Name: "No Longer Employed"}, {ID: 2, Name: "Decision Maker"}, {ID: 4, Name: "End User"}})}
	}
	if at.IsZero() {
		at = updatedAfter(rng, randTime(rng, rc.entered, genEnteredEnd))
	}
	c.Info = RecordInfo{LastUpdated: Time{at}, UpdatedBy: g.who(rng)}
	return c
}

// changeContact returns a changed copy of old, last updated at at.
func (r *relGen) changeContact(rng *rand.Rand, old *Contact, at time.Time) *Contact {
	c := *old
	ops := []func(){
		func() { c.Title = other(rng, contactTitles, c.Title) },
		func() {
			c.DefaultPhoneNbr = fmt.Sprintf("%d%07d", 200+rng.IntN(700), rng.IntN(10000000))
			c.DefaultPhoneType = pick(rng, []string{"Direct", "Mobile"})
		},
		func() {
			if !c.DefaultFlag {
				c.InactiveFlag = !c.InactiveFlag
			} else {
				c.DefaultBillingFlag = !c.DefaultBillingFlag
			}
		},
		func() { c.LastName = other(rng, lastNames, c.LastName) },
		func() { c.Department = other(rng, contactDepartments, c.Department) },
	}
	for _, i := range rng.Perm(len(ops))[:1+rng.IntN(2)] {
		ops[i]()
	}
	c.Info.LastUpdated, c.Info.UpdatedBy = Time{at}, r.tk.who(rng)
	return &c
}
