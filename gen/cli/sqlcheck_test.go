package cli_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/canonic-data/canonic/gen/model"
)

// This file reads generated output back the way ClickHouse and the Go
// compiler would, to prove that no mapping text escapes its literal or
// comment: a small ClickHouse lexer, a string-literal unquoter, and checks
// of every DDL file and table descriptor against the mapping.

// sqlToken is one ClickHouse token; comments and blanks are dropped.
type sqlToken struct {
	kind byte   // 'w' word, 'i' `identifier`, 's' 'string', 'n' number, 'p' punctuation
	text string // the value: unquoted for 's' and 'i'
}

// lexSQL splits ClickHouse SQL into tokens.
func lexSQL(src string) ([]sqlToken, error) {
	var out []sqlToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "--"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			i += end
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("offset %d: unterminated /* comment", i)
			}
			i += end + 4
		case c == '\'' || c == '`':
			val, n, err := unquoteCH(src[i:])
			if err != nil {
				return nil, fmt.Errorf("offset %d: %v", i, err)
			}
			kind := byte('s')
			if c == '`' {
				kind = 'i'
			}
			out = append(out, sqlToken{kind, val})
			i += n
		case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, sqlToken{'w', src[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			out = append(out, sqlToken{'n', src[i:j]})
			i = j
		case strings.ContainsRune("(),;=*.", rune(c)):
			out = append(out, sqlToken{'p', string(c)})
			i++
		default:
			return nil, fmt.Errorf("offset %d: unexpected character %q", i, c)
		}
	}
	return out, nil
}

// unquoteCH reads the ClickHouse quoted literal at the start of s (quote
// ' or `) and returns its value and length. Escapes follow ClickHouse:
// \b \f \r \n \t \0 \a \v \xHH, a doubled quote, and \c for any other c.
func unquoteCH(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == q && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i += 2
		case c == q:
			return b.String(), i + 1, nil
		case c == '\n' || c == '\r':
			return "", 0, fmt.Errorf("raw line break inside a quoted literal")
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("backslash at end of input")
			}
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '0':
				b.WriteByte(0)
			case 'a':
				b.WriteByte('\a')
			case 'v':
				b.WriteByte('\v')
			case 'x':
				if i+2 > len(s) {
					return "", 0, fmt.Errorf("short \\x escape")
				}
				v, err := strconv.ParseUint(s[i:i+2], 16, 8)
				if err != nil {
					return "", 0, fmt.Errorf("bad \\x escape %q", s[i:i+2])
				}
				b.WriteByte(byte(v))
				i += 2
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, fmt.Errorf("unterminated literal")
}

// ddlColumn is one column definition of a CREATE TABLE.
type ddlColumn struct {
	name    string
	typ     []sqlToken
	comment string
}

