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

// StringRun returns the length of b's longest prefix of bytes a JSON string
// holds as they are: no quote, no backslash, no control character. Bytes
// from 0x80 up are plain here; their UTF-8 is not checked.
func StringRun(b []byte) int {
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

// ASCIIRun is StringRun that also stops at bytes from 0x80 up: the prefix
// is printable ASCII (and DEL), a string's text exactly as written.
func ASCIIRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := stops(x) | x&highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b) && !isStop(b[i]) && b[i] < utf8.RuneSelf; i++ {
	}
	return i
}

// stops sets the high bit of every byte of x that is a quote, a backslash
// or below 0x20, reading x's bytes in memory order (little-endian). It may
// also set it in bytes after the first such byte (a subtraction's borrow
// runs on from a match), never before: the lowest set bit is exact.
func stops(x uint64) uint64 {
	quote := x ^ '"'*ones // a quote becomes 0
	backslash := x ^ '\\'*ones
	return ((quote-ones)&^quote | (backslash-ones)&^backslash | (x-0x20*ones)&^x) & highs
}

func isStop(c byte) bool { return c < 0x20 || c == '"' || c == '\\' }
