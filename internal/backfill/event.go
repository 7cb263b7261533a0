package backfill

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/table"
)

// Event is what a Lambda invocation asks: the command line's settings, in
// snake_case (--page-size is page_size). Connection settings and secrets
// never come from the event: they are the function's environment.
type Event struct {
	Tenant     string `json:"tenant"`
	Database   string `json:"database"`
	Limit      int    `json:"limit"`
	Since      string `json:"since"` // RFC 3339
	Full       bool   `json:"full"`
	DryRun     bool   `json:"dry_run"`
	PageSize   int    `json:"page_size"`
	MaxRejects int    `json:"max_rejects"`
	Migrate    bool   `json:"migrate"`
	Streams    int    `json:"streams"`
	RPM        int    `json:"rpm"`
}

// eventKey spells a setting as the event does.
func eventKey(setting string) string { return strings.ReplaceAll(setting, "-", "_") }

// eventKeys lists the event's keys in declaration order.
func eventKeys() []string {
	t := reflect.TypeFor[Event]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("json")
	}
	return keys
}

// parseEvent decodes raw strictly: it must be a JSON object; keys are
// matched exactly (encoding/json alone would accept "Tenant"); every
// unknown key and every value of the wrong type is named. Absent keys
// take the flags' defaults.
func parseEvent(raw []byte) (Event, error) {
	ev := Event{PageSize: DefaultPageSize, MaxRejects: DefaultMaxRejects, Streams: 1}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return ev, errors.New(`not a JSON object: send one such as {"tenant": "acme"}`)
	}
	keys := eventKeys()
	var unknown []string
	for k := range fields {
		if !slices.Contains(keys, k) {
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return ev, fmt.Errorf("unknown key(s) %s; the keys are %s", strings.Join(unknown, ", "), strings.Join(keys, ", "))
	}
	v := reflect.ValueOf(&ev).Elem()
	var errs []string
	for i, k := range keys {
		value, ok := fields[k]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(value))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v.Field(i).Addr().Interface()); err != nil {
			errs = append(errs, fmt.Sprintf("%s must be %s, not %s", k, jsonKind(v.Field(i).Kind()), describeJSON(value)))
		}
	}
	if len(errs) > 0 {
		return ev, errors.New(strings.Join(errs, "; "))
	}
	return ev, nil
}

// jsonKind says what JSON value a field of kind k takes.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Int:
		return "an integer"
	case reflect.Bool:
		return "true or false"
	}
	return "a string"
}

// describeJSON names the kind of a JSON value, with the value when short
// (an event holds no secret).
func describeJSON(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	kind := "a number"
	switch {
	case len(v) == 0:
		return "empty"
	case v[0] == '"':
		kind = "a string"
	case v[0] == '{':
		return "an object"
	case v[0] == '[':
		return "an array"
	case v[0] == 't' || v[0] == 'f':
		kind = "a boolean"
	}
	if len(v) > 40 {
		return kind
	}
	return kind + " (" + string(v) + ")"
}

// eventConfig turns an event into a run's configuration, with the same
// checks as the flags (validate).
func eventConfig[R any](tbl *table.Table[R], ev Event) (config, error) {
	cfg := config{rpm: ev.RPM, maxWait: connectwise.DefaultMaxWait}
	cfg.opts = Options{
		Tenant: ev.Tenant, Database: ev.Database, Limit: ev.Limit, Full: ev.Full, DryRun: ev.DryRun,
		PageSize: ev.PageSize, MaxRejects: ev.MaxRejects, Migrate: ev.Migrate, Streams: ev.Streams,
		BatchRows: DefaultBatchRows, BatchBytes: DefaultBatchBytes, MaxCloseFraction: DefaultMaxCloseFraction,
	}
	return cfg, validate(tbl, &cfg, ev.Since, eventKey)
}
