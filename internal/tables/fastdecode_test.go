package tables_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/generated/connectwise/boards"
	"github.com/canonic-data/canonic/generated/connectwise/companies"
	"github.com/canonic-data/canonic/generated/connectwise/contacts"
	"github.com/canonic-data/canonic/generated/connectwise/members"
	"github.com/canonic-data/canonic/generated/connectwise/projects"
	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/generated/connectwise/time_entries"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/maprt"
)

// Each generated Decode first tries the table's fast decoder (decodeSource,
// read by maprt.Lexer) and gives any record it does not take to
// maprt.Unmarshal. These tests hold the fast decoder to Unmarshal: for every
// record, real or mutated, Decode must give what Unmarshal followed by Map
// gives (the same row, or the same error), and must fail wherever Unmarshal
// fails.

// decodeOracle compares Decode with Unmarshal + Map for one table.
type decodeOracle interface {
	check(data []byte) error
	allocs(data []byte) (decode, unmarshalMap float64)
}

type oracle[R, S any] struct {
	decode func([]byte, *R) error
	mapRow func(*S, *R) error
}

func (o oracle[R, S]) check(data []byte) error {
	var got R
	gotErr := o.decode(data, &got)
	var src S
	if err := maprt.Unmarshal(data, &src); err != nil {
		if gotErr == nil {
			return fmt.Errorf("Decode accepted a record Unmarshal rejects (%v)", err)
		}
		return nil // the fallback decided: the same call
	}
	var want R
	wantErr := o.mapRow(&src, &want)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		return fmt.Errorf("Decode error %v, Unmarshal + Map error %v", gotErr, wantErr)
	case gotErr != nil && gotErr.Error() != wantErr.Error():
		return fmt.Errorf("Decode error %q, Unmarshal + Map error %q", gotErr, wantErr)
	case gotErr == nil && !reflect.DeepEqual(got, want):
		return fmt.Errorf("rows differ:\nDecode            %+v\nUnmarshal + Map   %+v", got, want)
	}
	return nil
}

func (o oracle[R, S]) allocs(data []byte) (decode, unmarshalMap float64) {
	var r R
	decode = testing.AllocsPerRun(20, func() { _ = o.decode(data, &r) })
	unmarshalMap = testing.AllocsPerRun(20, func() {
		var src S
		_ = maprt.Unmarshal(data, &src)
		_ = o.mapRow(&src, &r)
	})
	return decode, unmarshalMap
}

var decodeOracles = map[string]decodeOracle{
	cwfake.TicketsPath:  oracle[tickets.Row, tickets.Source]{tickets.Decode, tickets.Map},
	"company/companies": oracle[companies.Row, companies.Source]{companies.Decode, companies.Map},
	"company/contacts":  oracle[contacts.Row, contacts.Source]{contacts.Decode, contacts.Map},
	"system/members":    oracle[members.Row, members.Source]{members.Decode, members.Map},
	"service/boards":    oracle[boards.Row, boards.Source]{boards.Decode, boards.Map},
	"project/projects":  oracle[projects.Row, projects.Source]{projects.Decode, projects.Map},
	"time/entries":      oracle[time_entries.Row, time_entries.Source]{time_entries.Decode, time_entries.Map},
}

