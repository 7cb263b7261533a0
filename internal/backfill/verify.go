package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/canonic-data/canonic/internal/scd"
	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// Rules --verify checks besides scd.Check's per-key invariants
// (scd.RuleCurrent, RuleFlag, RuleEnd, RuleOverlap, RuleChain).
const (
	RuleHash  = "hash"  // record_hash is not the hash of the row's columns
	RuleCount = "count" // current keys differ from the source's /count
)

// Violation is one broken SCD Type 2 invariant found by --verify.
type Violation struct {
	Rule   string // RuleHash, RuleCount or an scd Rule
	Key    int64  // the business key (unused for RuleCount)
	Detail string // what is wrong, with the versions' dates
}

func (v Violation) String() string {
	if v.Rule == RuleCount {
		return v.Rule + ": " + v.Detail
	}
	return fmt.Sprintf("key %d: %s: %s", v.Key, v.Rule, v.Detail)
}

// verifyChunkRows is about how many versions one hash-check query reads:
// the embedded engine returns a query's whole result at once, so the table
// is read in key ranges of about this many rows.
var verifyChunkRows int64 = 50_000

// VerifyReport is what Verify read and found.
type VerifyReport struct {
	Versions, Keys     int64 // rows (FINAL) and distinct keys
	CurrentVersions    int64 // rows with is_current
	CurrentKeys        int64 // keys with a current version
	HashesChecked      int64 // rows whose record_hash was recomputed
	HashesUnverifiable int64 // closed rows hashed under a definition over columns the table no longer has
	SourceCount        int   // the source's /count; -1 when not compared
	Violations         int64
	violationsByRule   map[string]int64
}

// ByRule returns how many violations of rule were found.
func (r VerifyReport) ByRule(rule string) int64 { return r.violationsByRule[rule] }

// Verify checks db.<table> (FINAL) for the SCD Type 2 invariants and calls
// report for each violation: per key (scd.Check) at most one current
// version, is_current exactly when there is no end, every end after its
// start, and each version ending when the next starts; per row, a
// record_hash equal to the hash of the row's columns (under the table's
// hash definition or one recorded earlier: closed versions keep the hash
// they were written with); and, when src is not nil, as many current keys
// as the source's /count. The per-key rules run in SQL, which returns the
// suspect keys only; the hash check streams the table in key ranges.
// Verify writes nothing.
func Verify[R any](ctx context.Context, tbl *table.Table[R], eng warehouse.Engine, db string, src Source, report func(Violation)) (VerifyReport, error) {
	rep := VerifyReport{SourceCount: -1, violationsByRule: map[string]int64{}}
	emit := func(v Violation) {
		rep.Violations++
		rep.violationsByRule[v.Rule]++
		report(v)
	}
	for _, n := range []string{db, tbl.Name, tbl.KeyColumn} {
		if err := warehouse.ValidIdent(n); err != nil {
			return rep, err
		}
	}
	if ok, err := warehouse.TableExists(ctx, eng, db, tbl.Name); err != nil {
		return rep, err
	} else if !ok {
		return rep, fmt.Errorf("table %s.%s does not exist: nothing to verify (load it first)", db, tbl.Name)
	}
	if err := warehouse.CheckTable(ctx, eng, db, tbl.Name, tbl.Columns); err != nil {
		return rep, err
	}
	from := warehouse.QuoteIdent(db) + "." + warehouse.QuoteIdent(tbl.Name) + " FINAL"
	key := warehouse.QuoteIdent(tbl.KeyColumn)

	minKey, maxKey, err := verifyCounts(ctx, eng, from, key, &rep)
	if err != nil {
		return rep, err
	}
	if err := verifyVersions(ctx, eng, from, key, emit); err != nil {
		return rep, err
	}
	if err := verifyHashes(ctx, tbl, eng, db, from, key, minKey, maxKey, &rep, emit); err != nil {
		return rep, err
	}
	if src != nil {
		n, err := src.Count(ctx, tbl.Endpoint, "")
		if err != nil {
			return rep, fmt.Errorf("counting the source's %s: %w", tbl.Endpoint, err)
		}
		rep.SourceCount = n
		if int64(n) != rep.CurrentKeys {
			emit(Violation{Rule: RuleCount, Detail: fmt.Sprintf("%d current keys in %s.%s, but the source's %s/count is %d (records created, deleted or rejected since the last --full run differ too: run one, then verify again)",
				rep.CurrentKeys, db, tbl.Name, tbl.Endpoint, n)})
		}
	}
	return rep, nil
}

