package connectwise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewValidation(t *testing.T) {
	valid := func() Config {
		return Config{BaseURL: "https://api-na.myconnectwise.net/v4_6_release/apis/3.0", Company: testCompany,
			PublicKey: testPublic, PrivateKey: testPrivate, ClientID: testClientID}
	}
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr []string // substrings; nil means success
	}{
		{"valid https", func(*Config) {}, nil},
		{"http loopback ip", func(c *Config) { c.BaseURL = "http://127.0.0.1:8080/apis/3.0/" }, nil},
		{"http localhost", func(c *Config) { c.BaseURL = "http://localhost:8080/apis/3.0/" }, nil},
		{"http ipv6 loopback", func(c *Config) { c.BaseURL = "http://[::1]:8080/apis/3.0/" }, nil},
		{"http remote with AllowInsecure", func(c *Config) { c.BaseURL = "http://cw.internal/apis/3.0/"; c.AllowInsecure = true }, nil},
		{"http remote", func(c *Config) { c.BaseURL = "http://cw.example.com/apis/3.0/" }, []string{"https is required", "loopback", "AllowInsecure"}},
		{"ftp scheme", func(c *Config) { c.BaseURL = "ftp://cw.example.com/" }, []string{"scheme"}},
		{"no host", func(c *Config) { c.BaseURL = "https:///apis/3.0/" }, []string{"no host"}},
		{"user info", func(c *Config) { c.BaseURL = "https://u:" + testPrivate + "@cw.example.com/" }, []string{"user information"}},
		{"query", func(c *Config) { c.BaseURL = "https://cw.example.com/?x=1" }, []string{"query"}},
		{"missing all", func(c *Config) { *c = Config{} }, []string{"BaseURL", "Company", "PublicKey", "PrivateKey", "ClientID"}},
		{"missing private key", func(c *Config) { c.PrivateKey = "" }, []string{"missing PrivateKey"}},
		{"colon in public key", func(c *Config) { c.PublicKey = "a:" + testPublic }, []string{"':'"}},
		{"newline in private key", func(c *Config) { c.PrivateKey = testPrivate + "\n" }, []string{"PrivateKey", "control"}},
		{"bad api version", func(c *Config) { c.APIVersion = "latest" }, []string{"APIVersion"}},
		{"backoff order", func(c *Config) { c.MinBackoff = time.Second; c.MaxBackoff = time.Millisecond }, []string{"MinBackoff"}},
		{"negative rpm", func(c *Config) { c.RequestsPerMinute = -1 }, []string{"RequestsPerMinute"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.mod(&cfg)
			c, err := New(cfg)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if !strings.HasSuffix(c.BaseURL(), "/") {
					t.Errorf("BaseURL %q should end in /", c.BaseURL())
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded, want error containing %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			assertNoSecrets(t, "New error", err.Error())
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(EnvURL, "https://cw.example.com/v4_6_release/apis/3.0/")
	t.Setenv(EnvCompany, testCompany)
	t.Setenv(EnvPublicKey, testPublic)
	t.Setenv(EnvPrivateKey, "")
	t.Setenv(EnvClientID, "")
	_, err := ConfigFromEnv("")
	if err == nil {
		t.Fatal("want error for missing variables")
	}
	for _, w := range []string{EnvPrivateKey, EnvClientID} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
	for _, w := range []string{EnvURL, EnvPublicKey, EnvCompany} {
		if strings.Contains(err.Error(), w) {
			t.Errorf("error %q names %s, which is set", err, w)
		}
	}
	assertNoSecrets(t, "ConfigFromEnv error", err.Error())

	t.Setenv(EnvPrivateKey, testPrivate)
	t.Setenv(EnvClientID, testClientID)
	cfg, err := ConfigFromEnv("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != "https://cw.example.com/v4_6_release/apis/3.0/" || cfg.PrivateKey != testPrivate || cfg.ClientID != testClientID {
		t.Errorf("unexpected config %v", cfg)
	}
	cfg, err = ConfigFromEnv("https://other.example.com/apis/3.0/")
	if err != nil || cfg.BaseURL != "https://other.example.com/apis/3.0/" {
		t.Errorf("explicit baseURL not used: %v %v", cfg.BaseURL, err)
	}
	t.Setenv(EnvURL, "")
	if _, err := ConfigFromEnv(""); err == nil || !strings.Contains(err.Error(), EnvURL) {
		t.Errorf("want error naming %s, got %v", EnvURL, err)
	}
}

func TestRenderingsAreRedacted(t *testing.T) {
	cfg := Config{BaseURL: "https://cw.example.com/apis/3.0/", Company: testCompany, PublicKey: testPublic,
		PrivateKey: testPrivate, ClientID: testClientID}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type wrapper struct {
		Cfg    Config
		Client *Client
	}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		out = append(out, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg), fmt.Sprintf(verb, c), fmt.Sprintf(verb, wrapper{cfg, c}))
	}
	out = append(out, fmt.Sprint(cfg, c), fmt.Sprintln(cfg, c))
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(js))
	var logs syncBuffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "cfg", cfg, "client", c, "wrapper", wrapper{cfg, c})
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "cfg", cfg, "client", c)
	out = append(out, logs.String())
	for _, s := range out {
		assertNoSecrets(t, "rendering", s)
	}
	if !strings.Contains(fmt.Sprintf("%+v", cfg), redacted) || !strings.Contains(string(js), redacted) {
		t.Errorf("redacted marker missing: %+v / %s", cfg, js)
	}
	if !strings.Contains(fmt.Sprint(c), "cw.example.com") {
		t.Errorf("client rendering should name the host: %v", c)
	}
}

