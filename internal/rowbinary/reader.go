package rowbinary

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Reader reads RowBinary values from a byte slice, in the encoding the
// Append functions write. Each method reads one value and advances.
//
// Errors are sticky: the first malformed or short value records an error
// naming its offset and the type expected, and every later call returns a
// zero value without reading. Check Err once after reading a row.
//
// The zero Reader holds no data; Reset points it at a slice, so one
// Reader (even a stack variable) can serve every row without allocating.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader returns a Reader positioned at the start of b. It does not copy
// b; String copies what it returns, Bytes does not.
func NewReader(b []byte) *Reader {
	return &Reader{buf: b}
}

// Reset makes r read b from its start and clears any error.
func (r *Reader) Reset(b []byte) {
	*r = Reader{buf: b}
}

// Err returns the first error met, or nil.
func (r *Reader) Err() error { return r.err }

// Offset returns how many bytes have been consumed.
func (r *Reader) Offset() int { return r.off }

// Len returns how many bytes remain unread.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// Done reports whether every byte has been read without error.
func (r *Reader) Done() bool { return r.err == nil && r.off == len(r.buf) }

// fail records the first error.
func (r *Reader) fail(what, format string, args ...any) {
	if r.err == nil {
		r.err = &Error{Offset: r.off, Type: what, Reason: fmt.Sprintf(format, args...)}
	}
}

// Error is the error a Reader records: where reading failed and what.
type Error struct {
	Offset int    // byte offset of the value that failed
	Type   string // ClickHouse type being read, e.g. "Int64"
	Reason string // what was wrong, e.g. "need 8 bytes, 3 left"
}

func (e *Error) Error() string {
	return fmt.Sprintf("rowbinary: reading %s at offset %d: %s", e.Type, e.Offset, e.Reason)
}

// next returns the next n bytes and advances, or records an error and
// returns nil.
func (r *Reader) next(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.buf)-r.off < n {
		r.fail(what, "need %d bytes, %d left", n, len(r.buf)-r.off)
		return nil
	}
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

// flag reads a byte that must be 0 or 1.
func (r *Reader) flag(what string) bool {
	b := r.next(1, what)
	if b == nil {
		return false
	}
	if b[0] > 1 {
		r.off--
		r.fail(what, "byte 0x%02x is neither 0 nor 1", b[0])
		return false
	}
	return b[0] == 1
}

// Null reads a Nullable prefix byte and reports whether the value is NULL
// (1). After false, read the inner value; after true, there is none.
func (r *Reader) Null() bool { return r.flag("Nullable marker") }

// Bool reads a Bool, which must be the byte 0 or 1.
func (r *Reader) Bool() bool { return r.flag("Bool") }

// UInt8 reads a UInt8.
func (r *Reader) UInt8() uint8 {
	if b := r.next(1, "UInt8"); b != nil {
		return b[0]
	}
	return 0
}

// Int8 reads an Int8.
func (r *Reader) Int8() int8 {
	if b := r.next(1, "Int8"); b != nil {
		return int8(b[0])
	}
	return 0
}

// Enum8 reads an Enum8's numeric code.
func (r *Reader) Enum8() int8 {
	if b := r.next(1, "Enum8"); b != nil {
		return int8(b[0])
	}
	return 0
}

// Int32 reads an Int32.
func (r *Reader) Int32() int32 {
	if b := r.next(4, "Int32"); b != nil {
		return int32(binary.LittleEndian.Uint32(b))
	}
	return 0
}

// Int64 reads an Int64.
func (r *Reader) Int64() int64 {
	if b := r.next(8, "Int64"); b != nil {
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// Float64 reads a Float64.
func (r *Reader) Float64() float64 {
	if b := r.next(8, "Float64"); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// Bytes reads a String and returns its bytes without copying: the slice
// aliases the Reader's buffer.
func (r *Reader) Bytes() []byte {
	if r.err != nil {
		return nil
	}
	n, size := binary.Uvarint(r.buf[r.off:])
	if size <= 0 {
		r.fail("String", "bad length prefix (truncated or longer than 64 bits)")
		return nil
	}
	if n > uint64(len(r.buf)-r.off-size) {
		r.fail("String", "length %d exceeds the %d bytes left", n, len(r.buf)-r.off-size)
		return nil
	}
	start := r.off + size
	r.off = start + int(n)
	return r.buf[start:r.off:r.off]
}

// String reads a String.
func (r *Reader) String() string {
	return string(r.Bytes())
}

// DateTime reads a DateTime and returns it in UTC.
func (r *Reader) DateTime() time.Time {
	if b := r.next(4, "DateTime"); b != nil {
		return time.Unix(int64(binary.LittleEndian.Uint32(b)), 0).UTC()
	}
	return time.Time{}
}

// Date reads a Date and returns midnight UTC of that day.
func (r *Reader) Date() time.Time {
	if b := r.next(2, "Date"); b != nil {
		return time.Unix(int64(binary.LittleEndian.Uint16(b))*86400, 0).UTC()
	}
	return time.Time{}
}

// UUID reads a UUID (see AppendUUID for the byte order).
func (r *Reader) UUID() uuid.UUID {
	var u uuid.UUID
	if b := r.next(16, "UUID"); b != nil {
		binary.BigEndian.PutUint64(u[0:8], binary.LittleEndian.Uint64(b[0:8]))
		binary.BigEndian.PutUint64(u[8:16], binary.LittleEndian.Uint64(b[8:16]))
	}
	return u
}

// Decimal reads a Decimal(precision, scale). An invalid precision or scale
// records an error.
func (r *Reader) Decimal(precision, scale int) decimal.Decimal {
	if r.err != nil {
		return decimal.Decimal{}
	}
	width, err := decimalWidth(precision, scale)
	if err == nil && len(r.buf)-r.off < width {
		err = fmt.Errorf("need %d bytes, %d left", width, len(r.buf)-r.off)
	}
	if err != nil {
		r.fail(fmt.Sprintf("Decimal(%d, %d)", precision, scale), "%v", err)
		return decimal.Decimal{}
	}
	b := r.buf[r.off : r.off+width]
	r.off += width
	return decodeDecimal(b, scale)
}
