package sourcespec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Spec is a loaded snapshot: a service's GET endpoints and the schemas
// they return.
type Spec struct {
	// Service is the source service, e.g. "connectwise".
	Service string
	// Version is the API version the snapshot was imported from, e.g. "2026.4".
	Version string
	// Title is the OpenAPI document's title.
	Title string
	// Source is the provenance note recorded at import.
	Source string
	// SHA256 is the hex digest of the imported OpenAPI file ("" if unknown).
	SHA256 string

	endpoints map[string]*snapEndpoint
	skipped   map[string]string
	schemas   map[string]*Schema
}

// Schema is an object schema of the snapshot.
type Schema struct {
	// Name is the schema's name in the spec, e.g. "Ticket".
	Name string
	// Properties maps JSON keys to their declarations. Treat as read-only.
	Properties map[string]*Property
}

// PropertyNames returns the schema's property names, sorted.
func (s *Schema) PropertyNames() []string { return slices.Sorted(maps.Keys(s.Properties)) }

// Load parses and checks snapshot bytes written by Import: the format
// version, that every endpoint and reference names a schema of the
// snapshot, and that every property has a known shape.
func Load(data []byte) (*Spec, error) {
	var snap snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return nil, fmt.Errorf("load source spec: %w", err)
	}
	if dec.More() {
		return nil, errors.New("load source spec: trailing data after the snapshot")
	}
	if snap.Format != FormatVersion {
		return nil, fmt.Errorf("load source spec: format %d, want %d (re-import the OpenAPI document)", snap.Format, FormatVersion)
	}
	if snap.Service == "" || snap.Version == "" {
		return nil, errors.New("load source spec: service and version are required")
	}
	if len(snap.Endpoints) == 0 {
		return nil, errors.New("load source spec: no endpoints")
	}
	sp := &Spec{
		Service:   snap.Service,
		Version:   snap.Version,
		Title:     snap.Title,
		Source:    snap.Source,
		SHA256:    snap.SHA256,
		endpoints: snap.Endpoints,
		skipped:   snap.Skipped,
		schemas:   make(map[string]*Schema, len(snap.Schemas)),
	}
	for name, s := range snap.Schemas {
		if s == nil {
			return nil, fmt.Errorf("load source spec: schema %q is null", name)
		}
		if s.Properties == nil {
			s.Properties = map[string]*Property{}
		}
		sp.schemas[name] = &Schema{Name: name, Properties: s.Properties}
	}
	var problems []string
	for _, path := range slices.Sorted(maps.Keys(snap.Endpoints)) {
		ep := snap.Endpoints[path]
		if ep == nil || sp.schemas[ep.Schema] == nil {
			problems = append(problems, fmt.Sprintf("endpoint %q: unknown schema", path))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sp.schemas)) {
		s := sp.schemas[name]
		for _, pn := range slices.Sorted(maps.Keys(s.Properties)) {
			if msg := sp.checkProperty(s.Properties[pn]); msg != "" {
				problems = append(problems, fmt.Sprintf("%s.%s: %s", name, pn, msg))
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("load source spec: %s", strings.Join(problems, "; "))
	}
	return sp, nil
}

func (sp *Spec) checkProperty(p *Property) string {
	if p == nil {
		return "null property"
	}
	switch {
	case p.Ref != "":
		if p.Type != "" || p.Items != nil || p.Map != "" {
			return "a reference with a type"
		}
		if sp.schemas[p.Ref] == nil {
			return fmt.Sprintf("unknown schema %q", p.Ref)
		}
	case p.Type == TypeArray:
		if p.Items == nil {
			return "array without items"
		}
		return sp.checkProperty(p.Items)
	case p.Type == TypeObject:
		if p.Map != "" && p.Map != MapAny && !isScalar(p.Map) {
			return fmt.Sprintf("unknown map value type %q", p.Map)
		}
	case p.Type == "" || isScalar(p.Type):
	default:
		return fmt.Sprintf("unknown type %q", p.Type)
	}
	if p.Items != nil && p.Type != TypeArray {
		return "items on a non-array"
	}
	if p.Map != "" && p.Type != TypeObject {
		return "map on a non-object"
	}
	return ""
}

// Endpoints returns the endpoint paths, sorted ("service/tickets", ...).
func (sp *Spec) Endpoints() []string { return slices.Sorted(maps.Keys(sp.endpoints)) }

// Schemas returns the schema names, sorted.
func (sp *Spec) Schemas() []string { return slices.Sorted(maps.Keys(sp.schemas)) }

// Schema returns the named schema, or nil.
func (sp *Spec) Schema(name string) *Schema { return sp.schemas[name] }

// Properties returns the property names of the named schema, sorted; nil
// for an unknown schema.
func (sp *Spec) Properties(schema string) []string {
	s := sp.schemas[schema]
	if s == nil {
		return nil
	}
	return s.PropertyNames()
}

// EndpointError reports an endpoint the snapshot does not have.
type EndpointError struct {
	// Endpoint is the path as given.
	Endpoint string
	// Reason says why, e.g. that the endpoint does not return JSON.
	Reason string
	// Suggestion is the closest known endpoint, or "".
	Suggestion string
}

// Error reads like `unknown endpoint "service/ticket": ... (did you mean "service/tickets"?)`.
func (e *EndpointError) Error() string {
	msg := fmt.Sprintf("unknown endpoint %q", e.Endpoint)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return msg
}

// Endpoint returns the schema an endpoint returns (the element schema for
// a list endpoint). path is written as in the snapshot, e.g.
// "service/tickets" or "service/tickets/{id}"; surrounding slashes are
// ignored. An unknown path is an *EndpointError with a did-you-mean.
func (sp *Spec) Endpoint(path string) (*Schema, error) {
	ep, err := sp.endpoint(path)
	if err != nil {
		return nil, err
	}
	return sp.schemas[ep.Schema], nil
}

// IsList reports whether the endpoint returns an array of its schema.
func (sp *Spec) IsList(path string) (bool, error) {
	ep, err := sp.endpoint(path)
	if err != nil {
		return false, err
	}
	return ep.List, nil
}

func (sp *Spec) endpoint(path string) (*snapEndpoint, error) {
	key := strings.Trim(path, "/")
	if ep, ok := sp.endpoints[key]; ok {
		return ep, nil
	}
	e := &EndpointError{Endpoint: path}
	if why, ok := sp.skipped[key]; ok {
		e.Reason = "not imported: " + why
		return nil, e
	}
	e.Reason = fmt.Sprintf("%s %s has no GET endpoint %q", sp.Service, sp.Version, key)
	e.Suggestion = suggestEndpoint(key, sp.Endpoints())
	return nil, e
}

// suggestEndpoint picks the endpoint closest to key: a case-insensitive
// match, a close edit distance, or the only endpoint whose last segments
// equal key ("tickets" is ambiguous, "companies" is not).
func suggestEndpoint(key string, endpoints []string) string {
	if best := closest(key, endpoints); best != "" {
		return best
	}
	var tail []string
	lk := strings.ToLower(key)
	for _, ep := range endpoints {
		if le := strings.ToLower(ep); strings.HasSuffix(le, "/"+lk) {
			tail = append(tail, ep)
		}
	}
	sort.Strings(tail)
	if len(tail) == 1 {
		return tail[0]
	}
	return ""
}
