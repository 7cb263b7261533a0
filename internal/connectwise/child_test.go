package connectwise

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestChildPath(t *testing.T) {
	for _, c := range []struct {
		template string
		want     string
		ok       bool
	}{
		{"service/tickets/{parentId}/notes", "service/tickets/42/notes", true},
		{"service/tickets/notes", "", false},
		{"a/{x}/b/{y}/c", "", false},
	} {
		got, err := ChildPath(c.template, 42)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ChildPath(%q) = %q, %v; want %q, ok %v", c.template, got, err, c.want, c.ok)
		}
	}
}

// FirstChild asks for one record with the conditions, order and fields,
// and returns it, or nil for an empty page.
func TestFirstChild(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+"?"+r.URL.RawQuery)
		if r.URL.Path == "/v4_6_release/apis/3.0/service/tickets/7/notes" {
			_, _ = w.Write([]byte(`[{"text":"é first"}]`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL+"/v4_6_release/apis/3.0", nil)
	q := Query{Conditions: "detailDescriptionFlag = true", OrderBy: "dateCreated asc,id asc", Fields: []string{"text"}}
	rec, err := c.FirstChild(context.Background(), "service/tickets/{parentId}/notes", 7, q)
	if err != nil || string(rec) != `{"text":"é first"}` {
		t.Fatalf("FirstChild = %s, %v", rec, err)
	}
	rec, err = c.FirstChild(context.Background(), "service/tickets/{parentId}/notes", 8, q)
	if err != nil || rec != nil {
		t.Fatalf("FirstChild of a ticket without notes = %s, %v; want nil", rec, err)
	}
	want := "/v4_6_release/apis/3.0/service/tickets/7/notes?conditions=detailDescriptionFlag%20%3D%20true&orderBy=dateCreated%20asc%2C%20id%20asc&fields=text&page=1&pageSize=1"
	if len(got) != 2 || got[0] != want {
		t.Errorf("requests %q, want first %q", got, want)
	}
}
