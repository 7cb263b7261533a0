// Package jsonscan finds where the plain bytes of a JSON string end, eight
// bytes at a time. It is the one place both JSON readers of the runtime
// (connectwise's page validator and maprt's record lexer) scan string
// contents with.
package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

const ones, highs = 0x0101010101010101, 0x8080808080808080

// ASCIIRun returns the length of b's longest prefix of printable ASCII (and
// DEL) without a quote or a backslash: a string's text exactly as written,
// up to its closing quote, an escape, a control character or a byte from
// 0x80 up (where UTF-8 starts, which the caller checks).
func ASCIIRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := stops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b) && !isStop(b[i]); i++ {
	}
	return i
}

// stops sets the high bit of every byte of x that ends a run: a quote, a
// backslash, a byte below 0x20 or from 0x80 up, reading x's bytes in memory
// order (little-endian). It may also set it in bytes after the first such
// byte (a subtraction borrows from a byte that wraps around), never before,
// so the lowest set bit is exact. Byte by byte, c-0x20 wraps for c < 0x20
// and keeps the high bit for c >= 0xa0; (c^'"')-1 wraps for a quote and
// keeps the high bit for every c >= 0x80 but 0xa2 (caught by c-0x20); the
// same for backslashes.
func stops(x uint64) uint64 {
	return ((x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones)) & highs
}

func isStop(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf }
