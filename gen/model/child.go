package model

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/sourcespec"
)

// ChildRef is a column read from one record of a list endpoint under the
// table's records: the children matching Conditions, in OrderBy order, the
// first or the last (Pick), its Property. The runtime asks for exactly that
// record: conditions, orderBy (RequestOrderBy), fields= and pageSize=1.
type ChildRef struct {
	Pos diag.Pos
	// Endpoint is the child list endpoint with its one path parameter,
	// "service/tickets/{parentId}/notes"; the runtime puts the record's
	// key in place of the parameter.
	Endpoint string
	// Conditions is the normalised ConnectWise condition, "" for none.
	Conditions string
	// OrderBy is the order as written, normalised ("dateCreated asc").
	OrderBy []string
	// Pick is "first" or "last".
	Pick string
	// RequestOrderBy is the orderBy whose first record is the pick:
	// OrderBy, with every direction reversed for "last".
	RequestOrderBy string
	// Property is the resolved source path on the child record.
	Property *SourceRef
	// Tree is the child's JSON keys the column reads; its root type is
	// ChildTypeName.
	Tree *SourceNode
	// ChildTypeName is the Go type of the decoded child, "ChildDescription".
	ChildTypeName string
	// SetFunc is the generated function that stores a child in the row,
	// "setDescription".
	SetFunc string
}

// Fields lists the child's source fields for a partial response ("text").
func (c *ChildRef) Fields() []string {
	segs := c.Property.Segments
	if c.Property.MapDepth >= 0 {
		segs = segs[:c.Property.MapDepth+1]
	}
	return []string{strings.Join(segs, "/")}
}

// Describe says in one phrase where the value comes from, for comments and
// the schema snapshot.
func (c *ChildRef) Describe() string {
	s := c.Property.Path + " of the " + c.Pick + " record of " + c.Endpoint
	if c.Conditions != "" {
		s += " where " + c.Conditions
	}
	return s + " by " + strings.Join(c.OrderBy, ", ")
}

// childEndpointRE is a list endpoint with one path parameter directly
// under the parent: <parent>/{param}/<name>.
var childEndpointRE = regexp.MustCompile(`^(.+)/\{[A-Za-z_][A-Za-z0-9_]*\}/[A-Za-z_][A-Za-z0-9_]*$`)

// child resolves a child column against the spec: the endpoint, the
// condition, the order and the property with the column's conversion.
func (b *builder) child(fd *mapping.Field, c *Column, t *Table, spec *sourcespec.Spec) {
	ch := fd.Child
	before := len(b.errs)
	switch {
	case fd.Source.Set:
		b.errs.Add(ch.Pos, "column %q has both source and child: keep one", c.Name)
	case fd.Unmapped.Set:
		b.errs.Add(ch.Pos, "column %q has both unmapped and child: keep one", c.Name)
	case fd.AcknowledgeWriteOnly.Set:
		b.errs.Add(fd.AcknowledgeWriteOnly.Pos, "column %q reads a child endpoint: acknowledge.write_only does not apply; remove it", c.Name)
	}
	if !fd.Nullable.Value {
		b.errs.Add(fd.Pos, "column %q reads a child endpoint and is NULL when no child matches: add nullable: true", c.Name)
	}
	if len(b.errs) > before || spec == nil || !ch.Endpoint.Set || !ch.Property.Set {
		return
	}
	ref := &ChildRef{Pos: ch.Pos, Endpoint: strings.Trim(ch.Endpoint.Value, "/"), Pick: "first"}
	if !b.childEndpoint(ch, c, t, spec, ref.Endpoint) {
		return
	}
	if ch.Pick.Set {
		switch ch.Pick.Value {
		case "first", "last":
			ref.Pick = ch.Pick.Value
		default:
			msg := fmt.Sprintf("column %q: child.pick %q: use first or last", c.Name, ch.Pick.Value)
			if s := diag.Suggest(ch.Pick.Value, []string{"first", "last"}); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			b.errs.Add(ch.Pick.Pos, "%s", msg)
		}
	}
	if ch.Where.Set {
		cond, err := childCondition(spec, ref.Endpoint, ch.Where.Value)
		if err != nil {
			b.errs.Add(ch.Where.Pos, "column %q: child.where: %v", c.Name, err)
		}
		ref.Conditions = cond
	}
	var request []string
	for _, o := range ch.OrderBy {
		norm, rev, err := childOrder(spec, ref.Endpoint, o.Value)
		if err != nil {
			b.errs.Add(o.Pos, "column %q: child.order_by: %v", c.Name, err)
			continue
		}
		ref.OrderBy = append(ref.OrderBy, norm)
		request = append(request, rev)
	}
	if len(ch.OrderBy) == 0 && ch.OrderByPos.Line > 0 {
		b.errs.Add(ch.OrderByPos, "column %q: child.order_by is empty: name the order that makes first or last meaningful, e.g. [dateCreated asc, id asc]", c.Name)
	}
	if ref.Pick == "first" {
		ref.RequestOrderBy = strings.Join(ref.OrderBy, ",")
	} else {
		ref.RequestOrderBy = strings.Join(request, ",")
	}
	r, err := spec.Resolve(ref.Endpoint, ch.Property.Value)
	if err != nil {
		b.errs.Add(ch.Property.Pos, "column %q: child.property: %s", c.Name, resolveMessage(err))
		return
	}
	if r.WriteOnly {
		b.errs.Add(ch.Property.Pos, "column %q: child.property %q is never returned by GET: map another property", c.Name, ch.Property.Value)
		return
	}
	if len(b.errs) > before {
		return
	}
	ref.Property = &SourceRef{Pos: ch.Property.Pos, Path: ch.Property.Value, Segments: r.Segments, JSONType: r.Type, Format: r.Format, Enum: r.Enum, MapDepth: -1}
	if r.ViaMap {
		ref.Property.MapDepth = len(r.Segments) - 2
	}
	if !b.conversion(fd, c, r, ch.Property.Value, ch.Property.Pos) {
		return
	}
	c.Child = ref
}

