package connectwise

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Op is a comparison operator of the ConnectWise conditions language.
type Op string

// Operators. Int, Time and Bool accept the comparisons; Str also accepts the text operators.
const (
	Eq          Op = "="
	Ne          Op = "!="
	Lt          Op = "<"
	Le          Op = "<="
	Gt          Op = ">"
	Ge          Op = ">="
	Like        Op = "like"
	NotLike     Op = "not like"
	Contains    Op = "contains"
	NotContains Op = "not contains"
)

func (o Op) comparison() bool {
	switch o {
	case Eq, Ne, Lt, Le, Gt, Ge:
		return true
	}
	return false
}

func (o Op) text() bool {
	switch o {
	case Like, NotLike, Contains, NotContains:
		return true
	}
	return false
}

// Condition is an immutable, validated piece of a ConnectWise "conditions" expression. Builders never
// panic: an invalid input yields a Condition carrying an error, which Build reports and And/Or
// propagate. The zero Condition is empty (no filter).
type Condition struct {
	expr string
	// joiner is "" for a simple comparison, " AND " or " OR " for a join, and "raw" for Raw: an operand
	// is parenthesized when nested in a join with a different joiner.
	joiner string
	err    error
}

// Build returns the expression, or the first error met while building it.
func (c Condition) Build() (string, error) {
	if c.err != nil {
		return "", c.err
	}
	return c.expr, nil
}

// Err returns the error met while building the condition, if any.
func (c Condition) Err() error { return c.err }

// IsEmpty reports whether the condition is empty (matches everything) and valid.
func (c Condition) IsEmpty() bool { return c.err == nil && c.expr == "" }

// String returns the expression. For an invalid condition it returns a deliberately unparseable
// placeholder (so that a mistake can never widen a query to "no filter"); use Build to get the error.
func (c Condition) String() string {
	if c.err != nil {
		return "!invalid condition!"
	}
	return c.expr
}

func invalid(format string, args ...any) Condition {
	return Condition{err: fmt.Errorf("connectwise: condition: "+format, args...)}
}

// ValidField reports whether name is a usable field path: one or more '/'-separated segments, each
// starting with a letter or '_' and made of ASCII letters, digits and '_' (e.g. "id",
// "board/name", "_info/lastUpdated").
func ValidField(name string) bool {
	if name == "" || len(name) > 200 {
		return false
	}
	segStart := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '/':
			if segStart {
				return false // empty segment
			}
			segStart = true
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9':
			if segStart {
				return false
			}
		default:
			return false
		}
		segStart = false
	}
	return !segStart
}

func checkField(field string) error {
	if !ValidField(field) {
		return fmt.Errorf("connectwise: condition: invalid field name %q (want segments of letters, digits and '_' separated by '/')", field)
	}
	return nil
}

// Int builds `field op n`, e.g. Int("id", Gt, 123) is "id > 123". op must be a comparison.
func Int(field string, op Op, n int64) Condition {
	if err := checkField(field); err != nil {
		return Condition{err: err}
	}
	if !op.comparison() {
		return invalid("operator %q cannot compare numbers", string(op))
	}
	return Condition{expr: field + " " + string(op) + " " + strconv.FormatInt(n, 10)}
}

// Time builds `field op [YYYY-MM-DDTHH:MM:SSZ]` in UTC. Fractional seconds are truncated, which
// widens > and >= and narrows <; for incremental syncs on lastUpdated this only re-reads records.
// The zero time and years outside 1..9999 are rejected.
func Time(field string, op Op, t time.Time) Condition {
	if err := checkField(field); err != nil {
		return Condition{err: err}
	}
	if !op.comparison() {
		return invalid("operator %q cannot compare datetimes", string(op))
	}
	if t.IsZero() {
		return invalid("zero time for %s (probably an unset value)", field)
	}
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y < 1 || y > 9999 {
		return invalid("time %v for %s is outside years 1-9999", t, field)
	}
	return Condition{expr: field + " " + string(op) + " [" + t.Format("2006-01-02T15:04:05Z") + "]"}
}

// UpdatedAfter is Time("lastUpdated", Gt, t), the usual incremental-sync filter.
func UpdatedAfter(t time.Time) Condition { return Time("lastUpdated", Gt, t) }

// Bool builds `field = true` or `field != false` etc. op must be Eq or Ne.
func Bool(field string, op Op, v bool) Condition {
	if err := checkField(field); err != nil {
		return Condition{err: err}
	}
	if op != Eq && op != Ne {
		return invalid("operator %q cannot compare booleans", string(op))
	}
	return Condition{expr: field + " " + string(op) + " " + strconv.FormatBool(v)}
}

