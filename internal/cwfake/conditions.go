package cwfake

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// condition is a compiled conditions expression.
type condition interface {
	eval(r Record) bool
}

// ConditionError is a conditions or orderBy the server refuses; it is
// answered 400 with code ApiFindCondition.
type ConditionError struct{ Message string }

func (e *ConditionError) Error() string { return e.Message }

func condErrorf(format string, args ...any) error {
	return &ConditionError{Message: fmt.Sprintf(format, args...)}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokNumber
	tokString
	tokDate
	tokOp
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokKind
	text string // identifier, operator, number text, or decoded string/date
	pos  int    // 1-based character position
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of conditions"
	case tokString:
		return strconv.Quote(t.text)
	case tokDate:
		return "[" + t.text + "]"
	}
	return "'" + t.text + "'"
}

// lex splits a conditions string into tokens.
func lex(src string) ([]token, error) {
	var toks []token
	rs := []rune(src)
	i := 0
	for i < len(rs) {
		c := rs[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", pos})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", pos})
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", pos})
			i++
		case c == '"' || c == '\'':
			quote := c
			var sb strings.Builder
			i++
			closed := false
			for i < len(rs) {
				if rs[i] == '\\' && i+1 < len(rs) {
					sb.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if rs[i] == quote {
					closed = true
					i++
					break
				}
				sb.WriteRune(rs[i])
				i++
			}
			if !closed {
				return nil, condErrorf("Unterminated string starting at position %d.", pos)
			}
			toks = append(toks, token{tokString, sb.String(), pos})
		case c == '[':
			j := i + 1
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j == len(rs) {
				return nil, condErrorf("Unterminated date starting at position %d.", pos)
			}
			toks = append(toks, token{tokDate, strings.TrimSpace(string(rs[i+1 : j])), pos})
			i = j + 1
		case c == '=' || c == '<' || c == '>' || c == '!':
			two := ""
			if i+1 < len(rs) {
				two = string(rs[i : i+2])
			}
			switch two {
			case "!=", "<=", ">=", "<>":
				op := two
				if op == "<>" {
					op = "!="
				}
				toks = append(toks, token{tokOp, op, pos})
				i += 2
			default:
				if c == '!' {
					return nil, condErrorf("Unexpected character '!' at position %d.", pos)
				}
				toks = append(toks, token{tokOp, string(c), pos})
				i++
			}
		case c == '-' || c == '.' || unicode.IsDigit(c):
			j := i + 1
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			text := string(rs[i:j])
			if _, err := strconv.ParseFloat(text, 64); err != nil {
				return nil, condErrorf("Invalid number %q at position %d.", text, pos)
			}
			toks = append(toks, token{tokNumber, text, pos})
			i = j
		case unicode.IsLetter(c) || c == '_':
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '/' || rs[j] == '.') {
				j++
			}
			toks = append(toks, token{tokIdent, string(rs[i:j]), pos})
			i = j
		default:
			return nil, condErrorf("Unexpected character %q at position %d.", string(c), pos)
		}
	}
	toks = append(toks, token{tokEOF, "", len(rs) + 1})
	return toks, nil
}

// parser is a recursive-descent parser for the conditions language:
//
//	expr   = term { OR term }
//	term   = factor { AND factor }
//	factor = NOT factor | "(" expr ")" | field op value
//	       | field [NOT] IN "(" value { "," value } ")"
//	       | field [NOT] (CONTAINS | LIKE) string
//	op     = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
type parser struct {
	toks   []token
	i      int
	entity *Entity
}

// parseConditions compiles a conditions string against an entity's fields.
// An empty string compiles to nil (match everything).
func parseConditions(e *Entity, src string) (condition, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, entity: e}
	c, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, condErrorf("Unexpected %s at position %d.", t.describe(), t.pos)
	}
	return c, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) keyword(words ...string) bool {
	t := p.peek()
	if t.kind != tokIdent {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func (p *parser) expr() (condition, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		p.next()
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		left = orCond{left, right}
	}
	return left, nil
}

func (p *parser) term() (condition, error) {
	left, err := p.factor()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		p.next()
		right, err := p.factor()
		if err != nil {
			return nil, err
		}
		left = andCond{left, right}
	}
	return left, nil
}