// sourceRecords are records of every table as cwfake serves them (whole,
// not narrowed to the mapped fields), and the recorded ticket samples.
func sourceRecords(t testing.TB) map[string][][]byte {
	t.Helper()
	store := cwfake.NewStoreWith(7, cwfake.Counts{Tickets: 40, Companies: 20, Contacts: 20, Members: 10, Boards: 5, Projects: 10, TimeEntries: 40})
	out := map[string][][]byte{}
	for path := range decodeOracles {
		for _, id := range store.IDs(path) {
			b, ok := store.RecordJSON(path, id)
			if !ok {
				t.Fatalf("%s %d: no JSON", path, id)
			}
			out[path] = append(out[path], b)
		}
		if len(out[path]) == 0 {
			t.Fatalf("cwfake serves no %s", path)
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "samples", "testdata", "connectwise", "*ticket*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var list []json.RawMessage
		if json.Unmarshal(b, &list) != nil {
			list = []json.RawMessage{b}
		}
		for _, rec := range list {
			if bytes.HasPrefix(bytes.TrimSpace(rec), []byte("{")) {
				out[cwfake.TicketsPath] = append(out[cwfake.TicketsPath], rec)
			}
		}
	}
	return out
}

// TestFastDecodeMatchesUnmarshal checks every table's Decode against
// Unmarshal + Map on real records and on mutations of them: each scalar
// replaced by odd values (escapes, surrogates, invalid UTF-8, numbers with
// fractions, exponents, overflow, minus zero, other kinds), each key
// re-cased, escaped or repeated, objects replaced, whitespace added and
// the record cut or followed by garbage.
func TestFastDecodeMatchesUnmarshal(t *testing.T) {
	records := sourceRecords(t)
	for path, o := range decodeOracles {
		t.Run(strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			checked, fails := 0, 0
			for i, rec := range records[path] {
				for _, m := range mutations(t, rec, i < 3) {
					checked++
					if err := o.check(m); err != nil {
						if fails++; fails <= 5 {
							t.Errorf("%s\n%s", err, m)
						}
					}
				}
			}
			if fails > 0 {
				t.Errorf("%d of %d records decoded differently", fails, checked)
			}
			t.Logf("%d records checked", checked)
		})
	}
}

// TestFastDecodeTakesSourceRecords checks that the fast decoder, not the
// fallback, decodes the records cwfake serves: Decode allocates less than
// half of what Unmarshal + Map does (it fills every leaf from one
// allocation and every string from another).
func TestFastDecodeTakesSourceRecords(t *testing.T) {
	records := sourceRecords(t)
	for path, o := range decodeOracles {
		fast, slow := o.allocs(records[path][0])
		if fast*2 > slow {
			t.Errorf("%s: Decode makes %.0f allocations a record, Unmarshal + Map %.0f: the fast decoder did not take it", path, fast, slow)
		}
	}
}

// FuzzFastDecodeTickets holds the tickets' Decode to Unmarshal + Map on
// arbitrary input (`make fuzz`); the seeds are real and mutated records.
func FuzzFastDecodeTickets(f *testing.F) {
	for i, rec := range sourceRecords(f)[cwfake.TicketsPath] {
		if i < 4 {
			for _, m := range mutations(f, rec, false) {
				f.Add(m)
			}
		}
	}
	o := decodeOracles[cwfake.TicketsPath]
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := o.check(data); err != nil {
			t.Fatal(err)
		}
	})
}

// Odd JSON values to put in place of scalars and objects.
var oddValues = []string{
	`null`, `true`, `false`, `0`, `-0`, `-0.0`, `1`, `-1`, `1.0`, `1.5`, `-2.25`, `1e2`, `1E-2`, `2.5e+3`,
	`123456789012345678`, `1234567890123456789`, `9223372036854775807`, `-9223372036854775808`,
	`9223372036854775808`, `1e400`, `4.9e-324`, `0.1`, `00`, `-`, `1.`, `.5`, `+1`,
	`""`, `"x"`, `"1"`, `"1.5"`, `"2024-05-01T12:00:00Z"`, `"\"\\\/\b\f\n\r\t"`, `"caf\u00e9"`, `"café"`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, "\"\xff\xfe\"", "\"a\xc3\"", "\"\x01\"", `"\x"`, `"\u12"`,
	`"` + strings.Repeat("long text ", 20) + `\n` + strings.Repeat("é", 10) + `"`,
	`[]`, `[1,"a",{"b":null}]`, `{}`, `{"id":1,"name":"n","_info":{}}`, `{"name":`, `{"name":"n",}`,
}

