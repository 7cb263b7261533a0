package backfill

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/canonic-data/canonic/internal/table"
)

// A record with invalid UTF-8 still makes a reject line that is valid
// UTF-8 JSON, and the line says the bytes were replaced.
func TestRejectFileStaysValidJSONLines(t *testing.T) {
	rf, err := openRejectFile(t.TempDir(), "acme", "tickets", "run1")
	if err != nil {
		t.Fatal(err)
	}
	fe := &table.FieldError{RecordID: "7", Column: "severity", Path: "severity", Err: errors.New("\"Ext\\xffreme\" is not one of Low, Medium, High")}
	for _, rec := range []string{"{\"id\":7,\"summary\":\"bad \xff\xfe byte\",\"severity\":\"Ext\xffreme\"}", `{"id":8,"severity":"Extreme"}`} {
		if err := rf.write("run1", "tickets", fe, []byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rf.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(rf.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var flags []bool
	for sc.Scan() {
		line := sc.Bytes()
		var l struct {
			Record   map[string]any `json:"record"`
			Replaced bool           `json:"record_invalid_utf8_replaced"`
		}
		if !utf8.Valid(line) || !json.Valid(line) || json.Unmarshal(line, &l) != nil {
			t.Fatalf("line is not valid UTF-8 JSON: %q", line)
		}
		flags = append(flags, l.Replaced)
		if l.Replaced && l.Record["summary"] != "bad \uFFFD byte" {
			t.Errorf("summary %q", l.Record["summary"])
		}
	}
	if len(flags) != 2 || !flags[0] || flags[1] {
		t.Errorf("replaced flags %v, want [true false]", flags)
	}
}

func TestUTF8Replacements(t *testing.T) {
	u := newUTF8Replacements([]string{"id", "summary", "status/name", "_info"})
	for _, rec := range []string{
		"{\"id\":1,\"summary\":\"a\xffb\",\"status\":{\"name\":\"\xc3\"}}",
		"{\"id\":2,\"summary\":\"\xfe\",\"notMapped\":\"\xff\",\"_info\":{\"updatedBy\":\"\xff\"}}",
		`{"id":3,"summary":"fine"}`,
	} {
		u.add(u.invalid(nil, []byte(rec)))
	}
	if got, want := formatUTF8Replacements(u.counts), "4 (_info__updatedBy 1, status__name 1, summary 2)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := formatUTF8Replacements(nil); got != "" {
		t.Errorf("no replacements rendered as %q", got)
	}
}
