package sourcespec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"regexp"
	"slices"
	"strings"
)

// Import converts an upstream OpenAPI 3.0 JSON document into snapshot
// bytes for service (a lowercase name such as "connectwise"). The
// snapshot's source note is derived from the document's info block; use
// ImportWithSource to record where the file came from.
func Import(openapi []byte, service string) ([]byte, error) {
	return ImportWithSource(openapi, service, "")
}

// ImportWithSource is Import with a provenance note (file name, where it
// came from) stored as the snapshot's "source". The snapshot also records
// the SHA-256 of openapi, so a re-import can be checked byte for byte.
//
// Every GET operation's 200 response is kept: a $ref to an object schema
// gives an item endpoint, an array of such refs a list endpoint. Endpoints
// whose 200 response is not JSON, or is JSON but not objects, are listed
// under "skipped" with the reason. Paths lose their leading slash, and
// route constraints are dropped from parameters ("{id:int}" -> "{id}").
//
// Constructs the snapshot cannot represent (oneOf, anyOf, not, allOf other
// than a single $ref, inline object schemas, non-local $refs, maps of
// objects, OpenAPI 3.1 type lists) are errors that name the JSON pointer.
func ImportWithSource(openapi []byte, service, source string) ([]byte, error) {
	if !serviceRE.MatchString(service) {
		return nil, fmt.Errorf("import: service name %q must match %s", service, serviceRE)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string `json:"title"`
			Version string `json:"version"`
		} `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapi, &doc); err != nil {
		return nil, fmt.Errorf("import: parse OpenAPI document: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		return nil, fmt.Errorf("import: /openapi: unsupported OpenAPI version %q (want 3.0.x)", doc.OpenAPI)
	}
	if strings.TrimSpace(doc.Info.Version) == "" {
		return nil, errors.New("import: /info/version: missing API version")
	}
	if len(doc.Paths) == 0 {
		return nil, errors.New("import: /paths: no paths")
	}
	sum := sha256.Sum256(openapi)
	if source == "" {
		source = fmt.Sprintf("OpenAPI %s document %q, version %s", doc.OpenAPI, doc.Info.Title, doc.Info.Version)
	}
	im := &importer{
		components: doc.Components.Schemas,
		decoded:    map[string]*oaSchema{},
		schemas:    map[string]*snapSchema{},
		inlining:   map[string]bool{},
	}
	snap := &snapshot{
		Endpoints: map[string]*snapEndpoint{},
		Format:    FormatVersion,
		Schemas:   im.schemas,
		Service:   service,
		SHA256:    hex.EncodeToString(sum[:]),
		Skipped:   map[string]string{},
		Source:    source,
		Title:     doc.Info.Title,
		Version:   doc.Info.Version,
	}
	origin := map[string]string{} // normalised path -> raw path, for collisions
	for _, raw := range slices.Sorted(maps.Keys(doc.Paths)) {
		getOp, ok := doc.Paths[raw]["get"]
		if !ok {
			continue
		}
		ptr := "/paths/" + escapePointer(raw) + "/get"
		path, err := normalizeEndpoint(raw)
		if err != nil {
			return nil, fmt.Errorf("import: %s: %w", "/paths/"+escapePointer(raw), err)
		}
		ep, skip, err := im.endpoint(getOp, ptr)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if prev, dup := origin[path]; dup {
			same := (ep == nil) == (snap.Endpoints[path] == nil) &&
				(ep == nil || *ep == *snap.Endpoints[path]) && skip == snap.Skipped[path]
			if !same {
				return nil, fmt.Errorf("import: /paths/%s and /paths/%s both normalise to %q with different responses",
					escapePointer(prev), escapePointer(raw), path)
			}
			continue
		}
		origin[path] = raw
		if ep != nil {
			snap.Endpoints[path] = ep
		} else {
			snap.Skipped[path] = skip
		}
	}
	if len(snap.Endpoints) == 0 {
		return nil, errors.New("import: /paths: no GET operation returns JSON objects")
	}
	for len(im.queue) > 0 {
		name := im.queue[0]
		im.queue = im.queue[1:]
		if err := im.objectSchema(name); err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
	}
	if len(snap.Skipped) == 0 {
		snap.Skipped = nil
	}
	return encodeSnapshot(snap)
}

var serviceRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// writeOnlyRE matches descriptions that say a property never comes back,
// e.g. ConnectWise's "Only available for POST, will not be returned in the
// response."
var writeOnlyRE = regexp.MustCompile(`(?i)\b(?:not|never)\s+(?:be\s+)?returned\s+in\s+(?:the\s+|a\s+)?(?:get\s+)?responses?\b`)

// maxNote bounds a write-only note, in bytes before the ellipsis.
const maxNote = 200

// oaSchema is an OpenAPI 3.0 Schema Object, keeping nested schemas raw so
// errors can name their JSON pointer.
type oaSchema struct {
	Ref                  string                     `json:"$ref"`
	Type                 json.RawMessage            `json:"type"`
	Format               string                     `json:"format"`
	Enum                 []json.RawMessage          `json:"enum"`
	Items                json.RawMessage            `json:"items"`
	Properties           map[string]json.RawMessage `json:"properties"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	Nullable             bool                       `json:"nullable"`
	ReadOnly             bool                       `json:"readOnly"`
	WriteOnly            bool                       `json:"writeOnly"`
	Description          string                     `json:"description"`
	AllOf                []json.RawMessage          `json:"allOf"`
	OneOf                json.RawMessage            `json:"oneOf"`
	AnyOf                json.RawMessage            `json:"anyOf"`
	Not                  json.RawMessage            `json:"not"`

	typ string // Type decoded
}

