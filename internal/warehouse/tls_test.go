package warehouse_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// TestServerOverTLS loads through the DSN's secure=true: the engine talks
// TLS to the server's secure native port and inserts over https, and a
// plain connection to either port fails (so TLS really was used).
func TestServerOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a ClickHouse server (-short)")
	}
	srv := chserver.Start(t, chserver.WithTLS())
	ctx := context.Background()
	_, httpsPort, _ := net.SplitHostPort(srv.HTTPSAddr)
	dsn := "clickhouse://" + chserver.LoaderUser + ":" + chserver.LoaderPassword + "@" + srv.SecureAddr +
		"/default?secure=true&skip_verify=true&http_port=" + httpsPort
	eng, err := warehouse.OpenServer(ctx, dsn)
	if err != nil {
		t.Fatalf("open over TLS: %v", err)
	}
	defer eng.Close()
	if one := queryInt64(t, eng, "SELECT toInt64(1)"); one != 1 {
		t.Fatalf("query over TLS: got %d", one)
	}
	db := "tls_insert"
	if err := warehouse.EnsureDatabase(ctx, eng, db); err != nil {
		t.Fatal(err)
	}
	if err := eng.ApplyDDL(ctx, db, "CREATE TABLE seq (k Int64) ENGINE = MergeTree ORDER BY k;\n"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Insert(ctx, db, "seq", []string{"k"}, seqRows(10)); err != nil {
		t.Fatalf("insert over https: %v", err)
	}
	if n := queryInt64(t, eng, "SELECT toInt64(sum(k)) FROM tls_insert.seq"); n != 45 {
		t.Fatalf("rows inserted over https: sum %d, want 45", n)
	}
	if strings.Contains(eng.String(), chserver.LoaderPassword) {
		t.Fatalf("engine description shows the password: %s", eng.String())
	}

	plain := strings.Replace(dsn, "secure=true&skip_verify=true", "dial_timeout=2s", 1)
	if e, err := warehouse.OpenServer(ctx, plain); err == nil {
		e.Close()
		t.Fatal("a plain connection to the TLS port succeeded: the port does not require TLS")
	} else if strings.Contains(err.Error(), chserver.LoaderPassword) {
		t.Fatalf("error shows the password: %v", err)
	}
	// TLS on the native port, plain HTTP to the https port.
	_, httpPort, _ := net.SplitHostPort(srv.HTTPAddr)
	if e, err := warehouse.OpenServer(ctx, strings.Replace(dsn, "http_port="+httpsPort, "http_port="+httpPort, 1)); err == nil {
		e.Close()
		t.Fatal("https to the plain HTTP port succeeded")
	} else if !strings.Contains(err.Error(), "HTTP interface") || strings.Contains(err.Error(), chserver.LoaderPassword) {
		t.Fatalf("https to the plain HTTP port: %v", err)
	}
}
