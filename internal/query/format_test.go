package query

import (
	"bytes"
	"strings"
	"testing"
)

func TestChooseFormat(t *testing.T) {
	cases := []struct {
		requested string
		terminal  bool
		want      string
		err       string
	}{
		{"", true, TableFormat, ""},
		{"", false, DefaultFormat, ""},
		{"CSV", true, "CSV", ""},
		{"JSONEachRow", false, "JSONEachRow", ""},
		{"Parquet", false, "Parquet", ""},
		{"Parquet", true, "", "format Parquet is binary and stdout is a terminal"},
		{"parquet", true, "", "binary"},
		{"RowBinaryWithNames", true, "", "binary"},
		{"ArrowStream", true, "", "binary"},
		{"Native", true, "", "binary"},
		{"Vertical", true, "Vertical", ""},
		{"table", false, TableFormat, ""},
	}
	for _, c := range cases {
		got, err := ChooseFormat("SELECT 1", c.requested, c.terminal)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ChooseFormat(%q, %v) error = %v, want %q", c.requested, c.terminal, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ChooseFormat(%q, %v) = %q, %v; want %q", c.requested, c.terminal, got, err, c.want)
		}
	}
}

func TestFormatClause(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		{"SELECT 1", ""},
		{"SELECT * FROM t WHERE id = 3 FORMAT Vertical", "Vertical"},
		{"select 1 format JSONEachRow;\n", "JSONEachRow"},
		{"SELECT 'FORMAT' AS f", ""},
		{"SELECT format FROM t", ""},
	} {
		if got := FormatClause(c.sql); got != c.want {
			t.Errorf("FormatClause(%q) = %q, want %q", c.sql, got, c.want)
		}
	}
	// The SQL's own format replaces the table on a terminal, and a binary
	// one is refused there.
	if f, err := ChooseFormat("SELECT 1 FORMAT Vertical", "", true); f != "Vertical" || err != nil {
		t.Errorf("FORMAT Vertical on a terminal: %q, %v", f, err)
	}
	if _, err := ChooseFormat("SELECT 1 FORMAT Parquet", "", true); err == nil || !strings.Contains(err.Error(), "FORMAT Parquet is binary") {
		t.Errorf("FORMAT Parquet on a terminal: %v", err)
	}
	if f, err := ChooseFormat("SELECT 1 FORMAT Parquet", "", false); f != "Parquet" || err != nil {
		t.Errorf("FORMAT Parquet to a file: %q, %v", f, err)
	}
}

func TestRenderTable(t *testing.T) {
	tsv := "id\tsummary\tbudget\tnote\n" +
		"Int64\tString\tNullable(Decimal(10, 2))\tNullable(String)\n" +
		"1\tPrinter on fire\t12.50\t\\N\n" +
		"1000\tit\\'s a \\\\path\\\\ \\t tab\t\\N\tline\\nbreak\n"
	var b bytes.Buffer
	if err := RenderTable(&b, []byte(tsv)); err != nil {
		t.Fatal(err)
	}
	want := "" +
		" id   | summary              | budget | note\n" +
		"------+----------------------+--------+-------------\n" +
		"    1 | Printer on fire      |  12.50 | NULL\n" +
		" 1000 | it's a \\path\\ \\t tab |   NULL | line\\nbreak\n" +
		"(2 rows)\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}

	long := strings.Repeat("é", 100)
	b.Reset()
	if err := RenderTable(&b, []byte("s\nString\n"+long+"\n")); err != nil {
		t.Fatal(err)
	}
	if want := " " + strings.Repeat("é", maxCell-3) + "...\n(1 row)\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("long cell not cut at %d characters:\n%s", maxCell, b.String())
	}

	b.Reset()
	if err := RenderTable(&b, nil); err != nil || b.Len() != 0 {
		t.Errorf("no output (a DDL statement) rendered %q, %v", b.String(), err)
	}
	if err := RenderTable(&b, []byte("a\tb\nInt8\tInt8\n1\n")); err == nil {
		t.Error("a short row was rendered without an error")
	}
}

func TestParseDSN(t *testing.T) {
	cases := []struct {
		dsn      string
		port     int
		url      string
		user, pw string
		db       string
		err      string
	}{
		{dsn: "clickhouse://loader:s3cret@db.example:9000/acme", url: "http://db.example:8123/", user: "loader", pw: "s3cret", db: "acme"},
		{dsn: "clickhouse://db.example", url: "http://db.example:8123/"},
		{dsn: "clickhouse://u:p@db.example:9440/x?secure=true", url: "https://db.example:8443/", user: "u", pw: "p", db: "x"},
		{dsn: "clickhouse://db.example?secure=true", url: "https://db.example:8443/"},
		{dsn: "clickhouse://u:s3cret@127.0.0.1:19000/", port: 18123, url: "http://127.0.0.1:18123/", user: "u", pw: "s3cret"},
		{dsn: "clickhouse://u:s3cret@127.0.0.1:19000/", err: "cannot be derived from native port 19000: pass --http-port"},
		{dsn: "clickhouse://u:s3cret@127.0.0.1:19000/?http_port=18123", url: "http://127.0.0.1:18123/", user: "u", pw: "s3cret"},
		{dsn: "http://u:s3cret@127.0.0.1:18123/acme", url: "http://127.0.0.1:18123/", user: "u", pw: "s3cret", db: "acme"},
		{dsn: "https://db.example", url: "https://db.example:8443/"},
		{dsn: "http://db.example?username=u&password=s3cret", url: "http://db.example:8123/", user: "u", pw: "s3cret"},
		{dsn: "mysql://u:s3cret@db.example/", err: `unsupported scheme "mysql"`},
		{dsn: "not a url s3cret", err: "does not parse as a URL"},
	}
	for _, c := range cases {
		ep, err := ParseDSN(c.dsn, c.port)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseDSN(%q) error = %v, want %q", c.dsn, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("ParseDSN(%q) error shows the password: %v", c.dsn, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", c.dsn, err)
			continue
		}
		if got := ep.URL.String(); got != c.url || ep.User != c.user || ep.Password != c.pw || ep.Database != c.db {
			t.Errorf("ParseDSN(%q) = %s user %q pw %q db %q; want %s %q %q %q", c.dsn, got, ep.User, ep.Password, ep.Database, c.url, c.user, c.pw, c.db)
		}
	}
}