type importer struct {
	components map[string]json.RawMessage
	decoded    map[string]*oaSchema
	schemas    map[string]*snapSchema // object schemas emitted (nil value: queued)
	queue      []string
	inlining   map[string]bool // scalar/array/map aliases being inlined (cycle guard)
}

// decode parses one schema object found at ptr.
func decode(raw json.RawMessage, ptr string) (*oaSchema, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%s: schema must be a JSON object, got %s", ptr, abbrev(raw))
	}
	var s oaSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", ptr, err)
	}
	if len(s.Type) > 0 {
		if err := json.Unmarshal(s.Type, &s.typ); err != nil {
			return nil, fmt.Errorf("%s/type: type must be a string (OpenAPI 3.0), got %s", ptr, abbrev(s.Type))
		}
	}
	switch {
	case len(s.OneOf) > 0:
		return nil, fmt.Errorf("%s/oneOf: unsupported construct oneOf", ptr)
	case len(s.AnyOf) > 0:
		return nil, fmt.Errorf("%s/anyOf: unsupported construct anyOf", ptr)
	case len(s.Not) > 0:
		return nil, fmt.Errorf("%s/not: unsupported construct not", ptr)
	}
	if len(s.AllOf) > 0 {
		// allOf: [{$ref}] is the usual way to put nullable or a
		// description next to a reference; anything else is composition.
		if len(s.AllOf) != 1 || s.Ref != "" {
			return nil, fmt.Errorf("%s/allOf: unsupported construct allOf (only a single $ref is supported)", ptr)
		}
		inner, err := decode(s.AllOf[0], ptr+"/allOf/0")
		if err != nil {
			return nil, err
		}
		if inner.Ref == "" {
			return nil, fmt.Errorf("%s/allOf/0: unsupported construct allOf (only a single $ref is supported)", ptr)
		}
		s.Ref = inner.Ref
	}
	return &s, nil
}

// component decodes components.schemas[name] (cached); refPtr is where the
// reference was found.
func (im *importer) component(name, refPtr string) (*oaSchema, error) {
	if s, ok := im.decoded[name]; ok {
		return s, nil
	}
	raw, ok := im.components[name]
	if !ok {
		return nil, fmt.Errorf("%s: schema %q not found in /components/schemas", refPtr, name)
	}
	s, err := decode(raw, componentPtr(name))
	if err != nil {
		return nil, err
	}
	im.decoded[name] = s
	return s, nil
}

// isObjectSchema reports whether a component becomes a snapshot schema (an
// object with named properties, possibly none) rather than being inlined
// where it is used (scalars, arrays, maps).
func isObjectSchema(s *oaSchema) bool {
	if s.Ref != "" {
		return false
	}
	if len(s.Properties) > 0 {
		return true
	}
	return (s.typ == TypeObject || s.typ == "") && !hasAdditional(s)
}

// hasAdditional reports additionalProperties other than absent or false.
func hasAdditional(s *oaSchema) bool {
	a := bytes.TrimSpace(s.AdditionalProperties)
	return len(a) > 0 && !bytes.Equal(a, []byte("false"))
}

// refName checks a $ref and returns the component schema name.
func refName(ref, ptr string) (string, error) {
	const prefix = "#/components/schemas/"
	if !strings.HasPrefix(ref, prefix) || len(ref) == len(prefix) || strings.Contains(ref[len(prefix):], "/") {
		return "", fmt.Errorf("%s/$ref: unsupported reference %q (want %s<Name>)", ptr, ref, prefix)
	}
	return unescapePointer(ref[len(prefix):]), nil
}

