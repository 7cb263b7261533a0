package connectwise

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// MaxURLLength is ConnectWise's documented limit on a request URL.
const MaxURLLength = 2000

// Client is a ConnectWise REST client. It is safe for concurrent use; the retry pause after a 429 and
// the RequestsPerMinute budget are shared by all goroutines using one Client.
type Client struct {
	cfg     Config // normalized; PublicKey and PrivateKey cleared
	base    string // normalized BaseURL, ending in "/"
	accept  string
	auth    *credential // behind a pointer so that fmt never walks into it
	limiter *tokenBucket
	bodies  bodyPool // buffers of released pages

	mu         sync.Mutex
	pauseUntil time.Time
}

// credential holds the Authorization value and the strings scrubbed from server-provided text.
type credential struct {
	header  string
	secrets []string
}

// String never reveals the credential.
func (*credential) String() string { return redacted }

// GoString never reveals the credential.
func (*credential) GoString() string { return redacted }

// New validates cfg, applies defaults and returns a Client. Errors name the offending fields but never
// contain the keys.
func New(cfg Config) (*Client, error) {
	n, _, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	userPass := n.Company + "+" + n.PublicKey + ":" + n.PrivateKey
	b64 := base64.StdEncoding.EncodeToString([]byte(userPass))
	auth := &credential{header: "Basic " + b64}
	for _, s := range []string{auth.header, b64, userPass, n.PrivateKey, n.PublicKey} {
		if len(s) >= 4 { // scrubbing one- to three-character strings would mangle every message
			auth.secrets = append(auth.secrets, s)
		}
	}
	n.PublicKey, n.PrivateKey = "", ""
	c := &Client{
		cfg:    n,
		base:   n.BaseURL,
		accept: "application/vnd.connectwise.com+json; version=" + n.APIVersion,
		auth:   auth,
	}
	if n.RequestsPerMinute > 0 {
		c.limiter = newTokenBucket(n.RequestsPerMinute, n.Now)
	}
	return c, nil
}

// BaseURL returns the normalized REST root the client talks to.
func (c *Client) BaseURL() string { return c.base }

// String describes the client without secrets.
func (c *Client) String() string {
	if c == nil {
		return "connectwise.Client(nil)"
	}
	return fmt.Sprintf("connectwise.Client{BaseURL:%q Company:%q APIVersion:%q}", c.base, c.cfg.Company, c.cfg.APIVersion)
}

// GoString describes the client without secrets (the %#v verb).
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb renders the redacted description.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// scrub replaces any secret occurring in server-provided text.
func (c *Client) scrub(s string) string {
	for _, sec := range c.auth.secrets {
		s = strings.ReplaceAll(s, sec, redacted)
	}
	return s
}

// response is a successful (2xx) answer with its body fully read.
type response struct {
	status int
	header http.Header
	body   []byte
	// pooled is body's buffer, for a page to give back (Page.Release).
	pooled *pooledBody
}

// attemptError is the outcome of one failed attempt.
type attemptError struct {
	err        error
	retry      bool
	retryAfter time.Duration // from a 429's Retry-After; 0 when absent or unusable
	status     int           // 0 for transport and body errors
	unparsable bool          // a 2xx body that failed validation other than by ending early
}

