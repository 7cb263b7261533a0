package jsonscan

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRuns checks the eight-bytes-at-a-time scan against a byte loop: every
// byte value at every position of runs up to three words long, among bytes
// on either side of the boundaries, and a second stop after the first
// (where a borrow could mark a byte).
func TestRuns(t *testing.T) {
	naive := func(s []byte) int {
		for i, c := range s {
			if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
				return i
			}
		}
		return len(s)
	}
	check := func(b []byte) {
		t.Helper()
		if got, want := ASCIIRun(b), naive(b); got != want {
			t.Fatalf("ASCIIRun(%q) = %d, want %d", b, got, want)
		}
	}
	for n := 0; n <= 24; n++ {
		for _, fill := range []byte{' ', '!', '#', '[', ']', '~', 0x7f, 'a'} {
			check([]byte(strings.Repeat(string(fill), n)))
			for pos := range n {
				for c := range 256 {
					b := []byte(strings.Repeat(string(fill), n))
					b[pos] = byte(c)
					check(b)
					if pos+1 < n {
						for _, later := range []byte{0x00, 0x1f, '"', '\\', 0x80, 0xff} {
							b[pos+1] = later
							check(b)
						}
					}
				}
			}
		}
	}
}

// BenchmarkASCIIRun scans strings of a key's, a date's, a name's and a
// link's length.
func BenchmarkASCIIRun(b *testing.B) {
	for _, n := range []int{4, 12, 40, 120} {
		s := []byte(strings.Repeat("a", n) + `"`)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				if ASCIIRun(s) != n {
					b.Fatal("wrong")
				}
			}
		})
	}
}