// objectRef returns the component name when s refers to an object schema.
func (im *importer) objectRef(s *oaSchema, ptr string) (string, bool, error) {
	if s.Ref == "" {
		return "", false, nil
	}
	// Follow aliases (a component that is only a $ref) to the schema.
	seen := map[string]bool{}
	for {
		name, err := refName(s.Ref, ptr)
		if err != nil {
			return "", false, err
		}
		if seen[name] {
			return "", false, fmt.Errorf("%s/$ref: unsupported: %s is a cycle of $refs", ptr, componentPtr(name))
		}
		seen[name] = true
		target, err := im.component(name, ptr+"/$ref")
		if err != nil {
			return "", false, err
		}
		if target.Ref == "" || len(target.Properties) > 0 {
			return name, isObjectSchema(target), nil
		}
		s, ptr = target, componentPtr(name)
	}
}

// use marks an object schema for output.
func (im *importer) use(name string) {
	if _, ok := im.schemas[name]; !ok {
		im.schemas[name] = nil
		im.queue = append(im.queue, name)
	}
}

// endpoint reads a GET operation at ptr. It returns the endpoint, or the
// reason it is skipped.
func (im *importer) endpoint(raw json.RawMessage, ptr string) (*snapEndpoint, string, error) {
	var op struct {
		Responses map[string]json.RawMessage `json:"responses"`
	}
	if err := json.Unmarshal(raw, &op); err != nil {
		return nil, "", fmt.Errorf("%s: %w", ptr, err)
	}
	resRaw, ok := op.Responses["200"]
	if !ok {
		return nil, "no 200 response", nil
	}
	ptr += "/responses/200"
	var res struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	}
	if err := json.Unmarshal(resRaw, &res); err != nil {
		return nil, "", fmt.Errorf("%s: %w", ptr, err)
	}
	if res.Ref != "" {
		return nil, "", fmt.Errorf("%s/$ref: unsupported reference %q (responses must be inline)", ptr, res.Ref)
	}
	if len(res.Content) == 0 {
		return nil, "200 response has no content", nil
	}
	var schemaRaw json.RawMessage
	var schemaPtr string
	for _, mt := range slices.Sorted(maps.Keys(res.Content)) {
		if !isJSONMediaType(mt) {
			continue
		}
		c := res.Content[mt]
		p := ptr + "/content/" + escapePointer(mt) + "/schema"
		if len(c.Schema) == 0 {
			return nil, "", fmt.Errorf("%s: missing schema", p)
		}
		if schemaRaw != nil && !jsonEqual(schemaRaw, c.Schema) {
			return nil, "", fmt.Errorf("%s: differs from %s", p, schemaPtr)
		}
		if schemaRaw == nil {
			schemaRaw, schemaPtr = c.Schema, p
		}
	}
	if schemaRaw == nil {
		return nil, "200 response is " + strings.Join(slices.Sorted(maps.Keys(res.Content)), ", ") + ", not JSON", nil
	}
	s, err := decode(schemaRaw, schemaPtr)
	if err != nil {
		return nil, "", err
	}
	list := false
	if s.typ == TypeArray && s.Ref == "" {
		if len(s.Items) == 0 {
			return nil, "", fmt.Errorf("%s: array without items", schemaPtr)
		}
		schemaPtr += "/items"
		if s, err = decode(s.Items, schemaPtr); err != nil {
			return nil, "", err
		}
		list = true
	}
	if s.Ref == "" && len(s.Properties) > 0 {
		return nil, "", fmt.Errorf("%s/properties: unsupported inline object schema (want a $ref to /components/schemas)", schemaPtr)
	}
	name, isObj, err := im.objectRef(s, schemaPtr)
	if err != nil {
		return nil, "", err
	}
	if !isObj {
		what := "a " + s.typ
		if name != "" {
			what = "schema " + name
		} else if s.typ == "" {
			what = "untyped"
		}
		if list {
			what = "an array of " + strings.TrimPrefix(what, "a ")
		}
		return nil, "200 response is " + what + ", not an object or an array of objects", nil
	}
	im.use(name)
	return &snapEndpoint{List: list, Schema: name}, "", nil
}

// objectSchema converts the object component name into im.schemas.
func (im *importer) objectSchema(name string) error {
	ptr := componentPtr(name)
	s, err := im.component(name, ptr)
	if err != nil {
		return err
	}
	if s.typ != "" && s.typ != TypeObject {
		return fmt.Errorf("%s/type: object schema with type %q", ptr, s.typ)
	}
	if hasAdditional(s) {
		return fmt.Errorf("%s/additionalProperties: unsupported: an object with both properties and additionalProperties", ptr)
	}
	out := &snapSchema{Properties: map[string]*Property{}}
	for _, pn := range slices.Sorted(maps.Keys(s.Properties)) {
		p, err := im.property(s.Properties[pn], ptr+"/properties/"+escapePointer(pn))
		if err != nil {
			return err
		}
		out.Properties[pn] = p
	}
	im.schemas[name] = out
	return nil
}