func (p *parser) factor() (condition, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		p.next()
		c, err := p.expr()
		if err != nil {
			return nil, err
		}
		if r := p.next(); r.kind != tokRParen {
			return nil, condErrorf("Expected ')' at position %d but found %s.", r.pos, r.describe())
		}
		return c, nil
	case p.keyword("not"):
		p.next()
		c, err := p.factor()
		if err != nil {
			return nil, err
		}
		return notCond{c}, nil
	case t.kind == tokIdent:
		return p.comparison()
	}
	return nil, condErrorf("Expected a field name at position %d but found %s.", t.pos, t.describe())
}

func (p *parser) comparison() (condition, error) {
	ft := p.next()
	if isReserved(ft.text) {
		return nil, condErrorf("Expected a field name at position %d but found %s.", ft.pos, ft.describe())
	}
	path, typ, ok := p.entity.resolve(ft.text)
	if !ok {
		return nil, condErrorf("%s is not a recognized name.", ft.text)
	}
	negate := false
	if p.keyword("not") {
		p.next()
		negate = true
		if !p.keyword("in", "like", "contains") {
			t := p.peek()
			return nil, condErrorf("Expected 'in', 'like' or 'contains' after 'not' at position %d but found %s.", t.pos, t.describe())
		}
	}
	switch {
	case p.keyword("in"):
		p.next()
		if t := p.next(); t.kind != tokLParen {
			return nil, condErrorf("Expected '(' after 'in' at position %d but found %s.", t.pos, t.describe())
		}
		var vals []any
		for {
			v, err := p.value(ft.text, typ)
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, condErrorf("null is not allowed in an 'in' list for %s.", ft.text)
			}
			vals = append(vals, v)
			t := p.next()
			if t.kind == tokRParen {
				break
			}
			if t.kind != tokComma {
				return nil, condErrorf("Expected ',' or ')' at position %d but found %s.", t.pos, t.describe())
			}
		}
		return inCond{path: path, vals: vals, negate: negate}, nil
	case p.keyword("like", "contains"):
		kw := strings.ToLower(p.next().text)
		if typ != FieldString {
			return nil, condErrorf("Operator '%s' is not valid for %s field %s.", kw, typ, ft.text)
		}
		t := p.next()
		if t.kind != tokString {
			return nil, condErrorf("Expected a quoted string after '%s' at position %d but found %s.", kw, t.pos, t.describe())
		}
		return likeCond{path: path, pattern: strings.ToLower(t.text), contains: kw == "contains", negate: negate}, nil
	}
	op := p.next()
	if op.kind != tokOp {
		return nil, condErrorf("Expected an operator after %s at position %d but found %s.", ft.text, op.pos, op.describe())
	}
	v, err := p.value(ft.text, typ)
	if err != nil {
		return nil, err
	}
	if v == nil {
		if op.text != "=" && op.text != "!=" {
			return nil, condErrorf("Operator '%s' is not valid with null.", op.text)
		}
		return nullCond{path: path, isNull: op.text == "="}, nil
	}
	if typ == FieldBool && op.text != "=" && op.text != "!=" {
		return nil, condErrorf("Operator '%s' is not valid for boolean field %s.", op.text, ft.text)
	}
	return cmpCond{path: path, op: op.text, val: v}, nil
}

func isReserved(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "in", "like", "contains", "true", "false", "null":
		return true
	}
	return false
}

