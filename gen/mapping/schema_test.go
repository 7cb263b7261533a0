package mapping_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/model"
)

// The editor schema mappings/mapping.schema.json must describe what the
// parser reads. These tests check it with a small validator (only the
// keywords the schema uses; any other keyword fails the test, so none is
// silently ignored), against every real and golden mapping, against
// mappings that must fail, and against the keys the parser reports.

const schemaPath = "../../mappings/mapping.schema.json"

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	return s
}

// knownKeywords are the JSON Schema keywords validate implements, plus
// annotations.
var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "$defs": true, "$ref": true, "title": true, "description": true,
	"type": true, "const": true, "enum": true, "pattern": true, "minLength": true,
	"properties": true, "additionalProperties": true, "required": true,
	"items": true, "minItems": true, "maxItems": true, "uniqueItems": true,
	"allOf": true, "anyOf": true, "not": true, "if": true, "then": true, "else": true,
}

// walkSchemas calls fn for every subschema, with its JSON pointer.
func walkSchemas(s map[string]any, ptr string, fn func(ptr string, s map[string]any)) {
	fn(ptr, s)
	for _, kw := range []string{"items", "not", "if", "then", "else"} {
		if sub, ok := s[kw].(map[string]any); ok {
			walkSchemas(sub, ptr+"/"+kw, fn)
		}
	}
	for _, kw := range []string{"properties", "$defs"} {
		if m, ok := s[kw].(map[string]any); ok {
			for _, k := range sortedKeys(m) {
				walkSchemas(m[k].(map[string]any), ptr+"/"+kw+"/"+k, fn)
			}
		}
	}
	for _, kw := range []string{"allOf", "anyOf"} {
		if list, ok := s[kw].([]any); ok {
			for i, sub := range list {
				walkSchemas(sub.(map[string]any), fmt.Sprintf("%s/%s/%d", ptr, kw, i), fn)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestSchemaUsesOnlyKnownKeywords(t *testing.T) {
	s := loadSchema(t)
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", s["$schema"])
	}
	walkSchemas(s, "#", func(ptr string, sub map[string]any) {
		for kw := range sub {
			if !knownKeywords[kw] {
				t.Errorf("%s uses keyword %q, which the test validator does not implement", ptr, kw)
			}
		}
		if p, ok := sub["pattern"].(string); ok {
			if _, err := regexp.Compile(p); err != nil {
				t.Errorf("%s: pattern %q: %v", ptr, p, err)
			}
		}
		// Every object schema that declares properties is closed, so a
		// misspelt key is an editor error as it is a compiler error.
		if _, ok := sub["properties"]; ok && !strings.Contains(ptr, "/if") && !strings.Contains(ptr, "/then") && !strings.Contains(ptr, "/allOf") {
			if sub["additionalProperties"] != false {
				t.Errorf("%s declares properties without additionalProperties: false", ptr)
			}
		}
	})
}

// validate returns the problems of inst against schema s (nil: valid).
func validate(root, s map[string]any, inst any, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if ref, ok := s["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		def, _ := root["$defs"].(map[string]any)[name].(map[string]any)
		if !found || def == nil {
			return []string{at + ": unresolvable $ref " + ref}
		}
		errs = append(errs, validate(root, def, inst, at)...)
	}
	if typ, ok := s["type"]; ok {
		var types []string
		switch v := typ.(type) {
		case string:
			types = []string{v}
		case []any:
			for _, x := range v {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(ty string) bool { return hasType(inst, ty) }) {
			fail("want %s, got %T", strings.Join(types, " or "), inst)
			return errs
		}
	}
	if c, ok := s["const"]; ok && !equal(c, inst) {
		fail("want %v, got %v", c, inst)
	}
	if list, ok := s["enum"].([]any); ok && !slices.ContainsFunc(list, func(v any) bool { return equal(v, inst) }) {
		fail("%v is not one of %v", inst, list)
	}
	if str, ok := inst.(string); ok {
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
		if n, ok := s["minLength"].(float64); ok && len([]rune(str)) < int(n) {
			fail("%q is shorter than %v", str, n)
		}
	}
	if obj, ok := inst.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, k := range sortedKeys(obj) {
			if sub, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(root, sub, obj[k], at+"."+k)...)
			} else if s["additionalProperties"] == false {
				fail("unknown key %q", k)
			}
		}
		if req, ok := s["required"].([]any); ok {
			for _, k := range req {
				if _, ok := obj[k.(string)]; !ok {
					fail("missing required key %q", k)
				}
			}
		}
	}
	if arr, ok := inst.([]any); ok {
		if sub, ok := s["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, validate(root, sub, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if n, ok := s["minItems"].(float64); ok && len(arr) < int(n) {
			fail("%d items, want at least %v", len(arr), n)
		}
		if n, ok := s["maxItems"].(float64); ok && len(arr) > int(n) {
			fail("%d items, want at most %v", len(arr), n)
		}
		if s["uniqueItems"] == true {
			for i := range arr {
				for j := i + 1; j < len(arr); j++ {
					if equal(arr[i], arr[j]) {
						fail("items %d and %d are equal", i, j)
					}
				}
			}
		}
	}
	if list, ok := s["allOf"].([]any); ok {
		for _, sub := range list {
			errs = append(errs, validate(root, sub.(map[string]any), inst, at)...)
		}
	}
	if list, ok := s["anyOf"].([]any); ok {
		if !slices.ContainsFunc(list, func(sub any) bool { return validate(root, sub.(map[string]any), inst, at) == nil }) {
			fail("matches none of anyOf")
		}
	}
	if sub, ok := s["not"].(map[string]any); ok && validate(root, sub, inst, at) == nil {
		fail("matches a schema it must not (not)")
	}
	if cond, ok := s["if"].(map[string]any); ok {
		branch := "else"
		if validate(root, cond, inst, at) == nil {
			branch = "then"
		}
		if sub, ok := s[branch].(map[string]any); ok {
			errs = append(errs, validate(root, sub, inst, at)...)
		}
	}
	return errs
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "integer":
		switch n := v.(type) {
		case int:
			return true
		case float64:
			return n == float64(int64(n))
		}
	case "number":
		switch v.(type) {
		case int, float64:
			return true
		}
	}
	return false
}

