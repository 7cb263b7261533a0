package scd

import (
	"reflect"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	d := func(day int) int64 { return time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC).Unix() }
	closed := func(s, e int) Version { return Version{Start: d(s), End: d(e), HasEnd: true} }
	open := func(s int) Version { return Version{Start: d(s), IsCurrent: true} }
	cases := []struct {
		name string
		vs   []Version
		want []Problem
	}{
		{"one current version", []Version{open(1)}, nil},
		{"a chain ending in the current version", []Version{closed(1, 3), closed(3, 7), open(7)}, nil},
		{"closed by a full sweep: no current version", []Version{closed(1, 3), closed(3, 9)}, nil},
		{"two current versions", []Version{open(1), open(5)}, []Problem{
			{RuleCurrent, "2 current versions, starting 2024-01-01T00:00:00Z, 2024-01-05T00:00:00Z"},
			{RuleOverlap, "version starting 2024-01-01T00:00:00Z has no end, but a later version starts 2024-01-05T00:00:00Z"}}},
		{"current with an end", []Version{{Start: d(1), End: d(4), HasEnd: true, IsCurrent: true}}, []Problem{
			{RuleFlag, "version starting 2024-01-01T00:00:00Z is current but ends 2024-01-04T00:00:00Z"}}},
		{"closed without an end", []Version{{Start: d(1)}}, []Problem{
			{RuleFlag, "version starting 2024-01-01T00:00:00Z is not current but has no end"}}},
		{"ends before it starts", []Version{closed(5, 2)}, []Problem{
			{RuleEnd, "version starting 2024-01-05T00:00:00Z ends 2024-01-02T00:00:00Z, not after it starts"}}},
		{"ends when it starts", []Version{closed(5, 5)}, []Problem{
			{RuleEnd, "version starting 2024-01-05T00:00:00Z ends 2024-01-05T00:00:00Z, not after it starts"}}},
		{"overlap", []Version{closed(1, 6), open(4)}, []Problem{
			{RuleOverlap, "version 2024-01-01T00:00:00Z..2024-01-06T00:00:00Z overlaps the next, which starts 2024-01-04T00:00:00Z"}}},
		{"gap", []Version{closed(1, 3), open(4)}, []Problem{
			{RuleChain, "version 2024-01-01T00:00:00Z..2024-01-03T00:00:00Z ends before the next starts (2024-01-04T00:00:00Z): a gap"}}},
	}
	for _, c := range cases {
		if got := Check(c.vs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}

// TestPlansPassCheck: the versions PlanRecord and Close write, one after
// another, keep the invariants Check tests, including a change within the
// same second.
func TestPlansPassCheck(t *testing.T) {
	const runStart, now = int64(1_700_000_000), int64(1_700_000_100)
	var vs []Version
	var cur *Current
	for i, ts := range []int64{1_600_000_000, 1_600_000_500, 1_600_000_500, 1_600_000_400} {
		rec := Record{Hash: Hash{byte(i + 1)}, Version: ts, HasVersion: true}
		p := PlanRecord(cur, rec, runStart, now)
		if p.CloseStored {
			last := &vs[len(vs)-1]
			last.End, last.HasEnd, last.IsCurrent = p.Close.End, p.Close.HasEnd, p.Close.IsCurrent
		}
		vs = append(vs, Version{Start: p.Open.Start, IsCurrent: true})
		cur = Next(cur, p, rec.Hash)
	}
	last := &vs[len(vs)-1]
	c := Close(Stored{Start: last.Start}, runStart, now)
	last.End, last.HasEnd, last.IsCurrent = c.End, c.HasEnd, c.IsCurrent
	if got := Check(vs); got != nil {
		t.Errorf("planned versions %+v break invariants: %v", vs, got)
	}
}