// parseDDL checks the statement structure of a generated DDL file and
// returns the table's columns: exactly one CREATE TABLE and one CREATE
// VIEW, every column `name` Type COMMENT 'text'.
func parseDDL(src string) ([]ddlColumn, error) {
	toks, err := lexSQL(src)
	if err != nil {
		return nil, err
	}
	var stmts [][]sqlToken
	var cur []sqlToken
	for _, tk := range toks {
		if tk.kind == 'p' && tk.text == ";" {
			stmts = append(stmts, cur)
			cur = nil
			continue
		}
		cur = append(cur, tk)
	}
	if len(cur) > 0 {
		return nil, fmt.Errorf("text after the last statement: %v", cur)
	}
	creates := 0
	for _, tk := range toks {
		if tk.kind == 'w' && strings.EqualFold(tk.text, "CREATE") {
			creates++
		}
	}
	if len(stmts) != 2 || creates != 2 {
		return nil, fmt.Errorf("want 2 statements with 2 CREATE keywords, got %d statements and %d CREATE", len(stmts), creates)
	}
	words := func(ts []sqlToken, n int) string {
		var ws []string
		for _, tk := range ts[:min(n, len(ts))] {
			ws = append(ws, tk.text)
		}
		return strings.Join(ws, " ")
	}
	if got := words(stmts[0], 7); !strings.HasPrefix(got, "CREATE TABLE IF NOT EXISTS ") || !strings.HasSuffix(got, " (") || stmts[0][5].kind != 'i' {
		return nil, fmt.Errorf("first statement starts %q, want CREATE TABLE IF NOT EXISTS `name` (", got)
	}
	if got := words(stmts[1], 5); got != "CREATE VIEW IF NOT EXISTS" {
		return nil, fmt.Errorf("second statement starts %q, want CREATE VIEW IF NOT EXISTS", got)
	}
	body := stmts[0][7:]
	var cols []ddlColumn
	depth := 0
	i := 0
	for i < len(body) {
		if body[i].kind != 'i' {
			return nil, fmt.Errorf("column %d: want a `quoted` name, got %q", len(cols)+1, body[i].text)
		}
		c := ddlColumn{name: body[i].text}
		i++
		for ; i < len(body); i++ {
			tk := body[i]
			if depth == 0 && tk.kind == 'w' && tk.text == "COMMENT" {
				break
			}
			if tk.kind == 'p' && tk.text == "(" {
				depth++
			}
			if tk.kind == 'p' && tk.text == ")" {
				depth--
			}
			c.typ = append(c.typ, tk)
		}
		if i+1 >= len(body) || body[i+1].kind != 's' {
			return nil, fmt.Errorf("column %s: no COMMENT 'literal'", c.name)
		}
		c.comment = body[i+1].text
		cols = append(cols, c)
		i += 2
		if i < len(body) && body[i].kind == 'p' && body[i].text == "," {
			i++
			continue
		}
		if i < len(body) && body[i].kind == 'p' && body[i].text == ")" {
			if got := words(body[i+1:], 3); !strings.HasPrefix(got, "ENGINE = ReplacingMergeTree") {
				return nil, fmt.Errorf("after the columns: %q, want ENGINE = ReplacingMergeTree", got)
			}
			return cols, nil
		}
		return nil, fmt.Errorf("column %s: want , or ) after the COMMENT", c.name)
	}
	return nil, fmt.Errorf("column list not closed")
}

// mappingFields reads a mapping's fields with plain yaml.v3: the texts
// the author wrote, independent of the compiler.
type mappingDoc struct {
	Service     string `yaml:"service"`
	Table       string `yaml:"table"`
	Description string `yaml:"description"`
	Fields      []struct {
		Name        string   `yaml:"name"`
		Type        string   `yaml:"type"`
		Values      []string `yaml:"values"`
		Description string   `yaml:"description"`
		Unmapped    string   `yaml:"unmapped"`
	} `yaml:"fields"`
}

// checkOutput checks a produced tree against the mappings of the project
// at dir: headers, DDL structure, COMMENT and enum literals, and that the
// Go table descriptor carries the same comments as the DDL.
func checkOutput(t *testing.T, dir string, tree map[string][]byte) {
	t.Helper()
	mappings, err := filepath.Glob(filepath.Join(dir, "mappings", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mappings) == 0 {
		t.Fatal("no mappings in the project")
	}
	for _, m := range mappings {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var doc mappingDoc
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		rel := "mappings/" + doc.Service + "/" + doc.Table + ".yaml"
		sqlPath := "generated/" + doc.Service + "/" + doc.Table + "/" + doc.Table + ".sql"
		src, ok := tree[sqlPath]
		if !ok {
			t.Errorf("%s: no %s", rel, sqlPath)
			continue
		}
		header := "-- Code generated by canonic from " + rel + ". DO NOT EDIT.\n"
		if !strings.HasPrefix(string(src), header) {
			t.Errorf("%s does not start with %q", sqlPath, header)
		}
		cols, err := parseDDL(string(src))
		if err != nil {
			t.Errorf("%s: %v", sqlPath, err)
			continue
		}
		var wantNames []string
		for _, f := range doc.Fields {
			wantNames = append(wantNames, f.Name)
		}
		for _, c := range model.SCDColumns {
			wantNames = append(wantNames, c.Name)
		}
		var gotNames []string
		for _, c := range cols {
			gotNames = append(gotNames, c.name)
		}
		if !slices.Equal(gotNames, wantNames) {
			t.Errorf("%s: columns %q, want the mapping's fields then the SCD columns %q", sqlPath, gotNames, wantNames)
			continue
		}
		for i, f := range doc.Fields {
			desc := strings.TrimSpace(f.Description)
			got := cols[i].comment
			if got != desc && !strings.HasPrefix(got, desc+" [") {
				t.Errorf("%s: column %s: COMMENT reads back as %q, want the description %q (plus an optional [note])", sqlPath, f.Name, got, desc)
			}
			if f.Unmapped != "" {
				if want := desc + " [Not mapped for this source, always NULL: " + strings.TrimSpace(f.Unmapped) + "]"; got != want {
					t.Errorf("%s: column %s: COMMENT reads back as %q, want %q", sqlPath, f.Name, got, want)
				}
			}
			if f.Type == "enum" {
				var vals []string
				for _, tk := range cols[i].typ {
					if tk.kind == 's' {
						vals = append(vals, tk.text)
					}
				}
				if !slices.Equal(vals, f.Values) {
					t.Errorf("%s: column %s: Enum8 literals read back as %q, want %q", sqlPath, f.Name, vals, f.Values)
				}
			}
		}
		for i, c := range model.SCDColumns {
			if got := cols[len(doc.Fields)+i].comment; got != c.Comment {
				t.Errorf("%s: SCD column %s: COMMENT %q, want %q", sqlPath, c.Name, got, c.Comment)
			}
		}

		tablePath := "generated/" + doc.Service + "/" + doc.Table + "/table.go"
		goComments, err := descriptorComments(tree[tablePath])
		if err != nil {
			t.Errorf("%s: %v", tablePath, err)
			continue
		}
		var sqlComments []string
		for _, c := range cols {
			sqlComments = append(sqlComments, c.comment)
		}
		if !slices.Equal(goComments, sqlComments) {
			t.Errorf("%s: Table.Columns comments %q differ from the DDL's %q", tablePath, goComments, sqlComments)
		}
	}
	for name, src := range tree {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ParseComments)
		if err != nil {
			t.Errorf("%s does not parse: %v", name, err)
			continue
		}
		if !ast.IsGenerated(f) {
			t.Errorf("%s: ast.IsGenerated is false", name)
		}
		if !strings.HasPrefix(string(src), "// Code generated by canonic from mappings/") {
			t.Errorf("%s does not start with // Code generated by canonic from mappings/", name)
		}
	}
}

