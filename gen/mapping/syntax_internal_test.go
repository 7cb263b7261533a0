package mapping

import (
	"bytes"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"gopkg.in/yaml.v3"
)

// firstFailingLineByDefinition is the definition lineToFix implements:
// the smallest k such that the first k lines fail with problem, found by
// parsing every prefix (quadratic: for small files only).
func firstFailingLineByDefinition(data []byte, problem string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	for k := 1; k <= len(lines); k++ {
		if failsWith(bytes.Join(lines[:k], nil), problem) {
			return k
		}
	}
	return 0
}

// TestLineToFixMatchesDefinition damages a real mapping at random places
// and requires lineToFix to agree with the prefix-by-prefix definition.
func TestLineToFixMatchesDefinition(t *testing.T) {
	base, err := os.ReadFile("../../mappings/connectwise/tickets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	damage := []string{"[", "]", "{", "}", " ", "\t", ":", "- ", "\n", "\"", "'", "&a", "*a", "!", "#", ",", "  ", "\n ", "|", ">"}
	checked := 0
	for range 200 {
		d := append([]byte(nil), base...)
		for range 1 + r.Intn(2) {
			p := r.Intn(len(d))
			if r.Intn(3) == 0 {
				d = append(d[:p:p], d[p+1:]...)
			} else {
				d = append(d[:p:p], append([]byte(damage[r.Intn(len(damage))]), d[p:]...)...)
			}
		}
		dec := yaml.NewDecoder(bytes.NewReader(d))
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == nil {
			err = dec.Decode(&doc)
		}
		if err == nil {
			continue
		}
		m := yamlLine.FindStringSubmatch(err.Error())
		if m == nil {
			continue
		}
		problem := m[2]
		reported, _ := strconv.Atoi(m[1])
		if yamlParserProblems[problem] {
			reported++
		}
		want := reported
		if k := firstFailingLineByDefinition(d, problem); k > 0 && (k >= reported || reported > len(lineEnds(d))) {
			want = k
		}
		if got := lineToFix(d, problem, reported); got != want {
			t.Errorf("%q (reported on line %d): lineToFix = %d, by definition %d\n%s", problem, reported, got, want, d)
		}
		checked++
	}
	if checked < 50 {
		t.Errorf("only %d damaged files failed to parse", checked)
	}
}
