package rowbinary

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

func TestFixedEncodings(t *testing.T) {
	u := uuid.MustParse("00112233-4455-6677-8899-aabbccddeeff")
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"null", AppendNull(nil, true), []byte{1}},
		{"not null", AppendNull(nil, false), []byte{0}},
		{"uint8", AppendUInt8(nil, 0xfe), []byte{0xfe}},
		{"int8", AppendInt8(nil, -2), []byte{0xfe}},
		{"int32", AppendInt32(nil, -2), []byte{0xfe, 0xff, 0xff, 0xff}},
		{"int64", AppendInt64(nil, 0x0102030405060708), []byte{8, 7, 6, 5, 4, 3, 2, 1}},
		{"float64", AppendFloat64(nil, 1), []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}},
		{"true", AppendBool(nil, true), []byte{1}},
		{"false", AppendBool(nil, false), []byte{0}},
		{"string", AppendString(nil, "a\x00b"), []byte{3, 'a', 0, 'b'}},
		{"empty string", AppendString(nil, ""), []byte{0}},
		{"string 300", AppendString(nil, strings.Repeat("x", 300))[:2], []byte{0xac, 0x02}},
		{"datetime", AppendDateTime(nil, time.Unix(0x01020304, 0)), []byte{4, 3, 2, 1}},
		{"date", AppendDate(nil, time.Date(1970, 1, 3, 23, 59, 0, 0, time.UTC)), []byte{2, 0}},
		{"uuid", AppendUUID(nil, u), []byte{0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88}},
		{"enum8", AppendEnum8(nil, -1), []byte{0xff}},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s: got % x, want % x", tt.name, tt.got, tt.want)
		}
	}
}

func TestDateUsesCalendarDayOfLocation(t *testing.T) {
	// 2024-03-01 01:00 in UTC+5 is still 2024-02-29 in UTC; the Date is
	// the day as written in t's location.
	loc := time.FixedZone("UTC+5", 5*3600)
	local := time.Date(2024, 3, 1, 1, 0, 0, 0, loc)
	got := NewReader(AppendDate(nil, local)).Date()
	if want := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Date of %v = %v, want %v", local, got, want)
	}
}

func TestDateTimeAndDateSaturate(t *testing.T) {
	early := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	late := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := NewReader(AppendDateTime(nil, early)).DateTime(); got.Unix() != 0 {
		t.Errorf("DateTime(1900) = %v, want the epoch", got)
	}
	if got := NewReader(AppendDateTime(nil, late)).DateTime(); got.Unix() != MaxDateTime {
		t.Errorf("DateTime(2200) = %v, want 2106-02-07 06:28:15", got)
	}
	if got := NewReader(AppendDateTime(nil, time.Time{})).DateTime(); got.Unix() != 0 {
		t.Errorf("DateTime(zero time) = %v, want the epoch", got)
	}
	if got := NewReader(AppendDate(nil, early)).Date(); got.Unix() != 0 {
		t.Errorf("Date(1900) = %v, want 1970-01-01", got)
	}
	if got, want := NewReader(AppendDate(nil, late)).Date(), time.Date(2149, 6, 6, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Date(2200) = %v, want %v", got, want)
	}
}

