package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/canonic-data/canonic/gen/mapping"
	"github.com/canonic-data/canonic/gen/naming"
	"github.com/canonic-data/canonic/internal/maprt"
)

// Generic is the baseline the generated mapper is measured against: a
// mapper that interprets a mapping file at run time. Per record it decodes
// the JSON into map[string]any with encoding/json (UseNumber, so integers
// stay exact), walks each column's source path (the mapping's "a__b",
// split on "__"), converts the value by the column's canonical type and
// sets the row field through reflection; then it computes the record hash
// with the same canonical encoding (maprt.Hasher), reading the fields back
// through reflection.
//
// It is a fair baseline, not a straw man: the plan (path segments, field
// indexes, hashed columns) is built once by NewGeneric, as any interpreter
// would cache it; only the per-record work is generic.
type Generic struct {
	rowType reflect.Type
	cols    []genCol
	hashed  []int // indexes into cols, in mapping order, scd.ignore_changes left out
	hashIdx []int // field index of the record hash (through the embedded SCD)
}

type genCol struct {
	name     string
	typ      string // canonical type: int64, string, enum, datetime, float64, bool
	nullable bool
	convert  string
	values   []string // enum values
	path     []string // nil when unmapped (always NULL)
	field    []int    // reflect field index in the row struct
	null     bool     // the field is a sql.Null[T]
	child    bool     // read from a child endpoint (path: a key the ingest file adds)
}

// NewGeneric reads the mapping file at path and plans the mapping of its
// columns onto rows of type R (a generated Row struct: field names are
// naming.GoName of the column names).
func NewGeneric[R any](path string) (*Generic, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, errs := mapping.ParseFile(path, data)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	rt := reflect.TypeFor[R]()
	g := &Generic{rowType: rt}
	ignore := map[string]bool{}
	for _, s := range f.SCD.IgnoreChanges {
		ignore[s.Value] = true
	}
	for _, fld := range f.Fields {
		c := genCol{name: fld.Name.Value, typ: fld.Type.Value, nullable: fld.Nullable.Value, convert: fld.Convert.Value}
		for _, v := range fld.Values {
			c.values = append(c.values, v.Value)
		}
		if fld.Unmapped.Value == "" && fld.Source.Value != "" {
			c.path = strings.Split(fld.Source.Value, "__")
		}
		if fld.Child != nil {
			// A child column reads a top-level key named like it: the
			// engine-ingest file joins the child value into each record
			// (WithChildren); ConnectWise records have no such key, so it is
			// NULL, as the generated Decode leaves it.
			c.path, c.child = []string{fld.Name.Value}, true
		}
		sf, ok := rt.FieldByName(naming.GoName(c.name))
		if !ok {
			return nil, fmt.Errorf("column %s: %s has no field %s", c.name, rt, naming.GoName(c.name))
		}
		c.field = sf.Index
		c.null = sf.Type.Kind() == reflect.Struct && strings.HasPrefix(sf.Type.Name(), "Null[")
		switch c.typ {
		case "int64", "string", "enum", "datetime", "float64", "bool":
		default:
			return nil, fmt.Errorf("column %s: type %s is not supported by the generic mapper", c.name, c.typ)
		}
		if !ignore[c.name] {
			g.hashed = append(g.hashed, len(g.cols))
		}
		g.cols = append(g.cols, c)
	}
	sf, ok := rt.FieldByName("RecordHash")
	if !ok {
		return nil, fmt.Errorf("%s has no RecordHash field", rt)
	}
	g.hashIdx = sf.Index
	return g, nil
}

// Decode maps one JSON record into *row (a pointer to the planned row type).
func (g *Generic) Decode(data []byte, row any) error {
	var src map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&src); err != nil {
		return err
	}
	rv := reflect.ValueOf(row).Elem()
	if rv.Type() != g.rowType {
		return fmt.Errorf("row is %s, want %s", rv.Type(), g.rowType)
	}
	rv.SetZero()
	for i := range g.cols {
		c := &g.cols[i]
		if c.path == nil {
			continue // unmapped: NULL
		}
		var v any = src
		for _, seg := range c.path {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[seg]
		}
		if v == nil {
			if !c.nullable {
				return fmt.Errorf("column %s (%s): %w", c.name, strings.Join(c.path, "__"), maprt.ErrMissing)
			}
			continue
		}
		x, err := c.convertValue(v)
		if err != nil {
			return fmt.Errorf("column %s (%s): %w", c.name, strings.Join(c.path, "__"), err)
		}
		f := rv.FieldByIndex(c.field)
		if c.null {
			f.Field(0).Set(reflect.ValueOf(x))
			f.Field(1).SetBool(true)
		} else {
			f.Set(reflect.ValueOf(x))
		}
	}
	rv.FieldByIndex(g.hashIdx).SetString(g.hash(rv))
	return nil
}

// convertValue turns a decoded JSON value into the Go value of the
// column's canonical type.
func (c *genCol) convertValue(v any) (any, error) {
	switch c.typ {
	case "int64":
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("JSON %T where a number is expected", v)
		}
		return strconv.ParseInt(string(n), 10, 64)
	case "float64":
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("JSON %T where a number is expected", v)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return nil, err
		}
		return maprt.FromFloat(f)
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("JSON %T where a boolean is expected", v)
		}
		return b, nil
	case "string", "enum":
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			if c.convert != "int_to_string" {
				return nil, fmt.Errorf("JSON number where a string is expected")
			}
			n, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return nil, err
			}
			s = maprt.IntToString(n)
		default:
			return nil, fmt.Errorf("JSON %T where a string is expected", v)
		}
		if c.typ == "enum" {
			return maprt.CheckEnum(s, c.values)
		}
		return s, nil
	case "datetime":
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("JSON %T where a timestamp string is expected", v)
		}
		return maprt.ParseDateTime(s)
	}
	return nil, fmt.Errorf("unsupported type %s", c.typ)
}

// hash encodes the hashed columns, read back through reflection.
func (g *Generic) hash(rv reflect.Value) string {
	h := maprt.NewHasher()
	for _, i := range g.hashed {
		c := &g.cols[i]
		f := rv.FieldByIndex(c.field)
		if c.null {
			if !f.Field(1).Bool() {
				h.Null()
				continue
			}
			f = f.Field(0)
		}
		switch c.typ {
		case "int64":
			h.Int64(f.Int())
		case "float64":
			v := f.Float()
			if math.IsNaN(v) {
				panic("NaN in a float column")
			}
			h.Float64(v)
		case "bool":
			h.Bool(f.Bool())
		case "string", "enum":
			h.String(f.String())
		case "datetime":
			h.DateTime(f.Interface().(time.Time))
		}
	}
	return h.Sum()
}

// OwnColumns is g with its child columns unmapped (always NULL): the
// mapping as it reads the records alone, without their child endpoints.
func (g *Generic) OwnColumns() *Generic {
	own := *g
	own.cols = slices.Clone(g.cols)
	for i := range own.cols {
		if own.cols[i].child {
			own.cols[i].path = nil
		}
	}
	return &own
}

// SourcePaths lists the distinct source paths the mapping reads, in the
// ConnectWise fields syntax ("status/name").
func (g *Generic) SourcePaths() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range g.cols {
		if c.path == nil {
			continue
		}
		p := strings.Join(c.path, "/")
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
