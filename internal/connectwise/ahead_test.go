package connectwise

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestPagesSendTheNextRequestAhead: the walk asks for the next page as soon as a page's headers name
// it, before that page's body is read. The server holds page 1's body back until page 2's request has
// arrived, so a walk one page at a time would wait for it in vain.
func TestPagesSendTheNextRequestAhead(t *testing.T) {
	arrived := map[int64]chan struct{}{0: make(chan struct{}), 10: make(chan struct{}), 20: make(chan struct{})}
	var mu sync.Mutex
	var order []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("pageId"), 10, 64)
		mu.Lock()
		order = append(order, after)
		mu.Unlock()
		close(arrived[after])
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?pageSize=10&pageId=%d>; rel="next"`, r.Host, r.URL.Path, after+10))
		if after == 20 {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?pageSize=10&pageId=20>; rel="next"`, r.Host, r.URL.Path))
			w.Write([]byte("[]"))
			return
		}
		w.Write([]byte("["))
		w.(http.Flusher).Flush() // the headers (and their next link) go out now
		select {
		case <-arrived[after+10]:
		case <-time.After(5 * time.Second):
			t.Errorf("page after pageId %d: the next page's request did not come while this body was held back", after)
		}
		for id := after + 1; id <= after+10; id++ {
			if id > after+1 {
				w.Write([]byte(","))
			}
			fmt.Fprintf(w, `{"id":%d}`, id)
		}
		w.Write([]byte("]"))
	}))
	t.Cleanup(srv.Close)
	c, _, _ := newTestClient(t, srv.URL, nil)
	var got []int
	err := c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: true, PageSize: 10}, func(p Page) error {
		got = append(got, p.Records)
		return nil
	})
	if err != nil || len(got) != 2 || got[0] != 10 || got[1] != 10 {
		t.Fatalf("err = %v, pages %v; want two pages of 10", err, got)
	}
	if fmt.Sprint(order) != "[0 10 20]" {
		t.Errorf("requests for pageIds %v, want [0 10 20]: each page once, in order", order)
	}
}

// TestPagesDiscardTheRequestAhead: a walk that stops (here the caller's error on page 1) cancels the
// request it sent ahead and waits for it: nothing runs on after Pages returns.
func TestPagesDiscardTheRequestAhead(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	ended := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("pageId"), 10, 64)
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?pageSize=1&pageId=%d>; rel="next"`, r.Host, r.URL.Path, after+1))
		if after > 0 {
			// The request ahead: its answer never completes, until the test ends.
			w.Write([]byte("["))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
				mu.Lock()
				ended++
				mu.Unlock()
			}
			return
		}
		fmt.Fprintf(w, `[{"id":%d}]`, after+1)
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, _, _ := newTestClient(t, srv.URL, nil)
	stop := errors.New("stop")
	done := make(chan error, 1)
	go func() {
		done <- c.Pages(context.Background(), "service/tickets", Query{ForwardOnly: true, PageSize: 1}, func(p Page) error {
			time.Sleep(50 * time.Millisecond) // the request ahead is on the wire by now
			return stop
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, stop) {
			t.Fatalf("err = %v, want the caller's", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pages did not return: it waited for the request ahead instead of cancelling it")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := ended
		mu.Unlock()
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server saw %d cancelled requests, want the one sent ahead", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
