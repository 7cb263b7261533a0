package chschema

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is a parsed ClickHouse type: a family name and its parameters,
// e.g. Nullable(Decimal(18, 2)) is {Name: "Nullable", Args: [{Type:
// Decimal(18, 2)}]}.
type Type struct {
	Name string
	Args []TypeArg
}

// TypeArg is one parameter of a type: a nested type, a number, a quoted
// string, or an enum element ('name' = code).
type TypeArg struct {
	Type    *Type
	Num     string // integer literal, as written
	Str     string // unquoted string value
	IsStr   bool
	EnumVal string // "" unless the argument is 'name' = code
}

// typeAliases maps spellings ClickHouse accepts to the name system.columns
// shows. Keys are upper case: these aliases are case-insensitive.
var typeAliases = map[string]string{
	"BOOLEAN": "Bool",
	"BOOL":    "Bool",
	"BIGINT":  "Int64",
	"INTEGER": "Int32",
	"INT":     "Int32",
	"TEXT":    "String",
	"VARCHAR": "String",
	"DOUBLE":  "Float64",
	"FLOAT":   "Float32",
}

// utcZones are time zone names that mean UTC.
var utcZones = map[string]bool{"UTC": true, "Etc/UTC": true, "GMT": true, "Etc/GMT": true, "Zulu": true, "Etc/Zulu": true, "UCT": true, "Etc/UCT": true}

