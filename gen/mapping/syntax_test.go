package mapping_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/gen/mapping"
)

// largeMappingWithLateError returns a mapping of about size bytes whose
// last field is indented one space too little (a syntax error on the last
// line), and that line's number.
func largeMappingWithLateError(size int) ([]byte, int) {
	var b strings.Builder
	b.WriteString(minimal)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  - name: column_%d\n    type: string\n    source: column%d\n    description: Column %d.\n", i, i, i)
	}
	b.WriteString("  - name: late\n    type: string\n   source: late\n")
	s := b.String()
	return []byte(s), strings.Count(s, "\n")
}

// TestSyntaxErrorInLargeMapping: a typo at the end of a 1 MB mapping is
// located quickly (locating it once re-parsed every prefix of the file:
// 1 MB did not answer in 120 s).
func TestSyntaxErrorInLargeMapping(t *testing.T) {
	data, line := largeMappingWithLateError(1 << 20)
	done := make(chan []string, 1)
	start := time.Now()
	go func() {
		_, errs := mapping.ParseFile("m.yaml", data)
		done <- messages(errs)
	}()
	// A generous bound for a shared machine; it answers in far less.
	const bound = 10 * time.Second
	select {
	case got := <-done:
		want := fmt.Sprintf("m.yaml:%d:1: YAML syntax error: did not find expected '-' indicator", line)
		if len(got) != 1 || !strings.HasPrefix(got[0], want) {
			t.Errorf("got %q, want one error starting %q", got, want)
		}
		t.Logf("1 MB mapping, error on line %d, located in %s", line, time.Since(start))
	case <-time.After(bound):
		t.Fatalf("a syntax error in a 1 MB mapping was not located in %s", bound)
	}
}

// BenchmarkSyntaxErrorLate measures locating a syntax error on the last
// line of mappings of growing size; the time per byte stays flat when the
// search is linear.
func BenchmarkSyntaxErrorLate(b *testing.B) {
	for _, size := range []int{32 << 10, 256 << 10, 1 << 20} {
		data, _ := largeMappingWithLateError(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, errs := mapping.ParseFile("m.yaml", data); len(errs) == 0 {
					b.Fatal("no error")
				}
			}
		})
	}
}
