// Package templates holds the text templates of generated non-Go files,
// embedded once. Templates only print: quoting, escaping, type rendering
// and ORDER BY assembly happen in Go (gen/emit/sqlddl, gen/emit/dictionary)
// before the template runs.
package templates

import (
	"embed"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// DDL renders a table's .sql file from a sqlddl view.
var DDL = template.Must(template.New("ddl.sql.tmpl").Option("missingkey=error").ParseFS(files, "ddl.sql.tmpl"))

// Dictionary renders a table's data dictionary (README.md) from a
// dictionary view.
var Dictionary = template.Must(template.New("dictionary.md.tmpl").Option("missingkey=error").ParseFS(files, "dictionary.md.tmpl"))

// ClusterDDL renders a table's .cluster.sql file from a sqlddl cluster view.
var ClusterDDL = template.Must(template.New("ddl_cluster.sql.tmpl").Option("missingkey=error").
	Funcs(template.FuncMap{"trimRight": func(s string) string { return strings.TrimRight(s, " ") }}).
	ParseFS(files, "ddl_cluster.sql.tmpl"))