func TestRequestHeaders(t *testing.T) {
	var got atomic.Pointer[http.Header]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		got.Store(&h)
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv.URL+"/v4_6_release/apis/3.0", nil)

	check := func(forwardOnly bool) {
		t.Helper()
		if err := c.Pages(context.Background(), "/service/tickets", Query{ForwardOnly: forwardOnly}, func(Page) error { return nil }); err != nil {
			t.Fatal(err)
		}
		h := *got.Load()
		want := map[string]string{
			"Authorization": "Basic " + testAuthB64,
			"Clientid":      testClientID,
			"Accept":        "application/vnd.connectwise.com+json; version=2026.4",
		}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("header %s = %q, want %q", k, h.Get(k), v)
			}
		}
		if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, "canonic-connectwise/") {
			t.Errorf("User-Agent = %q", ua)
		}
		if pt := h.Get("Pagination-Type"); (pt == "forward-only") != forwardOnly {
			t.Errorf("pagination-type = %q with ForwardOnly=%v", pt, forwardOnly)
		}
	}
	check(false)
	check(true)

	c2, _, _ := newTestClient(t, srv.URL+"/apis/3.0/", func(c *Config) { c.APIVersion = "2025.1"; c.UserAgent = "probe/2" })
	if _, err := c2.get(context.Background(), c2.BaseURL()+"system/info", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if h := *got.Load(); h.Get("Accept") != "application/vnd.connectwise.com+json; version=2025.1" || h.Get("User-Agent") != "probe/2" {
		t.Errorf("overrides not applied: %v", h)
	}
}

