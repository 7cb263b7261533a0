package sourcespec

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// loadConnectWise loads the committed snapshot (no shared folder needed).
func loadConnectWise(t *testing.T) *Spec {
	t.Helper()
	sp, err := Load(readFile(t, committedSpec))
	if err != nil {
		t.Fatalf("Load(%s): %v", committedSpec, err)
	}
	if sp.Service != "connectwise" || sp.Version != "2026.4" {
		t.Fatalf("snapshot is %s %s, want connectwise 2026.4", sp.Service, sp.Version)
	}
	return sp
}

var lowMediumHigh = []string{"Low", "Medium", "High"}

// TestTicketsCanonicalSourcePaths resolves every ConnectWise source path
// of shared/design/tickets-canonical.md on service/tickets.
func TestTicketsCanonicalSourcePaths(t *testing.T) {
	sp := loadConnectWise(t)
	cases := []struct {
		path     string
		typ      string
		format   string
		enum     []string
		schema   string
		nullable bool
		viaMap   bool
	}{
		{path: "id", typ: "integer", format: "int32", schema: "Ticket"},
		{path: "summary", typ: "string", schema: "Ticket"},
		{path: "status__name", typ: "string", schema: "ServiceStatusReference"},
		{path: "priority__name", typ: "string", schema: "PriorityReference"},
		{path: "severity", typ: "string", enum: lowMediumHigh, schema: "Ticket", nullable: true},
		{path: "impact", typ: "string", enum: lowMediumHigh, schema: "Ticket", nullable: true},
		{path: "type__id", typ: "integer", format: "int32", schema: "ServiceTypeReference", nullable: true},
		{path: "type__name", typ: "string", schema: "ServiceTypeReference"},
		{path: "subType__id", typ: "integer", format: "int32", schema: "ServiceSubTypeReference", nullable: true},
		{path: "subType__name", typ: "string", schema: "ServiceSubTypeReference"},
		{path: "company__id", typ: "integer", format: "int32", schema: "CompanyReference", nullable: true},
		{path: "company__name", typ: "string", schema: "CompanyReference"},
		{path: "contact__id", typ: "integer", format: "int32", schema: "ContactReference", nullable: true},
		{path: "contact__name", typ: "string", schema: "ContactReference"},
		{path: "board__id", typ: "integer", format: "int32", schema: "BoardReference", nullable: true},
		{path: "board__name", typ: "string", schema: "BoardReference"},
		{path: "team__id", typ: "integer", format: "int32", schema: "ServiceTeamReference", nullable: true},
		{path: "team__name", typ: "string", schema: "ServiceTeamReference"},
		{path: "owner__id", typ: "integer", format: "int32", schema: "MemberReference", nullable: true},
		{path: "owner__name", typ: "string", schema: "MemberReference"},
		{path: "_info__enteredBy", typ: "string", schema: "Ticket", viaMap: true},
		{path: "_info__dateEntered", typ: "string", schema: "Ticket", viaMap: true},
		{path: "_info__lastUpdated", typ: "string", schema: "Ticket", viaMap: true},
		{path: "_info__updatedBy", typ: "string", schema: "Ticket", viaMap: true},
		{path: "requiredDate", typ: "string", format: "date-time", schema: "Ticket"},
		{path: "budgetHours", typ: "number", format: "double", schema: "Ticket", nullable: true},
		{path: "actualHours", typ: "number", format: "double", schema: "Ticket", nullable: true},
		{path: "approved", typ: "boolean", schema: "Ticket", nullable: true},
		{path: "closedDate", typ: "string", schema: "Ticket"},
		{path: "closedBy", typ: "string", schema: "Ticket"},
		{path: "closedFlag", typ: "boolean", schema: "Ticket", nullable: true},
		{path: "recordType", typ: "string", enum: []string{"ProjectIssue", "ProjectTicket", "ServiceTicket"}, schema: "Ticket", nullable: true},
	}
	for _, c := range cases {
		r, err := sp.Resolve("service/tickets", c.path)
		if err != nil {
			t.Errorf("Resolve(%q): %v", c.path, err)
			continue
		}
		want := &Resolved{
			Endpoint: "service/tickets", Schema: c.schema, Segments: strings.Split(c.path, "__"),
			Type: c.typ, Format: c.format, Enum: c.enum, Nullable: c.nullable, ViaMap: c.viaMap,
		}
		if want.Enum == nil {
			want.Enum = []string{}
		}
		if r.Enum == nil {
			r.Enum = []string{}
		}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("Resolve(%q) =\n %+v, want\n %+v", c.path, r, want)
		}
	}
}

