package warehouse

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// ClickHouse's default ports: native and HTTP, plain and TLS.
const (
	DefaultNativePort       = 9000
	DefaultNativeSecurePort = 9440
	DefaultHTTPPort         = 8123
	DefaultHTTPSecurePort   = 8443
)

// HTTPPortParam is the clickhouse:// DSN parameter naming the server's
// HTTP port. It is read here and removed before clickhouse-go sees the
// DSN (clickhouse-go would send it to the server as a setting).
const HTTPPortParam = "http_port"

// ErrHTTPPortUnknown is returned (wrapped) by HTTPInterface when the HTTP
// port cannot be derived; callers add how to name it.
var ErrHTTPPortUnknown = errors.New("the HTTP interface's port cannot be derived")

// HTTPInterface returns scheme://host:port/ of the HTTP interface of the
// server a clickhouse:// DSN names: https when the DSN asks for TLS
// (secure, as clickhouse-go reads it), on the same host, port explicit
// when not 0 (a flag), else the DSN's http_port, else ClickHouse's default
// HTTP port matching the default native one: 8123 for 9000 (or no port),
// 8443 for 9440 (or no port with TLS). Any other native port needs one of
// the first two: the error wraps ErrHTTPPortUnknown. The server engine's
// inserts and canonic query both go by it. Errors never hold the DSN.
func HTTPInterface(dsn string, explicit int) (url.URL, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return url.URL{}, fmt.Errorf("invalid ClickHouse DSN: it does not parse as a URL; want %s", dsnHint)
	}
	q := u.Query()
	scheme := "http"
	if s, ok := q["secure"]; ok {
		if on, err := strconv.ParseBool(s[0]); s[0] == "" || (err == nil && on) {
			scheme = "https"
		}
	}
	port := explicit
	if port == 0 && q.Has(HTTPPortParam) {
		v := q.Get(HTTPPortParam)
		if port, err = strconv.Atoi(v); err != nil || port < 1 || port > 65535 {
			return url.URL{}, fmt.Errorf("%s=%q is not a port number (1-65535)", HTTPPortParam, clip(v))
		}
	}
	if port == 0 {
		switch native := u.Port(); {
		case native == "" && scheme == "https", native == strconv.Itoa(DefaultNativeSecurePort):
			port = DefaultHTTPSecurePort
		case native == "", native == strconv.Itoa(DefaultNativePort):
			port = DefaultHTTPPort
		default:
			return url.URL{}, fmt.Errorf("%w from native port %s", ErrHTTPPortUnknown, native)
		}
	}
	return url.URL{Scheme: scheme, Host: net.JoinHostPort(u.Hostname(), strconv.Itoa(port)), Path: "/"}, nil
}

// withoutHTTPPort returns dsn without its http_port parameter, for
// clickhouse-go.
func withoutHTTPPort(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if !q.Has(HTTPPortParam) {
		return dsn
	}
	q.Del(HTTPPortParam)
	u.RawQuery = q.Encode()
	return u.String()
}
