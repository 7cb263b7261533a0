package connectwise

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestConditionBuilders(t *testing.T) {
	ts := time.Date(2016, 8, 20, 20, 4, 26, 789e6, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name string
		c    Condition
		want string
	}{
		{"time utc seconds", Time("lastUpdated", Gt, ts), `lastUpdated > [2016-08-20T18:04:26Z]`},
		{"updated after", UpdatedAfter(ts), `lastUpdated > [2016-08-20T18:04:26Z]`},
		{"info path", Time("_info/lastUpdated", Ge, ts), `_info/lastUpdated >= [2016-08-20T18:04:26Z]`},
		{"int", Int("id", Gt, 123), `id > 123`},
		{"negative int", Int("id", Ne, -5), `id != -5`},
		{"id range", IDRange("id", 100, 200), `id >= 100 AND id < 200`},
		{"string", Str("board/name", Eq, "Integration"), `board/name = "Integration"`},
		{"string escapes", Str("summary", Eq, `say "hi" \ C:\temp`), `summary = "say \"hi\" \\ C:\\temp"`},
		{"string brackets", Str("summary", Contains, `[x] AND (y) OR id > 1`), `summary contains "[x] AND (y) OR id > 1"`},
		{"string like", Str("name", Like, "Acme%"), `name like "Acme%"`},
		{"string not like", Str("name", NotLike, "%test%"), `name not like "%test%"`},
		{"unicode", Str("name", Eq, "Zürich – 東京"), `name = "Zürich – 東京"`},
		{"empty string", Str("name", Eq, ""), `name = ""`},
		{"bool", Bool("closedFlag", Eq, false), `closedFlag = false`},
		{"in", In("board/id", 3, 2, 4), `board/id in (3, 2, 4)`},
		{"in strings", InStrings("status/name", "New", `Wait "Customer"`), `status/name in ("New", "Wait \"Customer\"")`},
		{"and", And(Int("id", Gt, 1), Bool("closedFlag", Eq, false)), `id > 1 AND closedFlag = false`},
		{"and of or", And(Int("id", Gt, 1), Or(Int("a", Eq, 1), Int("b", Eq, 2))), `id > 1 AND (a = 1 OR b = 2)`},
		{"or of and", Or(And(Int("a", Eq, 1), Int("b", Eq, 2)), Int("c", Eq, 3)), `(a = 1 AND b = 2) OR c = 3`},
		{"nested and flattened", And(Int("a", Eq, 1), IDRange("id", 1, 9)), `a = 1 AND id >= 1 AND id < 9`},
		{"nested or flattened", Or(Int("a", Eq, 1), Or(Int("b", Eq, 2), Int("c", Eq, 3))), `a = 1 OR b = 2 OR c = 3`},
		{"raw parenthesized", And(Raw(" x = 1 OR y = 2 "), Int("id", Lt, 5)), `(x = 1 OR y = 2) AND id < 5`},
		{"raw alone", Raw(" closedFlag = false "), `closedFlag = false`},
		{"empty and", And(), ``},
		{"empty operands skipped", And(Condition{}, Raw(""), Int("id", Gt, 1)), `id > 1`},
		{"single operand unchanged", Or(And(Int("a", Eq, 1), Int("b", Eq, 2))), `a = 1 AND b = 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Build()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || tt.c.String() != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if tt.want != "" {
				if _, err := parseConditions(got); err != nil {
					t.Errorf("output does not parse: %v", err)
				}
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	good := Int("id", Gt, 1)
	tests := []struct {
		name string
		c    Condition
		want string
	}{
		{"empty field", Int("", Eq, 1), "field"},
		{"digit first", Int("1id", Eq, 1), "field"},
		{"space", Int("board name", Eq, 1), "field"},
		{"empty segment", Int("board//name", Eq, 1), "field"},
		{"leading slash", Int("/id", Eq, 1), "field"},
		{"trailing slash", Int("id/", Eq, 1), "field"},
		{"dot", Int("board.name", Eq, 1), "field"},
		{"quote in field", Str(`name"`, Eq, "x"), "field"},
		{"injection in field", Int("id = 1 OR id", Gt, 0), "field"},
		{"int with like", Int("id", Like, 1), "operator"},
		{"unknown op", Str("name", Op("=="), "x"), "operator"},
		{"op injection", Str("name", Op(`= "x" OR id >`), "x"), "operator"},
		{"bool with lt", Bool("closedFlag", Lt, true), "operator"},
		{"zero time", Time("lastUpdated", Gt, time.Time{}), "zero time"},
		{"time year 10000", Time("lastUpdated", Gt, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), "years"},
		{"time with contains", Time("lastUpdated", Contains, time.Now()), "operator"},
		{"newline", Str("summary", Eq, "a\nb"), "control"},
		{"nul", Str("summary", Eq, "a\x00b"), "control"},
		{"c1 control", Str("summary", Eq, "a\u0085b"), "control"},
		{"invalid utf8", Str("summary", Eq, "a\xffb"), "UTF-8"},
		{"in empty", In("board/id"), "empty"},
		{"in strings bad value", InStrings("name", "ok", "bad\r"), "control"},
		{"empty range", IDRange("id", 5, 5), "empty id range"},
		{"reversed range", IDRange("id", 6, 5), "empty id range"},
		{"and propagates", And(good, Int("", Eq, 1)), "field"},
		{"or propagates", Or(Str("x", Eq, "\t"), good), "control"},
		{"raw unbalanced paren", Raw("(id > 1"), "unterminated"},
		{"raw extra paren", Raw("id > 1)"), "unmatched"},
		{"raw open string", Raw(`name = "x`), "unterminated"},
		{"raw bracket", Raw(`lastUpdated > [2016`), "unterminated"},
		{"raw control", Raw("id > 1\r\nX: y"), "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Build()
			if err == nil {
				t.Fatalf("built %q, want error", got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if tt.c.Err() == nil || tt.c.IsEmpty() || tt.c.String() != "!invalid condition!" {
				t.Errorf("invalid condition renders as %q", tt.c.String())
			}
		})
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		``:         `""`,
		`a`:        `"a"`,
		`"`:        `"\""`,
		`\`:        `"\\"`,
		`\"`:       `"\\\""`,
		`it's`:     `"it's"`,
		`[1] (2),`: `"[1] (2),"`,
	} {
		got, err := Quote(in)
		if err != nil || got != want {
			t.Errorf("Quote(%q) = %q, %v; want %q", in, got, err, want)
		}
		back, err := unquoteCondition(got)
		if err != nil || back != in {
			t.Errorf("unquote(%q) = %q, %v", got, back, err)
		}
	}
}

// FuzzConditionString checks that the builders never panic, and that any accepted string value
// round-trips through an independent parser of the conditions grammar without changing the shape of
// the expression (a value can never inject operators, parentheses or other comparisons).
func FuzzConditionString(f *testing.F) {
	for _, s := range [][3]string{
		{"summary", "=", `plain`},
		{"board/name", "contains", `say "hi" \ there`},
		{"name", "like", `x" OR id > 0 OR name = "`},
		{"_info/lastUpdated", "!=", `[2016-08-20T18:04:26Z]`},
		{"a", "not like", `\\\"`},
		{"bad field", "=", "x"},
		{"x", "==", "x"},
		{"x", "=", "tab\there"},
		{"x", "=", "\xff"},
	} {
		f.Add(s[0], s[1], s[2], int64(7))
	}
	f.Fuzz(func(t *testing.T, field, op, value string, n int64) {
		c := Str(field, Op(op), value)
		expr, err := c.Build()
		if err != nil {
			if c.String() != "!invalid condition!" {
				t.Fatalf("invalid condition renders as %q", c.String())
			}
			// Rejections must be justified.
			if ValidField(field) && Op(op).comparison() || Op(op).text() && ValidField(field) {
				if utf8.ValidString(value) && !hasControlRune(value) {
					t.Fatalf("Str(%q, %q, %q) rejected: %v", field, op, value, err)
				}
			}
			return
		}
		got, err := parseConditions(expr)
		if err != nil {
			t.Fatalf("Str(%q, %q, %q) = %s does not parse: %v", field, op, value, expr, err)
		}
		want := []comparison{{field, op, value}}
		if len(got) != 1 || got[0] != want[0] {
			t.Fatalf("Str(%q, %q, %q) = %s parses as %#v", field, op, value, expr, got)
		}

		// Combined with other conditions, the value stays one comparison.
		combined, err := And(Or(c, In("board/id", n, 2)), Int("id", Ge, n)).Build()
		if err != nil {
			t.Fatal(err)
		}
		got, err = parseConditions(combined)
		if err != nil {
			t.Fatalf("%s does not parse: %v", combined, err)
		}
		want = []comparison{{field, op, value}, {"board/id", "in", strconv.FormatInt(n, 10) + ",2"}, {"id", ">=", strconv.FormatInt(n, 10)}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s parses as %#v, want %#v", combined, got, want)
		}
	})
}

func hasControlRune(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// comparison is one `field op value` of a parsed expression; value is unquoted, and lists are
// rendered as comma-joined items.
type comparison struct{ field, op, value string }

// parseConditions is a small, independent parser for the conditions grammar produced by the
// builders:
//
//	expr  := term { ("AND" | "OR") term }
//	term  := "(" expr ")" | field op value
//	value := string | number | "[" datetime "]" | "true" | "false" | "(" value { "," value } ")"
//
// It returns the comparisons in order.
func parseConditions(s string) ([]comparison, error) {
	p := &condParser{s: s}
	out, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("trailing input at %d: %q", p.i, p.s[p.i:])
	}
	return out, nil
}

type condParser struct {
	s string
	i int
}

func (p *condParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *condParser) expr() ([]comparison, error) {
	var out []comparison
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '(' {
			p.i++
			inner, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ')' {
				return nil, errors.New("missing ')'")
			}
			p.i++
			out = append(out, inner...)
		} else {
			c, err := p.comparison()
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		p.space()
		rest := p.s[p.i:]
		switch {
		case strings.HasPrefix(rest, "AND "):
			p.i += 4
		case strings.HasPrefix(rest, "OR "):
			p.i += 3
		default:
			return out, nil
		}
	}
}

func (p *condParser) comparison() (comparison, error) {
	start := p.i
	for p.i < len(p.s) && (isWordByte(p.s[p.i]) || p.s[p.i] == '/') {
		p.i++
	}
	field := p.s[start:p.i]
	if !ValidField(field) {
		return comparison{}, fmt.Errorf("bad field %q at %d", field, start)
	}
	p.space()
	var op string
	for _, o := range []string{"not contains", "not like", "contains", "like", "in", "!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(p.s[p.i:], o) {
			op = o
			break
		}
	}
	if op == "" {
		return comparison{}, fmt.Errorf("no operator at %d", p.i)
	}
	p.i += len(op)
	p.space()
	if op == "in" {
		if p.i >= len(p.s) || p.s[p.i] != '(' {
			return comparison{}, errors.New("in without '('")
		}
		p.i++
		var items []string
		for {
			p.space()
			v, err := p.value()
			if err != nil {
				return comparison{}, err
			}
			items = append(items, v)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				return comparison{field, op, strings.Join(items, ",")}, nil
			}
			return comparison{}, errors.New("bad in list")
		}
	}
	v, err := p.value()
	return comparison{field, op, v}, err
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (p *condParser) value() (string, error) {
	if p.i >= len(p.s) {
		return "", errors.New("missing value")
	}
	switch c := p.s[p.i]; {
	case c == '"':
		// Find the closing quote, skipping escapes.
		j := p.i + 1
		for ; j < len(p.s); j++ {
			if p.s[j] == '\\' {
				j++
			} else if p.s[j] == '"' {
				break
			}
		}
		if j >= len(p.s) {
			return "", errors.New("unterminated string")
		}
		v, err := unquoteCondition(p.s[p.i : j+1])
		p.i = j + 1
		return v, err
	case c == '[':
		j := strings.IndexByte(p.s[p.i:], ']')
		if j < 0 {
			return "", errors.New("unterminated datetime")
		}
		v := p.s[p.i+1 : p.i+j]
		if _, err := time.Parse("2006-01-02T15:04:05Z", v); err != nil {
			return "", err
		}
		p.i += j + 1
		return v, nil
	default:
		start := p.i
		if c == '-' {
			p.i++
		}
		for p.i < len(p.s) && isWordByte(p.s[p.i]) {
			p.i++
		}
		v := p.s[start:p.i]
		if _, err := strconv.ParseInt(v, 10, 64); err != nil && v != "true" && v != "false" {
			return "", fmt.Errorf("bad literal %q", v)
		}
		return v, nil
	}
}

// unquoteCondition decodes a double-quoted literal in which only \" and \\ are escapes.
func unquoteCondition(q string) (string, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", fmt.Errorf("not a quoted string: %q", q)
	}
	var b strings.Builder
	for i := 1; i < len(q)-1; i++ {
		switch c := q[i]; c {
		case '\\':
			i++
			if i >= len(q)-1 || (q[i] != '"' && q[i] != '\\') {
				return "", fmt.Errorf("bad escape in %q", q)
			}
			b.WriteByte(q[i])
		case '"':
			return "", fmt.Errorf("unescaped quote in %q", q)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
