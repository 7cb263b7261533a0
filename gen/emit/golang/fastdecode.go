package golang

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/canonic-data/canonic/gen/model"
)

// maxFastKeys is the most keys an object of the source tree may have for
// the fast decoder, which marks the keys read in one uint64.
const maxFastKeys = 64

// fastDecodable reports whether the fast decoder can read tree n.
func fastDecodable(n *model.SourceNode) bool {
	if len(n.Children) > maxFastKeys {
		return false
	}
	for _, ch := range n.Children {
		if !fastDecodable(ch) {
			return false
		}
	}
	return true
}

// decodeSourceFunc emits the fast decoder of the source struct (see
// maprt.Lexer), for the source tree root:
//
//	// sourceLeaves holds the leaves decodeSource fills, in one allocation.
//	type sourceLeaves struct { ints [2]int64; strings [5]string }
//
//	// sourceKeys are the keys of Source, for maprt.Lexer.Skip.
//	var sourceKeys = maprt.NewKeys("id", "status", ...)
//
//	func decodeSource(data []byte, src *Source) bool {
//		lx := maprt.NewLexer(data)
//		v := new(sourceLeaves)
//		if lx.Enter() {
//			var seen0 uint64
//			for lx.Next() {
//				switch string(lx.Key()) {
//				case "id":
//					src.ID = lx.Int64(&v.ints[0], &seen0, 0)
//				case "status":
//					if lx.Once(&seen0, 1) && lx.Enter() {
//						var seen1 uint64
//						for lx.Next() { ... src.Status.Name = lx.String(&v.strings[0], &seen1, 0) ... }
//					}
//				default:
//					lx.Skip(sourceKeys)
//				}
//			}
//		}
//		return lx.End()
//	}
func decodeSourceFunc(f *jen.File, root *model.SourceNode) {
	counts := map[model.Repr]int{}
	var keyVars []jen.Code
	var object func(n *model.SourceNode, target *jen.Statement, level int) jen.Code
	object = func(n *model.SourceNode, target *jen.Statement, level int) jen.Code {
		seen := jen.Id(fmt.Sprintf("seen%d", level))
		keys := keysVar(n)
		var names []jen.Code
		for _, ch := range n.Children {
			names = append(names, jen.Lit(ch.Key))
		}
		comment := fmt.Sprintf("%s are the keys of %s, for maprt.Lexer.Skip.", keys, n.TypeName)
		keyVars = append(keyVars, jen.Comment(comment), jen.Id(keys).Op("=").Qual(pkgMaprt, "NewKeys").Call(names...))
		return jen.If(jen.Id("lx").Dot("Enter").Call()).Block(
			jen.Var().Add(seen.Clone()).Uint64(),
			jen.For(jen.Id("lx").Dot("Next").Call()).Block(
				jen.Switch(jen.String().Call(jen.Id("lx").Dot("Key").Call())).BlockFunc(func(sw *jen.Group) {
					for bit, ch := range n.Children {
						field := target.Clone().Dot(ch.GoName)
						mark := []jen.Code{jen.Op("&").Add(seen.Clone()), jen.Lit(bit)}
						if len(ch.Children) > 0 {
							sw.Case(jen.Lit(ch.Key)).BlockFunc(func(cg *jen.Group) {
								cg.If(jen.Id("lx").Dot("Once").Call(mark...)).Block(object(ch, field, level+1))
							})
							continue
						}
						r := reprs[ch.Repr()]
						slot := jen.Op("&").Id("v").Dot(r.array).Index(jen.Lit(counts[ch.Repr()]))
						counts[ch.Repr()]++
						sw.Case(jen.Lit(ch.Key)).Block(
							field.Op("=").Id("lx").Dot(r.read).Call(append([]jen.Code{slot}, mark...)...),
						)
					}
					sw.Default().Block(jen.Id("lx").Dot("Skip").Call(jen.Id(keys)))
				}),
			),
		)
	}
	body := object(root, jen.Id("src"), 0)

	comment(f, "sourceLeaves holds the leaves decodeSource fills, in one allocation.")
	f.Type().Id("sourceLeaves").StructFunc(func(g *jen.Group) {
		for _, repr := range []model.Repr{model.ReprString, model.ReprInt64, model.ReprFloat64, model.ReprNumber, model.ReprBool} {
			if n := counts[repr]; n > 0 {
				g.Id(reprs[repr].array).Index(jen.Lit(n)).Add(reprs[repr].elem())
			}
		}
	})
	f.Line()
	f.Var().Defs(keyVars...)
	f.Line()
	comment(f, "decodeSource decodes data into src as maprt.Unmarshal would, without reflection, and reports false for a record it leaves to maprt.Unmarshal (anything out of the ordinary: see maprt.Lexer).")
	f.Func().Id("decodeSource").Params(jen.Id("data").Index().Byte(), jen.Id("src").Op("*").Id(root.TypeName)).Bool().BlockFunc(func(g *jen.Group) {
		g.Id("lx").Op(":=").Qual(pkgMaprt, "NewLexer").Call(jen.Id("data"))
		g.Id("v").Op(":=").New(jen.Id("sourceLeaves"))
		g.Add(body)
		g.Return(jen.Id("lx").Dot("End").Call())
	})
	f.Line()
}

// keysVar names the key list of object node n: sourceKeys,
// sourceStatusKeys.
func keysVar(n *model.SourceNode) string {
	return strings.ToLower(n.TypeName[:1]) + n.TypeName[1:] + "Keys"
}
