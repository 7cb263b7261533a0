package query

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/canonic-data/canonic/internal/warehouse"
)

// server runs queries on a ClickHouse server's HTTP interface, which
// formats results on the server in any output format it knows.
type server struct {
	client   *http.Client
	endpoint url.URL // scheme://host:port/, no user information
	user     string
	password string
	database string // the DSN's database, used when no other is selected
	redacted string // the DSN without its password, for errors
}

// HTTPEndpoint is what a DSN says about the HTTP interface to query.
type HTTPEndpoint struct {
	URL        url.URL // scheme://host:port/
	User       string  // "" for ClickHouse's default user
	Password   string
	Database   string // from the DSN's path, "" when none
	SkipVerify bool   // skip_verify=true: do not check the TLS certificate
}

// ParseDSN reads a DSN as an HTTP endpoint. http:// and https:// DSNs name
// the HTTP interface itself (port 8123 or 8443 when omitted). A
// clickhouse:// DSN (the backfill's, for the native protocol) is mapped to
// the same host's HTTP interface by warehouse.HTTPInterface, the server
// engine's rule: https when secure=true, port httpPortFlag when not 0, else
// the DSN's http_port, else the default HTTP port matching the default
// native one (9000 -> 8123, 9440 -> 8443); any other native port needs one
// of the first two.
// Errors never repeat the DSN's password.
func ParseDSN(dsn string, httpPortFlag int) (HTTPEndpoint, error) {
	redacted, _, err := warehouse.RedactDSN(dsn)
	if err != nil {
		return HTTPEndpoint{}, fmt.Errorf("%w, or http://user:password@host:8123/database for the HTTP interface", err)
	}
	u, _ := url.Parse(dsn) // RedactDSN parsed it
	q := u.Query()
	ep := HTTPEndpoint{Database: strings.Trim(u.Path, "/"), SkipVerify: q.Get("skip_verify") == "true"}
	if u.User != nil {
		ep.User = u.User.Username()
		ep.Password, _ = u.User.Password()
	}
	if pw := q.Get("password"); pw != "" {
		ep.Password = pw
	}
	if user := q.Get("username"); user != "" && ep.User == "" {
		ep.User = user
	}
	host, port := u.Hostname(), u.Port()
	var scheme string
	switch u.Scheme {
	case "http", "https":
		scheme = u.Scheme
		if port == "" {
			port = strconv.Itoa(map[string]int{"http": warehouse.DefaultHTTPPort, "https": warehouse.DefaultHTTPSecurePort}[scheme])
		}
	case "clickhouse", "tcp":
		iface, err := warehouse.HTTPInterface(dsn, httpPortFlag)
		if errors.Is(err, warehouse.ErrHTTPPortUnknown) {
			return HTTPEndpoint{}, fmt.Errorf("DSN %s: queries go to the server's HTTP interface: %w: pass --http-port, add %s=PORT to the DSN, or use an http://host:PORT/ DSN", redacted, err, warehouse.HTTPPortParam)
		} else if err != nil {
			return HTTPEndpoint{}, fmt.Errorf("DSN %s: %w", redacted, err)
		}
		scheme, port = iface.Scheme, iface.Port()
	default:
		return HTTPEndpoint{}, fmt.Errorf("DSN %s: unsupported scheme %q: use clickhouse://user:password@host:9000/database or http://user:password@host:8123/database", redacted, u.Scheme)
	}
	if httpPortFlag != 0 && (u.Scheme == "http" || u.Scheme == "https") {
		port = strconv.Itoa(httpPortFlag)
	}
	ep.URL = url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port), Path: "/"}
	return ep, nil
}

func openServer(_ context.Context, dsn string, httpPortFlag int) (*server, error) {
	ep, err := ParseDSN(dsn, httpPortFlag)
	if err != nil {
		return nil, err
	}
	redacted := ep.URL
	switch {
	case ep.User != "" && ep.Password != "":
		redacted.User = url.UserPassword(ep.User, "xxxxx")
	case ep.User != "":
		redacted.User = url.User(ep.User)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if ep.SkipVerify {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked with skip_verify=true
	}
	return &server{
		client:   &http.Client{Transport: transport},
		endpoint: ep.URL, user: ep.User, password: ep.Password,
		database: ep.Database, redacted: redacted.String(),
	}, nil
}

// Run posts sql to the HTTP interface with database and default_format
// parameters. wait_end_of_query=1 makes the server finish the query before
// it answers, so an error arrives as an error status rather than in the
// middle of a result already written.
func (s *server) Run(ctx context.Context, db, sql, format string, w io.Writer) error {
	if db == "" {
		db = s.database
	}
	resp, err := s.post(ctx, db, sql, format)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("reading the result from %s: %s", s.redacted, s.scrub(err.Error()))
	}
	return nil
}

func (s *server) post(ctx context.Context, db, sql, format string) (*http.Response, error) {
	params := url.Values{"wait_end_of_query": {"1"}}
	if format != "" {
		params.Set("default_format", format)
	}
	if db != "" {
		if err := warehouse.ValidIdent(db); err != nil {
			return nil, err
		}
		params.Set("database", db)
	}
	u := s.endpoint
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(sql))
	if err != nil {
		return nil, fmt.Errorf("querying %s: %s", s.redacted, s.scrub(err.Error()))
	}
	if s.user != "" || s.password != "" {
		user := s.user
		if user == "" {
			user = "default"
		}
		req.SetBasicAuth(user, s.password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("querying %s: %w", s.redacted, ctx.Err())
		}
		return nil, fmt.Errorf("querying %s: %s", s.redacted, s.scrub(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, errors.New(s.scrub(string(bytes.TrimSpace(body))))
	}
	return resp, nil
}

func (s *server) Databases(ctx context.Context) ([]string, error) {
	var buf bytes.Buffer
	if err := s.Run(ctx, "", databasesSQL, "TabSeparated", &buf); err != nil {
		return nil, err
	}
	return lines(buf.Bytes()), nil
}

// scrub removes the password from a message.
func (s *server) scrub(msg string) string {
	if len(s.password) < 1 {
		return msg
	}
	for _, p := range []string{s.password, url.QueryEscape(s.password), url.PathEscape(s.password)} {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	return msg
}

func (s *server) Close() error {
	s.client.CloseIdleConnections()
	return nil
}
