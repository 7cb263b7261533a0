// Package maprt is the runtime of generated mappers: JSON decoding, the
// explicit conversions a mapping can name, and the record hash encoder.
// Generated code calls it; it knows nothing of any table.
package maprt

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
)

// ErrMissing is the cause of a FieldError for a non-nullable column whose
// source value is absent or null.
var ErrMissing = errors.New("no value (missing or null), but the column is not nullable")

// Unmarshal decodes one JSON record into a generated source struct. It uses
// goccy/go-json (encoding/json-compatible, several times faster); unknown
// keys are ignored, as ConnectWise adds fields without notice. It is the
// authority on what a record decodes to: a generated Decode first tries its
// table's fast decoder (see Lexer), which takes only the records it reads
// exactly as Unmarshal does and hands every other one to it.
func Unmarshal(data []byte, v any) error {
	return gojson.UnmarshalNoEscape(data, v)
}

// Number holds a JSON number's literal text, so decimals convert exactly.
type Number string

// UnmarshalJSON keeps the literal; a string holding a number is accepted
// too (some APIs quote decimals).
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 1 && b[0] == '"' {
		b = b[1 : len(b)-1]
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("%q is not a number", b)
	}
	*n = Number(b)
	return nil
}

// ParseDateTime reads an ISO 8601 / RFC 3339 timestamp
// ("2024-05-01T12:00:00Z", offsets and fractions accepted) as UTC,
// truncated to whole seconds (ClickHouse DateTime's resolution).
func ParseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05", s) // no zone: UTC
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an ISO 8601 timestamp like 2024-05-01T12:00:00Z", s)
		}
	}
	t = t.UTC().Truncate(time.Second)
	if t.Unix() < 0 || t.Unix() > math.MaxUint32 {
		return time.Time{}, fmt.Errorf("%q is outside ClickHouse DateTime's range (1970 to 2106)", s)
	}
	return t, nil
}

// ParseDate reads "2024-05-01" (or a timestamp, whose date part is taken)
// as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil && (len(s) == 10 || s[10] == 'T') {
			if t.Year() < 1970 || t.Year() > 2149 {
				return time.Time{}, fmt.Errorf("%q is outside ClickHouse Date's range (1970 to 2149)", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date like 2024-05-01", s)
}

// ToInt32 narrows a source integer.
func ToInt32(v int64) (int32, error) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("%d does not fit in int32", v)
	}
	return int32(v), nil
}

// IntToString is the int_to_string conversion.
func IntToString(v int64) string { return strconv.FormatInt(v, 10) }

// ParseDecimal is the number_to_decimal conversion: it parses the literal
// exactly, rounds half away from zero to scale digits, and fails when the
// integer part needs more than precision-scale digits.
func ParseDecimal(text Number, precision, scale int) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(string(text))
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal number", string(text))
	}
	d = d.Round(int32(scale))
	limit := decimal.New(1, int32(precision-scale))
	if d.Abs().GreaterThanOrEqual(limit) {
		return decimal.Decimal{}, fmt.Errorf("%s does not fit in decimal(%d,%d)", d.String(), precision, scale)
	}
	return d, nil
}

// FromFloat converts a decoded float for a float64 column, refusing NaN
// and infinities (JSON cannot carry them, but be safe).
func FromFloat(v float64) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%v is not a finite number", v)
	}
	return v, nil
}

// CheckEnum validates an enum value against the declared values.
func CheckEnum(v string, values []string) (string, error) {
	for _, allowed := range values {
		if v == allowed {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
}

// EnumCode is the Enum8 code of v (1-based declaration order); 0 when
// unknown, which the mapper never lets through.
func EnumCode(v string, values []string) int8 {
	for i, allowed := range values {
		if v == allowed {
			return int8(i + 1)
		}
	}
	return 0
}

// EnumName is the value of an Enum8 code.
func EnumName(code int8, values []string) (string, error) {
	if code < 1 || int(code) > len(values) {
		return "", fmt.Errorf("enum code %d out of range 1..%d", code, len(values))
	}
	return values[code-1], nil
}

// AppendEnum8 appends enum value v as its Enum8 code in RowBinary.
func AppendEnum8(dst []byte, v string, values []string) []byte {
	return rowbinary.AppendEnum8(dst, EnumCode(v, values))
}

// ReadEnum8 reads an Enum8 code from rd and returns its value.
func ReadEnum8(rd *rowbinary.Reader, values []string) (string, error) {
	return EnumName(rd.Enum8(), values)
}

// ParseUUID is the string_to_uuid conversion.
func ParseUUID(s string) (uuid.UUID, error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return uuid.UUID{}, fmt.Errorf("%q is not a UUID", s)
	}
	return u, nil
}

// Field builds the error a generated mapper returns for a value it cannot
// convert.
func Field(id, column, path string, err error) error {
	return &table.FieldError{RecordID: id, Column: column, Path: path, Err: err}
}

// ID formats a record id for error messages ("" when absent).
func ID(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

// DecodeError turns a JSON decoding failure into a FieldError that names
// the record id (read with a lenient second pass), the column and source
// path when the failing JSON field is one the mapping reads (columnFor maps
// a dotted JSON path like "status.name" to the column and source path).
func DecodeError(data []byte, err error, keyField string, columnFor func(jsonPath string) (column, path string)) error {
	id := ""
	var probe map[string]gojson.RawMessage
	if gojson.Unmarshal(data, &probe) == nil {
		if raw, ok := probe[keyField]; ok {
			id = strings.Trim(string(raw), `"`)
		}
	}
	var te *gojson.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		if col, path := columnFor(te.Field); col != "" {
			return &table.FieldError{RecordID: id, Column: col, Path: path,
				Err: fmt.Errorf("JSON %s where the source schema says %s", te.Value, te.Type)}
		}
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return &table.FieldError{RecordID: id, Column: "", Path: "", Err: fmt.Errorf("malformed JSON record: %v", err)}
	}
	return &table.FieldError{RecordID: id, Err: fmt.Errorf("record is not a JSON object: %v", err)}
}

// NumberToFloat converts a number kept as text (for a float64 column
// sharing a leaf with a decimal column).
func NumberToFloat(n Number) (float64, error) {
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", string(n))
	}
	return FromFloat(v)
}

// AppendDecimal appends d in RowBinary; the mapper has already checked
// that d fits decimal(precision, scale), so overflow is a bug.
func AppendDecimal(dst []byte, d decimal.Decimal, precision, scale int) []byte {
	out, err := rowbinary.AppendDecimal(dst, d, precision, scale)
	if err != nil {
		panic(fmt.Sprintf("maprt: decimal(%d,%d) value %s escaped the mapper's range check: %v", precision, scale, d, err))
	}
	return out
}

// Nullable returns a pointer to n's value, or nil for NULL: the form
// clickhouse-go's batch.Append takes for Nullable columns.
func Nullable[T any](n sql.Null[T]) any {
	if !n.Valid {
		return nil
	}
	v := n.V
	return &v
}

// BoolUInt8 renders a bool for a UInt8 column (servers before Bool).
func BoolUInt8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// NullableBoolUInt8 renders a nullable bool for a Nullable(UInt8) column.
func NullableBoolUInt8(n sql.Null[bool]) any {
	if !n.Valid {
		return nil
	}
	v := BoolUInt8(n.V)
	return &v
}
