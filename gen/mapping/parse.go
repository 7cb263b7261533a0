package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/canonic-data/canonic/gen/diag"
)

// walker decodes yaml nodes by hand so that every value keeps its position
// and unknown keys are reported (yaml.Node.Decode would drop KnownFields).
type walker struct {
	path string
	errs diag.List
}

func (w *walker) pos(n *yaml.Node) diag.Pos {
	return diag.Pos{File: w.path, Line: n.Line, Col: n.Column}
}

func (w *walker) errorf(n *yaml.Node, format string, args ...any) {
	w.errs.Add(w.pos(n), format, args...)
}

// field is one allowed key of a mapping node and what to do with its value.
type field struct {
	key      string
	required bool
	decode   func(value *yaml.Node)
}

// object walks a mapping node, calling each known key's decoder and
// reporting unknown, duplicate and missing keys. what names the node in
// messages ("field", "scd").
func (w *walker) object(n *yaml.Node, what string, fields []field) bool {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		w.errorf(n, "%s must be a mapping of keys to values, got %s", what, kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.errorf(k, "%s: keys must be plain words", what)
			continue
		}
		if seen[k.Value] {
			w.errorf(k, "%s: duplicate key %q", what, k.Value)
			continue
		}
		if k.Tag == "!!merge" {
			w.errorf(k, "%s: merge keys (<<) are not supported: write out every key", what)
			return false
		}
		seen[k.Value] = true
		var known *field
		for j := range fields {
			if fields[j].key == k.Value {
				known = &fields[j]
				break
			}
		}
		if known == nil {
			names := make([]string, len(fields))
			for j, f := range fields {
				names[j] = f.key
			}
			msg := fmt.Sprintf("%s: unknown key %q", what, k.Value)
			if s := diag.Suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += fmt.Sprintf(" (known keys: %s)", joinQuoted(names))
			}
			w.errs.Add(w.pos(k), "%s", msg)
			continue
		}
		known.decode(v)
	}
	for _, f := range fields {
		if f.required && !seen[f.key] {
			w.errorf(n, "%s: missing required key %q", what, f.key)
		}
	}
	return true
}

func (w *walker) str(dst *String, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		n = resolve(n)
		*dst = String{Pos: w.pos(n)}
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			w.errorf(n, "%s must be a string, got %s", what, kindName(n))
			return
		}
		if n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!bool" {
			w.errorf(n, "%s must be a string, got %s", what, n.Tag)
			return
		}
		dst.Value, dst.Set = n.Value, true
	}
}

func (w *walker) integer(dst *Int, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		n = resolve(n)
		*dst = Int{Pos: w.pos(n)}
		v, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			w.errorf(n, "%s must be an integer, got %s", what, describe(n))
			return
		}
		dst.Value, dst.Set = v, true
	}
}

func (w *walker) boolean(dst *Bool, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		n = resolve(n)
		*dst = Bool{Pos: w.pos(n)}
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			w.errorf(n, "%s must be true or false, got %s", what, describe(n))
			return
		}
		dst.Value, dst.Set = n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
	}
}

func (w *walker) strList(dst *[]String, listPos *diag.Pos, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		n = resolve(n)
		if listPos != nil {
			*listPos = w.pos(n)
		}
		if n.Kind != yaml.SequenceNode {
			w.errorf(n, "%s must be a list, got %s", what, kindName(n))
			return
		}
		for _, item := range n.Content {
			var s String
			w.str(&s, what+" item")(item)
			if s.Set {
				*dst = append(*dst, s)
			}
		}
	}
}

// document parses data as exactly one YAML document whose root is a
// mapping, reporting syntax errors at their line.
func (w *walker) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			w.errs.Add(diag.Pos{File: w.path, Line: 1, Col: 1}, "file is empty: a mapping starts with \"version: %d\"", FormatVersion)
			return nil
		}
		w.syntaxError(err, data)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		w.errorf(&extra, "a file holds one YAML document; remove this second one (starting with ---)")
		return nil
	} else if !errors.Is(err, io.EOF) {
		w.syntaxError(err, data)
		return nil
	}
	if len(doc.Content) == 0 {
		w.errs.Add(diag.Pos{File: w.path, Line: 1, Col: 1}, "file is empty: a mapping starts with \"version: %d\"", FormatVersion)
		return nil
	}
	return doc.Content[0]
}

// version checks the required format version.
func (w *walker) version(doc *yaml.Node, v *Int) {
	if !v.Set {
		if len(w.errs) == 0 || !hasKey(doc, "version") {
			w.errs.Add(w.pos(doc), "missing required key \"version\": add \"version: %d\" at the top", FormatVersion)
		}
		return
	}
	if v.Value != FormatVersion {
		w.errs.Add(v.Pos, "unsupported format version %d: this compiler reads version %d", v.Value, FormatVersion)
	}
}

func hasKey(n *yaml.Node, key string) bool {
	n = resolve(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected node"
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return fmt.Sprintf("%q", n.Value)
	}
	return kindName(n)
}

func joinQuoted(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}