func TestRoundTripEveryType(t *testing.T) {
	when := time.Date(2025, 11, 24, 13, 14, 15, 999, time.FixedZone("X", -7*3600))
	day := time.Date(2031, 12, 31, 0, 0, 0, 0, time.UTC)
	u := uuid.MustParse("f47ac10b-58cc-4372-a567-0e02b2c3d479")
	dec := decimal.RequireFromString("-12345.6789")
	long := strings.Repeat("é\x00", 200)

	var b []byte
	b = AppendNull(b, true)
	b = AppendNull(b, false)
	b = AppendUInt8(b, 255)
	b = AppendInt8(b, math.MinInt8)
	b = AppendInt32(b, math.MinInt32)
	b = AppendInt64(b, math.MaxInt64)
	b = AppendFloat64(b, -0.125)
	b = AppendFloat64(b, math.Inf(1))
	b = AppendBool(b, true)
	b = AppendString(b, long)
	b = AppendDateTime(b, when)
	b = AppendDate(b, day)
	b = AppendUUID(b, u)
	b, err := AppendDecimal(b, dec, 18, 4)
	if err != nil {
		t.Fatal(err)
	}
	b = AppendEnum8(b, 3)

	r := NewReader(b)
	if !r.Null() || r.Null() {
		t.Error("Null markers did not round-trip")
	}
	if got := r.UInt8(); got != 255 {
		t.Errorf("UInt8 = %d", got)
	}
	if got := r.Int8(); got != math.MinInt8 {
		t.Errorf("Int8 = %d", got)
	}
	if got := r.Int32(); got != math.MinInt32 {
		t.Errorf("Int32 = %d", got)
	}
	if got := r.Int64(); got != math.MaxInt64 {
		t.Errorf("Int64 = %d", got)
	}
	if got := r.Float64(); got != -0.125 {
		t.Errorf("Float64 = %v", got)
	}
	if got := r.Float64(); !math.IsInf(got, 1) {
		t.Errorf("Float64 = %v, want +Inf", got)
	}
	if !r.Bool() {
		t.Error("Bool = false")
	}
	if got := r.String(); got != long {
		t.Errorf("String = %q", got)
	}
	if got := r.DateTime(); !got.Equal(when.Truncate(time.Second)) || got.Location() != time.UTC {
		t.Errorf("DateTime = %v, want %v in UTC", got, when.Truncate(time.Second))
	}
	if got := r.Date(); !got.Equal(day) {
		t.Errorf("Date = %v, want %v", got, day)
	}
	if got := r.UUID(); got != u {
		t.Errorf("UUID = %v, want %v", got, u)
	}
	if got := r.Decimal(18, 4); !got.Equal(dec) {
		t.Errorf("Decimal = %v, want %v", got, dec)
	}
	if got := r.Enum8(); got != 3 {
		t.Errorf("Enum8 = %d", got)
	}
	if r.Err() != nil || !r.Done() || r.Len() != 0 || r.Offset() != len(b) {
		t.Errorf("after reading everything: err=%v done=%v len=%d offset=%d of %d", r.Err(), r.Done(), r.Len(), r.Offset(), len(b))
	}
}

func TestDecimalEncodings(t *testing.T) {
	tests := []struct {
		in               string
		precision, scale int
		want             []byte
	}{
		{"1.5", 9, 2, []byte{150, 0, 0, 0}},
		{"-1.5", 9, 2, []byte{0x6a, 0xff, 0xff, 0xff}},
		{"1.239", 9, 2, []byte{123, 0, 0, 0}},                  // truncated
		{"-1.239", 9, 2, []byte{0x85, 0xff, 0xff, 0xff}},       // toward zero: -123
		{"0.0000000000000000000001", 9, 2, []byte{0, 0, 0, 0}}, // beyond 18 digits of shift
		{"12345.6789", 18, 4, []byte{0x15, 0xcd, 0x5b, 0x07, 0, 0, 0, 0}},
		{"-1", 38, 0, bytes.Repeat([]byte{0xff}, 16)},
		{"1", 76, 0, append([]byte{1}, make([]byte, 31)...)},
		{"1e3", 9, 0, []byte{0xe8, 0x03, 0, 0}}, // positive exponent
	}
	for _, tt := range tests {
		d := decimal.RequireFromString(tt.in)
		got, err := AppendDecimal(nil, d, tt.precision, tt.scale)
		if err != nil {
			t.Errorf("AppendDecimal(%s, %d, %d): %v", tt.in, tt.precision, tt.scale, err)
			continue
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("AppendDecimal(%s, %d, %d) = % x, want % x", tt.in, tt.precision, tt.scale, got, tt.want)
		}
	}
}

func TestDecimalRoundTripWide(t *testing.T) {
	tests := []struct {
		in               string
		precision, scale int
	}{
		{"99999.9999", 9, 4},
		{"-99999.9999", 9, 4},
		{"99999999999999.9999", 18, 4},
		{"-99999999999999.9999", 18, 4},
		{"12345678901234567890123456789.123456789", 38, 9},
		{"-12345678901234567890123456789.123456789", 38, 9},
		{"-99999999999999999999999999999999999999", 38, 0},
		{"-170141183460469231731687303715884105", 38, 0},
		{"0.000000000000000000000000000000000001", 38, 36},
		{"-9223372036854775809", 38, 0}, // just past int64
		{"1234567890123456789012345678901234567890123456789012345678901234567890.123456", 76, 6},
		{"-1234567890123456789012345678901234567890123456789012345678901234567890.123456", 76, 6},
		{"0", 76, 76},
	}
	for _, tt := range tests {
		d := decimal.RequireFromString(tt.in)
		b, err := AppendDecimal(nil, d, tt.precision, tt.scale)
		if err != nil {
			t.Errorf("AppendDecimal(%s, %d, %d): %v", tt.in, tt.precision, tt.scale, err)
			continue
		}
		r := NewReader(b)
		got := r.Decimal(tt.precision, tt.scale)
		if r.Err() != nil || !r.Done() {
			t.Errorf("Decimal(%d, %d) of %s: err=%v done=%v", tt.precision, tt.scale, tt.in, r.Err(), r.Done())
		}
		if !got.Equal(d) {
			t.Errorf("Decimal(%d, %d): %s came back as %s", tt.precision, tt.scale, tt.in, got)
		}
	}
}

