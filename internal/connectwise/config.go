package connectwise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults applied by [New] to zero-valued [Config] fields.
const (
	DefaultAPIVersion       = "2026.4"
	DefaultMaxRetries       = 6
	DefaultMinBackoff       = 500 * time.Millisecond
	DefaultMaxBackoff       = 30 * time.Second
	DefaultMaxRetryAfter    = 5 * time.Minute
	DefaultMaxWait          = 5 * time.Minute
	DefaultRequestTimeout   = 2 * time.Minute
	DefaultMaxResponseBytes = 256 << 20
	DefaultUserAgent        = "canonic-connectwise/1 (+https://github.com/canonic-data/canonic)"
)

// Environment variables read by [ConfigFromEnv].
const (
	EnvURL        = "CONNECTWISE_URL"
	EnvCompany    = "CONNECTWISE_COMPANY"
	EnvPublicKey  = "CONNECTWISE_PUBLIC_KEY"
	EnvPrivateKey = "CONNECTWISE_PRIVATE_KEY"
	EnvClientID   = "CONNECTWISE_CLIENT_ID"
)

const redacted = "[REDACTED]"

// Config configures a [Client]. Only BaseURL, Company, PublicKey, PrivateKey and ClientID are required;
// every other zero value selects a default.
//
// Config renders itself with the keys redacted through fmt (every verb), slog and encoding/json, so it
// can be logged safely. The consequence is that a Config does not round-trip through JSON.
type Config struct {
	// BaseURL is the REST root, e.g. "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/".
	// It must use https unless the host is a loopback address or AllowInsecure is set.
	BaseURL string
	// Company is the ConnectWise company id used at login.
	Company string
	// PublicKey and PrivateKey are the member API key pair (secrets).
	PublicKey, PrivateKey string
	// ClientID is the integrator's clientId GUID sent on every request.
	ClientID string
	// APIVersion pins the model version in the Accept header (default DefaultAPIVersion).
	APIVersion string
	// UserAgent overrides DefaultUserAgent.
	UserAgent string

	// HTTPClient is the transport to use (default: a dedicated client with pooled connections that
	// follows redirects only within the same host and never from https to http).
	// Per-attempt deadlines come from RequestTimeout, not from HTTPClient.Timeout.
	HTTPClient *http.Client
	// Logger receives retry warnings and debug request lines (default: discard).
	Logger *slog.Logger

	// MaxRetries bounds the retries after the first attempt of one request, so a request makes at
	// most MaxRetries+1 attempts. 0 selects DefaultMaxRetries; a negative value disables retries.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the jittered exponential backoff between retries
	// (defaults DefaultMinBackoff and DefaultMaxBackoff).
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps the wait requested by the Retry-After header of a 429 (or 503) answer
	// (default the smaller of DefaultMaxRetryAfter and MaxWait). The wait holds back every request of
	// the Client.
	MaxRetryAfter time.Duration
	// MaxWait bounds the time one request may take retrying, counted from its first attempt
	// (default DefaultMaxWait): each wait (backoff or Retry-After) is cut to what is left of it, and
	// a request that fails again once it is used up ends with a *RetryError.
	MaxWait time.Duration
	// RequestTimeout bounds one attempt: connecting, headers and reading the whole body
	// (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// MaxResponseBytes bounds a response body (default DefaultMaxResponseBytes). Larger bodies fail
	// without retry.
	MaxResponseBytes int64
	// RequestsPerMinute is a client-side budget shared by every user of one Client, enforced with a
	// token bucket whose burst is one second's worth of requests (at least one). 0 means unlimited.
	RequestsPerMinute int
	// AllowInsecure permits an http:// BaseURL on a non-loopback host. The keys then travel in clear
	// text; use it only for test rigs.
	AllowInsecure bool

	// Sleep waits for d or until ctx is done, returning ctx's error in the latter case. It is used for
	// backoff, Retry-After and rate-limit waits; tests inject a fake. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time (default time.Now). Tests inject a fake clock together with Sleep.
	Now func() time.Time
}

// ConfigFromEnv builds a Config from CONNECTWISE_COMPANY, CONNECTWISE_PUBLIC_KEY,
// CONNECTWISE_PRIVATE_KEY and CONNECTWISE_CLIENT_ID, plus CONNECTWISE_URL when baseURL is empty.
// Unset or empty variables are reported by name (never by value) in one error.
func ConfigFromEnv(baseURL string) (Config, error) {
	return ConfigFromLookup(baseURL, os.Getenv)
}

// ConfigFromLookup is [ConfigFromEnv] reading the variables through getenv,
// which may resolve a name to another variable (a per-tenant override); it
// is asked for the names above and reports them by those names.
func ConfigFromLookup(baseURL string, getenv func(name string) string) (Config, error) {
	var missing []string
	get := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	if baseURL == "" {
		baseURL = get(EnvURL)
	}
	cfg := Config{
		BaseURL:    baseURL,
		Company:    get(EnvCompany),
		PublicKey:  get(EnvPublicKey),
		PrivateKey: get(EnvPrivateKey),
		ClientID:   get(EnvClientID),
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("connectwise: missing environment variable(s): %s", strings.Join(missing, ", "))
	}
	return cfg, nil
}

// String renders the configuration with the keys redacted.
func (c Config) String() string {
	secret := func(s string) string {
		if s == "" {
			return `""`
		}
		return redacted
	}
	return fmt.Sprintf("connectwise.Config{BaseURL:%q Company:%q PublicKey:%s PrivateKey:%s ClientID:%q APIVersion:%q MaxRetries:%d RequestsPerMinute:%d AllowInsecure:%t}",
		c.BaseURL, c.Company, secret(c.PublicKey), secret(c.PrivateKey), c.ClientID, c.APIVersion,
		c.MaxRetries, c.RequestsPerMinute, c.AllowInsecure)
}

