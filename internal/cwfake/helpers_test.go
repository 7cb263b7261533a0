package cwfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testClient talks to a test server with valid credentials by default.
type testClient struct {
	t    *testing.T
	srv  *httptest.Server
	api  *Server
	base string // server URL + base path, no trailing slash
}

func newTestServer(t *testing.T, cfg Config) *testClient {
	t.Helper()
	api := New(cfg)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &testClient{t: t, srv: srv, api: api, base: srv.URL + api.BasePath()}
}

type result struct {
	status int
	header http.Header
	body   []byte
	err    error // transport or body read error
}

// do sends a request; target is a path under the base path (starting with
// "/") or an absolute URL. hdr overrides default headers ("" deletes).
func (c *testClient) do(method, target string, body io.Reader, hdr map[string]string) result {
	c.t.Helper()
	u := target
	if strings.HasPrefix(target, "/") {
		u = c.base + target
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.t.Fatalf("new request %s: %v", u, err)
	}
	req.Header.Set("Authorization", BasicAuth(DefaultCompanyID, DefaultPublicKey, DefaultPrivateKey))
	req.Header.Set("clientId", DefaultClientID)
	req.Header.Set("Accept", "application/vnd.connectwise.com+json; version=2026.4")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

func (c *testClient) get(target string) result {
	c.t.Helper()
	return c.do(http.MethodGet, target, nil, nil)
}

// mustOK fails unless the result is a 200 with no transport error.
func (c *testClient) mustOK(r result, what string) []byte {
	c.t.Helper()
	if r.err != nil {
		c.t.Fatalf("%s: %v", what, r.err)
	}
	if r.status != http.StatusOK {
		c.t.Fatalf("%s: status %d: %s", what, r.status, r.body)
	}
	return r.body
}

var linkRE = regexp.MustCompile(`<([^>]*)>;\s*rel="([a-z]+)"`)

// parseLinks maps rel to URL in an RFC 5988 Link header.
func parseLinks(h string) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(h, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// ids decodes a page body and returns its records' ids.
func ids(t *testing.T, body []byte) []int {
	t.Helper()
	var recs []struct {
		ID int `json:"id"`
	}
	if err := json.Unmarshal(body, &recs); err != nil {
		t.Fatalf("decode page: %v: %.200s", err, body)
	}
	out := make([]int, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// crawl follows Link rel="next" from first and returns every id served, in
// order, and the pages' bodies. With retry it retries 429, 5xx, transport
// errors and undecodable bodies (bounded), honouring Retry-After.
func (c *testClient) crawl(first string, hdr map[string]string, retry bool) ([]int, [][]byte) {
	c.t.Helper()
	var all []int
	var bodies [][]byte
	next := first
	for pages := 0; next != ""; pages++ {
		if pages > 10000 {
			c.t.Fatalf("crawl: too many pages")
		}
		var r result
		var got []int
		for attempt := 0; ; attempt++ {
			if attempt > 50 {
				c.t.Fatalf("crawl %s: still failing after %d attempts (last status %d, err %v)", next, attempt, r.status, r.err)
			}
			r = c.do(http.MethodGet, next, nil, hdr)
			if retry && (r.err != nil || r.status == http.StatusTooManyRequests || r.status >= 500) {
				if s, err := strconv.Atoi(r.header.Get("Retry-After")); err == nil && s > 0 && r.err == nil {
					time.Sleep(time.Duration(s) * time.Second)
				}
				continue
			}
			body := c.mustOK(r, "crawl "+next)
			if !json.Valid(body) {
				if retry {
					continue
				}
				c.t.Fatalf("crawl %s: invalid JSON body", next)
			}
			got = ids(c.t, body)
			break
		}
		all = append(all, got...)
		bodies = append(bodies, r.body)
		next = parseLinks(r.header.Get("Link"))["next"]
	}
	return all, bodies
}

// filterIDs returns the ids of store tickets matching keep, ascending.
func filterIDs(s *Store, keep func(Ticket) bool) []int {
	var out []int
	for _, t := range s.TicketValues() {
		if keep(t) {
			out = append(out, t.ID)
		}
	}
	return out
}

// q escapes a conditions string for a URL.
func q(conditions string) string { return url.QueryEscape(conditions) }

// equalInts reports a readable difference between two id lists.
func diffInts(got, want []int) string {
	if slices.Equal(got, want) {
		return ""
	}
	return fmt.Sprintf("got %d ids, want %d; first got %v, first want %v", len(got), len(want), head(got), head(want))
}

func head(xs []int) []int { return xs[:min(len(xs), 8)] }

// findNull reports the JSON path of the first null in data, or "".
func findNull(data []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var walk func(path string, v any) string
	walk = func(path string, v any) string {
		switch x := v.(type) {
		case nil:
			return path
		case map[string]any:
			for k, e := range x {
				if p := walk(path+"/"+k, e); p != "" {
					return p
				}
			}
		case []any:
			for i, e := range x {
				if p := walk(fmt.Sprintf("%s[%d]", path, i), e); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk("", v), nil
}
