// Package rowbinary encodes and decodes values in ClickHouse's RowBinary
// format, the row-oriented binary format that INSERT ... FORMAT RowBinary
// reads and SELECT ... FORMAT RowBinary writes.
//
// A row is its columns' values back to back in column order, with no
// framing. The Append functions add one value to dst and return the
// extended slice, like strconv.AppendInt; with enough capacity in dst they
// do not allocate. Nullable(T) is a one-byte prefix written by AppendNull
// and followed by the T value only when the prefix is 0. Reader reads the
// same encoding back.
//
// Encodings (all integers little-endian):
//
//	UInt8, Int8, Enum8, Bool  1 byte (Bool is 0 or 1)
//	Int32                     4 bytes
//	Int64, Float64            8 bytes (Float64 as IEEE 754 bits)
//	String                    unsigned LEB128 length, then the bytes
//	Date                      UInt16 days since 1970-01-01
//	DateTime                  UInt32 seconds since the Unix epoch
//	UUID                      two UInt64 halves, high half first
//	Decimal(P, S)             the value times 10^S as a signed integer of
//	                          4 (P <= 9), 8 (P <= 18), 16 (P <= 38) or
//	                          32 (P <= 76) bytes
//
// Generated table code imports this package; it has no dependencies beyond
// the standard library, google/uuid and shopspring/decimal.
package rowbinary

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/google/uuid"
)

// Range limits of ClickHouse's Date and DateTime types.
const (
	// MaxDate is the last day a Date holds, 2149-06-06, in days since the
	// epoch.
	MaxDate = math.MaxUint16
	// MaxDateTime is the last second a DateTime holds, 2106-02-07 06:28:15
	// UTC, in seconds since the epoch.
	MaxDateTime = math.MaxUint32
)

// AppendNull appends the Nullable prefix byte: 1 when isNull (no value
// follows), 0 when a value of the inner type follows.
func AppendNull(dst []byte, isNull bool) []byte {
	if isNull {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendUInt8 appends a UInt8.
func AppendUInt8(dst []byte, v uint8) []byte {
	return append(dst, v)
}

// AppendInt8 appends an Int8.
func AppendInt8(dst []byte, v int8) []byte {
	return append(dst, byte(v))
}

// AppendInt32 appends an Int32.
func AppendInt32(dst []byte, v int32) []byte {
	return binary.LittleEndian.AppendUint32(dst, uint32(v))
}

// AppendInt64 appends an Int64.
func AppendInt64(dst []byte, v int64) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(v))
}

// AppendFloat64 appends a Float64.
func AppendFloat64(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendBool appends a Bool as one byte, 1 for true and 0 for false.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendString appends a String: its length in bytes as an unsigned
// LEB128 varint, then the bytes unchanged (any bytes, NUL included).
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendDateTime appends a DateTime: t's instant as UInt32 seconds since
// the Unix epoch (the time zone of t does not matter; sub-second parts are
// dropped). Instants outside the type's range 1970-01-01 00:00:00 UTC ..
// 2106-02-07 06:28:15 UTC saturate to its nearest end.
func AppendDateTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	switch {
	case sec < 0:
		sec = 0
	case sec > MaxDateTime:
		sec = MaxDateTime
	}
	return binary.LittleEndian.AppendUint32(dst, uint32(sec))
}

// AppendDate appends a Date: the calendar date of t, read in t's own
// location, as UInt16 days since 1970-01-01. Dates outside the type's range
// 1970-01-01 .. 2149-06-06 saturate to its nearest end.
func AppendDate(dst []byte, t time.Time) []byte {
	return binary.LittleEndian.AppendUint16(dst, uint16(dateDays(t)))
}

// dateDays returns the days since 1970-01-01 of t's calendar date,
// clamped to [0, MaxDate].
func dateDays(t time.Time) int64 {
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	switch {
	case days < 0:
		return 0
	case days > MaxDate:
		return MaxDate
	}
	return days
}

// AppendUUID appends a UUID the way ClickHouse stores it: the first eight
// bytes of u (the high half) as a little-endian UInt64, then the last
// eight (the low half) likewise, so each half appears byte-reversed.
func AppendUUID(dst []byte, u uuid.UUID) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, binary.BigEndian.Uint64(u[0:8]))
	return binary.LittleEndian.AppendUint64(dst, binary.BigEndian.Uint64(u[8:16]))
}

// AppendEnum8 appends an Enum8 by its numeric code (the value the DDL
// assigns to the name, e.g. 'High' = 3).
func AppendEnum8(dst []byte, code int8) []byte {
	return append(dst, byte(code))
}