// property converts the property schema at ptr.
func (im *importer) property(raw json.RawMessage, ptr string) (*Property, error) {
	s, err := decode(raw, ptr)
	if err != nil {
		return nil, err
	}
	var p *Property
	switch {
	case s.Ref != "":
		name, isObj, err := im.objectRef(s, ptr)
		if err != nil {
			return nil, err
		}
		if isObj {
			im.use(name)
			p = &Property{Ref: name}
			break
		}
		// A scalar, array or map component: inline it.
		if im.inlining[name] {
			return nil, fmt.Errorf("%s/$ref: unsupported: %s refers to itself", ptr, componentPtr(name))
		}
		im.inlining[name] = true
		inner, err := im.property(im.components[name], componentPtr(name))
		delete(im.inlining, name)
		if err != nil {
			return nil, err
		}
		p = inner
	case len(s.Properties) > 0:
		return nil, fmt.Errorf("%s/properties: unsupported inline object schema (want a $ref to /components/schemas)", ptr)
	case s.typ == "" && len(s.Items) == 0 && !hasAdditional(s):
		p = &Property{} // the spec declares no type
	case isScalar(s.typ):
		p = &Property{Type: s.typ, Format: s.Format, Enum: enumStrings(s.Enum)}
	case s.typ == TypeArray || (s.typ == "" && len(s.Items) > 0):
		if len(s.Items) == 0 {
			return nil, fmt.Errorf("%s: array without items", ptr)
		}
		items, err := im.property(s.Items, ptr+"/items")
		if err != nil {
			return nil, err
		}
		p = &Property{Type: TypeArray, Items: items}
	case s.typ == TypeObject || s.typ == "":
		p = &Property{Type: TypeObject}
		if hasAdditional(s) {
			m, err := mapValueType(s.AdditionalProperties, ptr+"/additionalProperties")
			if err != nil {
				return nil, err
			}
			p.Map = m
		}
	default:
		return nil, fmt.Errorf("%s/type: unsupported type %q", ptr, s.typ)
	}
	p.Nullable = p.Nullable || s.Nullable
	p.ReadOnly = p.ReadOnly || s.ReadOnly
	desc := cleanText(s.Description)
	if s.WriteOnly || (desc != "" && writeOnlyRE.MatchString(desc)) {
		p.WriteOnly = true
		if desc != "" {
			p.Note = truncate(desc, maxNote)
		}
	}
	return p, nil
}

// mapValueType reads an additionalProperties value.
func mapValueType(raw json.RawMessage, ptr string) (string, error) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("true")) {
		return MapAny, nil
	}
	s, err := decode(raw, ptr)
	if err != nil {
		return "", err
	}
	switch {
	case s.Ref != "":
		return "", fmt.Errorf("%s/$ref: unsupported: maps of referenced schemas", ptr)
	case isScalar(s.typ):
		return s.typ, nil
	case s.typ == "" && len(s.Properties) == 0 && len(s.Items) == 0:
		return MapAny, nil
	}
	return "", fmt.Errorf("%s: unsupported: maps of %s values (want a scalar type)", ptr, s.typ)
}

// enumStrings renders enum values as strings; null (nullable enums) is
// dropped, other JSON values keep their compact JSON text.
func enumStrings(vals []json.RawMessage) []string {
	var out []string
	for _, v := range vals {
		v = bytes.TrimSpace(v)
		if bytes.Equal(v, []byte("null")) {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			out = append(out, s)
			continue
		}
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			out = append(out, buf.String())
		}
	}
	return out
}

// normalizeEndpoint drops the slashes around an OpenAPI path and route
// constraints from its parameters: "/system/members/{id:int}" ->
// "system/members/{id}". A truncated constraint (no closing brace, as in
// ConnectWise's "{memberIdentifier:regex(^(types. |(") is cut the same way.
func normalizeEndpoint(raw string) (string, error) {
	p := strings.Trim(raw, "/")
	if p == "" {
		return "", fmt.Errorf("empty path %q", raw)
	}
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if seg == "" {
			return "", fmt.Errorf("path %q has an empty segment", raw)
		}
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		name := seg[1:]
		if j := strings.IndexAny(name, ":}"); j >= 0 {
			name = name[:j]
		}
		if name == "" {
			return "", fmt.Errorf("path %q has a parameter without a name", raw)
		}
		segs[i] = "{" + name + "}"
	}
	return strings.Join(segs, "/"), nil
}

func isJSONMediaType(mt string) bool {
	base, _, err := mime.ParseMediaType(mt)
	if err != nil {
		base = strings.ToLower(strings.TrimSpace(strings.SplitN(mt, ";", 2)[0]))
	}
	return base == "application/json" || base == "text/json" || strings.HasSuffix(base, "+json")
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}
