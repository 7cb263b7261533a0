package mapping

import (
	"gopkg.in/yaml.v3"

	"github.com/canonic-data/canonic/gen/diag"
)

// ParseFile reads one mapping file. path is how errors name the file
// (slash-separated, relative to the project root). The returned list holds
// every shape problem found; the File is usable only when it is empty.
func ParseFile(path string, data []byte) (*File, diag.List) {
	w := &walker{path: path}
	root := w.document(data)
	if root == nil {
		return nil, w.errs
	}
	f := &File{Path: path, Pos: w.pos(root)}
	ok := w.object(root, "mapping", []field{
		{key: "version", decode: w.integer(&f.Version, "version")},
		{key: "service", required: true, decode: w.str(&f.Service, "service")},
		{key: "table", required: true, decode: w.str(&f.Table, "table")},
		{key: "description", required: true, decode: w.str(&f.Description, "description")},
		{key: "source", required: true, decode: func(n *yaml.Node) { w.source(n, &f.Source) }},
		{key: "key", required: true, decode: w.str(&f.Key, "key")},
		{key: "scd", required: true, decode: func(n *yaml.Node) { w.scd(n, &f.SCD) }},
		{key: "cursor", decode: func(n *yaml.Node) { f.Cursor = w.cursor(n) }},
		{key: "clickhouse", decode: func(n *yaml.Node) { w.clickhouse(n, &f.ClickHouse) }},
		{key: "fields", required: true, decode: func(n *yaml.Node) { w.fields(n, f) }},
		{key: "breaking", decode: func(n *yaml.Node) { w.breaking(n, f) }},
	})
	if ok {
		w.version(root, &f.Version)
	}
	f.Incomplete = len(w.errs) > 0
	return f, w.errs
}

func (w *walker) source(n *yaml.Node, s *Source) {
	s.Pos = w.pos(resolve(n))
	w.object(n, "source", []field{
		{key: "endpoint", required: true, decode: w.str(&s.Endpoint, "source.endpoint")},
	})
}

func (w *walker) scd(n *yaml.Node, s *SCD) {
	s.Pos = w.pos(resolve(n))
	w.object(n, "scd", []field{
		{key: "type", required: true, decode: w.integer(&s.Type, "scd.type")},
		{key: "version_from", decode: w.str(&s.VersionFrom, "scd.version_from")},
		{key: "ignore_changes", decode: w.strList(&s.IgnoreChanges, nil, "scd.ignore_changes")},
	})
}

func (w *walker) cursor(n *yaml.Node) *Cursor {
	c := &Cursor{Pos: w.pos(resolve(n))}
	w.object(n, "cursor", []field{
		{key: "column", required: true, decode: w.str(&c.Column, "cursor.column")},
		{key: "source_field", required: true, decode: w.str(&c.SourceField, "cursor.source_field")},
	})
	return c
}

func (w *walker) clickhouse(n *yaml.Node, c *ClickHouse) {
	c.Pos = w.pos(resolve(n))
	w.object(n, "clickhouse", []field{
		{key: "order_by", decode: w.strList(&c.OrderBy, nil, "clickhouse.order_by")},
		{key: "partition_by", decode: w.str(&c.PartitionBy, "clickhouse.partition_by")},
	})
}

func (w *walker) breaking(n *yaml.Node, f *File) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, "breaking must be a list of acknowledged changes, got %s", kindName(n))
		return
	}
	for _, item := range n.Content {
		a := &BreakingAck{Pos: w.pos(resolve(item))}
		if w.object(item, "breaking", []field{
			{key: "class", required: true, decode: w.str(&a.Class, "breaking.class")},
			{key: "column", decode: w.str(&a.Column, "breaking.column")},
			{key: "reason", required: true, decode: w.str(&a.Reason, "breaking.reason")},
		}) {
			f.Breaking = append(f.Breaking, a)
		}
	}
}

func (w *walker) fields(n *yaml.Node, f *File) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, "fields must be a list of columns, got %s", kindName(n))
		return
	}
	f.FieldsPos = w.pos(n)
	for _, item := range n.Content {
		fd := &Field{Pos: w.pos(resolve(item))}
		before := len(w.errs)
		w.object(item, "field", []field{
			{key: "name", required: true, decode: w.str(&fd.Name, "field name")},
			{key: "type", required: true, decode: w.str(&fd.Type, "field type")},
			{key: "values", decode: w.strList(&fd.Values, &fd.ValuesPos, "values")},
			{key: "nullable", decode: w.boolean(&fd.Nullable, "nullable")},
			{key: "source", decode: w.str(&fd.Source, "source")},
			{key: "convert", decode: w.str(&fd.Convert, "convert")},
			{key: "description", required: true, decode: w.str(&fd.Description, "description")},
			{key: "unmapped", decode: w.str(&fd.Unmapped, "unmapped")},
			{key: "acknowledge", decode: func(n *yaml.Node) {
				fd.AcknowledgeWriteOnly.Pos = w.pos(resolve(n)) // present, even if unreadable
				w.object(n, "acknowledge", []field{
					{key: "write_only", required: true, decode: w.str(&fd.AcknowledgeWriteOnly, "acknowledge.write_only")},
				})
			}},
			{key: "child", decode: func(n *yaml.Node) { fd.Child = w.child(n) }},
		})
		fd.Incomplete = len(w.errs) > before
		f.Fields = append(f.Fields, fd)
	}
}

func (w *walker) child(n *yaml.Node) *Child {
	c := &Child{Pos: w.pos(resolve(n))}
	w.object(n, "child", []field{
		{key: "endpoint", required: true, decode: w.str(&c.Endpoint, "child.endpoint")},
		{key: "where", decode: w.str(&c.Where, "child.where")},
		{key: "order_by", required: true, decode: w.strList(&c.OrderBy, &c.OrderByPos, "child.order_by")},
		{key: "pick", decode: w.str(&c.Pick, "child.pick")},
		{key: "property", required: true, decode: w.str(&c.Property, "child.property")},
	})
	return c
}

// ParseProject reads the project settings file (mappings/project.yaml).
func ParseProject(path string, data []byte) (*Project, diag.List) {
	w := &walker{path: path}
	root := w.document(data)
	if root == nil {
		return nil, w.errs
	}
	p := &Project{Path: path, Pos: w.pos(root)}
	ok := w.object(root, "settings", []field{
		{key: "version", decode: w.integer(&p.Version, "version")},
		{key: "clickhouse", decode: func(n *yaml.Node) {
			w.object(n, "clickhouse", []field{
				{key: "target", required: true, decode: w.str(&p.Target, "clickhouse.target")},
			})
		}},
		{key: "sources", required: true, decode: func(n *yaml.Node) {
			n = resolve(n)
			p.SourcesPos = w.pos(n)
			if n.Kind != yaml.MappingNode {
				w.errorf(n, "sources must map each service to its spec, got %s", kindName(n))
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				s := &SourceSpec{Pos: w.pos(k), Service: String{Value: k.Value, Pos: w.pos(k), Set: true}}
				for _, prev := range p.Sources {
					if prev.Service.Value == k.Value {
						w.errorf(k, "sources: duplicate service %q", k.Value)
					}
				}
				w.object(v, "sources."+k.Value, []field{
					{key: "spec", required: true, decode: w.str(&s.Spec, "spec")},
				})
				p.Sources = append(p.Sources, s)
			}
		}},
	})
	if ok {
		w.version(root, &p.Version)
	}
	return p, w.errs
}
