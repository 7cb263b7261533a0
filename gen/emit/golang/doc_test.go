package golang

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
)

func TestDocSentence(t *testing.T) {
	for _, c := range []struct{ name, desc, want string }{
		{"CompanyID", "Id of the customer company.", "CompanyID is the id of the customer company."},
		{"CreatedDate", "When the ticket was entered (UTC).", "CreatedDate is when the ticket was entered (UTC)."},
		{"ClosedFlag", "Whether the ticket is closed.", "ClosedFlag reports whether the ticket is closed."},
		{"ID", "ConnectWise ticket id; the business key.", "ID is the ConnectWise ticket id; the business key."},
		{"Urgency", "ITIL urgency.", "Urgency is the ITIL urgency."},
		{"RecordHash", "SHA-256 of the row.", "RecordHash is the SHA-256 of the row."},
		{"Owner", "The member who owns it", "Owner is the member who owns it."},
		{"Budget", "budgeted hours", "Budget is the budgeted hours."},
		{"X", "", "X."},
		{"Emoji", "🎫 ticket", "Emoji is the 🎫 ticket."},
	} {
		if got := docSentence(c.name, c.desc); got != c.want {
			t.Errorf("docSentence(%q, %q) = %q, want %q", c.name, c.desc, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc ddd\n\neee "+strings.Repeat("x", 12), 8)
	want := []string{"aaa bbb", "ccc ddd", "", "eee", strings.Repeat("x", 12)}
	if !slices.Equal(got, want) {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	for _, l := range wrap(strings.Repeat("word ", 100), 77) {
		if len(l) > 77 {
			t.Errorf("line of %d > 77: %q", len(l), l)
		}
	}
}

// TestLiteralsInGivenOrder: keyed literals keep the order they are given
// (jen.Dict would sort them), and long string lists go one element a line.
func TestLiteralsInGivenOrder(t *testing.T) {
	got := fmt.Sprintf("%#v", jen.Var().Id("v").Op("=").Id("T").Add(keyedLines(
		field{"Zeta", jen.Lit(1)}, field{"Alpha", jen.Lit(2)},
	)))
	if want := "var v = T{\n\tZeta:  1,\n\tAlpha: 2,\n}"; got != want {
		t.Errorf("keyedLines:\n%s\nwant\n%s", got, want)
	}
	got = fmt.Sprintf("%#v", jen.Id("T").Add(keyed(field{"Name", jen.Lit("b")}, field{"Type", jen.Lit("a")})))
	if want := `T{Name: "b", Type: "a"}`; got != want {
		t.Errorf("keyed: %s, want %s", got, want)
	}
	short := fmt.Sprintf("%#v", jen.Index().String().Add(stringList([]string{"a", "b"})))
	if short != `[]string{"a", "b"}` {
		t.Errorf("short list: %s", short)
	}
	long := fmt.Sprintf("%#v", jen.Index().String().Add(stringList(strings.Fields("alpha beta gamma delta epsilon zeta eta theta iota kappa"))))
	if strings.Count(long, "\n") != 11 {
		t.Errorf("long list not one element a line:\n%s", long)
	}
}

// TestNoBuildConstraintLines: no doc comment line reads as a +build
// constraint, which go vet reports as misplaced.
func TestNoBuildConstraintLines(t *testing.T) {
	for _, text := range []string{"+build ignore", "tags like " + strings.Repeat("word ", 14) + "+build linux", "a\n+build x"} {
		for _, c := range docComment(text, 1) {
			line := fmt.Sprintf("%#v", c)
			if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(line, "//")), "+build") {
				t.Errorf("%q: line %q", text, line)
			}
		}
	}
}