// get performs a GET with retries. validate, when non-nil, checks a 2xx body; a body cut short is
// retried like a 5xx, one that will never parse (HTML, nesting too deep) only once. early, when
// non-nil, is given each 2xx attempt's headers before its body is read (a page walk sends the next
// page's request from them). Every wait is cut to what is left of MaxWait, counted from the first
// attempt; once it is used up the request fails.
func (c *Client) get(ctx context.Context, rawURL string, extra http.Header, validate func([]byte) error, early func(http.Header)) (*response, error) {
	const method = http.MethodGet
	if len(rawURL) > MaxURLLength {
		return nil, fmt.Errorf("connectwise: %s %.120s...: URL is %d characters, over ConnectWise's %d limit; shorten the conditions or field list",
			method, rawURL, len(rawURL), MaxURLLength)
	}
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.cfg.MinBackoff),
		backoff.WithMaxInterval(c.cfg.MaxBackoff),
		backoff.WithMultiplier(2),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMaxElapsedTime(0), // attempts are bounded by MaxRetries and MaxWait instead
	)
	bo := backoff.WithMaxRetries(exp, uint64(c.cfg.MaxRetries))
	bo.Reset()
	start := c.cfg.Now()
	unparsable := 0
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx); err != nil {
			return nil, fmt.Errorf("connectwise: %s %s: %w", method, rawURL, err)
		}
		resp, ae := c.attempt(ctx, method, rawURL, extra, validate, early, attempt)
		if ae == nil {
			return resp, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("connectwise: %s %s: %w", method, rawURL, err)
		}
		if !ae.retry {
			return nil, ae.err
		}
		if ae.unparsable {
			if unparsable++; unparsable > 1 {
				return nil, &RetryError{Attempts: attempt, Last: ae.err, Why: "the body did not parse twice, and retrying will not make it"}
			}
		}
		delay := bo.NextBackOff()
		if delay == backoff.Stop {
			return nil, &RetryError{Attempts: attempt, Last: ae.err}
		}
		delay = min(delay, c.cfg.MaxBackoff)
		if ae.retryAfter > 0 {
			delay = min(ae.retryAfter, c.cfg.MaxRetryAfter)
		}
		left := c.cfg.MaxWait - c.cfg.Now().Sub(start)
		if left <= 0 {
			return nil, &RetryError{Attempts: attempt, Last: ae.err, Why: fmt.Sprintf(
				"its retries used the whole wait budget (Config.MaxWait %v, --max-wait)", c.cfg.MaxWait)}
		}
		delay = min(delay, left)
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "connectwise: retrying request",
			slog.String("method", method),
			slog.String("url", rawURL),
			slog.Int("status", ae.status),
			slog.Int("attempt", attempt),
			slog.Int("max_attempts", c.cfg.MaxRetries+1),
			slog.Duration("wait", delay),
			slog.String("error", c.scrub(ae.err.Error())),
		)
		if ae.retryAfter > 0 {
			// Throttling applies to the whole API key: hold back every user of this client, then let
			// wait() do the sleeping before the next attempt.
			c.pause(delay)
			continue
		}
		if err := c.cfg.Sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("connectwise: %s %s: %w (while backing off after: %v)", method, rawURL, err, ae.err)
		}
	}
}

// pause holds back every request of this client for d.
func (c *Client) pause(d time.Duration) {
	until := c.cfg.Now().Add(d)
	c.mu.Lock()
	if until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
	c.mu.Unlock()
}

// wait blocks until the shared 429 pause is over and the rate budget allows one more request.
func (c *Client) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Bounded: another goroutine may extend the pause while we sleep, and a fake Sleep may not agree
	// with Now.
	for range 4 {
		c.mu.Lock()
		until := c.pauseUntil
		c.mu.Unlock()
		d := until.Sub(c.cfg.Now())
		if d <= 0 {
			break
		}
		if err := c.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
	if c.limiter != nil {
		if d := c.limiter.reserve(); d > 0 {
			if err := c.cfg.Sleep(ctx, d); err != nil {
				c.limiter.cancel()
				return err
			}
		}
	}
	return ctx.Err()
}

// attempt sends one request and classifies the outcome.
func (c *Client) attempt(ctx context.Context, method, rawURL string, extra http.Header, validate func([]byte) error, early func(http.Header), n int) (*response, *attemptError) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, method, rawURL, nil)
	if err != nil {
		return nil, &attemptError{err: fmt.Errorf("connectwise: %s %s: building request: %w", method, rawURL, err)}
	}
	req.Header.Set("Authorization", c.auth.header)
	req.Header.Set("clientId", c.cfg.ClientID)
	req.Header.Set("Accept", c.accept)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	for k, vs := range extra {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}

	start := time.Now()
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, actx, method, rawURL, err)
	}
	defer res.Body.Close()
	if early != nil && res.StatusCode >= 200 && res.StatusCode < 300 {
		early(res.Header)
	}
	body, err := readBody(res.Body, res.ContentLength, c.cfg.MaxResponseBytes, &c.bodies)
	c.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "connectwise: response",
		slog.String("method", method), slog.String("url", rawURL), slog.Int("status", res.StatusCode),
		slog.Int("bytes", len(body)), slog.Duration("elapsed", time.Since(start)), slog.Int("attempt", n))
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, &attemptError{err: fmt.Errorf("connectwise: %s %s: response body over %d bytes (Config.MaxResponseBytes)", method, rawURL, c.cfg.MaxResponseBytes)}
		}
		if ctx.Err() == nil && actx.Err() != nil {
			err = fmt.Errorf("attempt timed out after %v: %w", c.cfg.RequestTimeout, err)
		}
		return nil, &attemptError{retry: true, status: res.StatusCode,
			err: fmt.Errorf("connectwise: %s %s: reading response body (HTTP %d): %w", method, rawURL, res.StatusCode, err)}
	}

	switch s := res.StatusCode; {
	case s >= 200 && s < 300:
		if validate != nil {
			if err := validate(body); err != nil {
				var se *SyntaxError
				cut := errors.As(err, &se) && se.Truncated
				return nil, &attemptError{retry: true, status: s, unparsable: !cut,
					err: fmt.Errorf("connectwise: %s %s: invalid response body (HTTP %d, %d bytes): %w", method, rawURL, s, len(body), err)}
			}
		}
		return &response{status: s, header: res.Header, body: body, pooled: &pooledBody{pool: &c.bodies, buf: body}}, nil
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		// 429 (and a 503 carrying Retry-After): wait exactly as long as the server asks.
		ra, _ := parseRetryAfter(res.Header.Get("Retry-After"), c.cfg.Now())
		return nil, &attemptError{retry: true, retryAfter: ra, status: s, err: newAPIError(s, method, rawURL, body, c.scrub)}
	default:
		return nil, &attemptError{retry: retryableStatus(s), status: s, err: newAPIError(s, method, rawURL, body, c.scrub)}
	}
}

