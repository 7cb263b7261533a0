package golang

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/canonic-data/canonic/gen/model"
)

// tableFile: the embedded DDL, Table, and the RowBinary and clickhouse-go
// codecs.
func tableFile(f *jen.File, p *model.Project, t *model.Table, sqlFile, clusterSQLFile string, migrations []string) {
	comment(f, "ddl is the reviewable DDL file next to this one.")
	f.Comment("//go:embed " + sqlFile)
	f.Var().Id("ddl").String()
	f.Line()
	comment(f, "clusterDDL is the same table for a ClickHouse cluster, with run-time placeholders.")
	f.Comment("//go:embed " + clusterSQLFile)
	f.Var().Id("clusterDDL").String()
	f.Line()
	comment(f, "migrationFiles holds the table's numbered migrations (see schema.json).")
	f.Comment("//go:embed migrations/*.sql")
	f.Var().Id("migrationFiles").Qual("embed", "FS")
	f.Line()

	cols := allColumns(t)
	version := jen.Func().Params(jen.Op("*").Id("Row")).Params(jen.Qual(pkgTime, "Time"), jen.Bool()).Block(
		jen.Return(jen.Qual(pkgTime, "Time").Values(), jen.False()))
	if t.VersionFrom != nil {
		field := jen.Id("r").Dot(t.VersionFrom.GoName)
		ret := jen.Return(field, jen.True())
		if t.VersionFrom.Type.Nullable {
			ret = jen.Return(field.Clone().Dot("V"), field.Clone().Dot("Valid"))
		}
		version = jen.Func().Params(jen.Id("r").Op("*").Id("Row")).Params(jen.Qual(pkgTime, "Time"), jen.Bool()).Block(ret)
	}
	key := jen.Id("r").Dot(t.Key.GoName)
	if t.Key.Type.GoType() != "int64" { // Table.Key returns int64
		key = jen.Int64().Call(key)
	}
	cursorColumn, cursorField := "", ""
	if t.Cursor != nil {
		cursorColumn, cursorField = t.Cursor.Name, t.CursorField
	}
	versionColumn := ""
	if t.VersionFrom != nil {
		versionColumn = t.VersionFrom.Name
	}

	comment(f, fmt.Sprintf("Table describes %s.%s for the backfill runtime (internal/backfill).", t.Service, t.Name))
	var columns []jen.Code
	for _, c := range cols {
		columns = append(columns, keyed(
			field{"Name", jen.Lit(c.name)},
			field{"Type", jen.Lit(c.typ.ClickHouse(p.Target))},
			field{"Comment", jen.Lit(c.comment)},
		))
	}
	fields := []field{
		{"Service", jen.Lit(t.Service)},
		field{"Name", jen.Lit(t.Name)},
		field{"Command", jen.Lit(t.CmdName)},
		field{"Mapping", jen.Lit(t.Mapping)},
		field{"Endpoint", jen.Lit(t.Endpoint)},
		field{"DDL", jen.Id("ddl")},
		field{"ClusterDDL", jen.Id("clusterDDL")},
		field{"CurrentView", jen.Lit(t.CurrentView)},
		field{"Columns", jen.Index().Qual(pkgTable, "Column").ValuesFunc(func(g *jen.Group) {
			for _, c := range columns {
				g.Line().Add(c)
			}
			g.Line()
		})},
		field{"KeyColumn", jen.Lit(t.Key.Name)},
		field{"SourceKeyField", jen.Lit(t.SourceKeyField)},
		field{"SourceFields", jen.Index().String().Add(stringList(t.SourceFields()))},
		field{"CursorColumn", jen.Lit(cursorColumn)},
		field{"CursorField", jen.Lit(cursorField)},
		field{"VersionColumn", jen.Lit(versionColumn)},
		field{"HashDefinition", jen.Id("HashDefinition")},
		field{"HashColumns", jen.Index().String().Add(stringList(names(t.HashedColumns())))},
		field{"HashSubset", jen.Id("hashSubset")},
		field{"Migrations", jen.Qual(pkgTable, "LoadMigrations").Add(callList(jen.Id("migrationFiles"), migrations))},
	}
	if children := childColumns(t); len(children) > 0 {
		fields = append(fields, field{"Children", childList(children)}, field{"Rehash", jen.Func().Params(jen.Id("r").Op("*").Id("Row")).Block(
			jen.Id("r").Dot("RecordHash").Op("=").Id("recordHash").Call(jen.Id("r")))})
	}
	fields = append(fields,
		field{"Decode", jen.Id("Decode")},
		field{"Key", jen.Func().Params(jen.Id("r").Op("*").Id("Row")).Int64().Block(jen.Return(key))},
		field{"SCD", jen.Func().Params(jen.Id("r").Op("*").Id("Row")).Op("*").Qual(pkgTable, "SCD").Block(jen.Return(jen.Op("&").Id("r").Dot("SCD")))},
		field{"Version", version},
		field{"AppendRowBinary", jen.Id("appendRowBinary")},
		field{"ReadRowBinary", jen.Id("readRowBinary")},
		field{"AppendValues", jen.Id("appendValues")},
	)
	f.Var().Id("Table").Op("=").Qual(pkgTable, "Table").Types(jen.Id("Row")).Add(keyedLines(fields...))
	f.Line()

	comment(f, "appendRowBinary appends r in RowBinary, all columns in Columns order.")
	f.Func().Id("appendRowBinary").Params(jen.Id("dst").Index().Byte(), jen.Id("r").Op("*").Id("Row")).Index().Byte().BlockFunc(func(g *jen.Group) {
		for _, c := range cols {
			field := jen.Id("r").Dot(c.goName)
			if c.typ.Nullable {
				g.Id("dst").Op("=").Qual(pkgRowBinary, "AppendNull").Call(jen.Id("dst"), jen.Op("!").Add(field.Clone().Dot("Valid")))
				g.If(field.Clone().Dot("Valid")).Block(appendRowBinaryValue(c.typ, field.Clone().Dot("V"), c.enumVar))
			} else {
				g.Add(appendRowBinaryValue(c.typ, field, c.enumVar))
			}
		}
		g.Return(jen.Id("dst"))
	})
	f.Line()

	comment(f, "readRowBinary reads one row in RowBinary (Columns order) and returns the bytes consumed.")
	f.Func().Id("readRowBinary").Params(jen.Id("src").Index().Byte(), jen.Id("r").Op("*").Id("Row")).Params(jen.Int(), jen.Error()).BlockFunc(func(g *jen.Group) {
		g.Id("rd").Op(":=").Qual(pkgRowBinary, "NewReader").Call(jen.Id("src"))
		for _, c := range cols {
			field := jen.Id("r").Dot(c.goName)
			read := func(assign func(jen.Code) jen.Code) jen.Code {
				value, fails := readRowBinaryValue(c.typ, c.enumVar)
				if !fails {
					return assign(value)
				}
				return jen.Block(
					jen.List(jen.Id("x"), jen.Id("err")).Op(":=").Add(value),
					jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(0), jen.Qual("fmt", "Errorf").Call(jen.Lit("column "+c.name+": %w"), jen.Err()))),
					assign(jen.Id("x")),
				)
			}
			if c.typ.Nullable {
				g.Add(field.Clone().Op("=").Qual(pkgSQL, "Null").Types(baseType(c.typ)).Values())
				g.If(jen.Op("!").Id("rd").Dot("Null").Call()).Block(read(func(v jen.Code) jen.Code {
					return field.Clone().Op("=").Qual(pkgSQL, "Null").Types(baseType(c.typ)).Values(jen.Dict{jen.Id("V"): v, jen.Id("Valid"): jen.True()})
				}))
			} else {
				g.Add(read(func(v jen.Code) jen.Code { return field.Clone().Op("=").Add(v) }))
			}
		}
		g.Return(jen.Id("rd").Dot("Offset").Call(), jen.Id("rd").Dot("Err").Call())
	})
	f.Line()

	comment(f, "appendValues appends one value per column, as clickhouse-go's batch.Append takes them: nil for NULL, a pointer otherwise for Nullable columns.")
	f.Func().Id("appendValues").Params(jen.Id("dst").Index().Any(), jen.Id("r").Op("*").Id("Row")).Index().Any().BlockFunc(func(g *jen.Group) {
		for _, c := range cols {
			field := jen.Id("r").Dot(c.goName)
			plain, nullable := c.typ.Kind.Spec().Driver(p.Target)
			var v jen.Code
			switch {
			case c.typ.Nullable && nullable != "":
				v = jen.Qual(pkgMaprt, nullable).Call(field)
			case c.typ.Nullable:
				v = jen.Qual(pkgMaprt, "Nullable").Call(field)
			case plain != "":
				v = jen.Qual(pkgMaprt, plain).Call(field)
			default:
				v = field
			}
			g.Id("dst").Op("=").Append(jen.Id("dst"), v)
		}
		g.Return(jen.Id("dst"))
	})
}

