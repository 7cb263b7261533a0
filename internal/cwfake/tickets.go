package cwfake

import (
	"fmt"
	"strconv"
	"time"
)

// TicketsPath is the tickets endpoint path under the base path.
const TicketsPath = "service/tickets"

// HrefBase prefixes every _info link in served records. It is fixed (not
// the serving host) so two stores from one seed render identical bytes; the
// double slash after "3.0/" copies the real API's links.
const HrefBase = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/"

// Ref is a reference object {id, name, _info}: board, type, subType, team,
// contact, site, source, serviceLocation, location, country.
type Ref struct {
	ID   int               `json:"id"`
	Name string            `json:"name"`
	Info map[string]string `json:"_info,omitempty"`
}

// IdentifierRef is a reference with an identifier: company, owner (a
// member), department.
type IdentifierRef struct {
	ID         int               `json:"id"`
	Identifier string            `json:"identifier"`
	Name       string            `json:"name"`
	Info       map[string]string `json:"_info,omitempty"`
}

// StatusRef is a ticket status reference; sort is omitted on some boards,
// as in real data.
type StatusRef struct {
	ID   int               `json:"id"`
	Name string            `json:"name"`
	Sort *int              `json:"sort,omitempty"`
	Info map[string]string `json:"_info,omitempty"`
}

// PriorityRef is a priority reference {id, name, sort, level}.
type PriorityRef struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Sort  *int              `json:"sort,omitempty"`
	Level string            `json:"level,omitempty"`
	Info  map[string]string `json:"_info,omitempty"`
}

// TicketInfo is the part of a ticket's _info map the store keeps; the
// *_href links are derived from the ticket id when rendering.
type TicketInfo struct {
	LastUpdated Time   `json:"lastUpdated"`
	UpdatedBy   string `json:"updatedBy"`
	DateEntered Time   `json:"dateEntered"`
	EnteredBy   string `json:"enteredBy"`
}