// childEndpoint checks that endpoint is a list endpoint directly under the
// table's endpoint.
func (b *builder) childEndpoint(ch *mapping.Child, c *Column, t *Table, spec *sourcespec.Spec, endpoint string) bool {
	children := childEndpoints(spec, t.Endpoint)
	if _, err := spec.Endpoint(endpoint); err != nil {
		msg := err.Error()
		var ee *sourcespec.EndpointError
		if errors.As(err, &ee) && ee.Suggestion == "" {
			if s := diag.Suggest(endpoint, children); s != "" && diag.EditDistance(endpoint, s) <= len(endpoint)/3 {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
		}
		b.errs.Add(ch.Endpoint.Pos, "column %q: child.endpoint: %s", c.Name, msg)
		return false
	}
	m := childEndpointRE.FindStringSubmatch(endpoint)
	if m == nil || m[1] != t.Endpoint {
		msg := fmt.Sprintf("column %q: child.endpoint %q is not a list endpoint under the table's endpoint %s (%s/{parentId}/<name>)", c.Name, endpoint, t.Endpoint, t.Endpoint)
		if len(children) > 0 {
			msg += ": " + t.Endpoint + " has " + strings.Join(children, ", ")
		}
		b.errs.Add(ch.Endpoint.Pos, "%s", msg)
		return false
	}
	if list, _ := spec.IsList(endpoint); !list {
		b.errs.Add(ch.Endpoint.Pos, "column %q: child.endpoint %q returns one record, not a list", c.Name, endpoint)
		return false
	}
	return true
}

// childEndpoints lists the list endpoints directly under parent.
func childEndpoints(spec *sourcespec.Spec, parent string) []string {
	var out []string
	for _, ep := range spec.Endpoints() {
		if m := childEndpointRE.FindStringSubmatch(ep); m != nil && m[1] == parent {
			if list, _ := spec.IsList(ep); list {
				out = append(out, ep)
			}
		}
	}
	return out
}

// conditionTokenRE splits one comparison: a field, an operator and a value.
var conditionTokenRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_/]*)\s*(!=|<=|>=|=|<|>|\blike\b|\bcontains\b)\s*(.+?)\s*$`)

// andRE splits conditions on "and" outside quotes (no quotes may hold it).
var andRE = regexp.MustCompile(`(?i)\s+and\s+`)

// childCondition checks a where clause (comparisons joined by and) against
// the child schema and returns it normalised.
func childCondition(spec *sourcespec.Spec, endpoint, where string) (string, error) {
	if strings.ContainsAny(where, "()") || regexp.MustCompile(`(?i)\s+or\s+`).MatchString(where) {
		return "", fmt.Errorf("%q: write comparisons joined by and (no or, no parentheses)", where)
	}
	var parts []string
	for _, clause := range splitAnd(where) {
		m := conditionTokenRE.FindStringSubmatch(clause)
		if m == nil {
			return "", fmt.Errorf("%q is not a comparison like detailDescriptionFlag = true", strings.TrimSpace(clause))
		}
		field, op, value := m[1], strings.ToLower(m[2]), m[3]
		r, err := spec.Resolve(endpoint, strings.ReplaceAll(field, "/", sourcespec.Separator))
		if err != nil {
			var pe *sourcespec.PathError
			if errors.As(err, &pe) {
				msg := fmt.Sprintf("condition field %q: %s", field, pe.Reason)
				if pe.Suggestion != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", strings.ReplaceAll(pe.Suggestion, sourcespec.Separator, "/"))
				}
				return "", errors.New(msg)
			}
			return "", err
		}
		if err := checkConditionValue(field, op, value, r); err != nil {
			return "", err
		}
		parts = append(parts, field+" "+op+" "+value)
	}
	return strings.Join(parts, " AND "), nil
}

// splitAnd splits on " and " outside double quotes.
func splitAnd(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted:
			if loc := andRE.FindStringIndex(s[i:]); loc != nil && loc[0] == 0 {
				out = append(out, s[start:i])
				start = i + loc[1]
				i = start - 1
			}
		}
	}
	return append(out, s[start:])
}

var (
	numberRE   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	quotedRE   = regexp.MustCompile(`^"([^"\\]|\\.)*"$`)
	bracketsRE = regexp.MustCompile(`^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\]$`)
)

