package backfill

import (
	"reflect"
	"testing"
	"time"
)

func TestCheckVersions(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC) }
	closed := func(s, e int) version { return version{Start: d(s), End: d(e)} }
	open := func(s int) version { return version{Start: d(s), Current: true} }
	cases := []struct {
		name string
		vs   []version
		want []Violation
	}{
		{"one current version", []version{open(1)}, nil},
		{"a chain ending in the current version", []version{closed(1, 3), closed(3, 7), open(7)}, nil},
		{"closed by a full sweep: no current version", []version{closed(1, 3), closed(3, 9)}, nil},
		{"two current versions", []version{open(1), open(5)}, []Violation{
			{RuleCurrent, 7, "2 current versions, starting 2024-01-01T00:00:00Z, 2024-01-05T00:00:00Z"},
			{RuleOverlap, 7, "version starting 2024-01-01T00:00:00Z has no end, but a later version starts 2024-01-05T00:00:00Z"}}},
		{"current with an end", []version{{Start: d(1), End: d(4), Current: true}}, []Violation{
			{RuleFlag, 7, "version starting 2024-01-01T00:00:00Z is current but ends 2024-01-04T00:00:00Z"}}},
		{"closed without an end", []version{{Start: d(1)}}, []Violation{
			{RuleFlag, 7, "version starting 2024-01-01T00:00:00Z is not current but has no end"}}},
		{"ends before it starts", []version{closed(5, 2)}, []Violation{
			{RuleEnd, 7, "version starting 2024-01-05T00:00:00Z ends 2024-01-02T00:00:00Z, not after it starts"}}},
		{"ends when it starts", []version{closed(5, 5)}, []Violation{
			{RuleEnd, 7, "version starting 2024-01-05T00:00:00Z ends 2024-01-05T00:00:00Z, not after it starts"}}},
		{"overlap", []version{closed(1, 6), open(4)}, []Violation{
			{RuleOverlap, 7, "version 2024-01-01T00:00:00Z..2024-01-06T00:00:00Z overlaps the next, which starts 2024-01-04T00:00:00Z"}}},
		{"gap", []version{closed(1, 3), open(4)}, []Violation{
			{RuleChain, 7, "version 2024-01-01T00:00:00Z..2024-01-03T00:00:00Z ends before the next starts (2024-01-04T00:00:00Z): a gap"}}},
	}
	for _, c := range cases {
		if got := checkVersions(7, c.vs); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
	if s := (Violation{RuleChain, 3, "x"}).String(); s != "key 3: chain: x" {
		t.Errorf("String() = %q", s)
	}
}

func TestKeyRanges(t *testing.T) {
	cases := []struct {
		min, max, rows, per int64
		want                [][2]int64
	}{
		{1, 10, 10, 50_000, [][2]int64{{1, 10}}},
		{1, 10, 10, 5, [][2]int64{{1, 5}, {6, 10}}},
		{1, 10, 10, 3, [][2]int64{{1, 3}, {4, 6}, {7, 9}, {10, 10}}},
		{7, 7, 3, 1, [][2]int64{{7, 7}}},
		{-5, 4, 4, 2, [][2]int64{{-5, -1}, {0, 4}}},
		{1, 10, 0, 5, nil},
	}
	for _, c := range cases {
		if got := keyRanges(c.min, c.max, c.rows, c.per); !reflect.DeepEqual(got, c.want) {
			t.Errorf("keyRanges(%d, %d, %d, %d) = %v, want %v", c.min, c.max, c.rows, c.per, got, c.want)
		}
	}
}
