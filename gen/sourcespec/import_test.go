package sourcespec

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/openapi-mini.snapshot.json and, when the shared spec is present, mappings/sources/connectwise.json")

const (
	fixtureOpenAPI  = "testdata/openapi-mini.json"
	fixtureSnapshot = "testdata/openapi-mini.snapshot.json"
	fixtureSource   = "testdata/openapi-mini.json: hand-made OpenAPI 3.0.1 fixture for gen/sourcespec tests"

	// defaultSharedSpec is the upstream file; tests that need it skip
	// without it. CANONIC_CONNECTWISE_OPENAPI overrides the location.
	defaultSharedSpec = "/work/shared/connectwise/openapi-2026.4-get.json"
	// committedSpec is the vendored snapshot.
	committedSpec = "../../mappings/sources/connectwise.json"
	// connectWiseSource is the provenance note written by -update.
	connectWiseSource = "openapi-2026.4-get.json: GET-only subset (200 responses and the schemas they reference) of " +
		"ConnectWise's published OpenAPI 3.0.1 document \"Connectwise Manage Public Endpoints\" 2026.4; public copy from " +
		"github.com/wdyoung4383/connectwise-psa-mcp src/connectwise_mcp/data/openapi_get_filtered.json " +
		"(the full document is behind the ConnectWise developer portal login)"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importFixture(t *testing.T) []byte {
	t.Helper()
	out, err := ImportWithSource(readFile(t, fixtureOpenAPI), "mini", fixtureSource)
	if err != nil {
		t.Fatalf("Import fixture: %v", err)
	}
	return out
}

func loadFixture(t *testing.T) *Spec {
	t.Helper()
	sp, err := Load(importFixture(t))
	if err != nil {
		t.Fatalf("Load fixture snapshot: %v", err)
	}
	return sp
}

// checkCanonicalBytes checks the snapshot layout: sorted keys, two-space
// indent, no HTML escaping, one trailing newline.
func checkCanonicalBytes(t *testing.T, data []byte) {
	t.Helper()
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatalf("snapshot is not JSON: %v", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("snapshot bytes are not canonical (sorted keys, 2-space indent, trailing newline)")
	}
}

func TestImportFixtureGolden(t *testing.T) {
	got := importFixture(t)
	if again := importFixture(t); !bytes.Equal(got, again) {
		t.Fatal("Import is not deterministic")
	}
	checkCanonicalBytes(t, got)
	if *update {
		if err := os.WriteFile(fixtureSnapshot, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := readFile(t, fixtureSnapshot); !bytes.Equal(got, want) {
		t.Errorf("Import(%s) differs from %s (run go test -run TestImportFixtureGolden -update and review the diff):\n%s",
			fixtureOpenAPI, fixtureSnapshot, got)
	}
}

func TestImportFixtureContents(t *testing.T) {
	sp := loadFixture(t)
	if sp.Service != "mini" || sp.Version != "1.2" || sp.Title != "Mini PSA <test>" || sp.Source != fixtureSource {
		t.Errorf("header = %q %q %q %q", sp.Service, sp.Version, sp.Title, sp.Source)
	}
	if len(sp.SHA256) != 64 {
		t.Errorf("SHA256 = %q", sp.SHA256)
	}
	wantEndpoints := []string{
		"service/tickets", "service/tickets/count", "service/tickets/{id}", "system/members/{memberIdentifier}",
	}
	if got := sp.Endpoints(); !reflect.DeepEqual(got, wantEndpoints) {
		t.Errorf("Endpoints() = %q, want %q", got, wantEndpoints)
	}
	wantSkipped := map[string]string{
		"service/tickets/{id}/pdf": "200 response is application/pdf, not JSON",
		"system/info/tags":         "200 response is an array of string, not an object or an array of objects",
		"system/ping":              "no 200 response",
		"system/statuses":          "200 response is an array of schema StatusName, not an object or an array of objects",
	}
	if !reflect.DeepEqual(sp.skipped, wantSkipped) {
		t.Errorf("skipped = %q, want %q", sp.skipped, wantSkipped)
	}
	// Unused is only reachable from a POST; MemberReference is an alias of MemberRef.
	wantSchemas := []string{"Count", "Member", "MemberRef", "StatusReference", "Ticket", "TicketTask"}
	if got := sp.Schemas(); !reflect.DeepEqual(got, wantSchemas) {
		t.Errorf("Schemas() = %q, want %q", got, wantSchemas)
	}
	for path, want := range map[string]bool{"service/tickets": true, "service/tickets/{id}": false, "service/tickets/count": false} {
		if got, err := sp.IsList(path); err != nil || got != want {
			t.Errorf("IsList(%q) = %v, %v; want %v", path, got, err, want)
		}
	}
	ticket := sp.Schema("Ticket")
	if ticket == nil {
		t.Fatal("no Ticket schema")
	}
	want := map[string]Property{
		"id":                 {Type: "integer", Format: "int32"},
		"summary":            {Type: "string"},
		"status":             {Ref: "StatusReference"},
		"owner":              {Ref: "MemberRef", Nullable: true},
		"severity":           {Type: "string", Enum: []string{"Low", "Medium", "High"}, Nullable: true},
		"level":              {Type: "integer", Enum: []string{"1", "2"}, Nullable: true},
		"requiredDate":       {Type: "string", Format: "date-time"},
		"closedDate":         {Type: "string"},
		"budgetHours":        {Type: "number", Format: "double", Nullable: true},
		"approved":           {Type: "boolean", Nullable: true},
		"statusName":         {Type: "string", Enum: []string{"Open", "Closed"}},
		"initialDescription": {Type: "string", WriteOnly: true, Note: "Only available for POST, will not be returned in the response."},
		"initialNote":        {Type: "string", WriteOnly: true, Note: "Sent on create. Is NOT RETURNED in responses."},
		"secret":             {Type: "string", WriteOnly: true},
		"etag":               {Type: "string", ReadOnly: true},
		"tasks":              {Type: "array", Items: &Property{Ref: "TicketTask"}},
		"tagIds":             {Type: "array", Items: &Property{Type: "integer", Format: "int32"}},
		"extra":              {Type: "object"},
		"anything":           {},
		"labels":             {Type: "object", Map: MapAny},
		"_info":              {Type: "object", Map: "string"},
	}
	if got := ticket.PropertyNames(); len(got) != len(want) {
		t.Errorf("Ticket properties = %q, want %d", got, len(want))
	}
	for name, w := range want {
		got := ticket.Properties[name]
		if got == nil || !reflect.DeepEqual(*got, w) {
			t.Errorf("Ticket.%s = %+v, want %+v", name, got, w)
		}
	}
}

func TestWriteOnlyDescription(t *testing.T) {
	for desc, want := range map[string]bool{
		"Only available for POST, will not be returned in the response.": true,
		"ONLY AVAILABLE FOR POST, WILL NOT BE RETURNED IN THE RESPONSE":  true,
		"Is not returned in responses":                                   true,
		"never returned in a GET response":                               true,
		" Max length: 100;":                                              false,
		"Returned in the response.":                                      false,
		"Can be set to false to skip notification processing":            false,
	} {
		if got := writeOnlyRE.MatchString(desc); got != want {
			t.Errorf("writeOnlyRE(%q) = %v, want %v", desc, got, want)
		}
	}
}

func TestNormalizeEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"/service/tickets":                                "service/tickets",
		"/service/tickets/{id}/":                          "service/tickets/{id}",
		"/service/tickets/{parentId}/notes/{id}":          "service/tickets/{parentId}/notes/{id}",
		"/system/members/{id:int}":                        "system/members/{id}",
		"/system/members/{memberIdentifier:regex(^(types": "system/members/{memberIdentifier}",
	} {
		if got, err := normalizeEndpoint(in); err != nil || got != want {
			t.Errorf("normalizeEndpoint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"/", "/a//b", "/a/{}/b", "/a/{:x}"} {
		if got, err := normalizeEndpoint(in); err == nil {
			t.Errorf("normalizeEndpoint(%q) = %q, want an error", in, got)
		}
	}
}

// miniDoc builds an OpenAPI document with one list endpoint /a returning
// X, the given extra paths and the schema X with the given properties.
func miniDoc(xProps, extraPaths, extraSchemas string) string {
	return `{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {
  "/a": {"get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/X"}}}}}}}}` +
		extraPaths + `},
  "components": {"schemas": {"X": {"type": "object", "properties": {` + xProps + `}}` + extraSchemas + `}}}`
}

func TestImportErrors(t *testing.T) {
	okProp := `"id": {"type": "integer"}`
	cases := []struct {
		name, doc, service, want string
	}{
		{"not JSON", `{"openapi": `, "svc", "parse OpenAPI document"},
		{"bad service", miniDoc(okProp, "", ""), "Bad Name", `service name "Bad Name"`},
		{"OpenAPI 3.1", strings.Replace(miniDoc(okProp, "", ""), `"3.0.1"`, `"3.1.0"`, 1), "svc", `/openapi: unsupported OpenAPI version "3.1.0"`},
		{"no version", strings.Replace(miniDoc(okProp, "", ""), `"version": "1"`, `"version": ""`, 1), "svc", "/info/version"},
		{"oneOf", miniDoc(`"x": {"oneOf": [{"type": "string"}]}`, "", ""), "svc", "/components/schemas/X/properties/x/oneOf: unsupported construct oneOf"},
		{"anyOf", miniDoc(`"x": {"anyOf": [{"type": "string"}]}`, "", ""), "svc", "/components/schemas/X/properties/x/anyOf"},
		{"not", miniDoc(`"x": {"not": {"type": "string"}}`, "", ""), "svc", "/components/schemas/X/properties/x/not"},
		{"allOf of two", miniDoc(`"x": {"allOf": [{"$ref": "#/components/schemas/Y"}, {"$ref": "#/components/schemas/Y"}]}`, "", `, "Y": {"type": "object"}`), "svc", "/components/schemas/X/properties/x/allOf: unsupported construct allOf"},
		{"allOf inline", miniDoc(`"x": {"allOf": [{"type": "string"}]}`, "", ""), "svc", "/components/schemas/X/properties/x/allOf/0"},
		{"inline object", miniDoc(`"x~y/z": {"type": "object", "properties": {"a": {"type": "string"}}}`, "", ""), "svc", "/components/schemas/X/properties/x~0y~1z/properties: unsupported inline object schema"},
		{"external ref", miniDoc(`"x": {"$ref": "other.json#/Y"}`, "", ""), "svc", `/components/schemas/X/properties/x/$ref: unsupported reference "other.json#/Y"`},
		{"missing ref", miniDoc(`"x": {"$ref": "#/components/schemas/Nope"}`, "", ""), "svc", `/components/schemas/X/properties/x/$ref: schema "Nope" not found`},
		{"ref cycle", miniDoc(`"x": {"$ref": "#/components/schemas/A"}`, "", `, "A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}`), "svc", "is a cycle of $refs"},
		{"map of refs", miniDoc(`"m": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/X"}}`, "", ""), "svc", "/components/schemas/X/properties/m/additionalProperties/$ref: unsupported: maps of referenced schemas"},
		{"map of arrays", miniDoc(`"m": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}`, "", ""), "svc", "/components/schemas/X/properties/m/additionalProperties: unsupported: maps of array values"},
		{"type list", miniDoc(`"x": {"type": ["string", "null"]}`, "", ""), "svc", "/components/schemas/X/properties/x/type: type must be a string"},
		{"unknown type", miniDoc(`"x": {"type": "file"}`, "", ""), "svc", `/components/schemas/X/properties/x/type: unsupported type "file"`},
		{"array without items", miniDoc(`"x": {"type": "array"}`, "", ""), "svc", "/components/schemas/X/properties/x: array without items"},
		{"schema not an object", miniDoc(`"x": true`, "", ""), "svc", "/components/schemas/X/properties/x: schema must be a JSON object"},
		{"properties and map", strings.Replace(miniDoc(okProp, "", ""), `"type": "object", "properties"`, `"type": "object", "additionalProperties": true, "properties"`, 1), "svc", "/components/schemas/X/additionalProperties"},
		{"response ref", miniDoc(okProp, `, "/b": {"get": {"responses": {"200": {"$ref": "#/components/responses/R"}}}}`, ""), "svc", "/paths/~1b/get/responses/200/$ref"},
		{"inline response", miniDoc(okProp, `, "/b": {"get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}}}`, ""), "svc", "/paths/~1b/get/responses/200/content/application~1json/schema/properties: unsupported inline object schema"},
		{"differing media types", miniDoc(okProp, `, "/b": {"get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}, "text/json": {"schema": {"$ref": "#/components/schemas/Y"}}}}}}}`, `, "Y": {"type": "object"}`), "svc", "/paths/~1b/get/responses/200/content/text~1json/schema: differs from"},
		{"path collision", miniDoc(okProp, `, "/a/": {"get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}}}`, ""), "svc", `/paths/~1a and /paths/~1a~1 both normalise to "a"`},
		{"no endpoints", `{"openapi": "3.0.1", "info": {"version": "1"}, "paths": {"/a": {"post": {}}}}`, "svc", "no GET operation returns JSON objects"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Import([]byte(c.doc), c.service)
			if err == nil {
				t.Fatalf("Import succeeded, want error containing %q:\n%s", c.want, out)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Import error = %q, want it to contain %q", err, c.want)
			}
		})
	}
	// The same document with a valid property imports, so the cases above
	// fail for the reason they name.
	if _, err := Import([]byte(miniDoc(okProp, "", "")), "svc"); err != nil {
		t.Fatalf("control document: %v", err)
	}
}

func TestImportDefaultSource(t *testing.T) {
	out, err := Import([]byte(miniDoc(`"id": {"type": "integer"}`, "", "")), "svc")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := `OpenAPI 3.0.1 document "t", version 1`; sp.Source != want {
		t.Errorf("Source = %q, want %q", sp.Source, want)
	}
}

func TestLoadErrors(t *testing.T) {
	good := importFixture(t)
	cases := map[string]struct{ from, to, want string }{
		"format":        {`"format": 1`, `"format": 2`, "format 2, want 1"},
		"unknown field": {`"format": 1`, `"format": 1, "extra": true`, "unknown field"},
		"unknown ref":   {`"ref": "StatusReference"`, `"ref": "Nope"`, `Ticket.status: unknown schema "Nope"`},
		"unknown type":  {`"type": "boolean"`, `"type": "bool"`, `Ticket.approved: unknown type "bool"`},
		"bad endpoint":  {`"schema": "Count"`, `"schema": "Nope"`, `endpoint "service/tickets/count": unknown schema`},
		"bad map":       {`"map": "string"`, `"map": "Ticket"`, `unknown map value type "Ticket"`},
		"trailing data": {"}\n", "}\n{}", "trailing data"},
		"no service":    {`"service": "mini"`, `"service": ""`, "service and version are required"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			idx := bytes.LastIndex(good, []byte(c.from))
			if idx < 0 {
				t.Fatalf("fixture snapshot has no %q", c.from)
			}
			bad := append(append(append([]byte(nil), good[:idx]...), c.to...), good[idx+len(c.from):]...)
			if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, c.want)
			}
		})
	}
	for doc, want := range map[string]string{
		`{"endpoints": {"a": {"list": true, "schema": "X"}}, "format": 1, "schemas": {"X": {"properties": {"x": {"type": "array"}}}}, "service": "s", "version": "1"}`:                   "X.x: array without items",
		`{"endpoints": {"a": {"list": true, "schema": "X"}}, "format": 1, "schemas": {"X": {"properties": {"x": {"ref": "X", "type": "string"}}}}, "service": "s", "version": "1"}`:      "X.x: a reference with a type",
		`{"endpoints": {"a": {"list": true, "schema": "X"}}, "format": 1, "schemas": {"X": {"properties": {"x": {"map": "string", "type": "string"}}}}, "service": "s", "version": "1"}`: "X.x: map on a non-object",
		`{"endpoints": {}, "format": 1, "schemas": {}, "service": "s", "version": "1"}`:                                                                                                  "no endpoints",
	} {
		if _, err := Load([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s) error = %v, want it to contain %q", doc, err, want)
		}
	}
}

