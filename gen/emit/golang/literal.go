package golang

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/canonic-data/canonic/gen/model"
)

// listWidth is how long a list literal may be on one line.
const listWidth = 60

// fitsOnLine reports whether items, quoted and comma-separated after
// extra columns of other text, fit in listWidth.
func fitsOnLine(extra int, items []string) bool {
	n := extra
	for _, s := range items {
		n += len(fmt.Sprintf("%q", s)) + 2
	}
	return n <= listWidth
}

// stringList renders a []string literal's values: on one line when short,
// one element a line otherwise.
func stringList(items []string) *jen.Statement {
	if fitsOnLine(0, items) {
		return jen.ValuesFunc(func(g *jen.Group) {
			for _, s := range items {
				g.Lit(s)
			}
		})
	}
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, s := range items {
			g.Line().Lit(s)
		}
		g.Line()
	})
}

// field is one element of a keyed composite literal.
type field struct {
	key   string
	value jen.Code
}

// keyed renders {K: v, ...} on one line, in the given order (jen.Dict
// would sort the keys).
func keyed(fields ...field) *jen.Statement {
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, f := range fields {
			g.Id(f.key).Op(":").Add(f.value)
		}
	})
}

// keyedLines renders {K: v, ...} one field a line, in the given order.
func keyedLines(fields ...field) *jen.Statement {
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, f := range fields {
			g.Line().Id(f.key).Op(":").Add(f.value)
		}
		g.Line()
	})
}

// callList renders (first, "a", "b", ...): on one line when short, one
// argument a line otherwise.
func callList(first jen.Code, items []string) *jen.Statement {
	return jen.CallFunc(func(g *jen.Group) {
		if fitsOnLine(len(fmt.Sprintf("%#v", first))+2, items) {
			g.Add(first)
			for _, s := range items {
				g.Lit(s)
			}
			return
		}
		g.Line().Add(first)
		for _, s := range items {
			g.Line().Lit(s)
		}
		g.Line()
	})
}

func names(cols []*model.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}