// Ticket is a service ticket as ConnectWise renders it (a realistic subset
// of the 2026.4 Ticket schema). Pointer fields and empty omitempty strings
// are omitted from JSON, never sent as null. Referenced objects are shared
// between tickets and between a ticket's versions: treat them as read-only.
//
// Decoding a served ticket into a Ticket yields a value equal to the stored
// one (the derived _info links are dropped).
type Ticket struct {
	ID                         int            `json:"id"`
	Summary                    string         `json:"summary"`
	RecordType                 string         `json:"recordType,omitempty"`
	Board                      *Ref           `json:"board,omitempty"`
	Status                     *StatusRef     `json:"status,omitempty"`
	Company                    *IdentifierRef `json:"company,omitempty"`
	Site                       *Ref           `json:"site,omitempty"`
	SiteName                   string         `json:"siteName,omitempty"`
	AddressLine1               string         `json:"addressLine1,omitempty"`
	AddressLine2               string         `json:"addressLine2,omitempty"`
	City                       string         `json:"city,omitempty"`
	StateIdentifier            string         `json:"stateIdentifier,omitempty"`
	Zip                        string         `json:"zip,omitempty"`
	Country                    *Ref           `json:"country,omitempty"`
	Contact                    *Ref           `json:"contact,omitempty"`
	ContactName                *string        `json:"contactName,omitempty"`
	ContactPhoneNumber         string         `json:"contactPhoneNumber,omitempty"`
	ContactEmailAddress        string         `json:"contactEmailAddress,omitempty"`
	Type                       *Ref           `json:"type,omitempty"`
	SubType                    *Ref           `json:"subType,omitempty"`
	Team                       *Ref           `json:"team,omitempty"`
	Owner                      *IdentifierRef `json:"owner,omitempty"`
	Priority                   *PriorityRef   `json:"priority,omitempty"`
	ServiceLocation            *Ref           `json:"serviceLocation,omitempty"`
	Source                     *Ref           `json:"source,omitempty"`
	RequiredDate               *Time          `json:"requiredDate,omitempty"`
	BudgetHours                *float64       `json:"budgetHours,omitempty"`
	Severity                   string         `json:"severity,omitempty"`
	Impact                     string         `json:"impact,omitempty"`
	AllowAllClientsPortalView  bool           `json:"allowAllClientsPortalView"`
	CustomerUpdatedFlag        bool           `json:"customerUpdatedFlag"`
	AutomaticEmailContactFlag  bool           `json:"automaticEmailContactFlag"`
	AutomaticEmailResourceFlag bool           `json:"automaticEmailResourceFlag"`
	AutomaticEmailCcFlag       bool           `json:"automaticEmailCcFlag"`
	ClosedDate                 *Time          `json:"closedDate,omitempty"`
	ClosedBy                   string         `json:"closedBy,omitempty"`
	ClosedFlag                 *bool          `json:"closedFlag,omitempty"`
	ActualHours                *float64       `json:"actualHours,omitempty"`
	Approved                   *bool          `json:"approved,omitempty"`
	EstimatedExpenseCost       float64        `json:"estimatedExpenseCost"`
	EstimatedTimeCost          float64        `json:"estimatedTimeCost"`
	BillingMethod              string         `json:"billingMethod,omitempty"`
	SubBillingMethod           string         `json:"subBillingMethod,omitempty"`
	DateResolved               *Time          `json:"dateResolved,omitempty"`
	DateResponded              *Time          `json:"dateResponded,omitempty"`
	ResolveMinutes             int            `json:"resolveMinutes"`
	IsInSla                    *bool          `json:"isInSla,omitempty"`
	Resources                  string         `json:"resources,omitempty"`
	HasChildTicket             bool           `json:"hasChildTicket"`
	BillTime                   string         `json:"billTime,omitempty"`
	BillExpenses               string         `json:"billExpenses,omitempty"`
	BillProducts               string         `json:"billProducts,omitempty"`
	Location                   *Ref           `json:"location,omitempty"`
	Department                 *IdentifierRef `json:"department,omitempty"`
	MobileGUID                 string         `json:"mobileGuid,omitempty"`
	Info                       TicketInfo     `json:"_info"`
	EscalationLevel            *int           `json:"escalationLevel,omitempty"`
}

// ticketAlias has Ticket's fields without its methods.
type ticketAlias Ticket

// ticketWire is what a ticket renders as: its fields, with the full _info
// map (links included) in the real API's key order.
type ticketWire struct {
	*ticketAlias
	Info ticketInfoWire `json:"_info"`
}

type ticketInfoWire struct {
	LastUpdated         string `json:"lastUpdated"`
	UpdatedBy           string `json:"updatedBy"`
	DateEntered         string `json:"dateEntered"`
	EnteredBy           string `json:"enteredBy"`
	ActivitiesHref      string `json:"activities_href"`
	ScheduleEntriesHref string `json:"scheduleentries_href"`
	DocumentsHref       string `json:"documents_href"`
	ConfigurationsHref  string `json:"configurations_href"`
	TasksHref           string `json:"tasks_href"`
	NotesHref           string `json:"notes_href"`
	ProductsHref        string `json:"products_href"`
	TimeEntriesHref     string `json:"timeentries_href"`
	ExpenseEntriesHref  string `json:"expenseEntries_href"`
}