// sequenceServer answers successive requests with the given handlers (the last one repeats) and counts
// requests.
func sequenceServer(t *testing.T, handlers ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		handlers[min(i, len(handlers)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

const okPage = `[{"id":1,"summary":"a"},{"id":2,"summary":"b"}]`

// fetchOne runs Pages on a single-page endpoint and returns the pages seen.
func fetchOne(c *Client) ([]Page, error) {
	var pages []Page
	err := c.Pages(context.Background(), "service/tickets", Query{}, func(p Page) error {
		pages = append(pages, p)
		return nil
	})
	return pages, err
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Run("seconds", func(t *testing.T) {
		srv, n := sequenceServer(t, status(429, `{"code":"TooManyRequests","message":"slow down"}`, "Retry-After", "1"), status(200, okPage))
		c, clock, logs := newTestClient(t, srv.URL, nil)
		pages, err := fetchOne(c)
		if err != nil {
			t.Fatal(err)
		}
		if n.Load() != 2 || len(pages) != 1 || pages[0].Records != 2 {
			t.Fatalf("requests=%d pages=%v", n.Load(), pages)
		}
		if s := clock.Sleeps(); len(s) != 1 || s[0] != time.Second {
			t.Errorf("sleeps = %v, want exactly [1s]", s)
		}
		l := logs.String()
		for _, w := range []string{`"level":"WARN"`, `"status":429`, `"attempt":1`, `"wait":1000000000`, "slow down"} {
			if !strings.Contains(l, w) {
				t.Errorf("retry log lacks %s: %s", w, l)
			}
		}
	})
	t.Run("http-date", func(t *testing.T) {
		when := newFakeClock().Now().Add(3 * time.Second).Format(http.TimeFormat)
		srv, _ := sequenceServer(t, status(429, ``, "Retry-After", when), status(200, okPage))
		c, clock, _ := newTestClient(t, srv.URL, nil)
		if _, err := fetchOne(c); err != nil {
			t.Fatal(err)
		}
		if s := clock.Sleeps(); len(s) != 1 || s[0] != 3*time.Second {
			t.Errorf("sleeps = %v, want [3s]", s)
		}
	})
	t.Run("capped", func(t *testing.T) {
		srv, _ := sequenceServer(t, status(429, ``, "Retry-After", "86400"), status(200, okPage))
		c, clock, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetryAfter = 7 * time.Second })
		if _, err := fetchOne(c); err != nil {
			t.Fatal(err)
		}
		if s := clock.Sleeps(); len(s) != 1 || s[0] != 7*time.Second {
			t.Errorf("sleeps = %v, want [7s]", s)
		}
	})
	t.Run("missing header uses backoff", func(t *testing.T) {
		srv, _ := sequenceServer(t, status(429, ``), status(200, okPage))
		c, clock, _ := newTestClient(t, srv.URL, nil)
		if _, err := fetchOne(c); err != nil {
			t.Fatal(err)
		}
		if s := clock.Sleeps(); len(s) != 1 || s[0] <= 0 || s[0] > 4*time.Millisecond {
			t.Errorf("sleeps = %v, want one backoff in (0, 4ms]", s)
		}
	})
	t.Run("pause shared by concurrent requests", func(t *testing.T) {
		// The first request is throttled; a request started during the pause must wait it out too.
		var n atomic.Int32
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "5")
				w.WriteHeader(429)
				return
			}
			w.Write([]byte(okPage))
		}))
		defer srv.Close()
		c, clock, _ := newTestClient(t, srv.URL, func(cfg *Config) {
			inner := cfg.Sleep
			cfg.Sleep = func(ctx context.Context, d time.Duration) error {
				<-release // hold the first goroutine inside its pause
				return inner(ctx, d)
			}
		})
		errc := make(chan error, 2)
		go func() { _, err := fetchOne(c); errc <- err }()
		deadline := time.Now().Add(5 * time.Second)
		for {
			c.mu.Lock()
			paused := !c.pauseUntil.IsZero()
			c.mu.Unlock()
			if paused {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("first request never throttled")
			}
			time.Sleep(time.Millisecond)
		}
		go func() { _, err := fetchOne(c); errc <- err }()
		time.Sleep(20 * time.Millisecond)
		if got := n.Load(); got != 1 {
			t.Errorf("second request went out during the pause (%d requests)", got)
		}
		close(release)
		for range 2 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		var total time.Duration
		for _, s := range clock.Sleeps() {
			total += s
		}
		if total < 5*time.Second {
			t.Errorf("total pause %v, want >= 5s", total)
		}
	})
}

func TestRetryAfterRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits one real second")
	}
	srv, n := sequenceServer(t, status(429, ``, "Retry-After", "1"), status(200, okPage))
	c, _, _ := newTestClient(t, srv.URL, func(c *Config) { c.Sleep, c.Now = nil, nil })
	start := time.Now()
	if _, err := fetchOne(c); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < time.Second || n.Load() != 2 {
		t.Errorf("elapsed %v with %d requests, want >= 1s and 2", el, n.Load())
	}
}

func TestRetryServerErrorsThenSuccess(t *testing.T) {
	srv, n := sequenceServer(t,
		status(500, `{"code":"Unexpected","message":"boom"}`),
		status(502, `<html>bad gateway</html>`),
		status(503, ``),
		status(200, okPage))
	c, clock, logs := newTestClient(t, srv.URL, nil)
	pages, err := fetchOne(c)
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 4 || len(pages) != 1 || string(pages[0].Body) != okPage {
		t.Fatalf("requests=%d pages=%d", n.Load(), len(pages))
	}
	s := clock.Sleeps()
	if len(s) != 3 {
		t.Fatalf("sleeps = %v, want 3", s)
	}
	for _, d := range s {
		if d <= 0 || d > 4*time.Millisecond {
			t.Errorf("backoff %v outside (0, MaxBackoff]", d)
		}
	}
	if got := strings.Count(logs.String(), `"msg":"connectwise: retrying request"`); got != 3 {
		t.Errorf("%d retry log lines, want 3", got)
	}
}

func TestRetryConnectionResetMidBody(t *testing.T) {
	srv, n := sequenceServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n[{\"id\":1},{\"id\":")
		buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // RST instead of FIN
		}
		conn.Close()
	}, status(200, okPage))
	c, clock, logs := newTestClient(t, srv.URL, nil)
	pages, err := fetchOne(c)
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 || len(pages) != 1 || pages[0].Records != 2 || len(clock.Sleeps()) != 1 {
		t.Errorf("requests=%d pages=%v sleeps=%v", n.Load(), pages, clock.Sleeps())
	}
	if !strings.Contains(logs.String(), "reading response body") {
		t.Errorf("retry log should explain the body error: %s", logs.String())
	}
}

func TestRetryMalformedPage(t *testing.T) {
	t.Run("then success", func(t *testing.T) {
		srv, n := sequenceServer(t, status(200, `[{"id":1},{"id"`), status(200, `{"not":"an array"}`), status(200, okPage))
		c, _, _ := newTestClient(t, srv.URL, nil)
		pages, err := fetchOne(c)
		if err != nil {
			t.Fatal(err)
		}
		if n.Load() != 3 || pages[0].Records != 2 {
			t.Errorf("requests=%d pages=%v", n.Load(), pages)
		}
	})
	t.Run("always malformed", func(t *testing.T) {
		srv, n := sequenceServer(t, status(200, `[{"id":1},`))
		c, _, _ := newTestClient(t, srv.URL, nil)
		called := false
		err := c.Pages(context.Background(), "/service/tickets", Query{Conditions: `id > 5`}, func(Page) error { called = true; return nil })
		if err == nil || called {
			t.Fatalf("err=%v called=%v", err, called)
		}
		if n.Load() != 4 {
			t.Errorf("%d requests, want MaxRetries+1 = 4", n.Load())
		}
		var se *SyntaxError
		if !errors.Is(err, ErrRetriesExhausted) || !errors.As(err, &se) {
			t.Errorf("error %v should match ErrRetriesExhausted and *SyntaxError", err)
		}
		wantURL := srv.URL + "/service/tickets?conditions=id%20%3E%205&page=1&pageSize=1000"
		for _, w := range []string{"giving up after 4 attempts", wantURL, "invalid response body", "truncated"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	})
}

// errorsJSON holds verbatim ConnectWise error bodies (see testdata/errors.json for provenance).
func loadErrorBodies(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(mustRead(t, "testdata/errors.json"), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClientErrorsNotRetried(t *testing.T) {
	bodies := loadErrorBodies(t)
	tests := []struct {
		status  int
		body    string
		code    string
		message string
		fields  int
		inError []string
	}{
		{404, string(bodies["ticket_not_found_404"]), "NotFound", "Service Ticket 404 not found", 0, nil},
		{400, string(bodies["invalid_object_400"]), "InvalidObject", "ticket object is invalid", 1, []string{"company/id: company 19299 not found (NotFound)"}},
		{400, string(bodies["invalid_conditions_400"]), "ApiFindCondition", "ticket is not a recognized name.", 0, nil},
		{400, string(bodies["pagesize_out_of_range_PSConnectWise_issue_2_2016"]), "InvalidObject", "pageSize object is invalid", 1, []string{"The field pageSize must be between 1 and 100."}},
		{401, `{"code":"Unauthorized","message":"Unauthorized"}`, "Unauthorized", "Unauthorized", 0, nil},
		{403, `<html><body>Forbidden by proxy</body></html>`, "", "<html><body>Forbidden by proxy</body></html>", 0, nil},
		{404, ``, "", "Not Found", 0, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.code), func(t *testing.T) {
			srv, n := sequenceServer(t, status(tt.status, tt.body))
			c, clock, _ := newTestClient(t, srv.URL, nil)
			_, err := fetchOne(c)
			if n.Load() != 1 || len(clock.Sleeps()) != 0 {
				t.Errorf("%d requests, %d sleeps: must not retry", n.Load(), len(clock.Sleeps()))
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if errors.Is(err, ErrRetriesExhausted) {
				t.Error("non-retryable error must not be a RetryError")
			}
			if ae.Status != tt.status || ae.Code != tt.code || ae.Message != tt.message || len(ae.Errors) != tt.fields {
				t.Errorf("got %+v", ae)
			}
			msg := err.Error()
			for _, w := range append([]string{fmt.Sprintf("HTTP %d", tt.status), tt.code, tt.message, "/service/tickets"}, tt.inError...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv, n := sequenceServer(t, status(503, `{"code":"ServiceUnavailable","message":"maintenance"}`))
	c, clock, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2 })
	_, err := fetchOne(c)
	if n.Load() != 3 || len(clock.Sleeps()) != 2 {
		t.Errorf("%d requests, %d sleeps; want 3 and 2", n.Load(), len(clock.Sleeps()))
	}
	var re *RetryError
	var ae *APIError
	if !errors.As(err, &re) || !errors.As(err, &ae) || !errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("error %v should be a RetryError wrapping an APIError", err)
	}
	if re.Attempts != 3 || ae.Status != 503 || !strings.Contains(err.Error(), "giving up after 3 attempts") || !strings.Contains(err.Error(), "maintenance") {
		t.Errorf("error = %v", err)
	}

	// Retries disabled: one attempt only.
	srv2, n2 := sequenceServer(t, status(503, ``))
	c2, _, _ := newTestClient(t, srv2.URL, func(c *Config) { c.MaxRetries = -1 })
	if _, err := fetchOne(c2); err == nil || n2.Load() != 1 {
		t.Errorf("MaxRetries<0: err=%v requests=%d", err, n2.Load())
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	// A hostile or buggy server echoes the credentials back in every way it can.
	echo := func(code int, asJSON bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			w.WriteHeader(code)
			if asJSON {
				fmt.Fprintf(w, `{"code":%q,"message":"bad auth %s (%s)","errors":[{"code":"x","message":%q,"field":%q}]}`,
					auth, auth, testPrivate, testPublic, testCompany+"+"+testPublic+":"+testPrivate)
				return
			}
			fmt.Fprintf(w, "<html>%s %s %s</html>", auth, testPrivate, testPublic)
		}
	}
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"401 json", echo(401, true)},
		{"400 html", echo(400, false)},
		{"503 json retried", echo(503, true)},
		{"502 html retried", echo(502, false)},
		{"429 json retried", echo(429, true)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := sequenceServer(t, tt.h)
			c, _, logs := newTestClient(t, srv.URL, nil)
			_, err := fetchOne(c)
			if err == nil {
				t.Fatal("want error")
			}
			assertNoSecrets(t, "error", err.Error())
			assertNoSecrets(t, "error %+v", fmt.Sprintf("%+v %#v", err, err))
			var ae *APIError
			if errors.As(err, &ae) {
				assertNoSecrets(t, "APIError fields", fmt.Sprintf("%#v", *ae))
			}
			if !strings.Contains(err.Error()+logs.String(), redacted) {
				t.Errorf("expected the echoed secrets to be replaced by %s: %v", redacted, err)
			}
		})
	}

	// Transport-level failures and config errors carry no secrets either.
	c, _, _ := newTestClient(t, "http://127.0.0.1:1/apis/3.0/", func(c *Config) { c.MaxRetries = 1 })
	_, err := fetchOne(c)
	if err == nil {
		t.Fatal("want connection error")
	}
	assertNoSecrets(t, "dial error", err.Error())
}

func TestContextCancellation(t *testing.T) {
	t.Run("during request", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}))
		defer srv.Close()
		c, _, _ := newTestClient(t, srv.URL, func(c *Config) { c.Sleep, c.Now = nil, nil })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err := c.Pages(ctx, "service/tickets", Query{}, func(Page) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("took %v to stop", el)
		}
	})
	t.Run("during backoff", func(t *testing.T) {
		srv, n := sequenceServer(t, status(503, ``))
		c, _, _ := newTestClient(t, srv.URL, func(c *Config) {
			c.Sleep, c.Now = nil, nil
			c.MinBackoff, c.MaxBackoff = time.Minute, time.Minute
		})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.get(ctx, c.BaseURL()+"x", nil, nil, nil)
		if !errors.Is(err, context.DeadlineExceeded) || n.Load() != 1 {
			t.Errorf("err = %v after %d requests", err, n.Load())
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("took %v to stop", el)
		}
	})
	t.Run("during retry-after", func(t *testing.T) {
		srv, _ := sequenceServer(t, status(429, ``, "Retry-After", "120"))
		c, _, _ := newTestClient(t, srv.URL, func(c *Config) { c.Sleep, c.Now = nil, nil })
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := c.get(ctx, c.BaseURL()+"x", nil, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("took %v to stop", el)
		}
	})
	t.Run("in callback", func(t *testing.T) {
		srv, n := sequenceServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", fmt.Sprintf(`<%s/service/tickets?page=%d>; rel="next"`, "http://"+r.Host, 2))
			w.Write([]byte(okPage))
		}, func(w http.ResponseWriter, r *http.Request) {
			// The request sent ahead for page 2: it must be cancelled, never answered.
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
				t.Error("the request sent ahead was not cancelled")
			}
		})
		c, _, _ := newTestClient(t, srv.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		err := c.Pages(ctx, "service/tickets", Query{}, func(Page) error { cancel(); return nil })
		if !errors.Is(err, context.Canceled) || n.Load() > 2 {
			t.Errorf("err = %v, requests = %d, want context.Canceled after page 1 and at most the one request sent ahead", err, n.Load())
		}
	})
	t.Run("in callback, after the request ahead failed", func(t *testing.T) {
		srv, n := sequenceServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", fmt.Sprintf(`<%s/service/tickets?page=%d>; rel="next"`, "http://"+r.Host, 2))
			w.Write([]byte(okPage))
		}, status(200, ``))
		c, _, _ := newTestClient(t, srv.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		err := c.Pages(ctx, "service/tickets", Query{}, func(Page) error {
			// Let the request sent ahead for page 2 fail first: an empty body twice ends its retries.
			for deadline := time.Now().Add(5 * time.Second); n.Load() < 3 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond)
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v after %d requests, want context.Canceled: the caller stopped the walk", err, n.Load())
		}
	})
}

