package maprt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Hasher computes record_hash, the SHA-256 of a canonical encoding of the
// hashed business columns, written as lowercase hex (64 characters).
//
// The canonical encoding (version 1) concatenates, for each hashed column
// in mapping order:
//
//	NULL                     0x00
//	a value                  0x01 followed by
//	  int32, int64           8 bytes, big-endian two's complement of the int64 value
//	  float64                8 bytes, big-endian IEEE 754 bits; -0 as +0
//	  decimal(P,S)           the value as text with exactly S fraction digits, encoded as a string
//	  string, enum           uvarint byte length, then the UTF-8 bytes
//	  bool                   0x00 or 0x01
//	  datetime               8 bytes, big-endian Unix seconds (UTC)
//	  date                   8 bytes, big-endian days since 1970-01-01
//	  uuid                   the 16 bytes in RFC 4122 order
//
// The encoding depends only on the values, never on Go's memory layout,
// map order, machine or Go version; NULL and "" differ (0x00 vs 0x01 0x00).
// Columns listed in scd.ignore_changes are left out. A table's
// HashDefinition names the columns, their types and this version.
type Hasher struct{ buf []byte }

var hashers = sync.Pool{New: func() any { return &Hasher{buf: make([]byte, 0, 1024)} }}

// NewHasher returns an empty Hasher from a pool; Sum returns it.
func NewHasher() *Hasher {
	h := hashers.Get().(*Hasher)
	h.buf = h.buf[:0]
	return h
}

// Null encodes a NULL.
func (h *Hasher) Null() { h.buf = append(h.buf, 0) }

// Int64 encodes an integer column (int32 columns widen to int64).
func (h *Hasher) Int64(v int64) {
	h.buf = append(h.buf, 1)
	h.buf = binary.BigEndian.AppendUint64(h.buf, uint64(v))
}

// Float64 encodes a float column.
func (h *Hasher) Float64(v float64) {
	if v == 0 {
		v = 0 // -0 and +0 hash alike
	}
	h.buf = append(h.buf, 1)
	h.buf = binary.BigEndian.AppendUint64(h.buf, math.Float64bits(v))
}

// String encodes a string or enum column.
func (h *Hasher) String(s string) {
	h.buf = append(h.buf, 1)
	h.buf = binary.AppendUvarint(h.buf, uint64(len(s)))
	h.buf = append(h.buf, s...)
}

// Bool encodes a bool column.
func (h *Hasher) Bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	h.buf = append(h.buf, 1, b)
}

// DateTime encodes a datetime column.
func (h *Hasher) DateTime(t time.Time) {
	h.buf = append(h.buf, 1)
	h.buf = binary.BigEndian.AppendUint64(h.buf, uint64(t.Unix()))
}

// Date encodes a date column.
func (h *Hasher) Date(t time.Time) {
	h.buf = append(h.buf, 1)
	h.buf = binary.BigEndian.AppendUint64(h.buf, uint64(t.Unix()/86400))
}

// Decimal encodes a decimal column with its declared scale.
func (h *Hasher) Decimal(d decimal.Decimal, scale int32) { h.String(d.StringFixed(scale)) }

// UUID encodes a uuid column.
func (h *Hasher) UUID(u uuid.UUID) {
	h.buf = append(h.buf, 1)
	h.buf = append(h.buf, u[:]...)
}

// Sum returns the hex SHA-256 of everything encoded and releases h.
func (h *Hasher) Sum() string {
	sum := sha256.Sum256(h.buf)
	hashers.Put(h)
	var text [2 * sha256.Size]byte
	hex.Encode(text[:], sum[:])
	return string(text[:]) // one allocation; hex.EncodeToString makes two
}