// GoString renders the configuration with the keys redacted (the %#v verb).
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb (including %d or %x, which would otherwise print
// the raw fields) renders the redacted form.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue implements slog.LogValuer with the keys redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("company", c.Company),
		slog.String("public_key", redacted),
		slog.String("private_key", redacted),
		slog.String("client_id", c.ClientID),
		slog.String("api_version", c.APIVersion),
	)
}

// MarshalJSON renders the configuration with the keys redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"BaseURL":           c.BaseURL,
		"Company":           c.Company,
		"PublicKey":         redacted,
		"PrivateKey":        redacted,
		"ClientID":          c.ClientID,
		"APIVersion":        c.APIVersion,
		"MaxRetries":        c.MaxRetries,
		"RequestsPerMinute": c.RequestsPerMinute,
		"AllowInsecure":     c.AllowInsecure,
	})
}

// normalize validates c and fills in defaults. Errors name fields, never their values when secret.
func (c Config) normalize() (Config, *url.URL, error) {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"BaseURL", c.BaseURL}, {"Company", c.Company}, {"PublicKey", c.PublicKey},
		{"PrivateKey", c.PrivateKey}, {"ClientID", c.ClientID},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return c, nil, fmt.Errorf("connectwise: config: missing %s", strings.Join(missing, ", "))
	}
	for _, f := range []struct{ name, v string }{
		{"Company", c.Company}, {"PublicKey", c.PublicKey}, {"PrivateKey", c.PrivateKey},
		{"ClientID", c.ClientID}, {"APIVersion", c.APIVersion}, {"UserAgent", c.UserAgent},
	} {
		if hasControl(f.v) || strings.TrimSpace(f.v) != f.v {
			return c, nil, fmt.Errorf("connectwise: config: %s contains control characters or surrounding spaces", f.name)
		}
	}
	if strings.Contains(c.Company, ":") || strings.Contains(c.PublicKey, ":") {
		return c, nil, errors.New("connectwise: config: Company and PublicKey must not contain ':' (it separates the Basic auth user from the password)")
	}

	u, err := url.Parse(c.BaseURL)
	if err != nil {
		shown, hasUser := redactUserinfo(c.BaseURL)
		if hasUser {
			// The parser's message may quote the password: say only what is wrong.
			return c, nil, fmt.Errorf("connectwise: config: BaseURL %q is not a URL, and it carries user information; give the REST root without it (the credentials come from Company/PublicKey/PrivateKey)", shown)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL itself is quoted once, above
		}
		return c, nil, fmt.Errorf("connectwise: config: BaseURL %q is not a URL: %v", shown, err)
	}
	if u.User != nil {
		return c, nil, errors.New("connectwise: config: BaseURL must not contain user information; use Company/PublicKey/PrivateKey")
	}
	if u.Host == "" {
		return c, nil, errors.New("connectwise: config: BaseURL has no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return c, nil, errors.New("connectwise: config: BaseURL must not have a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !c.AllowInsecure && !isLoopback(u.Hostname()) {
			return c, nil, fmt.Errorf("connectwise: config: BaseURL %q uses http; https is required (http is allowed only for loopback hosts, or with Config.AllowInsecure)", u.Redacted())
		}
	default:
		return c, nil, fmt.Errorf("connectwise: config: BaseURL scheme %q is not supported; use https", u.Scheme)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	c.BaseURL = u.String()

	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	for _, r := range c.APIVersion {
		if (r < '0' || r > '9') && r != '.' {
			return c, nil, fmt.Errorf("connectwise: config: APIVersion %q must look like 2026.4", c.APIVersion)
		}
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.MinBackoff < 0 || c.MaxBackoff < 0 || c.MaxRetryAfter < 0 || c.MaxWait < 0 || c.RequestTimeout < 0 || c.MaxResponseBytes < 0 {
		return c, nil, errors.New("connectwise: config: durations and sizes must not be negative")
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = max(DefaultMaxBackoff, c.MinBackoff)
	}
	if c.MinBackoff > c.MaxBackoff {
		return c, nil, fmt.Errorf("connectwise: config: MinBackoff %v exceeds MaxBackoff %v", c.MinBackoff, c.MaxBackoff)
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = min(DefaultMaxRetryAfter, c.MaxWait)
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.RequestsPerMinute < 0 {
		return c, nil, errors.New("connectwise: config: RequestsPerMinute must not be negative (0 means unlimited)")
	}
	if c.HTTPClient == nil {
		c.HTTPClient = defaultHTTPClient()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, u, nil
}

// redactUserinfo returns raw with anything before an '@' in its authority replaced by [REDACTED],
// and whether there was any. It works on text that url.Parse refuses.
func redactUserinfo(raw string) (string, bool) {
	rest, scheme := raw, ""
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	end := len(rest)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw, false
	}
	return scheme + redacted + rest[at:], true
}

// isLoopback reports whether host is "localhost" or a loopback IP literal.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32 // parallel id-range streams reuse connections
	return &http.Client{Transport: t, CheckRedirect: checkRedirect}
}

// errRedirect is returned (wrapped) for a redirect the default client refuses to follow.
var errRedirect = errors.New("refusing redirect")

// checkRedirect allows at most 5 redirects, only to the same host and never from https to http.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	switch {
	case len(via) >= 5:
		return fmt.Errorf("%w: more than 5 redirects", errRedirect)
	case !strings.EqualFold(req.URL.Host, first.Host):
		return fmt.Errorf("%w to another host (%s)", errRedirect, req.URL.Host)
	case first.Scheme == "https" && req.URL.Scheme != "https":
		return fmt.Errorf("%w from https to %s", errRedirect, req.URL.Scheme)
	}
	return nil
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
