package warehouse_test

import (
	"context"
	"strings"
	"testing"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/testenv/chserver"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// TestServerOverTLS loads through the DSN's secure=true: the engine talks
// TLS to the server's secure port, and a plain connection to that port
// fails (so TLS really was used).
func TestServerOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a ClickHouse server (-short)")
	}
	srv := chserver.Start(t, chserver.WithTLS())
	ctx := context.Background()
	dsn := "clickhouse://" + chserver.LoaderUser + ":" + chserver.LoaderPassword + "@" + srv.SecureAddr + "/default?secure=true&skip_verify=true"
	eng, err := warehouse.OpenServer(ctx, dsn)
	if err != nil {
		t.Fatalf("open over TLS: %v", err)
	}
	defer eng.Close()
	var one int64
	if err := eng.Query(ctx, "SELECT toInt64(1)", func(src []byte) (int, error) {
		r := rowbinary.NewReader(src)
		one = r.Int64()
		return r.Offset(), r.Err()
	}); err != nil || one != 1 {
		t.Fatalf("query over TLS: %v (got %d)", err, one)
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
}
