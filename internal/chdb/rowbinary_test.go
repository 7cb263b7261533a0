package chdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// typesDDL has a column of every type internal/rowbinary encodes, plain
// and Nullable.
const typesDDL = `CREATE TABLE default.types (
	id Int64,
	u8 UInt8,
	i8 Int8,
	i32 Int32,
	f64 Float64,
	b Bool,
	s String,
	dt DateTime('UTC'),
	d Date,
	u UUID,
	dec Decimal(18, 4),
	dec9 Decimal(9, 2),
	dec38 Decimal(38, 10),
	e Enum8('Low' = 1, 'Medium' = 2, 'High' = 3),
	n_i64 Nullable(Int64),
	n_i32 Nullable(Int32),
	n_f64 Nullable(Float64),
	n_b Nullable(Bool),
	n_s Nullable(String),
	n_dt Nullable(DateTime('UTC')),
	n_d Nullable(Date),
	n_u Nullable(UUID),
	n_dec Nullable(Decimal(18, 4)),
	n_e Nullable(Enum8('Low' = 1, 'Medium' = 2, 'High' = 3))
) ENGINE = MergeTree ORDER BY id`

const typesColumns = "id, u8, i8, i32, f64, b, s, dt, d, u, dec, dec9, dec38, e, n_i64, n_i32, n_f64, n_b, n_s, n_dt, n_d, n_u, n_dec, n_e"

var enumNames = map[int8]string{1: "Low", 2: "Medium", 3: "High"}

// typesRow is one row of default.types; a nil pointer is NULL.
type typesRow struct {
	id    int64
	u8    uint8
	i8    int8
	i32   int32
	f64   float64
	b     bool
	s     string
	dt    time.Time
	d     time.Time
	u     uuid.UUID
	dec   decimal.Decimal
	dec9  decimal.Decimal
	dec38 decimal.Decimal
	e     int8
	nI64  *int64
	nI32  *int32
	nF64  *float64
	nB    *bool
	nS    *string
	nDt   *time.Time
	nD    *time.Time
	nU    *uuid.UUID
	nDec  *decimal.Decimal
	nE    *int8
}

func ptrTo[T any](v T) *T { return &v }

// makeTypesRows returns n deterministic rows covering edge values; every
// Nullable column is NULL in some rows and set in others.
func makeTypesRows(n int) []typesRow {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "\x00", "nul\x00in\x00side", "Printer on fire", "unicode é ✓ 🔥", `quote " backslash \ tab` + "\t", strings.Repeat("long ", 100)}
	times := []time.Time{
		time.Unix(0, 0).UTC(),
		time.Unix(rowbinary.MaxDateTime, 0).UTC(),
		time.Date(2025, 11, 24, 13, 14, 15, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
	}
	days := []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2149, 6, 6, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
	}
	decs := []string{"0", "1.5", "-1.5", "12345.6789", "-99999999999999.9999", "99999999999999.9999", "0.0001"}
	dec38s := []string{"0", "-1", "1234567890123456789012345678.0123456789", "-9999999999999999999999999999.9999999999", "0.0000000001"}
	rows := make([]typesRow, n)
	for i := range rows {
		r := &rows[i]
		r.id = int64(i) - int64(n/2)
		r.u8 = uint8(rng.Uint32())
		r.i8 = int8(rng.Uint32())
		r.i32 = int32(rng.Uint32())
		r.f64 = (rng.Float64() - 0.5) * 1e6
		r.b = i%2 == 0
		r.s = strs[i%len(strs)]
		if i >= 4 {
			r.dt = time.Unix(rng.Int64N(rowbinary.MaxDateTime+1), 0).UTC()
		} else {
			r.dt = times[i]
		}
		if i >= 3 {
			r.d = time.Unix(rng.Int64N(rowbinary.MaxDate+1)*86400, 0).UTC()
		} else {
			r.d = days[i]
		}
		r.u = uuid.UUID(randomBytes16(rng))
		r.dec = decimal.RequireFromString(decs[i%len(decs)])
		r.dec9 = decimal.New(rng.Int64N(2e9)-1e9+1, -2)
		r.dec38 = decimal.RequireFromString(dec38s[i%len(dec38s)])
		r.e = int8(i%3 + 1)
		if i%3 != 0 {
			r.nI64 = ptrTo(rng.Int64() - rng.Int64())
			r.nI32 = ptrTo(int32(rng.Uint32()))
			r.nF64 = ptrTo(float64(i) / 8)
			r.nB = ptrTo(i%2 == 1)
			r.nS = ptrTo(strs[(i+3)%len(strs)])
			r.nDt = ptrTo(times[i%len(times)])
			r.nD = ptrTo(days[i%len(days)])
			r.nU = ptrTo(uuid.UUID(randomBytes16(rng)))
			r.nDec = ptrTo(decimal.New(rng.Int64N(1e18)-5e17, -4))
			r.nE = ptrTo(int8((i+1)%3 + 1))
		}
	}
	return rows
}