func TestAttemptTimeoutRetried(t *testing.T) {
	srv, n := sequenceServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}, status(200, okPage))
	c, _, logs := newTestClient(t, srv.URL, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond })
	pages, err := fetchOne(c)
	if err != nil || n.Load() != 2 || len(pages) != 1 {
		t.Fatalf("err=%v requests=%d", err, n.Load())
	}
	if !strings.Contains(logs.String(), "timed out") {
		t.Errorf("log should say the attempt timed out: %s", logs.String())
	}
}

func TestURLTooLong(t *testing.T) {
	srv, n := sequenceServer(t, status(200, okPage))
	c, _, _ := newTestClient(t, srv.URL, nil)
	err := c.Pages(context.Background(), "service/tickets", Query{Conditions: "summary = \"" + strings.Repeat("x", 2100) + "\""}, func(Page) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "2000") || n.Load() != 0 {
		t.Errorf("err=%v requests=%d", err, n.Load())
	}
}

func TestResponseTooLarge(t *testing.T) {
	srv, n := sequenceServer(t, status(200, `[`+strings.Repeat(`{"id":1},`, 200)+`{"id":1}]`))
	c, _, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxResponseBytes = 100 })
	if _, err := fetchOne(c); err == nil || !strings.Contains(err.Error(), "MaxResponseBytes") || n.Load() != 1 {
		t.Errorf("err=%v requests=%d", err, n.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, false},
		{"99999999999999999999", 0, false},
		{"9999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		d, ok := parseRetryAfter(tt.in, now)
		if d != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, d, ok, tt.want, tt.ok)
		}
	}
}