// wire returns the value encoding/json renders for t; marshalRecord
// encodes it directly (no MarshalJSON round trip), which is much faster.
func (t *Ticket) wire() any {
	id := strconv.Itoa(t.ID)
	return ticketWire{(*ticketAlias)(t), ticketInfoWire{
		LastUpdated:         t.Info.LastUpdated.String(),
		UpdatedBy:           t.Info.UpdatedBy,
		DateEntered:         t.Info.DateEntered.String(),
		EnteredBy:           t.Info.EnteredBy,
		ActivitiesHref:      HrefBase + "/sales/activities?conditions=ticket/id=" + id,
		ScheduleEntriesHref: HrefBase + "/schedule/entries?conditions=type/id=4 AND objectId=" + id,
		DocumentsHref:       HrefBase + "/system/documents?recordType=Ticket&recordId=" + id,
		ConfigurationsHref:  HrefBase + "/service/tickets/" + id + "/configurations",
		TasksHref:           HrefBase + "/service/tickets/" + id + "/tasks",
		NotesHref:           HrefBase + "/service/tickets/" + id + "/notes",
		ProductsHref:        HrefBase + "/procurement/products?conditions=chargeToType='Ticket' AND chargeToId=" + id,
		TimeEntriesHref:     HrefBase + "/time/entries?conditions=(chargeToType='ServiceTicket' OR chargeToType='ProjectTicket') AND chargeToId=" + id,
		ExpenseEntriesHref:  HrefBase + "/expense/entries?conditions=(chargeToType='ServiceTicket' OR chargeToType='ProjectTicket') AND chargeToId=" + id,
	}}
}

// MarshalJSON renders the ticket as the server serves it: its full _info
// map, links included, in the real API's key order.
func (t Ticket) MarshalJSON() ([]byte, error) { return marshalRecord(t.wire()) }

// RecordID implements Record.
func (t *Ticket) RecordID() int { return t.ID }

// Field implements Record for the fields listed in TicketEntity.
func (t *Ticket) Field(path string) (any, bool) {
	str := func(s string) (any, bool) { return s, s != "" }
	switch path {
	case "id":
		return int64(t.ID), true
	case "summary":
		return t.Summary, true
	case "recordType":
		return str(t.RecordType)
	case "board/id":
		if t.Board != nil {
			return int64(t.Board.ID), true
		}
	case "board/name":
		if t.Board != nil {
			return t.Board.Name, true
		}
	case "status/id":
		if t.Status != nil {
			return int64(t.Status.ID), true
		}
	case "status/name":
		if t.Status != nil {
			return t.Status.Name, true
		}
	case "company/id":
		if t.Company != nil {
			return int64(t.Company.ID), true
		}
	case "company/identifier":
		if t.Company != nil {
			return t.Company.Identifier, true
		}
	case "company/name":
		if t.Company != nil {
			return t.Company.Name, true
		}
	case "contact/id":
		if t.Contact != nil {
			return int64(t.Contact.ID), true
		}
	case "contact/name":
		if t.Contact != nil {
			return t.Contact.Name, true
		}
	case "type/id":
		if t.Type != nil {
			return int64(t.Type.ID), true
		}
	case "type/name":
		if t.Type != nil {
			return t.Type.Name, true
		}
	case "subType/id":
		if t.SubType != nil {
			return int64(t.SubType.ID), true
		}
	case "subType/name":
		if t.SubType != nil {
			return t.SubType.Name, true
		}
	case "team/id":
		if t.Team != nil {
			return int64(t.Team.ID), true
		}
	case "team/name":
		if t.Team != nil {
			return t.Team.Name, true
		}
	case "owner/id":
		if t.Owner != nil {
			return int64(t.Owner.ID), true
		}
	case "owner/identifier":
		if t.Owner != nil {
			return t.Owner.Identifier, true
		}
	case "owner/name":
		if t.Owner != nil {
			return t.Owner.Name, true
		}
	case "priority/id":
		if t.Priority != nil {
			return int64(t.Priority.ID), true
		}
	case "priority/name":
		if t.Priority != nil {
			return t.Priority.Name, true
		}
	case "severity":
		return str(t.Severity)
	case "impact":
		return str(t.Impact)
	case "siteName":
		return str(t.SiteName)
	case "city":
		return str(t.City)
	case "requiredDate":
		if t.RequiredDate != nil {
			return t.RequiredDate.Time, true
		}
	case "budgetHours":
		if t.BudgetHours != nil {
			return *t.BudgetHours, true
		}
	case "actualHours":
		if t.ActualHours != nil {
			return *t.ActualHours, true
		}
	case "approved":
		if t.Approved != nil {
			return *t.Approved, true
		}
	case "closedFlag":
		if t.ClosedFlag != nil {
			return *t.ClosedFlag, true
		}
	case "closedDate":
		if t.ClosedDate != nil {
			return t.ClosedDate.Time, true
		}
	case "closedBy":
		return str(t.ClosedBy)
	case "_info/lastUpdated":
		return t.Info.LastUpdated.Time, true
	case "_info/updatedBy":
		return t.Info.UpdatedBy, true
	case "_info/dateEntered":
		return t.Info.DateEntered.Time, true
	case "_info/enteredBy":
		return t.Info.EnteredBy, true
	}
	return nil, false
}

