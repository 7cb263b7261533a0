package sourcespec

import (
	"sort"
	"strings"
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
		d := editDistance(lw, strings.ToLower(c))
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

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and adjacent transpositions.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rolling rows: two back (for transpositions), previous, current.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
