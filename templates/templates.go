// Package templates holds the text templates of generated non-Go files,
// embedded once. Templates only print: quoting, type rendering and ORDER BY
// assembly happen in Go (gen/emit/sqlddl) before the template runs.
package templates

import (
	"embed"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// DDL renders a table's .sql file from a sqlddl view.
var DDL = template.Must(template.New("ddl.sql.tmpl").Option("missingkey=error").ParseFS(files, "ddl.sql.tmpl"))
