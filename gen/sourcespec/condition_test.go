package sourcespec

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDateTimeField(t *testing.T) {
	sp := loadConnectWise(t)
	ok := []struct {
		endpoint, field string
		want            []string
	}{
		{"service/tickets", "lastUpdated", []string{"_info", "lastUpdated"}},
		{"service/tickets", "_info/lastUpdated", []string{"_info", "lastUpdated"}},
		{"service/tickets", "dateEntered", []string{"_info", "dateEntered"}},
		{"service/tickets", "requiredDate", []string{"requiredDate"}},
		// time entries have a top-level dateEntered: the bare name is it.
		{"time/entries", "dateEntered", []string{"dateEntered"}},
		{"time/entries", "_info/dateEntered", []string{"_info", "dateEntered"}},
	}
	for _, c := range ok {
		got, err := sp.DateTimeField(c.endpoint, c.field)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("DateTimeField(%q, %q) = %v, %v; want %v", c.endpoint, c.field, got, err, c.want)
		}
	}
	bad := []struct {
		field, reason, suggestion string
	}{
		{"lastUpdate", "is not a field of service/tickets (Ticket)", "lastUpdated"},
		{"LastUpdated", "is not a field of service/tickets (Ticket)", "lastUpdated"},
		{"summary", "is a string, not a date-time", ""},
		{"status", "is an object (ServiceStatusReference), not a date-time", ""},
		{"status/name", "is a nested field", ""},
		{"_info/updatedBy", "is a key of _info that holds no date", ""},
		{"closedDate", "is a string, not a date-time", ""},
	}
	for _, c := range bad {
		_, err := sp.DateTimeField("service/tickets", c.field)
		var e *DateTimeFieldError
		if !errors.As(err, &e) {
			t.Errorf("DateTimeField(%q): %v, want a *DateTimeFieldError", c.field, err)
			continue
		}
		if !strings.HasPrefix(e.Reason, c.reason) || e.Suggestion != c.suggestion {
			t.Errorf("DateTimeField(%q): reason %q suggestion %q; want %q, %q", c.field, e.Reason, e.Suggestion, c.reason, c.suggestion)
		}
	}
	if _, err := sp.DateTimeField("service/ticket", "lastUpdated"); !errors.As(err, new(*EndpointError)) {
		t.Errorf("unknown endpoint: %v", err)
	}
}
