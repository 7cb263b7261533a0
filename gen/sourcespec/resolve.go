package sourcespec

import (
	"fmt"
	"sort"
	"strings"
)

// Separator joins JSON keys in a mapping source path: "status__name" is
// the JSON path status.name.
const Separator = "__"

// Resolved is a source path resolved to a scalar value of an endpoint's
// records.
type Resolved struct {
	// Endpoint is the endpoint the path was resolved on.
	Endpoint string
	// Schema is the schema declaring the last property (for a map key,
	// the schema declaring the map).
	Schema string
	// Segments are the JSON keys in order, e.g. ["status", "name"].
	Segments []string
	// Type is integer, number, string or boolean.
	Type string
	// Format refines Type: int32, int64, double, date-time, uuid, ...
	// ("" when the spec gives none, as for ConnectWise's closedDate).
	Format string
	// Enum lists the allowed values, in the spec's order, if any.
	Enum []string
	// WriteOnly is true when the spec says the value is never returned
	// (writeOnly, or a description saying so) for the property or one of
	// the objects on the way to it.
	WriteOnly bool
	// WriteOnlyNote is the spec's explanation of WriteOnly, if any.
	WriteOnlyNote string
	// ReadOnly is the spec's readOnly flag on the last property.
	ReadOnly bool
	// Nullable is the spec's nullable flag on the last property. Sources
	// may still omit keys: ConnectWise drops keys without a value.
	Nullable bool
	// ViaMap is true when the last key is a free key of a map (such as
	// ConnectWise's _info), which the spec cannot check.
	ViaMap bool
}

// PathErrorKind classifies a PathError.
type PathErrorKind int

// Kinds of PathError.
const (
	// NoSuchProperty: a segment names no property of its schema.
	NoSuchProperty PathErrorKind = iota + 1
	// NotAValue: the path ends on an object, array or map, not a scalar.
	NotAValue
	// CannotTraverse: a segment follows an array, a scalar or an object
	// without declared properties.
	CannotTraverse
	// BadSyntax: the path is empty or has an empty segment.
	BadSyntax
)

// PathError is a source path that does not resolve. SegmentIndex lets a
// compiler point at the failing segment.
type PathError struct {
	// Kind classifies the problem.
	Kind PathErrorKind
	// Endpoint is the endpoint the path was resolved on.
	Endpoint string
	// Path is the source path as written, e.g. "stauts__name".
	Path string
	// SegmentIndex is the index of the failing segment in Path split on
	// Separator.
	SegmentIndex int
	// Schema is the schema the failing segment was looked up in.
	Schema string
	// Reason says what is wrong, e.g. `Ticket has no property "stauts"`.
	Reason string
	// Suggestion is a full corrected source path that resolves (a
	// did-you-mean), or "".
	Suggestion string
}

// Error reads like `source path "stauts__name" not found: Ticket has no
// property "stauts" (did you mean "status__name"?)`.
func (e *PathError) Error() string {
	var msg string
	if e.Kind == NoSuchProperty {
		msg = fmt.Sprintf("source path %q not found: %s", e.Path, e.Reason)
	} else {
		msg = fmt.Sprintf("source path %q: %s", e.Path, e.Reason)
	}
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return msg
}

// Resolve resolves sourcePath (JSON keys joined by Separator) on the
// records endpoint returns. It follows references; a map property such as
// _info accepts any next key and yields the map's value type. Arrays
// cannot be traversed, and the path must end on a scalar. Errors are
// *EndpointError for the endpoint and *PathError for the path.
func (sp *Spec) Resolve(endpoint, sourcePath string) (*Resolved, error) {
	root, err := sp.Endpoint(endpoint)
	if err != nil {
		return nil, err
	}
	segs := strings.Split(sourcePath, Separator)
	for i, s := range segs {
		if s == "" {
			return nil, &PathError{
				Kind: BadSyntax, Endpoint: endpoint, Path: sourcePath, SegmentIndex: i, Schema: root.Name,
				Reason: fmt.Sprintf("empty segment %d (source paths are JSON keys joined by %q)", i, Separator),
			}
		}
	}
	r, perr := sp.walk(root, segs)
	if perr != nil {
		perr.Endpoint, perr.Path = endpoint, sourcePath
		if perr.Kind == NoSuchProperty {
			perr.Suggestion = sp.suggest(root, segs, len(segs))
		}
		return nil, perr
	}
	r.Endpoint = endpoint
	return r, nil
}

