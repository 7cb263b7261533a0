package scd

import (
	"fmt"
	"strings"
	"time"
)

// Invariants of a key's stored versions, as Check names a broken one.
const (
	RuleCurrent = "current" // more than one current version
	RuleFlag    = "flag"    // is_current disagrees with effective_end_date
	RuleEnd     = "end"     // a version ends before (or when) it starts
	RuleOverlap = "overlap" // a version overlaps the next
	RuleChain   = "chain"   // a version ends before the next starts (a gap)
)

// Version is one stored version of a key, as Check reads it.
type Version struct {
	Start     int64 // effective_start_date
	End       int64 // effective_end_date, when HasEnd
	HasEnd    bool  // false when effective_end_date is NULL
	IsCurrent bool
}

// Problem is one broken invariant among a key's versions.
type Problem struct {
	Rule   string // one of the Rule constants
	Detail string // what is wrong, with the versions' dates
}

// Check returns what breaks the invariants the rules above keep, among
// one key's versions sorted by start (one per start, as FINAL reads them):
// at most one current version (none once Close closed the key); a version
// is current exactly when it has no end; every end is after its start;
// and each version ends exactly when the next starts.
func Check(vs []Version) []Problem {
	var out []Problem
	add := func(rule, format string, args ...any) {
		out = append(out, Problem{Rule: rule, Detail: fmt.Sprintf(format, args...)})
	}
	var current []string
	for _, v := range vs {
		if v.IsCurrent {
			current = append(current, stamp(v.Start))
		}
	}
	if len(current) > 1 {
		add(RuleCurrent, "%d current versions, starting %s", len(current), strings.Join(current, ", "))
	}
	for _, v := range vs {
		switch {
		case v.IsCurrent && v.HasEnd:
			add(RuleFlag, "version starting %s is current but ends %s", stamp(v.Start), stamp(v.End))
		case !v.IsCurrent && !v.HasEnd:
			add(RuleFlag, "version starting %s is not current but has no end", stamp(v.Start))
		}
		if v.HasEnd && v.End <= v.Start {
			add(RuleEnd, "version starting %s ends %s, not after it starts", stamp(v.Start), stamp(v.End))
		}
	}
	for i := 0; i+1 < len(vs); i++ {
		a, b := vs[i], vs[i+1]
		switch {
		case !a.HasEnd:
			add(RuleOverlap, "version starting %s has no end, but a later version starts %s", stamp(a.Start), stamp(b.Start))
		case a.End > b.Start:
			add(RuleOverlap, "version %s..%s overlaps the next, which starts %s", stamp(a.Start), stamp(a.End), stamp(b.Start))
		case a.End < b.Start:
			add(RuleChain, "version %s..%s ends before the next starts (%s): a gap", stamp(a.Start), stamp(a.End), stamp(b.Start))
		}
	}
	return out
}

// stamp formats a version date.
func stamp(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }
