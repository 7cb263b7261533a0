package sourcespec

import (
	"sort"
	"strings"

	"github.com/canonic-data/canonic/gen/diag"
)

// closeMatches returns the candidates close enough to word to suggest,
// best first (ties sorted): case-insensitive equality first, then
// case-insensitive edit distance (with transpositions) within maxDistance.
func closeMatches(word string, candidates []string) []string {
	type scored struct {
		s string
		d int
	}
	limit := maxDistance(word)
	lw := strings.ToLower(word)
	var out []scored
	for _, c := range candidates {
		if c == word {
			continue
		}
		d := diag.EditDistance(lw, strings.ToLower(c))
		if d <= limit {
			out = append(out, scored{c, d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	res := make([]string, len(out))
	for i, o := range out {
		res[i] = o.s
	}
	return res
}

// closest returns the best close match of word among candidates, or "".
func closest(word string, candidates []string) string {
	if m := closeMatches(word, candidates); len(m) > 0 {
		return m[0]
	}
	return ""
}

// maxDistance is how many edits a suggestion may be from word: none for
// very short words (only a case difference), then about one edit per four
// characters, at most three.
func maxDistance(word string) int {
	n := len([]rune(word))
	switch {
	case n <= 2:
		return 0
	case n <= 5:
		return 1
	case n <= 10:
		return 2
	}
	return 3
}