// childList renders a table's Children:
//
//	[]table.Child[Row]{{Column: "description", Endpoint: "...", ..., Set: setDescription, Copy: func(dst, src *Row) {...}}}
func childList(children []*model.Column) jen.Code {
	return jen.Index().Qual(pkgTable, "Child").Types(jen.Id("Row")).ValuesFunc(func(g *jen.Group) {
		for _, c := range children {
			ch := c.Child
			g.Line().Add(keyedLines(
				field{"Column", jen.Lit(c.Name)},
				field{"Endpoint", jen.Lit(ch.Endpoint)},
				field{"Conditions", jen.Lit(ch.Conditions)},
				field{"OrderBy", jen.Lit(ch.RequestOrderBy)},
				field{"Fields", jen.Index().String().Add(stringList(ch.Fields()))},
				field{"Set", jen.Id(ch.SetFunc)},
				field{"Copy", jen.Func().Params(jen.List(jen.Id("dst"), jen.Id("src")).Op("*").Id("Row")).Block(
					jen.Id("dst").Dot(c.GoName).Op("=").Id("src").Dot(c.GoName))},
			))
		}
		g.Line()
	})
}

// childColumns lists the columns read from child endpoints, in order.
func childColumns(t *model.Table) []*model.Column {
	var out []*model.Column
	for _, c := range t.Columns {
		if c.Child != nil {
			out = append(out, c)
		}
	}
	return out
}
