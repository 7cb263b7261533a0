package sourcespec

import (
	"fmt"
	"strings"
)

// ConditionSeparator joins JSON keys in a ConnectWise condition field:
// "_info/lastUpdated".
const ConditionSeparator = "/"

// InfoMap is the free-keyed map of record metadata ConnectWise returns on
// every record, and InfoDateKeys are its keys holding date-times. A
// condition may name such a key bare ("lastUpdated" for
// "_info/lastUpdated"), as ConnectWise accepts.
const InfoMap = "_info"

// InfoDateKeys are the _info keys that hold a date-time.
var InfoDateKeys = []string{"lastUpdated", "dateEntered"}

// DateTimeFieldError is a condition field that does not name a date-time
// the endpoint can filter on.
type DateTimeFieldError struct {
	Field    string
	Endpoint string
	// Reason says what is wrong.
	Reason string
	// Suggestion is the closest valid field, or "".
	Suggestion string
	// Valid lists every valid field, sorted as candidates are.
	Valid []string
}

func (e *DateTimeFieldError) Error() string {
	msg := fmt.Sprintf("%q %s", e.Field, e.Reason)
	switch {
	case e.Suggestion != "":
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	case len(e.Valid) > 0:
		msg += " (date-time fields of " + e.Endpoint + ": " + strings.Join(e.Valid, ", ") + ")"
	}
	return msg
}

// DateTimeField resolves field, written in ConnectWise's condition syntax
// ("lastUpdated", "_info/lastUpdated", "dateEntered"), to a date-time the
// endpoint's records can be filtered on: a top-level property of format
// date-time, or a date key of the _info map (bare or with its prefix). It
// returns the JSON keys of the value, e.g. ["_info", "lastUpdated"]. Any
// other field is a *DateTimeFieldError with a did-you-mean.
func (sp *Spec) DateTimeField(endpoint, field string) ([]string, error) {
	root, err := sp.Endpoint(endpoint)
	if err != nil {
		return nil, err
	}
	valid, paths := dateTimeFields(root)
	for i, v := range valid {
		if v == field {
			return paths[i], nil
		}
	}
	e := &DateTimeFieldError{Field: field, Endpoint: endpoint, Valid: valid}
	segs := strings.Split(field, ConditionSeparator)
	switch top := root.Properties[segs[0]]; {
	case top == nil:
		e.Reason = fmt.Sprintf("is not a field of %s (%s)", endpoint, root.Name)
	case len(segs) == 1:
		e.Reason = fmt.Sprintf("is %s, not a date-time", top.describe())
	case top.Type == TypeObject && top.Map != "" && len(segs) == 2:
		e.Reason = fmt.Sprintf("is a key of %s that holds no date (its date keys are %s)", segs[0], strings.Join(InfoDateKeys, ", "))
	default:
		e.Reason = "is a nested field: conditions filter on a top-level date-time field or an _info date key"
	}
	e.Suggestion = closest(field, valid)
	return nil, e
}

// dateTimeFields lists the condition fields of s that hold a date-time:
// top-level date-time properties, then the _info date keys, bare and
// prefixed; paths are their JSON keys.
func dateTimeFields(s *Schema) (names []string, paths [][]string) {
	for _, name := range s.PropertyNames() {
		p := s.Properties[name]
		if p.Type == "string" && p.Format == "date-time" {
			names = append(names, name)
			paths = append(paths, []string{name})
		}
	}
	if p := s.Properties[InfoMap]; p != nil && p.Type == TypeObject && p.Map == "string" {
		for _, k := range InfoDateKeys {
			if s.Properties[k] == nil {
				names = append(names, k)
				paths = append(paths, []string{InfoMap, k})
			}
			names = append(names, InfoMap+ConditionSeparator+k)
			paths = append(paths, []string{InfoMap, k})
		}
	}
	return names, paths
}