// equal compares JSON and YAML values (numbers by value).
func equal(a, b any) bool {
	num := func(v any) (float64, bool) {
		switch n := v.(type) {
		case int:
			return float64(n), true
		case float64:
			return n, true
		}
		return 0, false
	}
	if x, ok := num(a); ok {
		y, ok := num(b)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}

func readYAML(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// goodMappings are the real project's mappings and the golden inputs.
func goodMappings(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"../../mappings/*/*.yaml", "../cli/testdata/golden/*/mappings/*/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			if filepath.Base(p) != "project.yaml" {
				out = append(out, p)
			}
		}
	}
	if len(out) < 6 {
		t.Fatalf("found only %d mappings: %q", len(out), out)
	}
	return out
}

func TestSchemaAcceptsEveryMapping(t *testing.T) {
	s := loadSchema(t)
	for _, p := range goodMappings(t) {
		if errs := validate(s, s, readYAML(t, p), "$"); errs != nil {
			t.Errorf("%s is rejected by the schema:\n  %s", p, strings.Join(errs, "\n  "))
		}
	}
}

// TestSchemaRejectsBadShapes: bad-corpus mappings whose mistake is one of
// shape (what an editor can see without the source spec) fail the schema
// too. (Not alias_merge_key: YAML tools resolve merge keys, the compiler
// refuses them.)
func TestSchemaRejectsBadShapes(t *testing.T) {
	s := loadSchema(t)
	for _, name := range []string{
		"unknown_top_level_key", "unknown_field_key", "missing_version", "wrong_version", "version_as_string",
		"missing_required_keys", "fields_not_a_list", "field_not_a_mapping", "null_values", "empty_field_list",
		"unknown_type", "decimal_without_params", "enum_without_values", "values_on_non_enum", "duplicate_enum_value",
		"enum_too_many_values", "enum_value_not_scalar", "unknown_conversion", "no_source_no_unmapped", "unmapped_with_source",
		"unmapped_not_nullable", "unmapped_empty_reason", "non_identifier_names", "scd_type_1", "acknowledge_bad_shape",
		"empty_descriptions", "bad_partition_by", "cursor_incomplete", "acknowledge_on_unmapped", "child_type_mismatch",
		"child_wrong_condition_type",
	} {
		p := "../cli/testdata/bad/" + name + "/mappings/connectwise/tickets.yaml"
		if errs := validate(s, s, readYAML(t, p), "$"); errs == nil {
			t.Errorf("%s is accepted by the schema", p)
		}
	}
}

var (
	unknownKeyRE = regexp.MustCompile(`: (\w+): unknown key "zzqqzz" \(known keys: ([^)]*)\)$`)
	requiredRE   = regexp.MustCompile(`missing required key "(\w+)"`)
)

