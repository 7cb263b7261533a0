package connectwise

import (
	"context"
	"net/http"
)

// pageRequest is one page's GET (with its retries and its validating scan) running in a goroutine of
// its own. A page walk keeps one request ahead: it sends the next page's request as soon as this
// page's headers name it, so the source prepares the next page while this one is read and checked
// (over loopback on two busy cores, the wait for a response's headers was half the walk's time).
type pageRequest struct {
	url    string
	cancel context.CancelFunc
	// headers holds the latest 2xx attempt's headers, sent before its body is read (capacity 1: an
	// attempt retried after a cut body replaces its predecessor's).
	headers chan http.Header
	done    chan struct{}

	// Set once done is closed.
	resp *response
	err  error
	ids  idSummary
	scan pageScan
}

// startPage sends the GET of one page of at most size records in its own goroutine.
func (c *Client) startPage(ctx context.Context, url string, extra http.Header, size int) *pageRequest {
	ctx, cancel := context.WithCancel(ctx)
	r := &pageRequest{url: url, cancel: cancel, headers: make(chan http.Header, 1), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.resp, r.err = c.get(ctx, url, extra, func(b []byte) error {
			var err error
			r.ids, r.scan, err = scanPage(b, make([]int, 0, 2*size))
			return err
		}, func(h http.Header) {
			select {
			case <-r.headers:
			default:
			}
			r.headers <- h
		})
	}()
	return r
}

// discard cancels the request, waits for its goroutine and gives its body's buffer back. It does
// nothing on nil.
func (r *pageRequest) discard() {
	if r == nil {
		return
	}
	r.cancel()
	<-r.done
	if r.resp != nil {
		r.resp.pooled.release()
		r.resp = nil
	}
}

// sendAhead returns the request for the page after page number (asked for at pos, from cur), sent
// from that page's headers h: ahead itself when it already asks for the page h's next link names,
// else a new request (ahead is discarded). It sends nothing when h names no next page, when the next
// link breaks a rule the headers alone show (see pagingRule: the walk then fails on the page), or
// when the next page would pass q.MaxPages.
func (w *walk) sendAhead(ctx context.Context, ahead *pageRequest, h http.Header, number int, pos int64, cur string) *pageRequest {
	url := ""
	if next, ok := nextLink(h); ok && (w.q.MaxPages <= 0 || number+1 <= w.q.MaxPages) {
		if nextPos, err := linkParam(cur, next, w.key); err == nil && nextPos > pos {
			url, _ = w.url(nextPos)
		}
	}
	if ahead != nil && ahead.url == url {
		return ahead
	}
	ahead.discard()
	if url == "" {
		return nil
	}
	return w.start(ctx, url)
}
