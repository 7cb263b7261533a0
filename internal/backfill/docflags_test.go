package backfill_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/backfill"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

// docFlag matches a flag line of the package doc's command block,
// "\t--name ..."; usageFlag one of -h, "      --name ..." or
// "  -h, --help ..."; defaultText a stated default, "(default 100)" or
// pflag's `(default "./data")`.
var (
	docFlag     = regexp.MustCompile(`^\t--([a-z][a-z-]*)`)
	usageFlag   = regexp.MustCompile(`^ +(?:-[a-zA-Z], )?--([a-z][a-z-]*)`)
	defaultText = regexp.MustCompile(`\(default "?([^")]*)"?\)`)
)

// flagEntries reads "--name ... (default X)" entries from text: an entry
// is a line start matches and the more-indented lines after it. It maps
// each flag to its default ("" when the entry states none).
func flagEntries(text string, start *regexp.Regexp) (map[string]string, []string) {
	defaults := map[string]string{}
	var order []string
	var cur string
	var body strings.Builder
	flush := func() {
		if cur == "" {
			return
		}
		d := ""
		if m := defaultText.FindStringSubmatch(body.String()); m != nil {
			d = m[1]
		}
		defaults[cur] = d
		order = append(order, cur)
	}
	for _, line := range strings.Split(text, "\n") {
		if m := start.FindStringSubmatch(line); m != nil {
			flush()
			cur = m[1]
			body.Reset()
			body.WriteString(line)
			continue
		}
		if cur != "" && strings.HasPrefix(line, "\t ") { // a doc entry's continuation
			body.WriteString(" " + strings.TrimSpace(line))
			continue
		}
		flush()
		cur = ""
	}
	flush()
	return defaults, order
}

// TestDocFlags keeps the package doc's flag list (what go doc shows) in
// step with the flags Main parses: the same flags, in the same order, with
// the same defaults as -h prints.
func TestDocFlags(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	docDefaults, docOrder := flagEntries(f.Doc.Text(), docFlag)

	var out, errb bytes.Buffer
	if code := backfill.Main(wt.Tickets(), []string{"-h"}, &out, &errb); code != 0 {
		t.Fatalf("-h: exit %d\n%s", code, errb.String())
	}
	usageDefaults, usageOrder := flagEntries(out.String(), usageFlag)
	usageOrder = slices.DeleteFunc(usageOrder, func(n string) bool { return n == "help" })
	if len(usageOrder) < 10 {
		t.Fatalf("read %d flags from -h, the pattern no longer matches it:\n%s", len(usageOrder), out.String())
	}
	if !slices.Equal(docOrder, usageOrder) {
		t.Errorf("doc.go lists the flags\n  %v\n-h lists\n  %v", docOrder, usageOrder)
	}
	for _, name := range usageOrder {
		if d, ok := docDefaults[name]; ok && d != usageDefaults[name] { // a missing flag is reported above
			t.Errorf("--%s: doc.go says default %q, the flag's default is %q", name, d, usageDefaults[name])
		}
	}
}