// verifyCounts reads the table's row, key and current counts and its key
// range.
func verifyCounts(ctx context.Context, eng warehouse.Engine, from, key string, rep *VerifyReport) (minKey, maxKey int64, err error) {
	q := "SELECT toInt64(count()), toInt64(uniqExact(" + key + ")), toInt64(countIf(toUInt8(is_current) = 1)), " +
		"toInt64(uniqExactIf(" + key + ", toUInt8(is_current) = 1)), toInt64(min(" + key + ")), toInt64(max(" + key + ")) FROM " + from
	var r rowbinary.Reader
	err = eng.Query(ctx, q, func(b []byte) (int, error) {
		r.Reset(b)
		rep.Versions, rep.Keys, rep.CurrentVersions, rep.CurrentKeys = r.Int64(), r.Int64(), r.Int64(), r.Int64()
		minKey, maxKey = r.Int64(), r.Int64()
		return r.Offset(), r.Err()
	})
	if err != nil {
		return 0, 0, fmt.Errorf("counting versions: %w", err)
	}
	return minKey, maxKey, nil
}

// suspectKeysSQL selects the keys whose versions break a per-key rule of
// scd.Check, in SQL over each key's versions sorted by start (end 0
// standing for NULL), so that only those keys are read back.
func suspectKeysSQL(from, key string) string {
	return "SELECT k FROM (SELECT toInt64(" + key + ") AS k, arraySort(x -> tupleElement(x, 1), groupArray(tuple(" +
		"toUInt32(effective_start_date), ifNull(toUInt32(effective_end_date), 0), toUInt8(is_current)))) AS v FROM " + from +
		" GROUP BY " + key + ") WHERE arrayCount(x -> tupleElement(x, 3) = 1, v) > 1" +
		" OR arrayExists(x -> (tupleElement(x, 3) = 1) != (tupleElement(x, 2) = 0), v)" +
		" OR arrayExists(x -> tupleElement(x, 2) != 0 AND tupleElement(x, 2) <= tupleElement(x, 1), v)" +
		" OR arrayExists(i -> tupleElement(v[i], 2) != tupleElement(v[i + 1], 1), arrayEnumerate(arrayPopBack(v)))" +
		" ORDER BY k"
}

// verifyVersions finds the suspect keys in SQL, reads their versions and
// reports what checkVersions finds.
func verifyVersions(ctx context.Context, eng warehouse.Engine, from, key string, emit func(Violation)) error {
	var keys []int64
	var r rowbinary.Reader
	err := eng.Query(ctx, suspectKeysSQL(from, key), func(b []byte) (int, error) {
		r.Reset(b)
		keys = append(keys, r.Int64())
		return r.Offset(), r.Err()
	})
	if err != nil {
		return fmt.Errorf("checking versions: %w", err)
	}
	for len(keys) > 0 {
		chunk := keys[:min(5000, len(keys))]
		keys = keys[len(chunk):]
		in := make([]string, len(chunk))
		for i, k := range chunk {
			in[i] = strconv.FormatInt(k, 10)
		}
		q := "SELECT toInt64(" + key + "), effective_start_date, effective_end_date, toUInt8(is_current) FROM " + from +
			" WHERE " + key + " IN (" + strings.Join(in, ",") + ") ORDER BY " + key + ", effective_start_date"
		cur, have := int64(0), false
		var vs []scd.Version
		flush := func() {
			if have {
				for _, p := range scd.Check(vs) {
					emit(Violation{Rule: p.Rule, Key: cur, Detail: p.Detail})
				}
			}
		}
		err := eng.Query(ctx, q, func(b []byte) (int, error) {
			r.Reset(b)
			k := r.Int64()
			v := scd.Version{Start: r.DateTime().Unix()}
			if !r.Null() {
				v.End, v.HasEnd = r.DateTime().Unix(), true
			}
			v.IsCurrent = r.UInt8() == 1
			if err := r.Err(); err != nil {
				return 0, err
			}
			if !have || k != cur {
				flush()
				cur, have, vs = k, true, vs[:0]
			}
			vs = append(vs, v)
			return r.Offset(), nil
		})
		if err != nil {
			return fmt.Errorf("reading versions: %w", err)
		}
		flush()
	}
	return nil
}

