package maprt

import (
	"slices"
	"strings"
	"testing"
)

func TestInvalidUTF8Paths(t *testing.T) {
	tests := []struct {
		rec  string
		want []string
	}{
		{`{"id":1,"summary":"fine ünïcode"}`, nil},
		{"{\"id\":1,\"summary\":\"bad \xff byte\"}", []string{"summary"}},
		{"{\"status\":{\"id\":2,\"name\":\"cut \xc3\"},\"summary\":\"ok\"}", []string{"status__name"}},
		{"{\"a\":[\"\xfe\",{\"b\":\"x\xff\"}],\"c\":\"\\\"\xff\\\\\"}", []string{"a", "a__b", "c"}},
		{"{\"k\xff\":\"v\",\"n\":null,\"t\":true,\"x\":1.5e3}", nil}, // a bad key is not a value the mapper reads
		{"{\"s\":\"\xff", []string{}},                                // malformed: stops without a panic
		// Lone surrogate escapes are replaced too; a pair and an escaped backslash are not.
		{`{"a":"x\ud800y","b":"\ud83d\ude00","c":"\\ud800","d":"\udc00","e":"\uD800\u0041"}`, []string{"a", "d", "e"}},
	}
	for _, tt := range tests {
		var got []string
		InvalidUTF8Paths([]byte(tt.rec), func(p string) { got = append(got, p) })
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("InvalidUTF8Paths(%q) = %q, want %q", tt.rec, got, tt.want)
		}
	}
	// What Unmarshal does with them: replaced, silently (hence the count).
	var v struct {
		S *string `json:"summary"`
	}
	if err := Unmarshal([]byte("{\"summary\":\"bad \xff byte\"}"), &v); err != nil || !strings.Contains(*v.S, "\uFFFD") {
		t.Errorf("Unmarshal: %v %q", err, *v.S)
	}
}
