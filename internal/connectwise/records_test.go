package connectwise

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitRecords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty array", `[]`, nil},
		{"empty array with space", " \n[ \t]\r\n", nil},
		{"one", `[{"id":1}]`, []string{`{"id":1}`}},
		{"nested", `[{"id":1,"status":{"id":2,"name":"New","_info":{"a":[1,2,{"b":null}]}}},{"id":2,"tags":[]}]`,
			[]string{`{"id":1,"status":{"id":2,"name":"New","_info":{"a":[1,2,{"b":null}]}}}`, `{"id":2,"tags":[]}`}},
		{"brackets and quotes in strings", `[{"s":"]},[{\"x\"}]\\"},{"s":"\\\\"},{"s":"\u005d\/"}]`,
			[]string{`{"s":"]},[{\"x\"}]\\"}`, `{"s":"\\\\"}`, `{"s":"\u005d\/"}`}},
		{"whitespace everywhere", "[ {\"a\" : 1 } ,\n\t{ } ]", []string{`{"a" : 1 }`, `{ }`}},
		{"numbers and literals", `[{"a":-0.5e+10,"b":0,"c":true,"d":false,"e":null,"f":12.25E-3}]`,
			[]string{`{"a":-0.5e+10,"b":0,"c":true,"d":false,"e":null,"f":12.25E-3}`}},
		{"utf8", `[{"name":"Zürich 東京 🙂"}]`, []string{`{"name":"Zürich 東京 🙂"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := SplitRecords([]byte(tt.in), func(rec []byte) error {
				got = append(got, string(rec))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || len(got) != len(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			n, err := CountRecords([]byte(tt.in))
			if err != nil || n != len(tt.want) {
				t.Errorf("CountRecords = %d, %v", n, err)
			}
			for _, r := range got {
				if !json.Valid([]byte(r)) {
					t.Errorf("record %q is not valid JSON", r)
				}
			}
		})
	}
}

func TestSplitRecordsMalformed(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", ``, "empty body"},
		{"spaces", "  \n", "empty body"},
		{"object", `{"id":1}`, "want a JSON array"},
		{"html", `<html>`, "want a JSON array"},
		{"truncated after element", `[{"id":1}`, "truncated"},
		{"truncated in object", `[{"id":1},{"id"`, "truncated"},
		{"truncated in string", `[{"s":"abc`, "truncated"},
		{"truncated in escape", `[{"s":"abc\`, "truncated"},
		{"truncated after comma", `[{"id":1},`, "truncated"},
		{"truncated open", `[`, "truncated"},
		{"non-object element", `[1]`, "want an object"},
		{"string element", `[{"a":1},"x"]`, "element 1"},
		{"null element", `[null]`, "want an object"},
		{"trailing comma", `[{"a":1},]`, "want an object"},
		{"missing comma", `[{"a":1}{"b":2}]`, "want ',' or ']'"},
		{"trailing data", `[{"a":1}] x`, "trailing data"},
		{"two arrays", `[][]`, "trailing data"},
		{"unquoted key", `[{a:1}]`, "object key"},
		{"single quotes", `[{'a':1}]`, "object key"},
		{"missing colon", `[{"a" 1}]`, "want ':'"},
		{"bad literal", `[{"a":tru}]`, "want true"},
		{"bad number", `[{"a":01}]`, "want ',' or '}'"},
		{"bad number dot", `[{"a":1.}]`, "no digits after '.'"},
		{"bad exponent", `[{"a":1e}]`, "exponent"},
		{"minus alone", `[{"a":-}]`, "invalid number"},
		{"plus number", `[{"a":+1}]`, "want a value"},
		{"bad escape", `[{"a":"\x"}]`, "invalid escape"},
		{"bad unicode escape", `[{"a":"\u12G4"}]`, "invalid \\u escape"},
		{"raw control char", "[{\"a\":\"x\ny\"}]", "control character"},
		{"unclosed nested", `[{"a":[1,2}]`, "want ',' or ']'"},
		{"trailing comma in object", `[{"a":1,}]`, "object key"},
		{"deep nesting", "[{\"a\":" + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + "}]", "nesting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SplitRecords([]byte(tt.in), func([]byte) error { return nil })
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if se.Offset < 0 || se.Offset > len(tt.in) {
				t.Errorf("offset %d out of range", se.Offset)
			}
			if _, err := CountRecords([]byte(tt.in)); err == nil {
				t.Error("CountRecords accepted malformed input")
			}
		})
	}
}

func TestSplitRecordsCallback(t *testing.T) {
	body := []byte(`[{"id":1},{"id":2},{"id":3}]`)
	n := 0
	if err := SplitRecords(body, func([]byte) error { n++; return ErrStop }); err != nil || n != 1 {
		t.Errorf("ErrStop: err=%v n=%d", err, n)
	}
	boom := errors.New("boom")
	n = 0
	if err := SplitRecords(body, func([]byte) error {
		n++
		if n == 2 {
			return boom
		}
		return nil
	}); err != boom || n != 2 {
		t.Errorf("callback error: err=%v n=%d", err, n)
	}
}

// FuzzSplitRecords checks the scanner against encoding/json: it must accept exactly the valid arrays
// of objects (outside its nesting limit), and yield the same elements as json.Decoder.
func FuzzSplitRecords(f *testing.F) {
	for _, s := range []string{`[]`, `[{"a":1}]`, `[{"a":"]\""},{"b":[{}]}]`, `[{"a":1e5,"b":-0.1}]`, `[{"a":1}`, `[1,2]`, `{}`, ` [ { } ] `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var got [][]byte
		err := SplitRecords(in, func(rec []byte) error {
			got = append(got, rec)
			return nil
		})
		var want []json.RawMessage
		stdErr := json.Unmarshal(in, &want)
		objects := stdErr == nil
		for _, r := range want {
			if t := bytes.TrimSpace(r); len(t) == 0 || t[0] != '{' {
				objects = false
			}
		}
		if bytes.Equal(bytes.TrimSpace(in), []byte("null")) {
			return // encoding/json accepts null as an empty slice
		}
		if bytes.Count(in, []byte("["))+bytes.Count(in, []byte("{")) > maxNesting {
			return // may exceed our nesting limit
		}
		if (err == nil) != objects {
			t.Fatalf("SplitRecords(%q) err=%v, encoding/json err=%v objects=%v", in, err, stdErr, objects)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d records, encoding/json %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], bytes.TrimSpace(want[i])) {
				t.Fatalf("record %d = %q, encoding/json %q", i, got[i], want[i])
			}
		}
	})
}

// benchPage builds a ConnectWise-like page of n ticket records.
func benchPage(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"summary":"Printer on floor %d jams [again] \"urgent\"","recordType":"ServiceTicket",`+
			`"board":{"id":1,"name":"Service Desk","_info":{"board_href":"https://api-na.myconnectwise.net/v4_6_release/apis/3.0/service/boards/1"}},`+
			`"status":{"id":16,"name":"Closed","Sort":9,"_info":{"status_href":"https://x/service/boards/1/statuses/16"}},`+
			`"company":{"id":250,"identifier":"Acme","name":"Acme Corp \u00e9","_info":{"company_href":"https://x/company/companies/250"}},`+
			`"priority":{"id":4,"name":"Priority 3 - Normal Response","sort":6,"level":"Medium"},`+
			`"closedFlag":true,"budgetHours":1.5,"actualHours":0.25,"customFields":[{"id":1,"caption":"Asset","type":"Text","value":null}],`+
			`"_info":{"lastUpdated":"2022-01-05T17:43:09Z","updatedBy":"jdoe","dateEntered":"2021-12-30T10:00:00Z","enteredBy":"template"}}`, i, i%9)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func BenchmarkSplitRecords(b *testing.B) {
	page := benchPage(1000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := SplitRecords(page, func(rec []byte) error { n += len(rec); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecoderRawMessage is the baseline: json.Decoder yielding RawMessages with a reused buffer.
func BenchmarkDecoderRawMessage(b *testing.B) {
	page := benchPage(1000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	var raw json.RawMessage
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(page))
		if _, err := dec.Token(); err != nil {
			b.Fatal(err)
		}
		for dec.More() {
			raw = raw[:0]
			if err := dec.Decode(&raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzSplitValidated checks that on every array SplitRecords accepts,
// SplitValidated yields exactly the same records, and that it never panics
// on anything else.
func FuzzSplitValidated(f *testing.F) {
	f.Add([]byte(`[{"a":1},{"b":"x\\"y}"},{"c":[1,{"d":"]"}]}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"a":"\\\\"},{"b":"\\\\\\""}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var want [][]byte
		errWant := SplitRecords(body, func(rec []byte) error { want = append(want, rec); return nil })
		var got [][]byte
		_ = SplitValidated(body, func(rec []byte) error { got = append(got, rec); return nil })
		if errWant != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("SplitValidated found %d records, SplitRecords %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("record %d: %q, want %q", i, got[i], want[i])
			}
		}
	})
}

// The scanner finds every byte that ends or breaks a string, at every
// position of short and long strings: encoding/json is the oracle.
func TestScanStringsEveryPosition(t *testing.T) {
	specials := []string{`\"`, `\\`, `\n`, `\u00e9`, `\u00g9`, `\x`, "\x01", "\x1f", `"`, "\u00e9", "\x7f", "\xff",
		"\xc3", "\xed\xa0\x80", `\ud800`, `\uDFFF`, `\uD83D\uDE00`, `\ud7ff`, `\ue000`, `\u0d80`}
	// A decoder may replace invalid UTF-8 and surrogate escapes (a pair too, to keep the check simple).
	surrogateEscape := regexp.MustCompile(`\\u[dD][89a-fA-F]`)
	for n := 0; n <= 48; n++ {
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				text := strings.Repeat("a", pos) + sp + strings.Repeat("b", n-pos)
				// alone, after an escape, and twice (a long run then a second special)
				for _, s := range []string{text, `\n` + text, text + strings.Repeat("c", 20) + sp} {
					page := []byte(`[{"id":1,"url":"` + s + `"}]`)
					_, scan, err := scanPage(page, nil)
					if valid := json.Valid(page); (err == nil) != valid {
						t.Fatalf("%q: scan error %v, but encoding/json says valid=%v", page, err, valid)
					}
					if want := !utf8.Valid(page) || surrogateEscape.Match(page); err == nil && scan.replaces != want {
						t.Fatalf("%q: replaces = %v, want %v", page, scan.replaces, want)
					}
					if _, err := scanPageIDs(page[:len(page)-3]); err == nil { // cut inside or at the end of the string
						t.Fatalf("%q: a cut page scanned", page[:len(page)-3])
					}
				}
			}
		}
	}
}
