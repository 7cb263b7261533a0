package maprt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPlainPrefix checks the eight-bytes-at-a-time scan against a byte
// loop, with every kind of special byte at every position of runs up to
// three words long, next to bytes on either side of the boundaries.
func TestPlainPrefix(t *testing.T) {
	naive := func(s []byte) int {
		for i, c := range s {
			if c < 0x20 || c == '\\' || c >= utf8.RuneSelf {
				return i
			}
		}
		return len(s)
	}
	specials := []byte{0x00, 0x01, 0x1f, '\\', 0x80, 0xc3, 0xff}
	fillers := []byte{' ', '!', '[', ']', '~', 0x7f, 'a', '"'}
	for n := 0; n <= 24; n++ {
		for _, fill := range fillers {
			s := []byte(strings.Repeat(string(fill), n))
			if got, want := plainPrefix(s), naive(s); got != want {
				t.Fatalf("%q: %d, want %d", s, got, want)
			}
			for pos := 0; pos < n; pos++ {
				for _, sp := range specials {
					b := []byte(strings.Repeat(string(fill), n))
					b[pos] = sp
					if got, want := plainPrefix(b), naive(b); got != want {
						t.Fatalf("%q: %d, want %d", b, got, want)
					}
				}
			}
		}
	}
}
