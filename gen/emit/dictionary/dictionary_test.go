package dictionary

import "testing"

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"Ticket id.":                "Ticket id.",
		"a | b":                     `a \| b`,
		"line one\nline two":        "line one line two",
		"<script>x</script>":        `\<script\>x\</script\>`,
		"# not a heading":           `\# not a heading`,
		"- not a list":              `\- not a list`,
		"**bold** [link](x) `code`": `\*\*bold\*\* \[link\](x) \` + "`code\\`",
		`back\slash`:                `back\\slash`,
		"-->":                       `\--\>`,
	} {
		if got := text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"id":               "`id`",
		"Enum8('a|b' = 1)": "`Enum8('a\\|b' = 1)`",
		"a`b":              "``a`b``",
		"`x":               "`` `x ``",
		"two\nlines":       "`two lines`",
		"Nullable(String)": "`Nullable(String)`",
	} {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}
