package naming

import "testing"

func TestGoName(t *testing.T) {
	cases := map[string]string{
		"ticket_number": "TicketNumber",
		"owner_id":      "OwnerID",
		"id":            "ID",
		"_info":         "Info",
		"subType":       "SubType",
		"record_type":   "RecordType",
		"uuid_value":    "UUIDValue",
		"2fa_enabled":   "X2faEnabled",
		"dateEntered":   "DateEntered",
		"budget_hours":  "BudgetHours",
		"api_url":       "APIURL",
	}
	for in, want := range cases {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsSnakeIdent(t *testing.T) {
	for _, ok := range []string{"id", "ticket_number", "a1"} {
		if !IsSnakeIdent(ok) {
			t.Errorf("IsSnakeIdent(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "Id", "1a", "a-b", "a__b", "a_", "tïcket", "a b"} {
		if IsSnakeIdent(bad) {
			t.Errorf("IsSnakeIdent(%q) = true", bad)
		}
	}
}

func TestUnique(t *testing.T) {
	taken := map[string]bool{"Info": true}
	if got := Unique("Info", taken); got != "Info2" {
		t.Fatalf("got %q", got)
	}
	if got := Unique("Info", taken); got != "Info3" {
		t.Fatalf("got %q", got)
	}
}

func TestCommandName(t *testing.T) {
	cases := []struct{ service, table, want string }{
		{"connectwise", "tickets", "backfill-connectwise-tickets"},
		{"connectwise", "time_entries", "backfill-connectwise-time-entries"},
		{"connect_wise", "a_b_c", "backfill-connect-wise-a-b-c"},
	}
	for _, c := range cases {
		if got := CommandName(c.service, c.table); got != c.want {
			t.Errorf("CommandName(%q, %q) = %q, want %q", c.service, c.table, got, c.want)
		}
	}
}
