package warehouse_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/warehouse"
)

func TestHTTPInterface(t *testing.T) {
	for _, c := range []struct {
		dsn      string
		explicit int
		want     string // URL, or the error's text
		unknown  bool   // the error wraps ErrHTTPPortUnknown
	}{
		{dsn: "clickhouse://u:pw@db.example:9000/acme", want: "http://db.example:8123/"},
		{dsn: "clickhouse://db.example", want: "http://db.example:8123/"},
		{dsn: "clickhouse://db.example:9440/x?secure=true", want: "https://db.example:8443/"},
		{dsn: "clickhouse://db.example?secure=true", want: "https://db.example:8443/"},
		{dsn: "clickhouse://db.example?secure", want: "https://db.example:8443/"},
		{dsn: "clickhouse://db.example?secure=1&skip_verify=true", want: "https://db.example:8443/"},
		{dsn: "clickhouse://db.example?secure=false", want: "http://db.example:8123/"},
		{dsn: "clickhouse://127.0.0.1:19000/?http_port=18123", want: "http://127.0.0.1:18123/"},
		{dsn: "clickhouse://127.0.0.1:19440/?secure=true&http_port=18443", want: "https://127.0.0.1:18443/"},
		{dsn: "clickhouse://127.0.0.1:19000/?http_port=18123", explicit: 28123, want: "http://127.0.0.1:28123/"},
		{dsn: "clickhouse://127.0.0.1:19000/", explicit: 28123, want: "http://127.0.0.1:28123/"},
		{dsn: "clickhouse://[::1]:9000/", want: "http://[::1]:8123/"},
		{dsn: "clickhouse://u:pw@127.0.0.1:19000/", want: "the HTTP interface's port cannot be derived from native port 19000", unknown: true},
		{dsn: "clickhouse://u:pw@db.example:9000/?http_port=web", want: `http_port="web" is not a port number`},
		{dsn: "clickhouse://u:pw@db.example:9000/?http_port=70000", want: `http_port="70000" is not a port number`},
		{dsn: "not a url pw", want: "does not parse as a URL"},
	} {
		got, err := warehouse.HTTPInterface(c.dsn, c.explicit)
		switch {
		case err != nil && (!strings.Contains(err.Error(), c.want) || errors.Is(err, warehouse.ErrHTTPPortUnknown) != c.unknown):
			t.Errorf("HTTPInterface(%q, %d) error = %v, want %q (unknown port: %v)", c.dsn, c.explicit, err, c.want, c.unknown)
		case err != nil && strings.Contains(err.Error(), "pw"):
			t.Errorf("HTTPInterface(%q) error shows the password: %v", c.dsn, err)
		case err == nil && got.String() != c.want:
			t.Errorf("HTTPInterface(%q, %d) = %s, want %s", c.dsn, c.explicit, got.String(), c.want)
		}
	}
}
