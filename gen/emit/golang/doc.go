package golang

import (
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/canonic-data/canonic/gen/model"
)

// commentWidth is where doc comments wrap, counting the indentation and
// the "// " marker, as gofmt'd hand-written Go usually does.
const commentWidth = 80

// docSentence turns a mapping description into a Go doc comment's first
// sentence about name, the way Go documents identifiers:
//
//	"Id of the customer company."      -> "CompanyID is the id of the customer company."
//	"When the ticket was entered."     -> "CreatedDate is when the ticket was entered."
//	"Whether the ticket is closed."    -> "ClosedFlag reports whether the ticket is closed."
//	"ConnectWise ticket id."           -> "ID is the ConnectWise ticket id."
//
// A first word that is a name or acronym (another capital or a digit
// after its first letter) keeps its case.
func docSentence(name, description string) string {
	d := strings.TrimSpace(description)
	if d == "" {
		return name + "."
	}
	first, rest, _ := strings.Cut(d, " ")
	lower := first
	if !isProperWord(first) {
		r := []rune(first)
		r[0] = unicode.ToLower(r[0])
		lower = string(r)
	}
	if rest != "" {
		lower += " " + rest
	}
	var s string
	switch strings.ToLower(strings.TrimRight(first, ",;:.")) {
	case "whether", "if":
		s = name + " reports " + lower
	case "when", "where", "why", "how", "what", "which", "who", "the", "a", "an":
		s = name + " is " + lower
	default:
		s = name + " is the " + lower
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// isProperWord reports whether w keeps its capital inside a sentence: an
// acronym or a name with an inner capital or digit ("ITIL", "ConnectWise",
// "SHA-256"), or a word that does not start with an upper-case letter.
func isProperWord(w string) bool {
	r := []rune(w)
	if len(r) == 0 || !unicode.IsUpper(r[0]) {
		return true
	}
	for _, c := range r[1:] {
		if unicode.IsUpper(c) || unicode.IsDigit(c) {
			return true
		}
	}
	return false
}

// wrap breaks text into lines of at most width runes at spaces; a word
// longer than width gets a line of its own. Line breaks in text (from
// model.CommentLines) are kept; an empty line stays empty.
func wrap(text string, width int) []string {
	var out []string
	for _, para := range model.CommentLines(text) {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line := words[0]
		for _, w := range words[1:] {
			// go vet takes a comment line starting with +build for a
			// misplaced build constraint: such a word never starts a line.
			if len([]rune(line))+1+len([]rune(w)) > width && !strings.HasPrefix(w, "+build") {
				out = append(out, line)
				line = w
				continue
			}
			line += " " + w
		}
		out = append(out, line)
	}
	return out
}

// docComment renders text as // lines wrapped for a declaration indented
// by indent tabs (a tab counted as four columns).
func docComment(text string, indent int) []jen.Code {
	var out []jen.Code
	for _, line := range wrap(text, commentWidth-3-4*indent) {
		if line == "" {
			out = append(out, jen.Comment("//"))
			continue
		}
		if strings.HasPrefix(line, "+build") {
			line = "(" + line + ")" // not a build constraint to go vet
		}
		out = append(out, jen.Comment("// "+line))
	}
	return out
}

// comment adds a doc comment to f, wrapped at commentWidth.
func comment(f *jen.File, text string) {
	for _, l := range docComment(text, 0) {
		f.Add(l)
	}
}
