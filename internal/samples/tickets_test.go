package samples

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/table"
)

// records reads every ticket in the sample files (objects or arrays).
func records(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/connectwise/*ticket*.json")
	if err != nil || len(files) != 5 {
		t.Fatalf("want the 5 ticket sample files, got %v (%v)", files, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var list []json.RawMessage
		if json.Unmarshal(data, &list) != nil {
			list = []json.RawMessage{data}
		}
		for i, rec := range list {
			out[filepath.Base(f)+"#"+strconv.Itoa(i)] = rec
		}
	}
	return out
}

// lookup walks a decoded record by JSON keys; nil when absent.
func lookup(rec map[string]any, path ...string) any {
	var v any = rec
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestMapperDecodesEverySampleTicket(t *testing.T) {
	recs := records(t)
	if len(recs) != 6 {
		t.Fatalf("want 6 sample tickets, got %d", len(recs))
	}
	for name, raw := range recs {
		t.Run(name, func(t *testing.T) {
			var generic map[string]any
			if err := json.Unmarshal(raw, &generic); err != nil {
				t.Fatal(err)
			}
			var row tickets.Row
			err := tickets.Decode(raw, &row)
			if lookup(generic, "_info", "enteredBy") == nil {
				// The hand-written django fixture omits _info.enteredBy, which
				// feeds the non-nullable created_by: the record is rejected,
				// naming the record, the column and the source path.
				var fe *table.FieldError
				if !errors.As(err, &fe) || fe.RecordID != "69" || fe.Column != "created_by" || fe.Path != "_info__enteredBy" {
					t.Fatalf("want a FieldError for record 69 created_by/_info__enteredBy, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			id := int64(lookup(generic, "id").(float64))
			if row.ID != id || row.TicketNumber != strconv.FormatInt(id, 10) {
				t.Errorf("id %d ticket_number %q, want %d", row.ID, row.TicketNumber, id)
			}
			str := func(col string, got string, path ...string) {
				if want, _ := lookup(generic, path...).(string); got != want {
					t.Errorf("%s = %q, want %q (from %s)", col, got, want, strings.Join(path, "."))
				}
			}
			nullStr := func(col string, got struct {
				V     string
				Valid bool
			}, path ...string) {
				want, ok := lookup(generic, path...).(string)
				if got.Valid != ok || got.V != want {
					t.Errorf("%s = %+v, want %q (present %v)", col, got, want, ok)
				}
			}
			nullInt := func(col string, v int64, valid bool, path ...string) {
				want, ok := lookup(generic, path...).(float64)
				if valid != ok || v != int64(want) {
					t.Errorf("%s = %d (valid %v), want %v", col, v, valid, lookup(generic, path...))
				}
			}
			when := func(col string, got time.Time, valid bool, path ...string) {
				s, ok := lookup(generic, path...).(string)
				if valid != ok {
					t.Errorf("%s valid %v, source present %v", col, valid, ok)
					return
				}
				if ok && got.Format(time.RFC3339) != s {
					t.Errorf("%s = %s, want %s", col, got.Format(time.RFC3339), s)
				}
			}
			str("summary", row.Summary, "summary")
			str("status", row.Status, "status", "name")
			str("priority", row.Priority, "priority", "name")
			str("company_name", row.CompanyName, "company", "name")
			str("board_name", row.BoardName, "board", "name")
			str("created_by", row.CreatedBy, "_info", "enteredBy")
			str("last_updated_by", row.LastUpdatedBy, "_info", "updatedBy")
			nullStr("severity", struct {
				V     string
				Valid bool
			}(row.Severity), "severity")
			nullStr("impact", struct {
				V     string
				Valid bool
			}(row.Impact), "impact")
			nullStr("contact_name", struct {
				V     string
				Valid bool
			}(row.ContactName), "contact", "name")
			nullStr("owner_name", struct {
				V     string
				Valid bool
			}(row.OwnerName), "owner", "name")
			nullStr("closed_by", struct {
				V     string
				Valid bool
			}(row.ClosedBy), "closedBy")
			nullStr("record_type", struct {
				V     string
				Valid bool
			}(row.RecordType), "recordType")
			nullInt("company_id", row.CompanyID, true, "company", "id")
			nullInt("board_id", row.BoardID, true, "board", "id")
			nullInt("contact_id", row.ContactID.V, row.ContactID.Valid, "contact", "id")
			nullInt("owner_id", row.OwnerID.V, row.OwnerID.Valid, "owner", "id")
			nullInt("team_id", row.TeamID.V, row.TeamID.Valid, "team", "id")
			nullInt("type_id", row.TypeID.V, row.TypeID.Valid, "type", "id")
			nullInt("subtype_id", row.SubtypeID.V, row.SubtypeID.Valid, "subType", "id")
			when("created_date", row.CreatedDate, true, "_info", "dateEntered")
			when("last_updated", row.LastUpdated, true, "_info", "lastUpdated")
			when("closed_date", row.ClosedDate.V, row.ClosedDate.Valid, "closedDate")
			when("required_date", row.RequiredDate.V, row.RequiredDate.Valid, "requiredDate")
			if b, ok := lookup(generic, "closedFlag").(bool); row.ClosedFlag.Valid != ok || row.ClosedFlag.V != b {
				t.Errorf("closed_flag = %+v, want %v", row.ClosedFlag, lookup(generic, "closedFlag"))
			}
			if h, ok := lookup(generic, "actualHours").(float64); row.ActualHours.Valid != ok || row.ActualHours.V != h {
				t.Errorf("actual_hours = %+v, want %v", row.ActualHours, lookup(generic, "actualHours"))
			}
			if row.Description.Valid || row.Urgency.Valid {
				t.Errorf("description and urgency are unmapped for ConnectWise and must be NULL: %+v %+v", row.Description, row.Urgency)
			}
			if len(row.RecordHash) != 64 {
				t.Errorf("record_hash %q is not a hex SHA-256", row.RecordHash)
			}
		})
	}
}

// TestTicket200 pins the mapped values of the recorded sandbox ticket 200
// (rapid7 get_ticket_by_id.json) literally.
func TestTicket200(t *testing.T) {
	raw := records(t)["rapid7_get_ticket_by_id.json#0"]
	var r tickets.Row
	if err := tickets.Decode(raw, &r); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		col       string
		got, want any
	}{
		{"id", r.ID, int64(200)},
		{"ticket_number", r.TicketNumber, "200"},
		{"summary", r.Summary, "test"},
		{"status", r.Status, "In Progress"},
		{"board_id", r.BoardID, int64(30)},
		{"board_name", r.BoardName, "Network Security - South"},
		{"company_id", r.CompanyID, int64(19298)},
		{"company_name", r.CompanyName, "Example Company"},
		{"contact_id", r.ContactID.V, int64(17754)},
		{"type_id", r.TypeID.V, int64(248)},
		{"type_name", r.TypeName.V, "Testing"},
		{"subtype_id", r.SubtypeID.V, int64(701)},
		{"subtype_name", r.SubtypeName.V, "Active Directory"},
		{"record_type", r.RecordType.V, "ServiceTicket"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.col, c.got, c.want)
		}
	}
}

func TestRecordHashIsStableAndSensitive(t *testing.T) {
	raw := records(t)["rapid7_get_ticket_by_id.json#0"]
	var a, b tickets.Row
	if err := tickets.Decode(raw, &a); err != nil {
		t.Fatal(err)
	}
	if err := tickets.Decode(raw, &b); err != nil {
		t.Fatal(err)
	}
	if a.RecordHash != b.RecordHash {
		t.Fatal("hash differs between two decodes of the same record")
	}
	changed := strings.Replace(string(raw), `"summary": "test"`, `"summary": "test2"`, 1)
	var c tickets.Row
	if err := tickets.Decode([]byte(changed), &c); err != nil {
		t.Fatal(err)
	}
	if c.RecordHash == a.RecordHash {
		t.Fatal("changing summary did not change the hash")
	}
	// last_updated is in scd.ignore_changes: touching it alone keeps the hash.
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	generic["_info"].(map[string]any)["lastUpdated"] = "2030-01-01T00:00:00Z"
	touched, _ := json.Marshal(generic)
	var d tickets.Row
	if err := tickets.Decode(touched, &d); err != nil {
		t.Fatal(err)
	}
	if d.RecordHash != a.RecordHash {
		t.Fatal("a change to an ignore_changes column changed the hash")
	}
	// Empty string and missing (NULL) hash differently.
	delete(generic, "closedBy")
	noClosedBy, _ := json.Marshal(generic)
	generic["closedBy"] = ""
	emptyClosedBy, _ := json.Marshal(generic)
	var e, f tickets.Row
	if err := tickets.Decode(noClosedBy, &e); err != nil {
		t.Fatal(err)
	}
	if err := tickets.Decode(emptyClosedBy, &f); err != nil {
		t.Fatal(err)
	}
	if e.RecordHash == f.RecordHash {
		t.Fatal("NULL and empty string hash alike")
	}
}

func TestBadValuesNameRecordColumnAndPath(t *testing.T) {
	raw := records(t)["rapid7_get_ticket_by_id.json#0"]
	cases := []struct {
		name, from, to, column, path string
	}{
		{"wrong JSON type", `"summary": "test"`, `"summary": 42`, "summary", "summary"},
		{"bad enum", `"severity": "Medium"`, `"severity": "Catastrophic"`, "severity", "severity"},
		{"bad timestamp", `"dateEntered": "`, `"dateEntered": "yesterday`, "created_date", "_info__dateEntered"},
		{"nested wrong type", `"name": "In Progress"`, `"name": {"x": 1}`, "status", "status__name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(string(raw), c.from, c.to, 1)
			if bad == string(raw) {
				t.Fatalf("sample does not contain %q", c.from)
			}
			var r tickets.Row
			err := tickets.Decode([]byte(bad), &r)
			var fe *table.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want *table.FieldError, got %T %v", err, err)
			}
			if fe.RecordID != "200" || fe.Column != c.column || fe.Path != c.path {
				t.Fatalf("got record %q column %q path %q (%v), want 200 %s %s", fe.RecordID, fe.Column, fe.Path, err, c.column, c.path)
			}
		})
	}
}
