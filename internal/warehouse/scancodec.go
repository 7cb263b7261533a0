package warehouse

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/canonic-data/canonic/internal/chschema"
	"github.com/canonic-data/canonic/internal/rowbinary"
)

// scanCodec turns a value clickhouse-go scanned for one column into the
// column's RowBinary encoding, so that the server engine hands the same
// bytes to readers as chDB's FORMAT RowBinary does.
type scanCodec struct {
	typ      string // the column type, for errors
	nullable bool
	kind     string           // family name of the inner type
	prec     int              // Decimal precision, FixedString length
	scale    int              // Decimal scale
	enum     map[string]int64 // Enum8/16 name -> code
}

// newScanCodec builds the codec for a column of ClickHouse type typ.
func newScanCodec(typ string) (scanCodec, error) {
	t, err := chschema.ParseType(typ)
	if err != nil {
		return scanCodec{}, err
	}
	t.Normalize()
	base, nullable := t.Inner()
	c := scanCodec{typ: typ, nullable: nullable, kind: base.Name}
	switch base.Name {
	case "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
		"Float32", "Float64", "String", "Bool", "Date", "DateTime", "UUID":
	case "FixedString":
		if len(base.Args) != 1 {
			return c, fmt.Errorf("unsupported type %s", typ)
		}
		_, err = fmt.Sscan(base.Args[0].Num, &c.prec)
	case "Decimal":
		c.prec, c.scale, err = base.DecimalParams()
	case "Enum8", "Enum16":
		c.enum, err = base.EnumCodes()
	default:
		err = fmt.Errorf("unsupported type %s", typ)
	}
	return c, err
}

// append appends v (what Scan stored: T, or *T for Nullable) to dst.
func (c *scanCodec) append(dst []byte, v reflect.Value) ([]byte, error) {
	if c.nullable {
		if v.Kind() != reflect.Pointer {
			return dst, fmt.Errorf("%s: scanned %s, want a pointer", c.typ, v.Type())
		}
		if v.IsNil() {
			return rowbinary.AppendNull(dst, true), nil
		}
		dst = rowbinary.AppendNull(dst, false)
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case int8:
		if c.kind == "Enum8" {
			return rowbinary.AppendEnum8(dst, x), nil
		}
		return rowbinary.AppendInt8(dst, x), nil
	case int16:
		return binary.LittleEndian.AppendUint16(dst, uint16(x)), nil
	case int32:
		return rowbinary.AppendInt32(dst, x), nil
	case int64:
		return rowbinary.AppendInt64(dst, x), nil
	case uint8:
		return rowbinary.AppendUInt8(dst, x), nil
	case uint16:
		return binary.LittleEndian.AppendUint16(dst, x), nil
	case uint32:
		return binary.LittleEndian.AppendUint32(dst, x), nil
	case uint64:
		return binary.LittleEndian.AppendUint64(dst, x), nil
	case float32:
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(x)), nil
	case float64:
		return rowbinary.AppendFloat64(dst, x), nil
	case bool:
		return rowbinary.AppendBool(dst, x), nil
	case uuid.UUID:
		return rowbinary.AppendUUID(dst, x), nil
	case decimal.Decimal:
		return rowbinary.AppendDecimal(dst, x, c.prec, c.scale)
	case time.Time:
		switch c.kind {
		case "Date":
			return rowbinary.AppendDate(dst, x), nil // the calendar date as scanned
		case "DateTime":
			return rowbinary.AppendDateTime(dst, x), nil
		}
	case string:
		switch c.kind {
		case "String":
			return rowbinary.AppendString(dst, x), nil
		case "FixedString":
			b := make([]byte, c.prec)
			copy(b, x)
			return append(dst, b...), nil
		case "Enum8", "Enum16":
			code, ok := c.enum[x]
			if !ok {
				return dst, fmt.Errorf("%s: value %q is not an element", c.typ, x)
			}
			if c.kind == "Enum8" {
				return rowbinary.AppendEnum8(dst, int8(code)), nil
			}
			return binary.LittleEndian.AppendUint16(dst, uint16(int16(code))), nil
		}
	}
	return dst, fmt.Errorf("%s: cannot encode a scanned %s", c.typ, v.Type())
}