func TestDecimalOverflowAndBadType(t *testing.T) {
	overflows := []struct {
		in               string
		precision, scale int
	}{
		{"100000", 9, 4},
		{"-100000", 9, 4},
		{"100000000000000", 18, 4},
		{"922337203685477.5808", 18, 4}, // overflows int64 when scaled
		{"1e40", 38, 0},
		{"1e38", 38, 0},
		{"1e1000", 76, 0},
	}
	for _, tt := range overflows {
		d := decimal.RequireFromString(tt.in)
		dst := []byte{7}
		got, err := AppendDecimal(dst, d, tt.precision, tt.scale)
		if !errors.Is(err, ErrDecimalRange) {
			t.Errorf("AppendDecimal(%s, %d, %d): err = %v, want ErrDecimalRange", tt.in, tt.precision, tt.scale, err)
		}
		if err != nil && !strings.Contains(err.Error(), "Decimal(") {
			t.Errorf("error does not name the type: %v", err)
		}
		if !bytes.Equal(got, dst) {
			t.Errorf("AppendDecimal(%s) wrote % x on error", tt.in, got)
		}
		if DecimalFits(d, tt.precision, tt.scale) == nil {
			t.Errorf("DecimalFits(%s, %d, %d) = nil", tt.in, tt.precision, tt.scale)
		}
	}
	if err := DecimalFits(decimal.RequireFromString("99999.99999"), 9, 4); err != nil {
		t.Errorf("DecimalFits of a value that truncates into range: %v", err)
	}
	for _, ps := range [][2]int{{0, 0}, {77, 0}, {5, 6}, {5, -1}} {
		if _, err := AppendDecimal(nil, decimal.Zero, ps[0], ps[1]); err == nil || errors.Is(err, ErrDecimalRange) {
			t.Errorf("AppendDecimal with Decimal(%d, %d): err = %v, want a type error", ps[0], ps[1], err)
		}
		r := NewReader(make([]byte, 32))
		r.Decimal(ps[0], ps[1])
		if r.Err() == nil {
			t.Errorf("Reader.Decimal(%d, %d) accepted an invalid type", ps[0], ps[1])
		}
	}
}

