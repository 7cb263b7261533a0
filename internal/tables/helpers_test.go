package tables_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

// Credentials of the fake ConnectWise.
const (
	company    = "acmemsp"
	publicKey  = "pubKEY-tables"
	privateKey = "privKEY-tables-5ecret"
)

// serveCW serves store over httptest and points the ConnectWise
// environment at it.
func serveCW(t *testing.T, store *cwfake.Store) {
	t.Helper()
	srv := httptest.NewServer(cwfake.New(cwfake.Config{Store: store, CompanyID: company, PublicKey: publicKey, PrivateKey: privateKey}))
	t.Cleanup(srv.Close)
	t.Setenv(connectwise.EnvURL, srv.URL+cwfake.DefaultBasePath+"/")
	t.Setenv(connectwise.EnvCompany, company)
	t.Setenv(connectwise.EnvPublicKey, publicKey)
	t.Setenv(connectwise.EnvPrivateKey, privateKey)
	t.Setenv(connectwise.EnvClientID, cwfake.DefaultClientID)
	t.Setenv(backfill.EnvClickHouseDSN, "")
}

// run is one backfill.Main run of tbl into db on the embedded target.
func run[R any](t *testing.T, tg wt.Target, db string, tbl *table.Table[R], args ...string) string {
	t.Helper()
	all := append([]string{"--tenant", db, "--data-dir", tg.DataDir}, args...)
	var out, errb bytes.Buffer
	if code := backfill.Main(tbl, all, &out, &errb); code != 0 {
		t.Fatalf("backfill %s %v: exit %d\nstdout:\n%s\nstderr:\n%s", tbl.Name, args, code, out.String(), errb.String())
	}
	if strings.Contains(out.String()+errb.String(), privateKey) {
		t.Fatalf("backfill %s output shows the private key", tbl.Name)
	}
	return out.String()
}

// summary returns the first field of the summary line named key.
func summary(t *testing.T, stdout, key string) string {
	t.Helper()
	for _, line := range strings.Split(stdout, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), key+" "); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatalf("summary has no %q line:\n%s", key, stdout)
	return ""
}

// expect checks summary counts.
func expect(t *testing.T, stdout string, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got := summary(t, stdout, k); got != strconv.Itoa(v) {
			t.Errorf("summary %s = %s, want %d\n%s", k, got, v, stdout)
		}
	}
}

// count runs a query returning one Int64.
func count(t *testing.T, e warehouse.Engine, q string) int64 {
	t.Helper()
	var out []int64
	var r rowbinary.Reader
	err := e.Query(context.Background(), q, func(src []byte) (int, error) {
		r.Reset(src)
		out = append(out, r.Int64())
		return r.Offset(), r.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if len(out) != 1 {
		t.Fatalf("%s: %d rows", q, len(out))
	}
	return out[0]
}

// moduleRoot returns the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// checker compares loaded column values with the served JSON of one
// record.
type checker struct {
	t     *testing.T
	table string
	rec   map[string]any
	id    any
	n     int // comparisons made
	// store serves the record's children (ticket notes).
	store *cwfake.Store
}

// jsonAt returns the value at a dotted path ("company.id") of the record.
func (c *checker) jsonAt(path string) (any, bool) {
	var v any = c.rec
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, v != nil
}

// want converts a served JSON value to the Go type of like.
func want(v any, like any) (any, error) {
	switch like.(type) {
	case int64:
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a number", v, v)
		}
		return int64(f), nil
	case int32:
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a number", v, v)
		}
		return int32(f), nil
	case float64:
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a number", v, v)
		}
		return f, nil
	case string, bool:
		return v, nil
	case time.Time:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a timestamp string", v, v)
		}
		return time.Parse(time.RFC3339, s)
	case decimal.Decimal:
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a number", v, v)
		}
		return decimal.NewFromFloat(f), nil
	}
	return nil, fmt.Errorf("no conversion to %T", like)
}

func equalValues(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		return x.Equal(b.(time.Time))
	case decimal.Decimal:
		return x.Equal(b.(decimal.Decimal))
	}
	return a == b
}

// null checks a nullable column against the JSON path: NULL exactly when
// the key is missing, else the same value.
func null[T any](c *checker, col string, got sql.Null[T], path string) {
	c.t.Helper()
	c.n++
	v, present := c.jsonAt(path)
	switch {
	case !present && !got.Valid:
		return
	case !present:
		c.t.Errorf("%s id %v: %s = %v, want NULL (no %s in the served JSON)", c.table, c.id, col, got.V, path)
		return
	case !got.Valid:
		c.t.Errorf("%s id %v: %s is NULL, want %v (served %s)", c.table, c.id, col, v, path)
		return
	}
	w, err := want(v, any(got.V))
	if err != nil {
		c.t.Errorf("%s id %v: %s: served %s: %v", c.table, c.id, col, path, err)
		return
	}
	if !equalValues(any(got.V), w) {
		c.t.Errorf("%s id %v: %s = %v, want %v (served %s)", c.table, c.id, col, got.V, w, path)
	}
}

// val checks a non-nullable column against the JSON path.
func val[T any](c *checker, col string, got T, path string) {
	c.t.Helper()
	null(c, col, sql.Null[T]{V: got, Valid: true}, path)
}