// verifyHashes recomputes every row's record hash, reading the table in
// key ranges of about verifyChunkRows rows.
func verifyHashes[R any](ctx context.Context, tbl *table.Table[R], eng warehouse.Engine, db, from, key string, minKey, maxKey int64, rep *VerifyReport, emit func(Violation)) error {
	if rep.Versions == 0 {
		return nil
	}
	sets, uncheckable, err := hashColumnSets(ctx, tbl, eng, db)
	if err != nil {
		return err
	}
	cols := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		cols[i] = warehouse.QuoteIdent(c.Name)
	}
	head := "SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE "
	row := new(R)
	for _, kr := range keyRanges(minKey, maxKey, rep.Versions, verifyChunkRows) {
		q := head + key + " >= " + strconv.FormatInt(kr[0], 10) + " AND " + key + " <= " + strconv.FormatInt(kr[1], 10)
		err := eng.Query(ctx, q, func(b []byte) (int, error) {
			var zero R
			*row = zero
			n, err := tbl.ReadRowBinary(b, row)
			if err != nil {
				return 0, err
			}
			rep.HashesChecked++
			stored := tbl.SCD(row)
			for _, set := range sets {
				if tbl.HashSubset(row, set) == stored.RecordHash {
					return n, nil
				}
			}
			if uncheckable && !stored.IsCurrent {
				rep.HashesUnverifiable++
				return n, nil
			}
			emit(Violation{Rule: RuleHash, Key: tbl.Key(row), Detail: fmt.Sprintf("version starting %s: record_hash %s is not the hash of the row's columns, %s",
				stored.EffectiveStartDate.UTC().Format(time.RFC3339), clipHash(stored.RecordHash), clipHash(tbl.HashSubset(row, sets[0])))})
			return n, nil
		})
		if err != nil {
			return fmt.Errorf("checking record hashes: %w", err)
		}
	}
	return nil
}

// keyRanges splits the keys minKey..maxKey (inclusive) into ranges of
// equal width, as many as reading rows rows perChunk at a time takes,
// assuming keys spread evenly.
func keyRanges(minKey, maxKey, rows, perChunk int64) [][2]int64 {
	if rows <= 0 || maxKey < minKey {
		return nil
	}
	chunks := uint64((rows + perChunk - 1) / perChunk)
	width := uint64(maxKey-minKey)/chunks + 1
	var out [][2]int64
	for lo := minKey; ; {
		hi := maxKey
		if uint64(maxKey-lo) >= width {
			hi = lo + int64(width) - 1
		}
		out = append(out, [2]int64{lo, hi})
		if hi == maxKey {
			return out
		}
		lo = hi + 1
	}
}

// hashColumnSets returns the column sets a row's hash may have been
// computed over: the table's hash definition first, then every recorded
// earlier one whose columns the table still has. uncheckable reports a
// recorded definition over a column the table no longer has (rows hashed
// under it cannot be recomputed).
func hashColumnSets[R any](ctx context.Context, tbl *table.Table[R], eng warehouse.Engine, db string) (sets []map[string]bool, uncheckable bool, err error) {
	recorded, err := warehouse.HashDefinitionColumns(ctx, eng, db, tbl.Name)
	if err != nil {
		return nil, false, err
	}
	business := map[string]bool{}
	for _, c := range tbl.Columns {
		business[c.Name] = !slices.Contains(table.SCDColumnNames, c.Name)
	}
	seen := map[string]bool{}
	for _, cols := range append([][]string{tbl.HashColumns}, recorded...) {
		id := strings.Join(cols, ",")
		if seen[id] {
			continue
		}
		seen[id] = true
		set := map[string]bool{}
		ok := true
		for _, c := range cols {
			set[c] = true
			ok = ok && business[c]
		}
		if !ok {
			uncheckable = true
			continue
		}
		sets = append(sets, set)
	}
	return sets, uncheckable, nil
}