func TestWriteOnly(t *testing.T) {
	sp := loadConnectWise(t)
	for _, path := range []string{"initialDescription", "initialInternalAnalysis", "initialResolution"} {
		r, err := sp.Resolve("service/tickets", path)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", path, err)
		}
		if !r.WriteOnly || r.WriteOnlyNote != "Only available for POST, will not be returned in the response." || r.Type != "string" {
			t.Errorf("Resolve(%q) = %+v, want a write-only string with the spec's note", path, r)
		}
	}
	r, err := sp.Resolve("service/tickets", "summary")
	if err != nil || r.WriteOnly || r.WriteOnlyNote != "" {
		t.Errorf("summary: %+v, %v; want readable", r, err)
	}
}

func pathError(t *testing.T, err error) *PathError {
	t.Helper()
	var pe *PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *PathError", err, err)
	}
	return pe
}

func TestTypoSuggestions(t *testing.T) {
	sp := loadConnectWise(t)
	cases := []struct {
		path, suggestion, schema string
		segment                  int
	}{
		{"stauts__name", "status__name", "Ticket", 0},
		{"subtype__id", "subType__id", "Ticket", 0},
		{"intialDescription", "initialDescription", "Ticket", 0},
		{"Summary", "summary", "Ticket", 0},
		{"status__nmae", "status__name", "ServiceStatusReference", 1},
		{"stauts__nmae", "status__name", "Ticket", 0},
		{"owner__identifer", "owner__identifier", "MemberReference", 1},
		{"budgethours", "budgetHours", "Ticket", 0},
		// Nothing close enough, or the close property is an object.
		{"urgency", "", "Ticket", 0},
		{"ticketNumber", "", "Ticket", 0},
		{"stauts", "", "Ticket", 0},
		{"status__xyzzy", "", "ServiceStatusReference", 1},
	}
	for _, c := range cases {
		_, err := sp.Resolve("service/tickets", c.path)
		if err == nil {
			t.Errorf("Resolve(%q) succeeded", c.path)
			continue
		}
		pe := pathError(t, err)
		if pe.Kind != NoSuchProperty || pe.Suggestion != c.suggestion || pe.SegmentIndex != c.segment ||
			pe.Schema != c.schema || pe.Path != c.path || pe.Endpoint != "service/tickets" {
			t.Errorf("Resolve(%q) = %+v; want suggestion %q, segment %d in %s", c.path, pe, c.suggestion, c.segment, c.schema)
		}
	}
	_, err := sp.Resolve("service/tickets", "stauts__name")
	want := `source path "stauts__name" not found: Ticket has no property "stauts" (did you mean "status__name"?)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	_, err = sp.Resolve("service/tickets", "urgency")
	want = `source path "urgency" not found: Ticket has no property "urgency"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestNotAValue(t *testing.T) {
	sp := loadConnectWise(t)
	cases := []struct {
		path    string
		kind    PathErrorKind
		segment int
		want    string
	}{
		{"status", NotAValue, 0, `source path "status": status is an object (ServiceStatusReference): use status__id, status__name, status__sort or status___info__<key>`},
		{"company", NotAValue, 0, "company is an object (CompanyReference): use company__id, company__name, company__identifier or company___info__<key>"},
		{"_info", NotAValue, 0, "_info is a map of string values: name a key, as in _info__<key>"},
		{"customFields", NotAValue, 0, "customFields is an array of CustomFieldValue: arrays cannot be mapped to a column"},
		{"customFields__id", CannotTraverse, 1, "customFields is an array of CustomFieldValue: arrays cannot be traversed"},
		{"summary__length", CannotTraverse, 1, "summary is a string and has no sub-fields"},
		{"requiredDate__x", CannotTraverse, 1, "requiredDate is a string (date-time) and has no sub-fields"},
		{"_info__lastUpdated__x", CannotTraverse, 2, "_info__lastUpdated is a string (a value of the map _info) and has no sub-fields"},
		{"status___info", NotAValue, 1, "status___info is a map of string values"},
		{"status____name", BadSyntax, 1, "empty segment 1"},
		{"", BadSyntax, 0, "empty segment 0"},
		{"id__", BadSyntax, 1, "empty segment 1"},
	}
	for _, c := range cases {
		_, err := sp.Resolve("service/tickets", c.path)
		if err == nil {
			t.Errorf("Resolve(%q) succeeded", c.path)
			continue
		}
		pe := pathError(t, err)
		if pe.Kind != c.kind || pe.SegmentIndex != c.segment || !strings.Contains(err.Error(), c.want) || pe.Suggestion != "" {
			t.Errorf("Resolve(%q) = %q (kind %d, segment %d); want kind %d, segment %d, containing %q",
				c.path, err, pe.Kind, pe.SegmentIndex, c.kind, c.segment, c.want)
		}
	}
}

func TestUnknownEndpoint(t *testing.T) {
	sp := loadConnectWise(t)
	cases := []struct{ endpoint, suggestion, want string }{
		{"service/ticket", "service/tickets", `unknown endpoint "service/ticket": connectwise 2026.4 has no GET endpoint "service/ticket" (did you mean "service/tickets"?)`},
		{"Service/Tickets", "service/tickets", `did you mean "service/tickets"?`},
		{"companies", "company/companies", `did you mean "company/companies"?`},
		{"tickets", "", `has no GET endpoint "tickets"`},
		{"nothing/like/this", "", `has no GET endpoint "nothing/like/this"`},
		{"finance/invoices/{id}/pdf", "", "not imported: 200 response is application/pdf, not JSON"},
	}
	for _, c := range cases {
		_, err := sp.Resolve(c.endpoint, "id")
		var ee *EndpointError
		if !errors.As(err, &ee) {
			t.Errorf("Resolve(%q, id) error = %v (%T), want *EndpointError", c.endpoint, err, err)
			continue
		}
		if ee.Suggestion != c.suggestion || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resolve(%q, id) = %q (suggestion %q); want suggestion %q, containing %q", c.endpoint, err, ee.Suggestion, c.suggestion, c.want)
		}
	}
	if s, err := sp.Endpoint("/service/tickets/"); err != nil || s.Name != "Ticket" {
		t.Errorf("Endpoint with slashes = %v, %v", s, err)
	}
}