// ParseType parses a ClickHouse type as written in DDL or shown by
// system.columns.
func ParseType(s string) (*Type, error) {
	p := typeParser{s: s}
	t, err := p.typ()
	if err != nil {
		return nil, fmt.Errorf("type %q: %v", s, err)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("type %q: unexpected %q at offset %d", s, p.s[p.i:], p.i)
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *typeParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *typeParser) typ() (*Type, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && (isIdentByte(p.s[p.i])) {
		p.i++
	}
	if p.i == start {
		return nil, fmt.Errorf("expected a type name at offset %d", start)
	}
	t := &Type{Name: p.s[start:p.i]}
	if p.peek() != '(' {
		return t, nil
	}
	p.i++
	for {
		a, err := p.arg()
		if err != nil {
			return nil, err
		}
		t.Args = append(t.Args, a)
		switch p.peek() {
		case ',':
			p.i++
		case ')':
			p.i++
			return t, nil
		default:
			return nil, fmt.Errorf("expected ',' or ')' at offset %d", p.i)
		}
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (p *typeParser) arg() (TypeArg, error) {
	switch c := p.peek(); {
	case c == '\'':
		str, err := p.quoted()
		if err != nil {
			return TypeArg{}, err
		}
		a := TypeArg{Str: str, IsStr: true}
		if p.peek() == '=' {
			p.i++
			n, err := p.number()
			if err != nil {
				return TypeArg{}, err
			}
			a.EnumVal = n
		}
		return a, nil
	case c == '-' || c >= '0' && c <= '9':
		n, err := p.number()
		return TypeArg{Num: n}, err
	default:
		t, err := p.typ()
		if err != nil {
			return TypeArg{}, err
		}
		return TypeArg{Type: t}, nil
	}
}

func (p *typeParser) number() (string, error) {
	p.space()
	start := p.i
	if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	n := p.s[start:p.i]
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return "", fmt.Errorf("expected a number at offset %d", start)
	}
	return strconv.FormatInt(v, 10), nil
}

// quoted reads a single-quoted string: backslash escapes (\n, \t, \0,
// \xHH, ... and \ before any other byte meaning that byte) or doubled
// quotes, as ClickHouse reads them.
func (p *typeParser) quoted() (string, error) {
	p.space()
	start := p.i
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			e := p.s[p.i+1]
			p.i += 2
			if e == 'x' && p.i+2 <= len(p.s) {
				if v, err := strconv.ParseUint(p.s[p.i:p.i+2], 16, 8); err == nil {
					b.WriteByte(byte(v))
					p.i += 2
					continue
				}
			}
			if r, ok := escapes[e]; ok {
				e = r
			}
			b.WriteByte(e)
		case c == '\'' && p.i+1 < len(p.s) && p.s[p.i+1] == '\'':
			b.WriteByte('\'')
			p.i += 2
		case c == '\'':
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", fmt.Errorf("unterminated string at offset %d", start)
}

// escapes are the letters ClickHouse reads after a backslash as control
// characters.
var escapes = map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', '0': 0, 'b': '\b', 'f': '\f', 'a': '\a', 'v': '\v'}

// Normalize rewrites t into the spelling system.columns uses: aliases
// resolved, Decimal32/64/128/256(S) as Decimal(P, S), enum elements
// numbered, UTC zone names as 'UTC'.
func (t *Type) Normalize() {
	if canon, ok := typeAliases[strings.ToUpper(t.Name)]; ok && len(t.Args) == 0 {
		t.Name = canon
	}
	switch t.Name {
	case "Decimal32", "Decimal64", "Decimal128", "Decimal256":
		if len(t.Args) == 1 {
			p := map[string]string{"Decimal32": "9", "Decimal64": "18", "Decimal128": "38", "Decimal256": "76"}[t.Name]
			t.Name, t.Args = "Decimal", []TypeArg{{Num: p}, t.Args[0]}
		}
	case "Decimal":
		if len(t.Args) == 1 {
			t.Args = append(t.Args, TypeArg{Num: "0"})
		}
	case "Enum8", "Enum16":
		for i := range t.Args {
			if t.Args[i].IsStr && t.Args[i].EnumVal == "" {
				t.Args[i].EnumVal = strconv.Itoa(i + 1)
			}
		}
	case "DateTime":
		if len(t.Args) == 1 && t.Args[0].IsStr && utcZones[t.Args[0].Str] {
			t.Args[0].Str = "UTC"
		}
	}
	for _, a := range t.Args {
		if a.Type != nil {
			a.Type.Normalize()
		}
	}
}

// String renders t the way system.columns does.
func (t *Type) String() string {
	if len(t.Args) == 0 {
		return t.Name
	}
	var b strings.Builder
	b.WriteString(t.Name)
	b.WriteByte('(')
	for i, a := range t.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case a.Type != nil:
			b.WriteString(a.Type.String())
		case a.IsStr:
			b.WriteString(QuoteString(a.Str))
			if a.EnumVal != "" {
				b.WriteString(" = " + a.EnumVal)
			}
		default:
			b.WriteString(a.Num)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// NormalizeType returns the canonical spelling of a ClickHouse type, the
// one system.columns shows on both engines (whitespace, aliases such as
// Boolean, Decimal64(2) and unnumbered enums resolved; 'Etc/UTC' and
// other UTC names as 'UTC'). A type it cannot parse is returned with its
// whitespace trimmed.
func NormalizeType(s string) string {
	t, err := ParseType(s)
	if err != nil {
		return strings.TrimSpace(s)
	}
	t.Normalize()
	return t.String()
}

// Inner returns the type inside Nullable(...) and LowCardinality(...)
// wrappers and whether a Nullable was among them.
func (t *Type) Inner() (base *Type, nullable bool) {
	for {
		switch {
		case t.Name == "Nullable" && len(t.Args) == 1 && t.Args[0].Type != nil:
			nullable, t = true, t.Args[0].Type
		case t.Name == "LowCardinality" && len(t.Args) == 1 && t.Args[0].Type != nil:
			t = t.Args[0].Type
		default:
			return t, nullable
		}
	}
}

// DecimalParams returns P and S of a normalized Decimal(P, S).
func (t *Type) DecimalParams() (precision, scale int, err error) {
	if t.Name != "Decimal" || len(t.Args) != 2 {
		return 0, 0, fmt.Errorf("not a Decimal(P, S): %s", t)
	}
	precision, err1 := strconv.Atoi(t.Args[0].Num)
	scale, err2 := strconv.Atoi(t.Args[1].Num)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("bad Decimal parameters: %s", t)
	}
	return precision, scale, nil
}

// EnumCodes returns an Enum8/16's element names mapped to their codes.
func (t *Type) EnumCodes() (map[string]int64, error) {
	codes := make(map[string]int64, len(t.Args))
	for _, a := range t.Args {
		if !a.IsStr || a.EnumVal == "" {
			return nil, fmt.Errorf("bad enum element in %s", t)
		}
		v, err := strconv.ParseInt(a.EnumVal, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad enum code in %s", t)
		}
		codes[a.Str] = v
	}
	return codes, nil
}