// checkConditionValue checks that value is a literal of field's type and
// op applies to it.
func checkConditionValue(field, op, value string, r *sourcespec.Resolved) error {
	text := op == "like" || op == "contains"
	switch r.Type {
	case "boolean":
		if value != "true" && value != "false" {
			return fmt.Errorf("%s is boolean: compare it with true or false, not %s", field, value)
		}
		if op != "=" && op != "!=" {
			return fmt.Errorf("%s is boolean: use = or !=, not %s", field, op)
		}
	case "integer", "number":
		if !numberRE.MatchString(value) {
			return fmt.Errorf("%s is a number (%s): compare it with a number, not %s", field, r.Type, value)
		}
		if r.Type == "integer" && strings.Contains(value, ".") {
			return fmt.Errorf("%s is an integer: compare it with a whole number, not %s", field, value)
		}
		if text {
			return fmt.Errorf("%s is a number: %s applies to strings", field, op)
		}
	case "string":
		switch {
		case quotedRE.MatchString(value):
			if _, err := strconv.Unquote(value); err != nil {
				return fmt.Errorf("%s: bad string literal %s", field, value)
			}
		case bracketsRE.MatchString(value) && r.Format == "date-time" && !text:
		default:
			return fmt.Errorf("%s is a string: quote the value (\"...\"), not %s", field, value)
		}
	default:
		return fmt.Errorf("%s is %s and cannot be compared", field, r.Type)
	}
	return nil
}

// childOrder checks one order_by item ("dateCreated asc") and returns it
// normalised and with its direction reversed.
func childOrder(spec *sourcespec.Spec, endpoint, item string) (norm, reversed string, err error) {
	f := strings.Fields(item)
	dir := "asc"
	switch {
	case len(f) == 2 && (strings.EqualFold(f[1], "asc") || strings.EqualFold(f[1], "desc")):
		dir = strings.ToLower(f[1])
	case len(f) != 1:
		return "", "", fmt.Errorf("%q: write a field and asc or desc, like dateCreated asc", item)
	}
	field := f[0]
	if _, err := spec.Resolve(endpoint, strings.ReplaceAll(field, "/", sourcespec.Separator)); err != nil {
		var pe *sourcespec.PathError
		if errors.As(err, &pe) {
			msg := fmt.Sprintf("order field %q: %s", field, pe.Reason)
			if pe.Suggestion != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", strings.ReplaceAll(pe.Suggestion, sourcespec.Separator, "/"))
			}
			return "", "", errors.New(msg)
		}
		return "", "", err
	}
	rev := "desc"
	if dir == "desc" {
		rev = "asc"
	}
	return field + " " + dir, field + " " + rev, nil
}