// descriptorComments returns the Comment strings of the Table descriptor's
// column list in table.go, unquoted by the Go rules.
func descriptorComments(src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "table.go", src, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if id, ok := kv.Key.(*ast.Ident); !ok || id.Name != "Columns" {
			return true
		}
		found = true
		list, ok := kv.Value.(*ast.CompositeLit)
		if !ok {
			return false
		}
		for _, elt := range list.Elts {
			col, ok := elt.(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, e := range col.Elts {
				field, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if id, ok := field.Key.(*ast.Ident); ok && id.Name == "Comment" {
					lit, ok := field.Value.(*ast.BasicLit)
					if !ok {
						continue
					}
					s, err := strconv.Unquote(lit.Value)
					if err == nil {
						out = append(out, s)
					}
				}
			}
		}
		return false
	})
	if !found {
		return nil, fmt.Errorf("no Columns list in the Table descriptor")
	}
	return out, nil
}

// TestLexSQL pins the lexer the DDL checks rely on, so a lexer bug cannot
// hide a quoting bug.
func TestLexSQL(t *testing.T) {
	toks, err := lexSQL("-- a; 'b'\nCREATE /* ; */ `x``y` 'it\\'s; ok' 'a''b' '\\x41\\n\\z';")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, string(tk.kind)+":"+tk.text)
	}
	want := []string{"w:CREATE", "i:x`y", "s:it's; ok", "s:a'b", "s:A\nz", "p:;"}
	if !slices.Equal(got, want) {
		t.Errorf("lexSQL = %q, want %q", got, want)
	}
	for _, bad := range []string{"'open", "'a\nb'", "/* open", "'\\xZZ'", "#"} {
		if _, err := lexSQL(bad); err == nil {
			t.Errorf("lexSQL(%q) succeeded, want an error", bad)
		}
	}
	if _, err := parseDDL("CREATE TABLE IF NOT EXISTS `t` (`a` Int64 COMMENT 'x') ENGINE = ReplacingMergeTree(u) ORDER BY (a); CREATE VIEW IF NOT EXISTS `v` AS SELECT * FROM `t`; CREATE TABLE x;"); err == nil {
		t.Error("parseDDL accepted a third statement")
	}
	if _, err := parseDDL("CREATE TABLE IF NOT EXISTS `t` (`a` Int64) ENGINE = ReplacingMergeTree(u) ORDER BY (a); CREATE VIEW IF NOT EXISTS `v` AS SELECT * FROM `t`;"); err == nil {
		t.Error("parseDDL accepted a column without COMMENT")
	}
}