// clipHash shortens a hash for a message.
func clipHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "..."
	}
	if h == "" {
		return `""`
	}
	return h
}

// printVerify prints Verify's summary after the violations.
func printVerify(w io.Writer, tbl, db string, rep VerifyReport, sourceNote string, elapsed time.Duration) {
	fmt.Fprintf(w, "  %-14s %d (%d keys)\n", "versions", rep.Versions, rep.Keys)
	fmt.Fprintf(w, "  %-14s %d versions of %d keys (a key a --full run closed has none)\n", "current", rep.CurrentVersions, rep.CurrentKeys)
	hashes := fmt.Sprintf("%d rows recomputed", rep.HashesChecked)
	if rep.HashesUnverifiable > 0 {
		hashes += fmt.Sprintf(", %d closed rows hashed under a definition over removed columns not checked", rep.HashesUnverifiable)
	}
	fmt.Fprintf(w, "  %-14s %s\n", "record hashes", hashes)
	if rep.SourceCount >= 0 {
		fmt.Fprintf(w, "  %-14s %d (current keys %d)\n", "source count", rep.SourceCount, rep.CurrentKeys)
	} else {
		fmt.Fprintf(w, "  %-14s not compared: %s\n", "source count", sourceNote)
	}
	fmt.Fprintf(w, "  %-14s %s\n", "time taken", elapsed.Round(time.Millisecond))
	if rep.Violations == 0 {
		fmt.Fprintf(w, "%s.%s: no violation\n", db, tbl)
		return
	}
	var parts []string
	for _, rule := range []string{scd.RuleCurrent, scd.RuleFlag, scd.RuleEnd, scd.RuleOverlap, scd.RuleChain, RuleHash, RuleCount} {
		if n := rep.ByRule(rule); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, rule))
		}
	}
	fmt.Fprintf(w, "%s.%s: %d violation(s): %s\n", db, tbl, rep.Violations, strings.Join(parts, ", "))
}

// verifyMain is Main with --verify: it opens the engine, and the source
// when it is configured, runs Verify, prints each violation as it is found
// and a summary, and returns ExitFailed when any was found.
func verifyMain[R any](ctx context.Context, tbl *table.Table[R], cfg config, name string, stdout, stderr io.Writer) int {
	began := time.Now()
	var src Source
	sourceNote := ""
	if cwCfg, err := connectwise.ConfigFromLookup(cfg.cwURL, tenantEnv(cfg.opts.Tenant, os.Getenv)); err != nil {
		sourceNote = oneLine(err) + " (give --connectwise-url and the credentials to compare with the source's /count)"
	} else {
		cwCfg.RequestsPerMinute = cfg.rpm
		client, err := connectwise.New(cwCfg)
		if err != nil {
			fmt.Fprintf(stderr, "%s: error: %s\n", name, oneLine(err))
			return ExitFailed
		}
		src = client
	}
	eng, err := openEngine(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %s\n", name, oneLine(err))
		return ExitFailed
	}
	defer eng.Close()
	db := cfg.opts.Database
	fmt.Fprintf(stdout, "verify %s.%s (%s): SCD Type 2 invariants, record hashes%s\n", db, tbl.Name, eng.String(),
		map[bool]string{true: ", source count", false: ""}[src != nil])
	rep, err := Verify(ctx, tbl, eng, db, src, func(v Violation) {
		fmt.Fprintf(stdout, "  violation: %s\n", v)
	})
	if err != nil {
		var drift *warehouse.DriftError
		if errors.As(err, &drift) {
			fmt.Fprint(stderr, drift.Report())
		}
		fmt.Fprintf(stderr, "%s: error: %s\n", name, oneLine(err))
		return ExitFailed
	}
	printVerify(stdout, tbl.Name, db, rep, sourceNote, time.Since(began))
	if rep.Violations > 0 {
		fmt.Fprintf(stderr, "%s: --verify found %d violation(s) in %s.%s (exit status %d)\n", name, rep.Violations, db, tbl.Name, ExitFailed)
		return ExitFailed
	}
	return ExitOK
}
