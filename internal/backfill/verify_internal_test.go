package backfill

import (
	"reflect"
	"testing"
)

func TestViolationString(t *testing.T) {
	if s := (Violation{Rule: "chain", Key: 3, Detail: "x"}).String(); s != "key 3: chain: x" {
		t.Errorf("String() = %q", s)
	}
	if s := (Violation{Rule: RuleCount, Detail: "y"}).String(); s != "count: y" {
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
