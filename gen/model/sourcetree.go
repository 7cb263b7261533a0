package model

import "github.com/canonic-data/canonic/gen/naming"

// sourceTree builds the JSON key tree the mapping reads, in first-use
// order, and links each column's SourceRef to its leaf.
func sourceTree(cols []*Column) *SourceNode {
	root := &SourceNode{TypeName: "Source"}
	for _, c := range cols {
		if c.Source == nil {
			continue
		}
		n := root
		for i, seg := range c.Source.Segments {
			var child *SourceNode
			for _, ch := range n.Children {
				if ch.Key == seg {
					child = ch
					break
				}
			}
			if child == nil {
				child = &SourceNode{Key: seg}
				n.Children = append(n.Children, child)
			}
			if i == len(c.Source.Segments)-1 {
				child.JSONType = c.Source.JSONType
				if c.Convert == ConvertNumberToDecimal {
					child.AsText = true
				}
			}
			n = child
		}
		c.Source.Leaf = n
	}
	nameTree(root, map[string]bool{"Source": true})
	for _, c := range cols {
		if c.Source == nil {
			continue
		}
		n := root
		for _, seg := range c.Source.Segments {
			for _, ch := range n.Children {
				if ch.Key == seg {
					n = ch
					break
				}
			}
			c.Source.GoPath = append(c.Source.GoPath, n.GoName)
		}
	}
	return root
}

// childTree builds the JSON key tree of a child column's record and links
// its property to the leaf, naming the types after the column.
func childTree(c *Column) {
	ch := c.Child
	ch.ChildTypeName = "Child" + c.GoName
	ch.SetFunc = "set" + c.GoName
	proxy := &Column{Name: c.Name, Type: c.Type, Convert: c.Convert, Source: ch.Property}
	root := sourceTree([]*Column{proxy})
	root.TypeName = ch.ChildTypeName
	nameTree(root, map[string]bool{ch.ChildTypeName: true})
	ch.Tree = root
}

// nameTree gives fields and object types Go names through the naming
// authority, avoiding clashes.
func nameTree(n *SourceNode, types map[string]bool) {
	fields := map[string]bool{}
	for _, ch := range n.Children {
		ch.GoName = naming.Unique(naming.GoName(ch.Key), fields)
		if len(ch.Children) > 0 {
			ch.TypeName = naming.Unique(n.TypeName+ch.GoName, types)
			nameTree(ch, types)
		}
	}
}
