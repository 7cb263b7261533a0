package backfill

import (
	"fmt"
	"strings"
	"time"
)

// Rules --verify checks, as they name a violation.
const (
	RuleCurrent = "current" // a key has more than one current version
	RuleFlag    = "flag"    // is_current disagrees with effective_end_date
	RuleEnd     = "end"     // a version ends before (or when) it starts
	RuleOverlap = "overlap" // a version overlaps the next one of its key
	RuleChain   = "chain"   // a version ends before the next one starts (a gap)
	RuleHash    = "hash"    // record_hash is not the hash of the row's columns
	RuleCount   = "count"   // current keys differ from the source's /count
)

// Violation is one broken SCD Type 2 invariant found by --verify.
type Violation struct {
	Rule   string // one of the Rule constants
	Key    int64  // the business key (unused for RuleCount)
	Detail string // what is wrong, with the versions' dates
}

func (v Violation) String() string {
	if v.Rule == RuleCount {
		return v.Rule + ": " + v.Detail
	}
	return fmt.Sprintf("key %d: %s: %s", v.Key, v.Rule, v.Detail)
}

// version is one row of a key's history as --verify reads it.
type version struct {
	Start   time.Time
	End     time.Time // zero when effective_end_date is NULL
	Current bool
}

// checkVersions returns the violations among one key's versions, which
// are sorted by start (FINAL leaves one row per start). A key has at most
// one current version (none when a --full run closed it); a version is
// current exactly when it has no end; every end is after its start; and
// each version ends exactly when the next starts.
func checkVersions(key int64, vs []version) []Violation {
	var out []Violation
	add := func(rule, format string, args ...any) {
		out = append(out, Violation{Rule: rule, Key: key, Detail: fmt.Sprintf(format, args...)})
	}
	var current []string
	for _, v := range vs {
		if v.Current {
			current = append(current, stamp(v.Start))
		}
	}
	if len(current) > 1 {
		add(RuleCurrent, "%d current versions, starting %s", len(current), strings.Join(current, ", "))
	}
	for _, v := range vs {
		switch {
		case v.Current && !v.End.IsZero():
			add(RuleFlag, "version starting %s is current but ends %s", stamp(v.Start), stamp(v.End))
		case !v.Current && v.End.IsZero():
			add(RuleFlag, "version starting %s is not current but has no end", stamp(v.Start))
		}
		if !v.End.IsZero() && !v.End.After(v.Start) {
			add(RuleEnd, "version starting %s ends %s, not after it starts", stamp(v.Start), stamp(v.End))
		}
	}
	for i := 0; i+1 < len(vs); i++ {
		a, b := vs[i], vs[i+1]
		switch {
		case a.End.IsZero():
			add(RuleOverlap, "version starting %s has no end, but a later version starts %s", stamp(a.Start), stamp(b.Start))
		case a.End.After(b.Start):
			add(RuleOverlap, "version %s..%s overlaps the next, which starts %s", stamp(a.Start), stamp(a.End), stamp(b.Start))
		case a.End.Before(b.Start):
			add(RuleChain, "version %s..%s ends before the next starts (%s): a gap", stamp(a.Start), stamp(a.End), stamp(b.Start))
		}
	}
	return out
}

// stamp formats a version date.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