// walk resolves segs from root; errors leave Endpoint and Path unset.
func (sp *Spec) walk(root *Schema, segs []string) (*Resolved, *PathError) {
	r := &Resolved{Segments: append([]string(nil), segs...)}
	cur := root
	fail := func(kind PathErrorKind, i int, format string, args ...any) (*Resolved, *PathError) {
		return nil, &PathError{Kind: kind, SegmentIndex: i, Schema: cur.Name, Reason: fmt.Sprintf(format, args...)}
	}
	for i, seg := range segs {
		p, ok := cur.Properties[seg]
		if !ok {
			return fail(NoSuchProperty, i, "%s has no property %q", cur.Name, seg)
		}
		if p.WriteOnly && !r.WriteOnly {
			r.WriteOnly, r.WriteOnlyNote = true, p.Note
		}
		last := i == len(segs)-1
		here := strings.Join(segs[:i+1], Separator)
		switch {
		case p.Ref != "":
			next := sp.schemas[p.Ref]
			if last {
				return fail(NotAValue, i, "%s is an object (%s): %s", here, p.Ref, sp.fieldHint(here, next))
			}
			cur = next
			continue
		case p.Type == TypeObject && p.Map != "":
			if last {
				return fail(NotAValue, i, "%s is %s: name a key, as in %s%s<key>", here, p.describe(), here, Separator)
			}
			if p.Map == MapAny {
				return fail(CannotTraverse, i+1, "%s is %s, so %s%s%s has no declared type", here, p.describe(), here, Separator, segs[i+1])
			}
			if i+2 < len(segs) {
				return fail(CannotTraverse, i+2, "%s%s%s is a %s (a value of the map %s) and has no sub-fields",
					here, Separator, segs[i+1], p.Map, here)
			}
			r.Schema, r.Type, r.ViaMap = cur.Name, p.Map, true
			r.ReadOnly = p.ReadOnly
			return r, nil
		case p.Type == TypeArray:
			if last {
				return fail(NotAValue, i, "%s is %s: arrays cannot be mapped to a column", here, p.describe())
			}
			return fail(CannotTraverse, i+1, "%s is %s: arrays cannot be traversed", here, p.describe())
		case !isScalar(p.Type):
			if last {
				return fail(NotAValue, i, "%s is %s, not a value", here, p.describe())
			}
			return fail(CannotTraverse, i+1, "%s is %s and cannot be traversed", here, p.describe())
		case !last:
			return fail(CannotTraverse, i+1, "%s is %s and has no sub-fields", here, p.describe())
		}
		r.Schema, r.Type, r.Format = cur.Name, p.Type, p.Format
		r.Enum = append([]string(nil), p.Enum...)
		r.ReadOnly, r.Nullable = p.ReadOnly, p.Nullable
		return r, nil
	}
	return nil, &PathError{Kind: BadSyntax, Schema: root.Name, Reason: "empty source path"}
}

// suggest returns the closest source path to segs that resolves, fixing
// unknown segments left to right, or "". budget bounds the recursion.
func (sp *Spec) suggest(root *Schema, segs []string, budget int) string {
	_, perr := sp.walk(root, segs)
	if perr == nil {
		return strings.Join(segs, Separator)
	}
	if perr.Kind != NoSuchProperty || budget == 0 {
		return ""
	}
	i := perr.SegmentIndex
	for _, cand := range closeMatches(segs[i], sp.Properties(perr.Schema)) {
		fixed := append([]string(nil), segs...)
		fixed[i] = cand
		if s := sp.suggest(root, fixed, budget-1); s != "" {
			return s
		}
	}
	return ""
}

// maxHints bounds the sub-fields listed in a NotAValue message.
const maxHints = 6

// fieldHint tells how to reach values inside the object at prefix, e.g.
// "use status__id, status__name or status__sort".
func (sp *Spec) fieldHint(prefix string, s *Schema) string {
	var scalars, others []string
	for _, name := range s.PropertyNames() {
		p := s.Properties[name]
		switch {
		case isScalar(p.Type):
			scalars = append(scalars, prefix+Separator+name)
		case p.Type == TypeObject && p.Map != "" && p.Map != MapAny:
			others = append(others, prefix+Separator+name+Separator+"<key>")
		}
	}
	// Identity first: id, then name, then the rest sorted.
	rank := func(path string) int {
		switch path[strings.LastIndex(path, Separator)+len(Separator):] {
		case "id":
			return 0
		case "name":
			return 1
		case "identifier":
			return 2
		}
		return 3
	}
	sort.SliceStable(scalars, func(a, b int) bool { return rank(scalars[a]) < rank(scalars[b]) })
	all := append(scalars, others...)
	if len(all) == 0 {
		if len(s.Properties) == 0 {
			return "it declares no properties"
		}
		return "it has no scalar properties; its properties are " + strings.Join(s.PropertyNames(), ", ")
	}
	more := ""
	if len(all) > maxHints {
		more = fmt.Sprintf(" (%d more: see %s)", len(all)-maxHints, s.Name)
		all = all[:maxHints]
	}
	if len(all) == 1 {
		return "use " + all[0] + more
	}
	return "use " + strings.Join(all[:len(all)-1], ", ") + " or " + all[len(all)-1] + more
}