// mutations returns rec and variants of it. all adds every odd value at
// every scalar (slower: a few records get it); otherwise each scalar gets
// a few.
func mutations(t testing.TB, rec []byte, all bool) [][]byte {
	t.Helper()
	toks, err := tokens(rec)
	if err != nil {
		t.Fatalf("tokenizing %s: %v", rec, err)
	}
	out := [][]byte{rec, []byte(" \n\t" + string(rec) + " \r\n"), append(bytes.Clone(rec), []byte(` x`)...),
		rec[:len(rec)/2], rec[:len(rec)-1], []byte(`null`), []byte(`[]`), []byte(`"x"`)}
	// Whitespace between every token.
	var spaced bytes.Buffer
	for _, tk := range toks {
		spaced.WriteString(tk.raw)
		spaced.WriteString(" \n ")
	}
	out = append(out, spaced.Bytes())
	for i, tk := range toks {
		var values []string
		switch {
		case tk.key:
			k := tk.raw[1 : len(tk.raw)-1]
			values = []string{`"` + strings.ToUpper(k) + `"`, `"` + strings.ToUpper(k[:1]) + k[1:] + `"`,
				`"\u00` + fmt.Sprintf("%02x", k[0]) + k[1:] + `"`, `"` + k + `_x"`, `"` + k + `", "` + k + `":null, "` + k + `"`}
		case tk.scalar, tk.raw == "{":
			if all {
				values = oddValues
			} else {
				values = []string{oddValues[i%len(oddValues)], oddValues[(i*7+3)%len(oddValues)], `null`}
			}
		default:
			continue
		}
		for _, v := range values {
			out = append(out, replaceToken(toks, i, v))
		}
	}
	return out
}

// token is one JSON token of a record, as written.
type token struct {
	raw    string
	key    bool // an object key
	scalar bool // a string, number, true, false or null value
	end    int  // for "{" and "[": the index of the matching close
}

// tokens splits a JSON value into tokens (with encoding/json's scanner for
// the boundaries).
func tokens(rec []byte) ([]token, error) {
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	var out []token
	var stack []int
	var inObject []bool
	expectKey := false
	for {
		start := dec.InputOffset()
		tk, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		raw := strings.TrimLeft(string(rec[start:dec.InputOffset()]), " \t\r\n,:")
		switch v := tk.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, len(out))
				inObject = append(inObject, v == '{')
				out = append(out, token{raw: string(v)})
				expectKey = v == '{'
				continue
			default:
				open := stack[len(stack)-1]
				stack, inObject = stack[:len(stack)-1], inObject[:len(inObject)-1]
				out[open].end = len(out)
				out = append(out, token{raw: string(v)})
			}
		default:
			if expectKey {
				out = append(out, token{raw: raw, key: true})
				expectKey = false
				continue
			}
			out = append(out, token{raw: raw, scalar: true})
		}
		expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
	}
	return out, nil
}

// replaceToken renders toks with token i (a whole object for "{") replaced
// by v.
func replaceToken(toks []token, i int, v string) []byte {
	var b bytes.Buffer
	prev := "" // "", "open", "key" or "value": what was written last
	for j := 0; j < len(toks); j++ {
		tk, raw := toks[j], toks[j].raw
		closing := raw == "}" || raw == "]"
		switch {
		case prev == "key":
			b.WriteByte(':')
		case prev == "value" && !closing:
			b.WriteByte(',')
		}
		if j == i {
			raw = v
			if tk.raw == "{" {
				j = tk.end
			}
			b.WriteString(raw)
			if tk.key {
				prev = "key"
			} else {
				prev = "value"
			}
			continue
		}
		b.WriteString(raw)
		switch {
		case tk.key:
			prev = "key"
		case raw == "{" || raw == "[":
			prev = "open"
		default:
			prev = "value"
		}
	}
	return b.Bytes()
}
