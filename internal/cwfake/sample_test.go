package cwfake

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
)

// The fields the canonical tickets mapping reads (shared/design/tickets-canonical.md).
var canonicalPaths = []string{"id", "summary", "status/name", "priority/name", "severity", "impact",
	"type/id", "type/name", "subType/id", "subType/name", "company/id", "company/name", "contact/id",
	"contact/name", "board/id", "board/name", "team/id", "team/name", "owner/id", "owner/name",
	"_info/enteredBy", "_info/dateEntered", "_info/lastUpdated", "_info/updatedBy", "requiredDate",
	"budgetHours", "actualHours", "approved", "closedDate", "closedBy", "closedFlag", "recordType"}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// lookup walks a slash path through decoded JSON.
func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, "/") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// shape names a JSON value's kind, with timestamps told apart.
func shape(v any) string {
	switch x := v.(type) {
	case string:
		if timestampRE.MatchString(x) {
			return "timestamp"
		}
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

// TestShapesMatchRealSamples checks generated tickets against the tickets
// recorded from a real ConnectWise sandbox: the canonical fields have the
// same JSON kinds, reference objects have the same keys, and every
// top-level key is a real one.
func TestShapesMatchRealSamples(t *testing.T) {
	var samples []map[string]any
	readJSON(t, "testdata/get_tickets_list.json", &samples)
	var one map[string]any
	readJSON(t, "testdata/get_ticket_by_id.json", &one)
	samples = append(samples, one)

	generated := NewStore(17, 600).Tickets()
	genShapes := map[string]map[string]bool{}
	for _, tk := range generated {
		for _, p := range canonicalPaths {
			if v, ok := lookup(tk, p); ok {
				if genShapes[p] == nil {
					genShapes[p] = map[string]bool{}
				}
				genShapes[p][shape(v)] = true
			}
		}
	}
	for _, p := range canonicalPaths {
		if len(genShapes[p]) != 1 {
			t.Errorf("%s has kinds %v in generated tickets, want exactly one", p, genShapes[p])
		}
		for _, s := range samples {
			if v, ok := lookup(s, p); ok && !genShapes[p][shape(v)] {
				t.Errorf("%s: sample kind %s, generated kinds %v", p, shape(v), genShapes[p])
			}
		}
	}

	// Reference objects: generated keys equal the sample's, apart from the
	// documented optional sort (status) and level (priority).
	optional := map[string]bool{"status/sort": true, "priority/level": true}
	for _, ref := range []string{"board", "status", "company", "contact", "type", "subType", "team", "owner", "priority"} {
		sampleKeys, genKeys := map[string]bool{}, map[string]bool{}
		for _, s := range samples {
			if o, ok := s[ref].(map[string]any); ok {
				for k := range o {
					sampleKeys[k] = true
				}
			}
		}
		for _, g := range generated {
			if o, ok := g[ref].(map[string]any); ok {
				for k := range o {
					genKeys[k] = true
				}
			}
		}
		for k := range sampleKeys {
			if !genKeys[k] {
				t.Errorf("%s: sample key %q never generated", ref, k)
			}
		}
		for k := range genKeys {
			if !sampleKeys[k] && !optional[ref+"/"+k] {
				t.Errorf("%s: generated key %q not in the samples", ref, k)
			}
		}
	}

	// Every generated top-level key is a property of the 2026.4 Ticket
	// schema, and the _info keys are the samples' keys.
	schema := map[string]bool{}
	f, err := os.Open("testdata/ticket-schema-properties.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		schema[strings.TrimSpace(sc.Text())] = true
	}
	if len(schema) < 100 {
		t.Fatalf("schema property list has %d names", len(schema))
	}
	var sampleInfo []string
	for k := range samples[0]["_info"].(map[string]any) {
		sampleInfo = append(sampleInfo, k)
	}
	sort.Strings(sampleInfo)
	for _, g := range generated {
		for k := range g {
			if !schema[k] {
				t.Fatalf("generated key %q is not a Ticket property", k)
			}
		}
		var keys []string
		for k := range g["_info"].(map[string]any) {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != strings.Join(sampleInfo, ",") {
			t.Fatalf("_info keys %v, sample has %v", keys, sampleInfo)
		}
	}
}

// TestErrorBodiesMatchRecordedOnes compares error answers with the
// recorded real bodies byte for byte where the situation is the same.
func TestErrorBodiesMatchRecordedOnes(t *testing.T) {
	var recorded map[string]json.RawMessage
	readJSON(t, "testdata/errors.json", &recorded)
	compact := func(raw json.RawMessage) string {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		b, _ := marshalRecord(v)
		return string(b)
	}
	c := newTestServer(t, Config{Store: NewStore(1, 10)})
	for name, path := range map[string]string{
		"ticket_not_found_404":   "/service/tickets/404",
		"invalid_conditions_400": "/service/tickets?conditions=" + q("ticket=1"),
	} {
		r := c.get(path)
		var got any
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		b, _ := marshalRecord(got)
		if want := compact(recorded[name]); string(b) != want {
			t.Errorf("%s: got %s, recorded %s", name, b, want)
		}
	}
	// The pageSize error has the recorded shape (its limit was 100 in 2016).
	r := c.get("/service/tickets?pageSize=0")
	var got, want apiError
	_ = json.Unmarshal(r.body, &got)
	_ = json.Unmarshal(recorded["pagesize_out_of_range_PSConnectWise_issue_2_2016"], &want)
	if r.status != http.StatusBadRequest || got.Code != want.Code || got.Message != want.Message ||
		len(got.Errors) != 1 || got.Errors[0].Field != want.Errors[0].Field || got.Errors[0].Code != want.Errors[0].Code ||
		got.Errors[0].Message != strings.Replace(want.Errors[0].Message, "100", "1000", 1) {
		t.Errorf("pageSize error %s, recorded %+v", r.body, want)
	}
}
