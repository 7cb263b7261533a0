package cwfake

import (
	gojson "github.com/goccy/go-json"

	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is the layout of every ConnectWise timestamp: UTC, second
// precision, no fraction.
const TimeLayout = "2006-01-02T15:04:05Z"

// Time is a ConnectWise timestamp. It marshals as "2006-01-02T15:04:05Z"
// (UTC, no fraction) and unmarshals the same layout (RFC 3339 is accepted).
type Time struct{ time.Time }

// NewTime returns t truncated to the second, in UTC.
func NewTime(t time.Time) Time { return Time{t.UTC().Truncate(time.Second)} }

// String formats t with TimeLayout.
func (t Time) String() string { return t.UTC().Format(TimeLayout) }

// MarshalJSON renders t as a quoted TimeLayout string.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.String() + `"`), nil
}

// UnmarshalJSON parses a quoted TimeLayout (or RFC 3339) string.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("cwfake: timestamp: %w", err)
	}
	v, err := parseTime(s)
	if err != nil {
		return err
	}
	*t = Time{v}
	return nil
}

// parseTime parses a ConnectWise timestamp; RFC 3339 with a fraction or an
// offset is accepted too and converted to UTC.
func parseTime(s string) (time.Time, error) {
	if v, err := time.Parse(TimeLayout, s); err == nil {
		return v, nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("cwfake: %q is not a timestamp like 2016-08-20T18:04:26Z", s)
	}
	return v.UTC(), nil
}

// FieldType is the type of a field that conditions and orderBy can name.
type FieldType int

// Field types. A condition's value must match its field's type: integers
// and numbers bare, strings quoted, datetimes in square brackets, booleans
// true/false.
const (
	FieldInt FieldType = iota + 1
	FieldNumber
	FieldString
	FieldDateTime
	FieldBool
)

// String names the field type.
func (t FieldType) String() string {
	switch t {
	case FieldInt:
		return "integer"
	case FieldNumber:
		return "number"
	case FieldString:
		return "string"
	case FieldDateTime:
		return "datetime"
	case FieldBool:
		return "boolean"
	}
	return fmt.Sprintf("FieldType(%d)", int(t))
}

// marshalRecord renders v as compact JSON without HTML escaping (ConnectWise
// sends "&" and "<" literally).
// A value with a wire method is rendered as what wire returns.
func marshalRecord(v any) ([]byte, error) {
	if w, ok := v.(interface{ wire() any }); ok {
		v = w.wire()
	}
	// goccy/go-json: the same bytes as encoding/json (sorted map keys, no
	// HTML escaping here), several times faster; the fake's rendering
	// should not be what a benchmark of the loader measures.
	return gojson.MarshalWithOption(v, gojson.DisableHTMLEscape())
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