func TestReaderErrors(t *testing.T) {
	t.Run("short read names offset and type and is sticky", func(t *testing.T) {
		r := NewReader([]byte{1, 2, 3, 4, 5})
		if r.Int32() != 0x04030201 {
			t.Fatal("Int32 misread")
		}
		if got := r.Int64(); got != 0 {
			t.Errorf("Int64 on short input = %d, want 0", got)
		}
		var e *Error
		if !errors.As(r.Err(), &e) || e.Offset != 4 || e.Type != "Int64" {
			t.Fatalf("Err = %#v", r.Err())
		}
		if msg := r.Err().Error(); !strings.Contains(msg, "offset 4") || !strings.Contains(msg, "Int64") || !strings.Contains(msg, "need 8 bytes, 1 left") {
			t.Errorf("message %q lacks offset, type or sizes", msg)
		}
		if r.UInt8() != 0 || r.Offset() != 4 || r.Done() {
			t.Error("reads after an error must return zero without advancing")
		}
		if e2 := r.Err().(*Error); e2.Type != "Int64" {
			t.Error("first error was overwritten")
		}
	})
	t.Run("bool and null bytes must be 0 or 1", func(t *testing.T) {
		r := NewReader([]byte{2})
		if r.Bool() || r.Err() == nil || r.Offset() != 0 {
			t.Errorf("Bool(2): err=%v offset=%d", r.Err(), r.Offset())
		}
		r = NewReader([]byte{0, 5})
		if r.Null() || r.Null() || r.Err() == nil || !strings.Contains(r.Err().Error(), "Nullable marker at offset 1") {
			t.Errorf("Null(5): err=%v", r.Err())
		}
	})
	t.Run("string length beyond input", func(t *testing.T) {
		r := NewReader(AppendString(nil, "abc")[:3])
		if r.String() != "" || r.Err() == nil || !strings.Contains(r.Err().Error(), "length 3 exceeds the 2 bytes left") {
			t.Errorf("err = %v", r.Err())
		}
		r = NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
		if r.String() != "" || r.Err() == nil {
			t.Error("an over-long varint was accepted")
		}
		r = NewReader([]byte{0x80})
		if r.String() != "" || r.Err() == nil {
			t.Error("a truncated varint was accepted")
		}
	})
	t.Run("every reader reports short input", func(t *testing.T) {
		reads := map[string]func(r *Reader){
			"UInt8": func(r *Reader) { r.UInt8() }, "Int8": func(r *Reader) { r.Int8() },
			"Enum8": func(r *Reader) { r.Enum8() }, "Bool": func(r *Reader) { r.Bool() },
			"Nullable marker": func(r *Reader) { r.Null() }, "Int32": func(r *Reader) { r.Int32() },
			"Int64": func(r *Reader) { r.Int64() }, "Float64": func(r *Reader) { r.Float64() },
			"String": func(r *Reader) { _ = r.String() }, "DateTime": func(r *Reader) { r.DateTime() },
			"Date": func(r *Reader) { r.Date() }, "UUID": func(r *Reader) { r.UUID() },
			"Decimal(18, 4)": func(r *Reader) { r.Decimal(18, 4) },
		}
		for name, read := range reads {
			r := NewReader(nil)
			read(r)
			var e *Error
			if !errors.As(r.Err(), &e) || e.Type != name {
				t.Errorf("%s on empty input: err = %v", name, r.Err())
			}
		}
	})
	t.Run("reset clears", func(t *testing.T) {
		r := NewReader(nil)
		r.Int64()
		r.Reset([]byte{9})
		if r.Err() != nil || r.UInt8() != 9 || !r.Done() {
			t.Error("Reset did not start over")
		}
	})
}

func TestBytesAliasesBuffer(t *testing.T) {
	buf := AppendString(nil, "abc")
	b := NewReader(buf).Bytes()
	buf[1] = 'X'
	if string(b) != "Xbc" {
		t.Errorf("Bytes = %q, want a view of the buffer", b)
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	u := uuid.New()
	now := time.Now()
	d := decimal.RequireFromString("-1234567.8912")
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		b := buf[:0]
		b = AppendNull(b, false)
		b = AppendUInt8(b, 1)
		b = AppendInt8(b, 1)
		b = AppendInt32(b, 1)
		b = AppendInt64(b, 1)
		b = AppendFloat64(b, 1)
		b = AppendBool(b, true)
		b = AppendString(b, "some text")
		b = AppendDateTime(b, now)
		b = AppendDate(b, now)
		b = AppendUUID(b, u)
		b = AppendEnum8(b, 2)
		b, _ = AppendDecimal(b, d, 18, 4)
		b, _ = AppendDecimal(b, d, 38, 4)
		_ = b
	})
	if allocs != 0 {
		t.Errorf("append path allocated %v times per row", allocs)
	}
}

func TestReadFixedWidthDoesNotAllocate(t *testing.T) {
	var b []byte
	b = AppendNull(b, false)
	b = AppendInt64(b, 5)
	b = AppendFloat64(b, 2)
	b = AppendBool(b, true)
	b = AppendString(b, "abc")
	b = AppendDateTime(b, time.Now())
	b = AppendUUID(b, uuid.New())
	allocs := testing.AllocsPerRun(100, func() {
		r := NewReader(b)
		r.Null()
		r.Int64()
		r.Float64()
		r.Bool()
		r.Bytes()
		r.DateTime()
		r.UUID()
		if r.Err() != nil {
			panic(r.Err())
		}
	})
	if allocs != 0 {
		t.Errorf("reading allocated %v times per row", allocs)
	}
}

func BenchmarkAppendRow(b *testing.B) {
	now := time.Now()
	d := decimal.RequireFromString("12.5")
	buf := make([]byte, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for range 100 {
			buf = AppendInt64(buf, 42)
			buf = AppendString(buf, "Printer is on fire")
			buf = AppendNull(buf, false)
			buf = AppendEnum8(buf, 2)
			buf = AppendDateTime(buf, now)
			buf, _ = AppendDecimal(buf, d, 18, 4)
			buf = AppendBool(buf, true)
		}
	}
}