func TestOtherEndpoints(t *testing.T) {
	sp := loadConnectWise(t)
	for endpoint, schema := range map[string]string{
		"company/companies":    "Company",
		"company/contacts":     "Contact",
		"time/entries":         "TimeEntry",
		"system/members":       "Member",
		"service/boards":       "Board",
		"project/projects":     "Project",
		"service/tickets":      "Ticket",
		"service/tickets/{id}": "Ticket",
	} {
		s, err := sp.Endpoint(endpoint)
		if err != nil || s.Name != schema {
			t.Errorf("Endpoint(%q) = %v, %v; want %s", endpoint, s, err, schema)
			continue
		}
		list, err := sp.IsList(endpoint)
		if err != nil || list == strings.HasSuffix(endpoint, "}") {
			t.Errorf("IsList(%q) = %v, %v", endpoint, list, err)
		}
		r, err := sp.Resolve(endpoint, "id")
		if err != nil || r.Type != "integer" || r.Schema != schema {
			t.Errorf("Resolve(%q, id) = %+v, %v", endpoint, r, err)
		}
		r, err = sp.Resolve(endpoint, "_info__lastUpdated")
		if err != nil || r.Type != "string" || !r.ViaMap {
			t.Errorf("Resolve(%q, _info__lastUpdated) = %+v, %v", endpoint, r, err)
		}
	}
	if r, err := sp.Resolve("company/companies", "deletedFlag"); err != nil || r.Type != "boolean" {
		t.Errorf("Company.deletedFlag = %+v, %v", r, err)
	}
}

