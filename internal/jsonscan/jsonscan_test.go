package jsonscan

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRuns checks the eight-bytes-at-a-time scans against a byte loop, with
// every kind of stop at every position of runs up to three words long, next
// to bytes on either side of each boundary, and a second stop after the
// first (where a borrow could mark a byte).
func TestRuns(t *testing.T) {
	naive := func(s []byte, ascii bool) int {
		for i, c := range s {
			if isStop(c) || ascii && c >= utf8.RuneSelf {
				return i
			}
		}
		return len(s)
	}
	stopBytes := []byte{0x00, 0x01, 0x1f, '"', '\\', 0x80, 0xc3, 0xff}
	fillers := []byte{' ', '!', '#', '[', ']', '~', 0x7f, 'a', 0x21, 0x5d, 0xe2}
	check := func(b []byte) {
		t.Helper()
		if got, want := StringRun(b), naive(b, false); got != want {
			t.Fatalf("StringRun(%q) = %d, want %d", b, got, want)
		}
		if got, want := ASCIIRun(b), naive(b, true); got != want {
			t.Fatalf("ASCIIRun(%q) = %d, want %d", b, got, want)
		}
	}
	for n := 0; n <= 24; n++ {
		for _, fill := range fillers {
			check([]byte(strings.Repeat(string(fill), n)))
			for pos := range n {
				for _, stop := range stopBytes {
					b := []byte(strings.Repeat(string(fill), n))
					b[pos] = stop
					check(b)
					for _, later := range stopBytes {
						if pos+1 < n {
							c := append([]byte(nil), b...)
							c[pos+1] = later
							check(c)
						}
					}
				}
			}
		}
	}
}

// BenchmarkStringRun scans strings of a key's, a date's, a name's and a
// link's length.
func BenchmarkStringRun(b *testing.B) {
	for _, n := range []int{4, 12, 40, 120} {
		s := []byte(strings.Repeat("a", n) + `"`)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				if StringRun(s) != n {
					b.Fatal("wrong")
				}
			}
		})
	}
}