// retryableStatus reports whether a non-2xx, non-429 status is transient: 408, 500, 502, 503, 504
// and Cloudflare's 520-524 (origin unreachable or timed out).
func retryableStatus(s int) bool {
	switch s {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 520, 521, 522, 523, 524:
		return true
	}
	return false
}

// transportError classifies an error from http.Client.Do. Everything is retried except certificate
// problems and refused redirects (retrying cannot fix them) and the caller's own cancellation.
func (c *Client) transportError(ctx, actx context.Context, method, rawURL string, err error) *attemptError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is added below, once
	}
	wrapped := fmt.Errorf("connectwise: %s %s: %w", method, rawURL, err)
	if ctx.Err() != nil {
		return &attemptError{err: wrapped}
	}
	if actx.Err() != nil {
		return &attemptError{retry: true, err: fmt.Errorf("connectwise: %s %s: attempt timed out after %v: %w", method, rawURL, c.cfg.RequestTimeout, err)}
	}
	var (
		unknownCA *x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verify    *tls.CertificateVerificationError
	)
	if errors.Is(err, errRedirect) || errors.As(err, &unknownCA) || errors.As(err, &invalid) || errors.As(err, &hostname) || errors.As(err, &verify) {
		return &attemptError{err: wrapped}
	}
	return &attemptError{retry: true, err: wrapped}
}

var errBodyTooLarge = errors.New("response body too large")

// readBody reads at most limit bytes of r. A known length (size >= 0) is
// read into a buffer of that size from pool, not grown by doubling: a page
// of wide records then costs its size once, not a few times over in
// garbage, and nothing when a released page's buffer is reused.
func readBody(r io.Reader, size, limit int64, pool *bodyPool) ([]byte, error) {
	if size > limit {
		return nil, errBodyTooLarge
	}
	var b []byte
	var err error
	if size >= 0 {
		buf := bytes.NewBuffer(pool.get(int(size) + bytes.MinRead)) // ReadFrom wants MinRead free to see EOF
		_, err = buf.ReadFrom(io.LimitReader(r, limit+1))
		b = buf.Bytes()
	} else {
		b, err = io.ReadAll(io.LimitReader(r, limit+1))
	}
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date. ok is false when the value
// is absent, malformed, or not in the future.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		if secs == 0 {
			return 0, false
		}
		if secs > uint64(24*time.Hour/time.Second) {
			secs = uint64(24 * time.Hour / time.Second) // absurd values are capped by MaxRetryAfter anyway
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
	}
	return 0, false
}

// param is one query-string parameter; order is preserved.
type param struct{ key, value string }

// buildURL joins the base URL, an endpoint path and the parameters (spaces encoded as %20).
func (c *Client) buildURL(endpoint string, params []param) (string, error) {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(c.base)
	b.WriteString(ep)
	sep := "?"
	for _, p := range params {
		b.WriteString(sep)
		b.WriteString(queryEscape(p.key))
		b.WriteByte('=')
		b.WriteString(queryEscape(p.value))
		sep = "&"
	}
	return b.String(), nil
}

func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// cleanEndpoint validates an endpoint path such as "/service/tickets" or "company/companies/12/notes"
// and returns it without the leading slash.
func cleanEndpoint(endpoint string) (string, error) {
	ep := strings.Trim(endpoint, "/")
	if ep == "" {
		return "", errors.New("connectwise: empty endpoint")
	}
	for _, seg := range strings.Split(ep, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("connectwise: endpoint %q has an empty or relative path segment", endpoint)
		}
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
				return "", fmt.Errorf("connectwise: endpoint %q contains %q; only letters, digits, '_', '-', '.' and '/' are allowed", endpoint, r)
			}
		}
	}
	return ep, nil
}