func TestProperties(t *testing.T) {
	sp := loadConnectWise(t)
	if got, want := sp.Properties("ServiceStatusReference"), []string{"_info", "id", "name", "sort"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Properties(ServiceStatusReference) = %q, want %q", got, want)
	}
	if got := sp.Properties("NoSuchSchema"); got != nil {
		t.Errorf("Properties(NoSuchSchema) = %q, want nil", got)
	}
	props := sp.Properties("Ticket")
	if len(props) < 50 || !strings.HasPrefix(strings.Join(props, " "), "_info ") {
		t.Errorf("Properties(Ticket) = %q", props)
	}
	for i := 1; i < len(props); i++ {
		if props[i-1] >= props[i] {
			t.Fatalf("Properties(Ticket) not sorted at %q, %q", props[i-1], props[i])
		}
	}
}

// TestResolveFixture covers shapes the ConnectWise spec does not have.
func TestResolveFixture(t *testing.T) {
	sp := loadFixture(t)
	ok := map[string]Resolved{
		"owner__uid":  {Schema: "MemberRef", Type: "string", Format: "uuid"},
		"statusName":  {Schema: "Ticket", Type: "string", Enum: []string{"Open", "Closed"}},
		"level":       {Schema: "Ticket", Type: "integer", Enum: []string{"1", "2"}, Nullable: true},
		"secret":      {Schema: "Ticket", Type: "string", WriteOnly: true},
		"initialNote": {Schema: "Ticket", Type: "string", WriteOnly: true, WriteOnlyNote: "Sent on create. Is NOT RETURNED in responses."},
		"etag":        {Schema: "Ticket", Type: "string", ReadOnly: true},
	}
	for path, w := range ok {
		r, err := sp.Resolve("service/tickets/{id}", path)
		if err != nil {
			t.Errorf("Resolve(%q): %v", path, err)
			continue
		}
		w.Endpoint, w.Segments = "service/tickets/{id}", strings.Split(path, "__")
		if len(r.Enum) == 0 && len(w.Enum) == 0 {
			r.Enum, w.Enum = nil, nil
		}
		if !reflect.DeepEqual(*r, w) {
			t.Errorf("Resolve(%q) =\n %+v, want\n %+v", path, *r, w)
		}
	}
	bad := map[string]string{
		"labels":      `labels is a map with free-form values: name a key`,
		"labels__x":   `labels is a map with free-form values, so labels__x has no declared type`,
		"extra":       `extra is a free-form object with no declared properties, not a value`,
		"extra__x":    `extra is a free-form object with no declared properties and cannot be traversed`,
		"anything":    `anything is a value with no declared type, not a value`,
		"tagIds":      `tagIds is an array of integer (int32): arrays cannot be mapped to a column`,
		"tasks__id":   `tasks is an array of TicketTask: arrays cannot be traversed`,
		"owner":       `owner is an object (MemberRef): use owner__id, owner__name, owner__identifier or owner__uid`,
		"statsu__id":  `status__id`,
		"owner__nmae": `owner__name`,
	}
	for path, want := range bad {
		_, err := sp.Resolve("service/tickets", path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%q) error = %v, want it to contain %q", path, err, want)
		}
	}
	// Write-only propagates from an object to the values inside it.
	sp.schemas["Ticket"].Properties["status"].WriteOnly = true
	sp.schemas["Ticket"].Properties["status"].Note = "gone"
	if r, err := sp.Resolve("service/tickets", "status__name"); err != nil || !r.WriteOnly || r.WriteOnlyNote != "gone" {
		t.Errorf("write-only object: %+v, %v", r, err)
	}
}

func TestCloseMatches(t *testing.T) {
	if got := closeMatches("id", []string{"ID", "ip", "idx"}); !reflect.DeepEqual(got, []string{"ID"}) {
		t.Errorf("closeMatches(id) = %q, want only the case-insensitive match", got)
	}
}
