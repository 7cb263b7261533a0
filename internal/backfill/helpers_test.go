package backfill_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/canonic-data/canonic/internal/backfill"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/warehouse"
	wt "github.com/canonic-data/canonic/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { wt.Main(m) }

// Credentials of the fake ConnectWise; the private key doubles as the
// secret the output must never show.
const (
	company    = "acmemsp"
	publicKey  = "pubKEY-7f3a9c"
	privateKey = "privKEY-S3cr3t-e81d"
)

// fakeCW serves store over httptest and points the ConnectWise environment
// at it.
func fakeCW(t *testing.T, store *cwfake.Store) string {
	t.Helper()
	srv := httptest.NewServer(cwfake.New(cwfake.Config{Store: store, CompanyID: company, PublicKey: publicKey, PrivateKey: privateKey}))
	t.Cleanup(srv.Close)
	url := srv.URL + cwfake.DefaultBasePath + "/"
	setCWEnv(t, url)
	return url
}

// fakeClient is a ConnectWise client of store served by fakeCW.
func fakeClient(t *testing.T, store *cwfake.Store) *connectwise.Client {
	t.Helper()
	cfg, err := connectwise.ConfigFromEnv(fakeCW(t, store))
	if err != nil {
		t.Fatal(err)
	}
	client, err := connectwise.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func setCWEnv(t *testing.T, url string) {
	t.Setenv(connectwise.EnvURL, url)
	t.Setenv(connectwise.EnvCompany, company)
	t.Setenv(connectwise.EnvPublicKey, publicKey)
	t.Setenv(connectwise.EnvPrivateKey, privateKey)
	t.Setenv(connectwise.EnvClientID, cwfake.DefaultClientID)
	t.Setenv(backfill.EnvClickHouseDSN, "")
}

// staticCW serves the given JSON array as the only page of every list
// request, and its length as /count.
func staticCW(t *testing.T, body func() string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/count") {
			n, _ := connectwise.CountRecords([]byte(body()))
			fmt.Fprintf(w, `{"count": %d}`, n)
			return
		}
		w.Write([]byte(body()))
	}))
	t.Cleanup(srv.Close)
	setCWEnv(t, srv.URL+"/v4_6_release/apis/3.0/")
}

// pageCW serves one page through staticCW and returns the function that
// sets its records.
func pageCW(t *testing.T) (setPage func(recs ...string)) {
	t.Helper()
	var mu sync.Mutex
	page := "[]"
	staticCW(t, func() string { mu.Lock(); defer mu.Unlock(); return page })
	return func(recs ...string) {
		mu.Lock()
		defer mu.Unlock()
		page = "[" + strings.Join(recs, ",") + "]"
	}
}

// result is one Main run.
type result struct {
	code           int
	stdout, stderr string
}

// load runs the generated-binary entry point against tg with db as tenant.
func load(t *testing.T, tg wt.Target, db string, args ...string) result {
	t.Helper()
	all := []string{"--tenant", db, "--batch-rows", "97"} // odd batches: several per load
	if tg.Kind == warehouse.KindServer {
		all = append(all, "--clickhouse", tg.DSN)
	} else {
		all = append(all, "--data-dir", tg.DataDir)
	}
	var out, errb bytes.Buffer
	code := backfill.Main(wt.Tickets(), append(all, args...), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// mustLoad is load that fails the test on a non-zero exit.
func mustLoad(t *testing.T, tg wt.Target, db string, args ...string) result {
	t.Helper()
	r := load(t, tg, db, args...)
	if r.code != 0 {
		t.Fatalf("backfill %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// summaryValue returns the first field of the summary line named key.
func summaryValue(t *testing.T, r result, key string) string {
	t.Helper()
	for _, line := range strings.Split(r.stdout, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, key+" "); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatalf("summary has no %q line:\n%s", key, r.stdout)
	return ""
}

// expect checks summary counts.
func expect(t *testing.T, r result, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := summaryValue(t, r, k); got != v {
			t.Errorf("summary %s = %s, want %s\n%s", k, got, v, r.stdout)
		}
	}
}

// allVersions reads every version row (FINAL) of db.tickets, by key in
// start order.
func allVersions(t *testing.T, tg wt.Target, db string) map[int64][]wt.Row {
	t.Helper()
	tbl := wt.Tickets()
	out := map[int64][]wt.Row{}
	q := "SELECT * FROM `" + db + "`.tickets FINAL ORDER BY id, effective_start_date"
	err := tg.Engine.Query(context.Background(), q, func(src []byte) (int, error) {
		var r wt.Row
		n, err := tbl.ReadRowBinary(src, &r)
		out[r.ID] = append(out[r.ID], r)
		return n, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkInvariants verifies the SCD shape of every key: exactly one current
// version, which is the last; each closed version ends where the next
// starts; starts strictly increase.
func checkInvariants(t *testing.T, versions map[int64][]wt.Row, deleted map[int64]bool) {
	t.Helper()
	keys := make([]int64, 0, len(versions))
	for k := range versions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := versions[k]
		current := 0
		for i, v := range vs {
			if v.IsCurrent {
				current++
				if v.EffectiveEndDate.Valid {
					t.Errorf("key %d: current version has an end date", k)
				}
			} else if !v.EffectiveEndDate.Valid {
				t.Errorf("key %d: closed version without end date", k)
			}
			if !v.EffectiveEndDate.Valid {
				continue
			}
			if !v.EffectiveEndDate.V.After(v.EffectiveStartDate) {
				t.Errorf("key %d: version ends %v, not after its start %v", k, v.EffectiveEndDate.V, v.EffectiveStartDate)
			}
			if i+1 < len(vs) && !v.EffectiveEndDate.V.Equal(vs[i+1].EffectiveStartDate) {
				t.Errorf("key %d: version ends %v but the next starts %v", k, v.EffectiveEndDate.V, vs[i+1].EffectiveStartDate)
			}
			if v.UpdatedAt.Before(v.CreatedAt) {
				t.Errorf("key %d: updated_at %v before created_at %v", k, v.UpdatedAt, v.CreatedAt)
			}
		}
		want := 1
		if deleted[k] {
			want = 0
		}
		if current != want {
			t.Errorf("key %d: %d current versions, want %d", k, current, want)
		}
		if want == 1 && !vs[len(vs)-1].IsCurrent {
			t.Errorf("key %d: the current version is not the latest", k)
		}
	}
}

func set(ids []int) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[int64(id)] = true
	}
	return m
}
