package warehouse

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// httpInserter sends INSERTs in RowBinary to a ClickHouse server's HTTP
// interface (18.16 has it): one POST per Insert whose body is the rows,
// encoded while the request is written, so a batch is never held twice.
type httpInserter struct {
	client   *http.Client
	endpoint string // scheme://host:port/, no credentials
	user     string
	password string
	params   url.Values // settings sent with every INSERT
}

// newHTTPInserter returns an inserter for the interface at endpoint
// (scheme://host:port/, from HTTPInterface), with tlsConfig for https.
func newHTTPInserter(endpoint url.URL, tlsConfig *tls.Config, user, password string, dialTimeout time.Duration) *httpInserter {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	// A kept-alive connection the server has closed (keep_alive_timeout, 3 s
	// by default) would fail the next INSERT, whose streamed body cannot be
	// sent again; a connection per INSERT of thousands of rows costs
	// nothing measurable.
	tr.DisableKeepAlives = true
	tr.DisableCompression = true
	if tlsConfig != nil {
		tr.TLSClientConfig = tlsConfig.Clone()
	}
	return &httpInserter{
		client:   &http.Client{Transport: tr},
		endpoint: endpoint.String(),
		user:     user,
		password: password,
		params:   url.Values{},
	}
}

// insertQuery is the INSERT statement of one batch: the columns named, the
// rows in RowBinary.
func insertQuery(db, tbl string, columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = QuoteIdent(c)
	}
	return "INSERT INTO " + qualified(db, tbl) + " (" + strings.Join(quoted, ", ") + ") FORMAT RowBinary"
}

// insert posts rows as one INSERT. max_insert_block_size is set to the
// batch's row count so the server parses the body into one block and
// writes it as one part, whatever the batch size
// (TestServerInsertIsOnePart).
func (h *httpInserter) insert(ctx context.Context, db, tbl string, columns []string, rows Rows) error {
	q := url.Values{}
	for k, v := range h.params {
		q[k] = v
	}
	q.Set("query", insertQuery(db, tbl, columns))
	q.Set("max_insert_block_size", strconv.Itoa(max(rows.Len(), 1)))
	_, err := h.post(ctx, q, &rowBinaryBody{rows: rows})
	return err
}

// ping runs SELECT 1 through the interface, which checks the address, TLS
// and the credentials.
func (h *httpInserter) ping(ctx context.Context) error {
	out, err := h.post(ctx, url.Values{"query": {"SELECT 1"}}, nil)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(out)) != "1" {
		return fmt.Errorf("HTTP interface %s answered SELECT 1 with %q: is it a ClickHouse server?", h.endpoint, clip(string(out)))
	}
	return nil
}

// post sends one request with the statement and settings in params and
// body (if any) as the data, and returns the start of the answer (4 KiB at
// most). A status other than 200 is an error holding the server's message.
func (h *httpInserter) post(ctx context.Context, params url.Values, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.endpoint+"?"+params.Encode(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if h.user != "" || h.password != "" {
		req.SetBasicAuth(h.user, h.password)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("HTTP interface %s: %w", h.endpoint, unwrapURLError(err))
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP interface %s answered %s: %s", h.endpoint, resp.Status, strings.TrimSpace(string(out)))
	}
	if err != nil {
		return nil, fmt.Errorf("HTTP interface %s: reading the answer: %w", h.endpoint, err)
	}
	return out, nil
}

// close releases the client's connections.
func (h *httpInserter) close() { h.client.CloseIdleConnections() }

// unwrapURLError drops net/http's *url.Error wrapper, whose text repeats
// the request's URL (the whole INSERT statement).
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// rowBinaryBody is an io.Reader encoding rows in RowBinary as it is read,
// a chunk of rows at a time.
type rowBinaryBody struct {
	rows Rows
	next int    // next row to encode
	buf  []byte // encoded and not yet read
	off  int    // read offset in buf
}

// bodyChunk is how many bytes of rows rowBinaryBody encodes ahead.
const bodyChunk = 256 << 10

func (b *rowBinaryBody) Read(p []byte) (int, error) {
	if b.off == len(b.buf) {
		if b.next == b.rows.Len() {
			return 0, io.EOF
		}
		b.buf, b.off = b.buf[:0], 0
		for b.next < b.rows.Len() && len(b.buf) < bodyChunk {
			b.buf = b.rows.AppendRowBinary(b.buf, b.next)
			b.next++
		}
	}
	n := copy(p, b.buf[b.off:])
	b.off += n
	return n, nil
}
