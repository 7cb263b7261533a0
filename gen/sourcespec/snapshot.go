// Package sourcespec vendors a trimmed snapshot of a source service's
// OpenAPI document (ConnectWise PSA today) and resolves mapping source paths
// against it, so the compiler can refuse a path that does not exist, that
// names an object instead of a value, or that the spec says is never
// returned.
//
// Import turns the upstream OpenAPI 3.0 JSON into a snapshot: every GET
// endpoint's 200 response schema and every schema reachable from it, with
// property names, types, formats, enums, references, array items, string
// maps and the nullable/readOnly/writeOnly flags, and nothing else.
// Load reads a snapshot back; Spec.Resolve walks a source path such as
// "status__name" (JSON path status.name) through it.
//
// The snapshot format (FormatVersion 1) is JSON with sorted keys and a
// two-space indent, ending with a newline:
//
//	{
//	  "endpoints": {"service/tickets": {"list": true, "schema": "Ticket"}},
//	  "format": 1,
//	  "schemas": {"Ticket": {"properties": {
//	    "_info": {"map": "string", "type": "object"},
//	    "id": {"format": "int32", "type": "integer"},
//	    "initialDescription": {"note": "Only available for POST, ...", "type": "string", "writeOnly": true},
//	    "status": {"ref": "ServiceStatusReference"}}}},
//	  "service": "connectwise",
//	  "sha256": "<hex digest of the imported OpenAPI file>",
//	  "skipped": {"finance/invoices/{id}/pdf": "200 response is application/pdf, not JSON"},
//	  "source": "<provenance note>",
//	  "title": "<OpenAPI info.title>",
//	  "version": "<OpenAPI info.version>"
//	}
package sourcespec

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// FormatVersion is the snapshot format this package writes and reads.
const FormatVersion = 1

// Scalar types a source path may resolve to.
const (
	TypeInteger = "integer"
	TypeNumber  = "number"
	TypeString  = "string"
	TypeBoolean = "boolean"
)

// Container types a property may have besides the scalars.
const (
	TypeObject = "object"
	TypeArray  = "array"
)

// MapAny is the map value type of a free-form map (additionalProperties
// true or {}): its values have no declared type.
const MapAny = "any"

// snapshot is the on-disk form. Field order follows the JSON key order so
// encoding/json writes keys sorted.
type snapshot struct {
	Endpoints map[string]*snapEndpoint `json:"endpoints"`
	Format    int                      `json:"format"`
	Schemas   map[string]*snapSchema   `json:"schemas"`
	Service   string                   `json:"service"`
	SHA256    string                   `json:"sha256,omitempty"`
	Skipped   map[string]string        `json:"skipped,omitempty"`
	Source    string                   `json:"source,omitempty"`
	Title     string                   `json:"title,omitempty"`
	Version   string                   `json:"version"`
}

type snapEndpoint struct {
	List   bool   `json:"list"`
	Schema string `json:"schema"`
}

type snapSchema struct {
	Properties map[string]*Property `json:"properties"`
}

// Property is one property of a schema as the snapshot records it: either
// a reference to another schema (Ref), or a typed value. Field order
// follows the JSON key order so encoding/json writes keys sorted.
type Property struct {
	// Enum lists the allowed values, in the spec's order (non-string
	// values are kept as their JSON text).
	Enum []string `json:"enum,omitempty"`
	// Format refines Type: int32, int64, double, date-time, uuid, ...
	Format string `json:"format,omitempty"`
	// Items is the element of an array property.
	Items *Property `json:"items,omitempty"`
	// Map is set on objects declared with additionalProperties: the
	// scalar type of the values ("string" for ConnectWise's _info), or
	// MapAny for free-form values.
	Map string `json:"map,omitempty"`
	// Note explains a write-only property (from the spec's description).
	Note string `json:"note,omitempty"`
	// Nullable is the spec's nullable flag.
	Nullable bool `json:"nullable,omitempty"`
	// ReadOnly is the spec's readOnly flag.
	ReadOnly bool `json:"readOnly,omitempty"`
	// Ref names the schema of an object property; Type is empty then.
	Ref string `json:"ref,omitempty"`
	// Type is integer, number, string, boolean, object or array; empty
	// for a reference, or when the spec declares no type at all.
	Type string `json:"type,omitempty"`
	// WriteOnly is true when the spec marks the property writeOnly or its
	// description says it is not returned in responses.
	WriteOnly bool `json:"writeOnly,omitempty"`
}

// encodeSnapshot writes s deterministically: sorted keys, two-space
// indent, no HTML escaping, trailing newline.
func encodeSnapshot(s *snapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

func isScalar(t string) bool {
	switch t {
	case TypeInteger, TypeNumber, TypeString, TypeBoolean:
		return true
	}
	return false
}

// describe is a short human description of a property's shape, e.g.
// "a string (date-time)", "an object (ServiceStatusReference)",
// "an array of TicketTask", "a map of string values".
func (p *Property) describe() string {
	switch {
	case p.Ref != "":
		return "an object (" + p.Ref + ")"
	case p.Type == TypeArray:
		if p.Items == nil {
			return "an array"
		}
		return "an array of " + p.Items.elemName()
	case p.Type == TypeObject && p.Map == MapAny:
		return "a map with free-form values"
	case p.Type == TypeObject && p.Map != "":
		return "a map of " + p.Map + " values"
	case p.Type == TypeObject:
		return "a free-form object with no declared properties"
	case p.Type == "":
		return "a value with no declared type"
	case p.Format != "":
		return article(p.Type) + " " + p.Type + " (" + p.Format + ")"
	}
	return article(p.Type) + " " + p.Type
}

func (p *Property) elemName() string {
	switch {
	case p.Ref != "":
		return p.Ref
	case p.Type == TypeArray:
		return "arrays"
	case p.Type == "":
		return "untyped values"
	case p.Format != "":
		return p.Type + " (" + p.Format + ")"
	}
	return p.Type
}

func article(word string) string {
	if word != "" && bytes.ContainsRune([]byte("aeiou"), rune(word[0])) {
		return "an"
	}
	return "a"
}