// Str builds `field op "value"` with '\' and '"' escaped by a backslash. op may be a comparison or
// like/not like/contains/not contains. Values with control characters or invalid UTF-8 are rejected:
// they cannot be written safely in a query string.
func Str(field string, op Op, v string) Condition {
	if err := checkField(field); err != nil {
		return Condition{err: err}
	}
	if !op.comparison() && !op.text() {
		return invalid("unknown operator %q", string(op))
	}
	q, err := Quote(v)
	if err != nil {
		return Condition{err: fmt.Errorf("connectwise: condition: value for %s: %w", field, err)}
	}
	return Condition{expr: field + " " + string(op) + " " + q}
}

// Quote returns v as a double-quoted conditions string literal, escaping '\' and '"' with a
// backslash. It rejects invalid UTF-8 and control characters.
func Quote(v string) (string, error) {
	if !utf8.ValidString(v) {
		return "", errors.New("string is not valid UTF-8")
	}
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
			return "", fmt.Errorf("string contains control character %U", r)
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// In builds `field in (1, 2, 3)`. An empty list is rejected (it cannot be expressed).
func In(field string, values ...int64) Condition {
	if err := checkField(field); err != nil {
		return Condition{err: err}
	}
	if len(values) == 0 {
		return invalid("empty value list for %s in (...)", field)
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return Condition{expr: field + " in (" + strings.Join(parts, ", ") + ")"}
}

// InStrings builds `field in ("a", "b")` with each value quoted like Str.
func InStrings(field string, values ...string) Condition {
	if err := checkField(field); err != nil {
		return Condition{err: err}
	}
	if len(values) == 0 {
		return invalid("empty value list for %s in (...)", field)
	}
	parts := make([]string, len(values))
	for i, v := range values {
		q, err := Quote(v)
		if err != nil {
			return Condition{err: fmt.Errorf("connectwise: condition: value %d for %s: %w", i, field, err)}
		}
		parts[i] = q
	}
	return Condition{expr: field + " in (" + strings.Join(parts, ", ") + ")"}
}

// IDRange builds the half-open range `field >= lo AND field < hi`. lo must be below hi.
func IDRange(field string, lo, hi int64) Condition {
	if lo >= hi {
		return invalid("empty id range [%d, %d) for %s", lo, hi, field)
	}
	return And(Int(field, Ge, lo), Int(field, Lt, hi))
}

// Raw wraps an expression written by hand (for example from configuration). It is trimmed and checked
// only for control characters and balanced quotes, brackets and parentheses; it is parenthesized when
// combined with And/Or.
func Raw(expr string) Condition {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Condition{}
	}
	if err := checkRaw(expr); err != nil {
		return Condition{err: err}
	}
	return Condition{expr: expr, joiner: "raw"}
}

// checkRaw verifies that expr has no control characters and that quotes, brackets and parentheses
// outside string literals are balanced, so that wrapping it in parentheses keeps it self-contained.
func checkRaw(expr string) error {
	if !utf8.ValidString(expr) || hasControl(expr) {
		return errors.New("connectwise: condition: raw expression has control characters or invalid UTF-8")
	}
	depth, inStr, inBracket := 0, false, false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[':
			if inBracket {
				return errors.New("connectwise: condition: raw expression has nested '['")
			}
			inBracket = true
		case c == ']':
			if !inBracket {
				return errors.New("connectwise: condition: raw expression has an unmatched ']'")
			}
			inBracket = false
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return errors.New("connectwise: condition: raw expression has an unmatched ')'")
			}
		}
	}
	if inStr || inBracket || depth != 0 {
		return errors.New("connectwise: condition: raw expression has an unterminated string, '[' or '('")
	}
	return nil
}

// And joins conditions with AND, parenthesizing operands that are OR joins or Raw expressions (nested
// ANDs are flattened). Empty conditions are skipped; with nothing left the result is empty. The first
// error among the operands is propagated.
func And(conds ...Condition) Condition { return join(" AND ", conds) }

// Or joins conditions with OR, parenthesizing AND joins and Raw expressions, like And.
func Or(conds ...Condition) Condition { return join(" OR ", conds) }

func join(sep string, conds []Condition) Condition {
	var parts []string
	var last Condition
	for _, c := range conds {
		if c.err != nil {
			return Condition{err: c.err}
		}
		if c.expr == "" {
			continue
		}
		last = c
		if c.joiner != "" && c.joiner != sep {
			parts = append(parts, "("+c.expr+")")
		} else {
			parts = append(parts, c.expr)
		}
	}
	switch len(parts) {
	case 0:
		return Condition{}
	case 1:
		return last
	}
	return Condition{expr: strings.Join(parts, sep), joiner: sep}
}