// TicketEntity returns the tickets entity: the fields conditions and
// orderBy accept, and their aliases.
func TicketEntity() *Entity {
	return &Entity{
		Path: TicketsPath,
		Noun: "Service Ticket",
		Fields: map[string]FieldType{
			"id": FieldInt, "summary": FieldString, "recordType": FieldString,
			"board/id": FieldInt, "board/name": FieldString,
			"status/id": FieldInt, "status/name": FieldString,
			"company/id": FieldInt, "company/identifier": FieldString, "company/name": FieldString,
			"contact/id": FieldInt, "contact/name": FieldString,
			"type/id": FieldInt, "type/name": FieldString,
			"subType/id": FieldInt, "subType/name": FieldString,
			"team/id": FieldInt, "team/name": FieldString,
			"owner/id": FieldInt, "owner/identifier": FieldString, "owner/name": FieldString,
			"priority/id": FieldInt, "priority/name": FieldString,
			"severity": FieldString, "impact": FieldString,
			"siteName": FieldString, "city": FieldString,
			"requiredDate": FieldDateTime, "budgetHours": FieldNumber, "actualHours": FieldNumber,
			"approved": FieldBool, "closedFlag": FieldBool, "closedDate": FieldDateTime, "closedBy": FieldString,
			"_info/lastUpdated": FieldDateTime, "_info/updatedBy": FieldString,
			"_info/dateEntered": FieldDateTime, "_info/enteredBy": FieldString,
		},
		Aliases: map[string]string{
			"lastUpdated": "_info/lastUpdated",
			"updatedBy":   "_info/updatedBy",
			"dateEntered": "_info/dateEntered",
			"enteredBy":   "_info/enteredBy",
		},
	}
}

// Tickets returns every ticket, in id order, decoded from the JSON the
// server serves into map[string]any (numbers are float64, timestamps
// strings), for field-by-field comparison with loaded rows.
func (s *Store) Tickets() []map[string]any { return s.RecordMaps(TicketsPath) }

// TicketValues returns a copy of every stored ticket, in id order.
func (s *Store) TicketValues() []Ticket {
	recs := s.Records(TicketsPath)
	out := make([]Ticket, len(recs))
	for i, r := range recs {
		out[i] = *r.(*Ticket)
	}
	return out
}

// Ticket returns a copy of one stored ticket.
func (s *Store) Ticket(id int) (Ticket, bool) {
	r, ok := s.Get(TicketsPath, id)
	if !ok {
		return Ticket{}, false
	}
	return *r.(*Ticket), true
}

// TicketIDs returns the stored ticket ids, ascending.
func (s *Store) TicketIDs() []int { return s.IDs(TicketsPath) }

// LastUpdatedMax returns the latest _info/lastUpdated among stored tickets
// (zero if there are none).
func (s *Store) LastUpdatedMax() time.Time {
	var max time.Time
	for _, r := range s.Records(TicketsPath) {
		if lu := r.(*Ticket).Info.LastUpdated.Time; lu.After(max) {
			max = lu
		}
	}
	return max
}

// String describes a ticket briefly, for test failure messages.
func (t *Ticket) String() string {
	return fmt.Sprintf("Ticket %d %q (lastUpdated %s)", t.ID, t.Summary, t.Info.LastUpdated)
}