// parserKeys asks the parser which keys it knows and requires at one
// level: it parses doc, in which that level holds the unknown key
// "zzqqzz" (and nothing else), and reads the messages.
func parserKeys(t *testing.T, doc, level string) (known, required []string) {
	t.Helper()
	_, errs := mapping.ParseFile("probe.yaml", []byte(doc))
	for _, e := range errs {
		msg := e.Error()
		if m := unknownKeyRE.FindStringSubmatch(msg); m != nil && m[1] == level {
			known = strings.Split(m[2], ", ")
		}
		if m := requiredRE.FindStringSubmatch(msg); m != nil && (strings.Contains(msg, ": "+level+": ") || level == "mapping" && strings.Contains(msg, ": missing required key \"version\"")) {
			required = append(required, m[1])
		}
	}
	if known == nil {
		t.Fatalf("probe for %s: no known-keys message in:\n%v", level, errs)
	}
	sort.Strings(known)
	sort.Strings(required)
	return known, required
}

// TestSchemaMatchesParserKeys: at every level the schema's properties are
// exactly the keys the parser knows, and its required keys exactly the
// ones the parser requires, so the two cannot drift apart.
func TestSchemaMatchesParserKeys(t *testing.T) {
	s := loadSchema(t)
	field := s["$defs"].(map[string]any)["field"].(map[string]any)
	props := func(sub map[string]any) map[string]any {
		return sub["properties"].(map[string]any)
	}
	top := props(s)
	for _, c := range []struct {
		level  string
		doc    string
		schema map[string]any
	}{
		{"mapping", "zzqqzz: 1\n", s},
		{"source", "source: {zzqqzz: 1}\n", top["source"].(map[string]any)},
		{"scd", "scd: {zzqqzz: 1}\n", top["scd"].(map[string]any)},
		{"cursor", "cursor: {zzqqzz: 1}\n", top["cursor"].(map[string]any)},
		{"clickhouse", "clickhouse: {zzqqzz: 1}\n", top["clickhouse"].(map[string]any)},
		{"field", "fields: [{zzqqzz: 1}]\n", field},
		{"acknowledge", "fields: [{acknowledge: {zzqqzz: 1}}]\n", props(field)["acknowledge"].(map[string]any)},
		{"child", "fields: [{child: {zzqqzz: 1}}]\n", props(field)["child"].(map[string]any)},
	} {
		known, required := parserKeys(t, c.doc, c.level)
		schemaKeys := sortedKeys(props(c.schema))
		if !slices.Equal(known, schemaKeys) {
			t.Errorf("%s: parser knows %q, schema has %q", c.level, known, schemaKeys)
		}
		var schemaReq []string
		req, _ := c.schema["required"].([]any)
		for _, k := range req {
			schemaReq = append(schemaReq, k.(string))
		}
		sort.Strings(schemaReq)
		if !slices.Equal(required, schemaReq) {
			t.Errorf("%s: parser requires %q, schema requires %q", c.level, required, schemaReq)
		}
	}
}

// TestSchemaMatchesModel: the enumerations in the schema are the model's.
func TestSchemaMatchesModel(t *testing.T) {
	s := loadSchema(t)
	top := s["properties"].(map[string]any)
	if v := top["version"].(map[string]any)["const"]; !equal(v, mapping.FormatVersion) {
		t.Errorf("schema version const %v, parser reads %d", v, mapping.FormatVersion)
	}
	fieldProps := s["$defs"].(map[string]any)["field"].(map[string]any)["properties"].(map[string]any)
	var conv []string
	for _, c := range fieldProps["convert"].(map[string]any)["enum"].([]any) {
		conv = append(conv, c.(string))
	}
	modelConv := slices.Sorted(slices.Values(model.ConversionNames()))
	if slices.Sort(conv); !slices.Equal(conv, modelConv) { // a JSON Schema enum is a set
		t.Errorf("schema conversions %q, model %q", conv, modelConv)
	}
	typeRE := regexp.MustCompile(fieldProps["type"].(map[string]any)["pattern"].(string))
	for _, k := range model.KindNames() {
		if k == "decimal(P,S)" {
			k = "decimal(18,4)"
		}
		if !typeRE.MatchString(k) {
			t.Errorf("schema type pattern rejects canonical type %q", k)
		}
	}
	for _, bad := range []string{"decimal", "decimal(18)", "strng", "Int64", "enum(A,B)", "int"} {
		if typeRE.MatchString(bad) {
			t.Errorf("schema type pattern accepts %q", bad)
		}
		if _, err := model.ParseType(bad); err == nil {
			t.Errorf("model accepts %q, which the schema rejects", bad)
		}
	}
	nameRE := regexp.MustCompile(s["$defs"].(map[string]any)["name"].(map[string]any)["pattern"].(string))
	for _, name := range []string{"id", "ticket_number", "a1", "team_1", "Id", "1a", "a-b", "a__b", "a_", "_a", "tïcket"} {
		ok := nameRE.MatchString(name)
		want := name == "id" || name == "ticket_number" || name == "a1" || name == "team_1"
		if ok != want {
			t.Errorf("schema name pattern on %q = %v, want %v", name, ok, want)
		}
	}
}
