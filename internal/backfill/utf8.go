package backfill

import (
	"fmt"
	"sort"
	"strings"

	"github.com/canonic-data/canonic/internal/maprt"
)

// utf8Replacements counts, per source field the mapping reads, the values
// whose invalid UTF-8 the decoder replaced with U+FFFD: the rows keep the
// replaced text, and the run says how many and where.
type utf8Replacements struct {
	fields []string         // the mapping's source fields as source paths ("status__name", "_info")
	counts map[string]int64 // source path -> values replaced
}

func newUTF8Replacements(sourceFields []string) *utf8Replacements {
	u := &utf8Replacements{counts: map[string]int64{}}
	for _, f := range sourceFields {
		u.fields = append(u.fields, strings.ReplaceAll(f, "/", "__"))
	}
	return u
}

// invalid appends to dst the source paths of the replacements decoding
// rec makes in fields the mapping reads (an empty field list reads
// everything). It only reads u: pages decoding in parallel call it.
func (u *utf8Replacements) invalid(dst []string, rec []byte) []string {
	maprt.InvalidUTF8Paths(rec, func(path string) {
		if u.reads(path) {
			dst = append(dst, path)
		}
	})
	return dst
}

// add counts the replacements at paths (from invalid).
func (u *utf8Replacements) add(paths []string) {
	for _, p := range paths {
		u.counts[p]++
	}
}

func (u *utf8Replacements) reads(path string) bool {
	if len(u.fields) == 0 {
		return true
	}
	for _, f := range u.fields {
		if path == f || strings.HasPrefix(path, f+"__") {
			return true
		}
	}
	return false
}

// formatUTF8Replacements renders counts as "12 (summary 10, status__name
// 2)", source paths in order; "" when there are none.
func formatUTF8Replacements(counts map[string]int64) string {
	if len(counts) == 0 {
		return ""
	}
	paths := make([]string, 0, len(counts))
	var total int64
	for p, n := range counts {
		paths = append(paths, p)
		total += n
	}
	sort.Strings(paths)
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = fmt.Sprintf("%s %d", p, counts[p])
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}