func randomBytes16(rng *rand.Rand) (b [16]byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func (r *typesRow) appendRowBinary(t testing.TB, dst []byte) []byte {
	var err error
	dst = rowbinary.AppendInt64(dst, r.id)
	dst = rowbinary.AppendUInt8(dst, r.u8)
	dst = rowbinary.AppendInt8(dst, r.i8)
	dst = rowbinary.AppendInt32(dst, r.i32)
	dst = rowbinary.AppendFloat64(dst, r.f64)
	dst = rowbinary.AppendBool(dst, r.b)
	dst = rowbinary.AppendString(dst, r.s)
	dst = rowbinary.AppendDateTime(dst, r.dt)
	dst = rowbinary.AppendDate(dst, r.d)
	dst = rowbinary.AppendUUID(dst, r.u)
	for _, dec := range []struct {
		v    decimal.Decimal
		p, s int
	}{{r.dec, 18, 4}, {r.dec9, 9, 2}, {r.dec38, 38, 10}} {
		if dst, err = rowbinary.AppendDecimal(dst, dec.v, dec.p, dec.s); err != nil {
			t.Fatal(err)
		}
	}
	dst = rowbinary.AppendEnum8(dst, r.e)
	if dst = rowbinary.AppendNull(dst, r.nI64 == nil); r.nI64 != nil {
		dst = rowbinary.AppendInt64(dst, *r.nI64)
	}
	if dst = rowbinary.AppendNull(dst, r.nI32 == nil); r.nI32 != nil {
		dst = rowbinary.AppendInt32(dst, *r.nI32)
	}
	if dst = rowbinary.AppendNull(dst, r.nF64 == nil); r.nF64 != nil {
		dst = rowbinary.AppendFloat64(dst, *r.nF64)
	}
	if dst = rowbinary.AppendNull(dst, r.nB == nil); r.nB != nil {
		dst = rowbinary.AppendBool(dst, *r.nB)
	}
	if dst = rowbinary.AppendNull(dst, r.nS == nil); r.nS != nil {
		dst = rowbinary.AppendString(dst, *r.nS)
	}
	if dst = rowbinary.AppendNull(dst, r.nDt == nil); r.nDt != nil {
		dst = rowbinary.AppendDateTime(dst, *r.nDt)
	}
	if dst = rowbinary.AppendNull(dst, r.nD == nil); r.nD != nil {
		dst = rowbinary.AppendDate(dst, *r.nD)
	}
	if dst = rowbinary.AppendNull(dst, r.nU == nil); r.nU != nil {
		dst = rowbinary.AppendUUID(dst, *r.nU)
	}
	if dst = rowbinary.AppendNull(dst, r.nDec == nil); r.nDec != nil {
		if dst, err = rowbinary.AppendDecimal(dst, *r.nDec, 18, 4); err != nil {
			t.Fatal(err)
		}
	}
	if dst = rowbinary.AppendNull(dst, r.nE == nil); r.nE != nil {
		dst = rowbinary.AppendEnum8(dst, *r.nE)
	}
	return dst
}

func readNullable[T any](r *rowbinary.Reader, read func() T) *T {
	if r.Null() {
		return nil
	}
	v := read()
	return &v
}

func readTypesRow(r *rowbinary.Reader) typesRow {
	var x typesRow
	x.id = r.Int64()
	x.u8 = r.UInt8()
	x.i8 = r.Int8()
	x.i32 = r.Int32()
	x.f64 = r.Float64()
	x.b = r.Bool()
	x.s = r.String()
	x.dt = r.DateTime()
	x.d = r.Date()
	x.u = r.UUID()
	x.dec = r.Decimal(18, 4)
	x.dec9 = r.Decimal(9, 2)
	x.dec38 = r.Decimal(38, 10)
	x.e = r.Enum8()
	x.nI64 = readNullable(r, r.Int64)
	x.nI32 = readNullable(r, r.Int32)
	x.nF64 = readNullable(r, r.Float64)
	x.nB = readNullable(r, r.Bool)
	x.nS = readNullable(r, r.String)
	x.nDt = readNullable(r, r.DateTime)
	x.nD = readNullable(r, r.Date)
	x.nU = readNullable(r, r.UUID)
	x.nDec = readNullable(r, func() decimal.Decimal { return r.Decimal(18, 4) })
	x.nE = readNullable(r, r.Enum8)
	return x
}

// diff describes how got differs from want, "" when equal.
func (want *typesRow) diff(got *typesRow) string {
	var d []string
	check := func(name string, ok bool, g, w any) {
		if !ok {
			d = append(d, fmt.Sprintf("%s: got %v, want %v", name, g, w))
		}
	}
	check("id", got.id == want.id, got.id, want.id)
	check("u8", got.u8 == want.u8, got.u8, want.u8)
	check("i8", got.i8 == want.i8, got.i8, want.i8)
	check("i32", got.i32 == want.i32, got.i32, want.i32)
	check("f64", got.f64 == want.f64, got.f64, want.f64)
	check("b", got.b == want.b, got.b, want.b)
	check("s", got.s == want.s, strconv.Quote(got.s), strconv.Quote(want.s))
	check("dt", got.dt.Equal(want.dt) && got.dt.Location() == time.UTC, got.dt, want.dt)
	check("d", got.d.Equal(want.d), got.d, want.d)
	check("u", got.u == want.u, got.u, want.u)
	check("dec", got.dec.Equal(want.dec), got.dec, want.dec)
	check("dec9", got.dec9.Equal(want.dec9), got.dec9, want.dec9)
	check("dec38", got.dec38.Equal(want.dec38), got.dec38, want.dec38)
	check("e", got.e == want.e, got.e, want.e)
	check("n_i64", eqPtr(got.nI64, want.nI64, func(a, b int64) bool { return a == b }), fmtPtr(got.nI64), fmtPtr(want.nI64))
	check("n_i32", eqPtr(got.nI32, want.nI32, func(a, b int32) bool { return a == b }), fmtPtr(got.nI32), fmtPtr(want.nI32))
	check("n_f64", eqPtr(got.nF64, want.nF64, func(a, b float64) bool { return a == b }), fmtPtr(got.nF64), fmtPtr(want.nF64))
	check("n_b", eqPtr(got.nB, want.nB, func(a, b bool) bool { return a == b }), fmtPtr(got.nB), fmtPtr(want.nB))
	check("n_s", eqPtr(got.nS, want.nS, func(a, b string) bool { return a == b }), fmtPtr(got.nS), fmtPtr(want.nS))
	check("n_dt", eqPtr(got.nDt, want.nDt, time.Time.Equal), fmtPtr(got.nDt), fmtPtr(want.nDt))
	check("n_d", eqPtr(got.nD, want.nD, time.Time.Equal), fmtPtr(got.nD), fmtPtr(want.nD))
	check("n_u", eqPtr(got.nU, want.nU, func(a, b uuid.UUID) bool { return a == b }), fmtPtr(got.nU), fmtPtr(want.nU))
	check("n_dec", eqPtr(got.nDec, want.nDec, decimal.Decimal.Equal), fmtPtr(got.nDec), fmtPtr(want.nDec))
	check("n_e", eqPtr(got.nE, want.nE, func(a, b int8) bool { return a == b }), fmtPtr(got.nE), fmtPtr(want.nE))
	return strings.Join(d, "; ")
}

func eqPtr[T any](a, b *T, eq func(T, T) bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return eq(*a, *b)
}

func fmtPtr[T any](p *T) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

func TestRowBinaryEveryTypeThroughEngine(t *testing.T) {
	c := openTest(t)
	mustExec(t, c, typesDDL)
	rows := makeTypesRows(200)
	var data []byte
	for i := range rows {
		data = rows[i].appendRowBinary(t, data)
	}
	if err := c.Insert("INSERT INTO default.types ("+typesColumns+") FORMAT RowBinary", data); err != nil {
		t.Fatal(err)
	}

	t.Run("RowBinary", func(t *testing.T) {
		out := mustQuery(t, c, "SELECT "+typesColumns+" FROM default.types ORDER BY id", "RowBinary")
		if !bytes.Equal(out, data) {
			t.Error("the engine's RowBinary differs byte for byte from what was inserted")
		}
		r := rowbinary.NewReader(out)
		for i := range rows {
			got := readTypesRow(r)
			if r.Err() != nil {
				t.Fatalf("row %d: %v", i, r.Err())
			}
			if d := rows[i].diff(&got); d != "" {
				t.Errorf("row %d: %s", i, d)
			}
		}
		if !r.Done() {
			t.Errorf("%d bytes left after %d rows", r.Len(), len(rows))
		}
	})

	t.Run("JSONEachRow", func(t *testing.T) {
		out := mustQuery(t, c, "SELECT "+typesColumns+" FROM default.types ORDER BY id", "JSONEachRow")
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != len(rows) {
			t.Fatalf("%d JSON lines for %d rows", len(lines), len(rows))
		}
		for i, line := range lines {
			dec := json.NewDecoder(strings.NewReader(line))
			dec.UseNumber()
			var got map[string]any
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("row %d: %v in %s", i, err, line)
			}
			want := rows[i].jsonText()
			for col, w := range want {
				if g := jsonText(got[col]); g != w {
					t.Errorf("row %d column %s: JSON %s, want %s", i, col, g, w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("row %d: %d JSON keys, want %d", i, len(got), len(want))
			}
		}
	})

	t.Run("UUID text", func(t *testing.T) {
		out := mustQuery(t, c, "SELECT toString(u), ifNull(toString(n_u), 'NULL') FROM default.types ORDER BY id", "TabSeparated")
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		for i, line := range lines {
			want := rows[i].u.String() + "\t" + fmtPtr(rows[i].nU)
			if line != want {
				t.Errorf("row %d: toString = %q, want %q", i, line, want)
			}
		}
	})

	t.Run("known UUID", func(t *testing.T) {
		mustExec(t, c, "CREATE TABLE default.uu (u UUID) ENGINE = Memory")
		u := uuid.MustParse("61f0c404-5cb3-11e7-907b-a6006ad3dba0")
		if err := c.Insert("INSERT INTO default.uu (u) FORMAT RowBinary", rowbinary.AppendUUID(nil, u)); err != nil {
			t.Fatal(err)
		}
		got := mustQuery(t, c, "SELECT u = toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0'), toString(u) FROM default.uu", "TabSeparated")
		if string(got) != "1\t"+u.String()+"\n" {
			t.Errorf("got %q", got)
		}
	})
}

// jsonText renders a decoded JSON value for comparison: numbers keep their
// text, strings are quoted, null is "null".
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "n:" + x.String()
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// jsonText returns, per column, the value JSONEachRow is expected to print
// with chDB 26's default settings (numbers bare, 64-bit integers and
// decimals included; enums by name; NULL as null).
func (r *typesRow) jsonText() map[string]string {
	q := strconv.Quote
	num := func(s string) string { return "n:" + s }
	f64 := func(f float64) string { return num(strconv.FormatFloat(f, 'g', -1, 64)) }
	dt := func(t time.Time) string { return q(t.UTC().Format(time.DateTime)) }
	day := func(t time.Time) string { return q(t.Format(time.DateOnly)) }
	dec := func(d decimal.Decimal) string { return num(d.String()) }
	null := func(set bool, v func() string) string {
		if !set {
			return "null"
		}
		return v()
	}
	m := map[string]string{
		"id":    num(strconv.FormatInt(r.id, 10)),
		"u8":    num(strconv.Itoa(int(r.u8))),
		"i8":    num(strconv.Itoa(int(r.i8))),
		"i32":   num(strconv.Itoa(int(r.i32))),
		"f64":   f64(r.f64),
		"b":     strconv.FormatBool(r.b),
		"s":     q(r.s),
		"dt":    dt(r.dt),
		"d":     day(r.d),
		"u":     q(r.u.String()),
		"dec":   dec(r.dec),
		"dec9":  dec(r.dec9),
		"dec38": dec(r.dec38),
		"e":     q(enumNames[r.e]),
		"n_i64": null(r.nI64 != nil, func() string { return num(strconv.FormatInt(*r.nI64, 10)) }),
		"n_i32": null(r.nI32 != nil, func() string { return num(strconv.Itoa(int(*r.nI32))) }),
		"n_f64": null(r.nF64 != nil, func() string { return f64(*r.nF64) }),
		"n_b":   null(r.nB != nil, func() string { return strconv.FormatBool(*r.nB) }),
		"n_s":   null(r.nS != nil, func() string { return q(*r.nS) }),
		"n_dt":  null(r.nDt != nil, func() string { return dt(*r.nDt) }),
		"n_d":   null(r.nD != nil, func() string { return day(*r.nD) }),
		"n_u":   null(r.nU != nil, func() string { return q(r.nU.String()) }),
		"n_dec": null(r.nDec != nil, func() string { return dec(*r.nDec) }),
		"n_e":   null(r.nE != nil, func() string { return q(enumNames[*r.nE]) }),
	}
	return m
}