func TestEndpointValidation(t *testing.T) {
	c, _, _ := newTestClient(t, "http://127.0.0.1:1/apis/3.0/", nil)
	for _, ep := range []string{"", "/", "service/../system", "service//tickets", "service/tickets?x=1", "https://evil.example/x", "service/tickets#f", "service/tick ets"} {
		if err := c.Pages(context.Background(), ep, Query{}, func(Page) error { return nil }); err == nil {
			t.Errorf("endpoint %q accepted", ep)
		}
	}
	for _, ep := range []string{"/service/tickets", "service/tickets/", "company/companies/12/notes", "system/info"} {
		if _, err := c.buildURL(ep, nil); err != nil {
			t.Errorf("endpoint %q rejected: %v", ep, err)
		}
	}
}

func TestRetryAfterOn503(t *testing.T) {
	srv, n := sequenceServer(t, status(503, `{"code":"Maintenance","message":"back soon"}`, "Retry-After", "2"), status(200, okPage))
	c, clock, _ := newTestClient(t, srv.URL, nil)
	if _, err := fetchOne(c); err != nil || n.Load() != 2 {
		t.Fatalf("err=%v requests=%d", err, n.Load())
	}
	if s := clock.Sleeps(); len(s) != 1 || s[0] != 2*time.Second {
		t.Errorf("sleeps = %v, want [2s]", s)
	}
}

func TestRedirects(t *testing.T) {
	var other atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		w.Write([]byte(okPage))
	}))
	defer elsewhere.Close()
	srv, n := sequenceServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved/service/tickets" {
			w.Write([]byte(okPage))
			return
		}
		if r.URL.Query().Get("x") == "away" {
			http.Redirect(w, r, elsewhere.URL+"/service/tickets", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/moved/service/tickets", http.StatusMovedPermanently)
	})
	c, _, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.get(context.Background(), srv.URL+"/service/tickets", nil, nil, nil); err != nil || n.Load() != 2 {
		t.Errorf("same-host redirect: err=%v requests=%d", err, n.Load())
	}
	_, err := c.get(context.Background(), srv.URL+"/service/tickets?x=away", nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "refusing redirect to another host") || other.Load() != 0 {
		t.Errorf("cross-host redirect: err=%v, other host hit %d times", err, other.Load())
	}
	if n.Load() != 3 {
		t.Errorf("refused redirect was retried: %d requests", n.Load())
	}
}