// TestConnectWiseSnapshot checks that the committed snapshot is exactly
// what Import makes of the upstream file (when the shared folder is
// present) and, with -update, rewrites it.
func TestConnectWiseSnapshot(t *testing.T) {
	sharedSpec := defaultSharedSpec
	if env := os.Getenv("CANONIC_CONNECTWISE_OPENAPI"); env != "" {
		sharedSpec = env
	}
	upstream, err := os.ReadFile(sharedSpec)
	if os.IsNotExist(err) {
		t.Skipf("%s not present", sharedSpec)
	}
	if err != nil {
		t.Fatal(err)
	}
	source := connectWiseSource
	if !*update {
		committed, err := Load(readFile(t, committedSpec))
		if err != nil {
			t.Fatal(err)
		}
		source = committed.Source
	}
	got, err := ImportWithSource(upstream, "connectwise", source)
	if err != nil {
		t.Fatalf("Import(%s): %v", sharedSpec, err)
	}
	again, err := ImportWithSource(upstream, "connectwise", source)
	if err != nil || !bytes.Equal(got, again) {
		t.Fatalf("Import of the real spec is not deterministic (err %v)", err)
	}
	checkCanonicalBytes(t, got)
	if *update {
		if err := os.WriteFile(committedSpec, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := readFile(t, committedSpec); !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: it differs from Import(%s); run go test ./gen/sourcespec -run TestConnectWiseSnapshot -update",
			filepath.Clean(committedSpec), filepath.Base(sharedSpec))
	}

	// Every GET path is either an endpoint or skipped with a reason.
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(upstream, &doc); err != nil {
		t.Fatal(err)
	}
	sp, err := Load(got)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sp.endpoints) + len(sp.skipped); n != len(doc.Paths) || n != 324 {
		t.Errorf("%d endpoints + %d skipped, want all %d paths (324)", len(sp.endpoints), len(sp.skipped), len(doc.Paths))
	}
	wantSkipped := map[string]string{
		"company/contacts/{id}/image":   "200 response has no content",
		"finance/invoices/{id}/pdf":     "200 response is application/pdf, not JSON",
		"service/priorities/{id}/image": "200 response has no content",
	}
	if !reflect.DeepEqual(sp.skipped, wantSkipped) {
		t.Errorf("skipped = %q, want %q", sp.skipped, wantSkipped)
	}
	if _, err := sp.Endpoint("system/members/{memberIdentifier}"); err != nil {
		t.Errorf("truncated route constraint not normalised: %v", err)
	}
}
