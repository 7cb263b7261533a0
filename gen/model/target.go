package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Target is the oldest ClickHouse server version the DDL must run on.
type Target struct {
	Major, Minor int
}

// DefaultTarget is a current ClickHouse release: every feature allowed.
var DefaultTarget = Target{Major: 26, Minor: 7}

// Feature is a DDL feature that older servers lack.
type Feature int

// Features the emitters ask about, with the release that introduced them.
const (
	FeatureBool           Feature = iota // Bool type: 21.12
	FeatureLowCardinality                // LowCardinality: 19.1
	FeatureDateTime64                    // DateTime64: 20.1
	FeatureCodec                         // column CODEC: 19.1
	FeatureDate32                        // Date32: 21.9
)

var featureSince = map[Feature]Target{
	FeatureBool:           {21, 12},
	FeatureLowCardinality: {19, 1},
	FeatureDateTime64:     {20, 1},
	FeatureCodec:          {19, 1},
	FeatureDate32:         {21, 9},
}

// MinTarget is the oldest server this compiler can target: Debian's
// clickhouse-server package.
var MinTarget = Target{Major: 18, Minor: 16}

// Has reports whether servers from t on support f.
func (t Target) Has(f Feature) bool { return !t.Less(featureSince[f]) }

// Less orders versions.
func (t Target) Less(o Target) bool {
	return t.Major < o.Major || (t.Major == o.Major && t.Minor < o.Minor)
}

func (t Target) String() string { return fmt.Sprintf("%d.%d", t.Major, t.Minor) }

// ParseTarget reads "18.16", "26.7" or "26.7.3" (the patch is ignored).
func ParseTarget(s string) (Target, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 4 {
		return Target{}, fmt.Errorf("ClickHouse target %q: write MAJOR.MINOR, e.g. 18.16 or 26.7", s)
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return Target{}, fmt.Errorf("ClickHouse target %q: write MAJOR.MINOR, e.g. 18.16 or 26.7", s)
		}
	}
	major, _ := strconv.Atoi(parts[0])
	minor, _ := strconv.Atoi(parts[1])
	t := Target{major, minor}
	if t.Less(MinTarget) {
		return Target{}, fmt.Errorf("ClickHouse target %s is older than the oldest supported server %s", t, MinTarget)
	}
	return t, nil
}
