package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/canonic-data/canonic/gen/diag"
)

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlParserProblems are the problems yaml.v3's parser (as opposed to its
// scanner) reports. For them yaml.v3 prints a 0-based line, so the
// 1-based line is one more; the scanner's lines are already 1-based.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"found incompatible YAML document":       true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
}

// yamlHints say what usually causes a yaml.v3 parser problem.
var yamlHints = map[string]string{
	"did not find expected ',' or ']'":    ": the [list] that starts on this line is not closed",
	"did not find expected ',' or '}'":    ": the {mapping} that starts on this line is not closed",
	"did not find expected key":           ": check this line's indentation against the keys above it",
	"did not find expected '-' indicator": ": check this line's indentation against the list items above it",
}

// syntaxError reports a yaml.v3 parse error. yaml.v3 knows only the line,
// so the column is 1, except for an unknown anchor, which yaml.v3 reports
// without a position: the first use of the alias is found in data.
func (w *walker) syntaxError(err error, data []byte) {
	msg := err.Error()
	line := 1
	col := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if _, parser := yamlParserProblems[msg]; parser {
			line++
		}
		line = lineToFix(data, msg, line)
		msg += yamlHints[msg]
	} else if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("alias *%s refers to no anchor: define &%s on an earlier value, or write the value out", m[1], m[1])
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line = bytes.Count(data[:i], []byte("\n")) + 1
			col = len([]rune(string(data[bytes.LastIndexByte(data[:i], '\n')+1:i]))) + 1
		}
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	w.errs.Add(diag.Pos{File: w.path, Line: line, Col: col}, "YAML syntax error: %s", msg)
}

// lineToFix turns the line yaml.v3 reported for problem into the line an
// author should fix. yaml.v3 often names the line where the enclosing
// list, mapping or scalar starts (or, for the first line, the end of the
// file); the line to fix is the first line at which the file stops parsing
// the same way: the smallest k such that the first k lines fail with the
// same problem, unless that is before the reported line (an unclosed
// [list] fails at every prefix from its first line on, and that line is
// the one to fix).
//
// It costs a few parses, each linear in the file, never one per line: the
// reported line is tried first; otherwise the parse stops within the line
// holding the last byte yaml.v3 read before failing (read one byte at a
// time), and the first failing line is searched backwards from there,
// doubling the step, then halving it.
func lineToFix(data []byte, problem string, reported int) int {
	ends := lineEnds(data)
	fails := func(k int) bool {
		return k >= 1 && k <= len(ends) && failsWith(data[:ends[k-1]], problem)
	}
	if reported <= len(ends) && fails(reported) {
		return reported
	}
	stop := sort.SearchInts(ends, readBeforeFailing(data)) + 1
	if !fails(stop) {
		return reported
	}
	good := 0 // a prefix known not to fail this way
	if reported <= len(ends) {
		good = reported
	}
	bad := stop // a prefix known to fail this way
	for step := 1; bad-step > good; step *= 2 {
		if !fails(bad - step) {
			good = bad - step
			break
		}
		bad -= step
	}
	for bad-good > 1 {
		mid := good + (bad-good)/2
		if fails(mid) {
			bad = mid
		} else {
			good = mid
		}
	}
	return bad
}

// lineEnds returns, for each line of data, the offset just after it.
func lineEnds(data []byte) []int {
	var ends []int
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	return ends
}

// failsWith reports whether data fails to parse with problem.
func failsWith(data []byte, problem string) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == nil {
			continue
		}
		m := yamlLine.FindStringSubmatch(err.Error())
		return m != nil && m[2] == problem
	}
}

// readBeforeFailing parses data, handing yaml.v3 one byte per read, and
// returns how many bytes it had read when it failed (len(data) when it
// did not). yaml.v3 reads only the few characters of lookahead it needs,
// so the problem lies within the line that holds the last byte read.
func readBeforeFailing(data []byte) int {
	r := &trickle{data: data}
	dec := yaml.NewDecoder(r)
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return len(data)
			}
			return r.off
		}
	}
}

// trickle is a reader that hands over one byte per Read.
type trickle struct {
	data []byte
	off  int
}

func (r *trickle) Read(p []byte) (int, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.data[r.off]
	r.off++
	return 1, nil
}
