package rowbinary

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/shopspring/decimal"
)

// ErrDecimalRange is wrapped by the error AppendDecimal returns for a value
// whose integer part has more digits than Decimal(P, S) allows (P-S).
var ErrDecimalRange = errors.New("value out of range")

// MaxDecimalPrecision is the largest precision ClickHouse's Decimal takes
// (Decimal256).
const MaxDecimalPrecision = 76

// pow10 holds 10^0 .. 10^18, the powers of ten an int64 holds.
var pow10 = [19]int64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// decimalWidth returns the byte size of Decimal(precision, scale) in
// RowBinary, or an error when the pair is not a valid ClickHouse Decimal.
func decimalWidth(precision, scale int) (int, error) {
	if precision < 1 || precision > MaxDecimalPrecision || scale < 0 || scale > precision {
		return 0, fmt.Errorf("rowbinary: Decimal(%d, %d) is not a ClickHouse type: need 1 <= precision <= %d and 0 <= scale <= precision", precision, scale, MaxDecimalPrecision)
	}
	switch {
	case precision <= 9:
		return 4, nil
	case precision <= 18:
		return 8, nil
	case precision <= 38:
		return 16, nil
	}
	return 32, nil
}

// AppendDecimal appends d as Decimal(precision, scale): d times 10^scale as
// a little-endian two's complement integer of 4, 8, 16 or 32 bytes
// (Decimal32/64/128/256, chosen by precision as ClickHouse does).
//
// Digits of d beyond scale are dropped (truncated toward zero), as
// ClickHouse's own conversions and clickhouse-go do. A value whose scaled
// magnitude reaches 10^precision is not clamped: AppendDecimal returns dst
// unchanged and an error wrapping ErrDecimalRange. An invalid precision or
// scale is an error too. Values that fit in an int64 once scaled encode
// without allocating.
func AppendDecimal(dst []byte, d decimal.Decimal, precision, scale int) ([]byte, error) {
	width, err := decimalWidth(precision, scale)
	if err != nil {
		return dst, err
	}
	if v, ok := scaledInt64(d, scale); ok {
		if precision < len(pow10) && (v >= pow10[precision] || v <= -pow10[precision]) {
			return dst, rangeError(d, precision, scale)
		}
		return appendInt(dst, v, width), nil
	}
	v, ok := scaledBig(d, scale, precision)
	if !ok || v.CmpAbs(bigPow10(precision)) >= 0 {
		return dst, rangeError(d, precision, scale)
	}
	return appendBig(dst, v, width), nil
}

// DecimalFits reports whether AppendDecimal would accept d for
// Decimal(precision, scale): nil, or the error AppendDecimal would return.
// Decoders use it to reject a value before a row is built.
func DecimalFits(d decimal.Decimal, precision, scale int) error {
	var buf [32]byte
	_, err := AppendDecimal(buf[:0], d, precision, scale)
	return err
}

func rangeError(d decimal.Decimal, precision, scale int) error {
	return fmt.Errorf("rowbinary: decimal %s does not fit Decimal(%d, %d) (at most %d digits before the point): %w",
		d.String(), precision, scale, precision-scale, ErrDecimalRange)
}

// scaledInt64 returns trunc(d * 10^scale) when it is computable in int64
// arithmetic without allocating.
func scaledInt64(d decimal.Decimal, scale int) (int64, bool) {
	if d.NumDigits() > 18 {
		return 0, false
	}
	c := d.CoefficientInt64()
	shift := int64(d.Exponent()) + int64(scale)
	switch {
	case shift == 0:
		return c, true
	case shift < 0:
		if -shift >= int64(len(pow10)) {
			return 0, true // |c| < 10^18, so every digit is dropped
		}
		return c / pow10[-shift], true // Go's division truncates toward zero
	case c == 0:
		return 0, true
	case shift >= int64(len(pow10)):
		return 0, false
	}
	p := pow10[shift]
	if c > math.MaxInt64/p || c < math.MinInt64/p {
		return 0, false
	}
	return c * p, true
}

// scaledBig returns trunc(d * 10^scale) as a big.Int; ok is false when the
// result certainly has more than precision digits.
func scaledBig(d decimal.Decimal, scale, precision int) (*big.Int, bool) {
	c := d.Coefficient()
	shift := int64(d.Exponent()) + int64(scale)
	switch {
	case shift > 0:
		if c.Sign() != 0 && shift > int64(precision) {
			return nil, false
		}
		c.Mul(c, bigPow10(int(shift)))
	case shift < 0:
		if -shift > int64(d.NumDigits()) {
			return new(big.Int), true
		}
		c.Quo(c, bigPow10(int(-shift))) // Quo truncates toward zero
	}
	return c, true
}

func bigPow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// appendInt appends v as a width-byte little-endian two's complement
// integer, sign-extending past 8 bytes.
func appendInt(dst []byte, v int64, width int) []byte {
	switch width {
	case 4:
		return binary.LittleEndian.AppendUint32(dst, uint32(int32(v)))
	case 8:
		return binary.LittleEndian.AppendUint64(dst, uint64(v))
	}
	dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
	ext := uint64(v >> 63) // 0 or all ones
	for i := 8; i < width; i += 8 {
		dst = binary.LittleEndian.AppendUint64(dst, ext)
	}
	return dst
}

// appendBig appends v, which fits, as a width-byte little-endian two's
// complement integer.
func appendBig(dst []byte, v *big.Int, width int) []byte {
	neg := v.Sign() < 0
	if neg {
		// two's complement of -|v| is ^(|v| - 1)
		v = new(big.Int).Sub(new(big.Int).Neg(v), big.NewInt(1))
	}
	var be [32]byte
	v.FillBytes(be[32-width:])
	for i := 31; i >= 32-width; i-- {
		b := be[i]
		if neg {
			b = ^b
		}
		dst = append(dst, b)
	}
	return dst
}

// decodeDecimal turns the width-byte little-endian two's complement
// integer b into a Decimal with the given scale.
func decodeDecimal(b []byte, scale int) decimal.Decimal {
	switch len(b) {
	case 4:
		return decimal.New(int64(int32(binary.LittleEndian.Uint32(b))), int32(-scale))
	case 8:
		return decimal.New(int64(binary.LittleEndian.Uint64(b)), int32(-scale))
	}
	lo := int64(binary.LittleEndian.Uint64(b))
	ext := uint64(lo >> 63)
	fits := true
	for i := 8; i < len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:]) != ext {
			fits = false
			break
		}
	}
	if fits {
		return decimal.New(lo, int32(-scale))
	}
	neg := b[len(b)-1]&0x80 != 0
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
		if neg {
			be[len(b)-1-i] = ^b[i]
		}
	}
	v := new(big.Int).SetBytes(be)
	if neg {
		// b holds ^(|v| - 1): |v| = be + 1
		v.Add(v, big.NewInt(1))
		v.Neg(v)
	}
	return decimal.NewFromBigInt(v, int32(-scale))
}