// value reads one value for a field of type typ; nil means null.
func (p *parser) value(field string, typ FieldType) (any, error) {
	t := p.next()
	if t.kind == tokIdent && strings.EqualFold(t.text, "null") {
		return nil, nil
	}
	bad := func(want string) error {
		article := "a"
		if typ == FieldInt {
			article = "an"
		}
		return condErrorf("%s is %s %s field: expected %s at position %d but found %s.", field, article, typ, want, t.pos, t.describe())
	}
	switch typ {
	case FieldInt:
		if t.kind != tokNumber {
			return nil, bad("an integer")
		}
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, bad("an integer")
		}
		return n, nil
	case FieldNumber:
		if t.kind != tokNumber {
			return nil, bad("a number")
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, bad("a number")
		}
		return f, nil
	case FieldString:
		if t.kind != tokString {
			return nil, bad("a quoted string")
		}
		return t.text, nil
	case FieldDateTime:
		if t.kind != tokDate {
			return nil, bad("a datetime in square brackets like [2016-08-20T18:04:26Z]")
		}
		v, err := parseTime(t.text)
		if err != nil {
			return nil, condErrorf("Invalid datetime [%s] at position %d.", t.text, t.pos)
		}
		return v, nil
	case FieldBool:
		if t.kind == tokIdent && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")) {
			return strings.EqualFold(t.text, "true"), nil
		}
		return nil, bad("true or false")
	}
	return nil, condErrorf("%s cannot be used in conditions.", field)
}

type andCond struct{ l, r condition }

func (c andCond) eval(r Record) bool { return c.l.eval(r) && c.r.eval(r) }

type orCond struct{ l, r condition }

func (c orCond) eval(r Record) bool { return c.l.eval(r) || c.r.eval(r) }

type notCond struct{ c condition }

func (c notCond) eval(r Record) bool { return !c.c.eval(r) }

// cmpCond compares a field with a value; a missing field never matches
// (SQL NULL semantics).
type cmpCond struct {
	path string
	op   string
	val  any
}

func (c cmpCond) eval(r Record) bool {
	v, ok := r.Field(c.path)
	if !ok {
		return false
	}
	d := compareValues(v, c.val)
	switch c.op {
	case "=":
		return d == 0
	case "!=":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	case ">=":
		return d >= 0
	}
	return false
}

type nullCond struct {
	path   string
	isNull bool
}

func (c nullCond) eval(r Record) bool {
	_, ok := r.Field(c.path)
	return ok != c.isNull
}

type inCond struct {
	path   string
	vals   []any
	negate bool
}

func (c inCond) eval(r Record) bool {
	v, ok := r.Field(c.path)
	if !ok {
		return false
	}
	for _, w := range c.vals {
		if compareValues(v, w) == 0 {
			return !c.negate
		}
	}
	return c.negate
}

// likeCond is "contains" (substring) or "like" (with * and % wildcards),
// case-insensitive.
type likeCond struct {
	path     string
	pattern  string // lower case
	contains bool
	negate   bool
}

func (c likeCond) eval(r Record) bool {
	v, ok := r.Field(c.path)
	if !ok {
		return false
	}
	s := strings.ToLower(v.(string))
	var m bool
	if c.contains {
		m = strings.Contains(s, c.pattern)
	} else {
		m = wildcardMatch(c.pattern, s)
	}
	return m != c.negate
}

// wildcardMatch matches s against a pattern where '*' and '%' match any run
// of characters.
func wildcardMatch(pattern, s string) bool {
	pr, sr := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(sr) {
		switch {
		case pi < len(pr) && (pr[pi] == '*' || pr[pi] == '%'):
			star, mark = pi, si
			pi++
		case pi < len(pr) && pr[pi] == sr[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pr) && (pr[pi] == '*' || pr[pi] == '%') {
		pi++
	}
	return pi == len(pr)
}

// parseOrderBy parses "field [asc|desc] {, field [asc|desc]}".
func parseOrderBy(e *Entity, src string) ([]orderKey, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	var keys []orderKey
	for _, part := range strings.Split(src, ",") {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return nil, condErrorf("Invalid orderBy term %q.", strings.TrimSpace(part))
		}
		path, typ, ok := e.resolve(words[0])
		if !ok {
			return nil, condErrorf("%s is not a recognized name.", words[0])
		}
		k := orderKey{path: path, typ: typ}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				k.desc = true
			default:
				return nil, condErrorf("Invalid orderBy direction %q: expected asc or desc.", words[1])
			}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// orderKeyString is a canonical cache key for orderBy keys.
func orderKeyString(keys []orderKey) string {
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k.path)
		if k.desc {
			sb.WriteString(" desc")
		}
		sb.WriteByte(',')
	}
	return sb.String()
}
