package connectwise

import (
	"net/http"
	"reflect"
	"testing"
)

func TestParseLinks(t *testing.T) {
	const a, b = "https://h/apis/3.0/service/tickets?page=2&pageSize=1000", "https://h/apis/3.0/service/tickets?page=9"
	tests := []struct {
		name   string
		values []string
		want   []Link
	}{
		{"connectwise style", []string{`<` + a + `>; rel="next", <` + b + `>; rel="last"`},
			[]Link{{a, []string{"next"}}, {b, []string{"last"}}}},
		{"no spaces, bare rel", []string{`<` + a + `>;rel=next,<` + b + `>;rel=last`},
			[]Link{{a, []string{"next"}}, {b, []string{"last"}}}},
		{"extra spaces and case", []string{`  < ` + a + ` >  ;  REL = "Next"  ,  <` + b + `> ; Rel='LAST' `},
			[]Link{{a, []string{"next"}}, {b, []string{"last"}}}},
		{"several header lines", []string{`<` + a + `>; rel="next"`, `<` + b + `>; rel="last"`},
			[]Link{{a, []string{"next"}}, {b, []string{"last"}}}},
		{"multiple rels and other params", []string{`<` + a + `>; title="a, b; c"; rel="prev next"; type=text/html`},
			[]Link{{a, []string{"prev", "next"}}}},
		{"escaped quote in param", []string{`<` + a + `>; title="x \"<y>\", z", <` + b + `>; rel=next`},
			[]Link{{a, nil}, {b, []string{"next"}}}},
		{"comma inside url", []string{`<https://h/x?fields=id,name&page=2>; rel="next"`},
			[]Link{{"https://h/x?fields=id,name&page=2", []string{"next"}}}},
		{"garbage skipped", []string{`junk, <` + a + `> junk, <` + b + `>; rel="next"`},
			[]Link{{a, nil}, {b, []string{"next"}}}},
		{"unterminated", []string{`<` + a}, nil},
		{"empty", []string{``}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseLinks(tt.values)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseLinks(%q)\n got %#v\nwant %#v", tt.values, got, tt.want)
			}
		})
	}
}

func TestNextLink(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `<https://h/first>; rel="first", <https://h/prev>; rel="prev"`)
	if _, ok := nextLink(h); ok {
		t.Error("found next where there is none")
	}
	h.Add("link", `<https://h/next>; rel="next"`)
	if u, ok := nextLink(h); !ok || u != "https://h/next" {
		t.Errorf("nextLink = %q, %v", u, ok)
	}
}
