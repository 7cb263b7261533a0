package cwfake

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Config fields left zero.
const (
	// DefaultBasePath is the API base path; a client's base URL is the
	// server URL plus this path plus "/".
	DefaultBasePath = "/v4_6_release/apis/3.0"
	// DefaultCompanyID, DefaultPublicKey and DefaultPrivateKey are the
	// credentials accepted when Config leaves them all empty.
	DefaultCompanyID  = "canonic"
	DefaultPublicKey  = "cwfakePublicKey"
	DefaultPrivateKey = "cwfakePrivateKey"
	// DefaultClientID is a clientId value for clients of a server whose
	// Config.ClientID is empty (any non-empty clientId is then accepted).
	DefaultClientID = "8d3b1f6e-5a2c-4c1e-9f00-cafe00c0ffee"
	// DefaultTickets is the number of tickets of the store New creates
	// when Config.Store is nil.
	DefaultTickets = 500
	// DefaultPageSize and MaxPageSize bound pageSize, as ConnectWise does.
	DefaultPageSize = 25
	MaxPageSize     = 1000
	// DefaultMaxURLLength is the longest request URI accepted.
	DefaultMaxURLLength = 2048
	// APIVersion is the model version this server's records follow.
	APIVersion = "2026.4"
)

// Config configures a Server. The zero value serves DefaultTickets tickets
// from seed 1 with the default credentials and no faults.
type Config struct {
	// Store holds the served records; nil means NewStore(1, DefaultTickets).
	Store *Store
	// BasePath is where the API lives; "" means DefaultBasePath.
	BasePath string

	// CompanyID, PublicKey and PrivateKey are the accepted credentials,
	// sent as Basic base64("CompanyID+PublicKey:PrivateKey"); all empty
	// means the Default* values. The company id compares
	// case-insensitively.
	CompanyID, PublicKey, PrivateKey string
	// ClientID is the required clientId header value; "" accepts any
	// non-empty value.
	ClientID string

	// StrictPageSize answers pageSize > MaxPageSize with 400 instead of
	// clamping it to MaxPageSize as ConnectWise does.
	StrictPageSize bool
	// MaxURLLength is the longest request URI accepted (414 past it);
	// 0 means DefaultMaxURLLength, negative means unlimited.
	MaxURLLength int

	// FaultSeed seeds the fault generator; decisions are drawn per request
	// in arrival order, so a sequential client sees a reproducible run.
	FaultSeed int64
	// RateLimitFraction of API requests are answered 429 with Retry-After.
	RateLimitFraction float64
	// ServerErrorFraction of API requests are answered 500, 502 or 503
	// (502 and 503 with an HTML body, as a proxy would send).
	ServerErrorFraction float64
	// MalformedFraction of API requests that return a list page get a 200
	// whose body is truncated JSON.
	MalformedFraction float64
	// ResetFraction of API requests that succeed get their connection
	// closed after part of the body.
	ResetFraction float64
	// The four fractions above draw from one uniform number per request, so
	// each fires at its own rate; their sum must not exceed 1.

	// SlowPage delays every page of a list sweep by this much (not the
	// one-record notes lookups of child columns, so that a slowed sweep
	// still spreads its inserts over the run).
	SlowPage time.Duration
	// RequestsPerMinute is a budget of API requests per BudgetWindow; past
	// it requests are answered 429 with Retry-After until the window ends.
	// 0 means unlimited.
	RequestsPerMinute int
	// BudgetWindow is the budget's window; 0 means one minute.
	BudgetWindow time.Duration
	// RetryAfter is the Retry-After of fault 429s, in whole seconds
	// (rounded up); 0 means one second, negative means "Retry-After: 0".
	RetryAfter time.Duration
	// MaxConsecutiveFaults caps how many times in a row the same request
	// (method, URI, pagination-type) is faulted, so retries succeed; 0
	// means 4, negative means no cap.
	MaxConsecutiveFaults int

	// Hostile is a hostile mode (see HostileModes; "" for none): a way of
	// breaking the protocol that a loader must notice. Server.SetHostile and
	// POST /_admin/hostile?mode= change it while serving.
	Hostile string
	// WideRecordBytes is the size of the padded field in the wide-records
	// mode; 0 means DefaultWideRecordBytes.
	WideRecordBytes int
	// WideField is the string field the wide-records mode pads; "" means
	// DefaultWideField.
	WideField string

	// Logf, if set, logs one line per API request.
	Logf func(format string, args ...any)
}

// Validate reports configuration errors.
func (c Config) Validate() error {
	var errs []error
	fr := map[string]float64{"RateLimitFraction": c.RateLimitFraction, "ServerErrorFraction": c.ServerErrorFraction,
		"MalformedFraction": c.MalformedFraction, "ResetFraction": c.ResetFraction}
	names := make([]string, 0, len(fr))
	for n := range fr {
		names = append(names, n)
	}
	sort.Strings(names)
	sum := 0.0
	for _, n := range names {
		if f := fr[n]; f < 0 || f > 1 {
			errs = append(errs, fmt.Errorf("%s %v is not in [0,1]", n, f))
		}
		sum += fr[n]
	}
	if sum > 1 {
		errs = append(errs, fmt.Errorf("fault fractions sum to %v, more than 1", sum))
	}
	if err := validHostile(c.Hostile); err != nil {
		errs = append(errs, err)
	}
	if c.WideRecordBytes < 0 {
		errs = append(errs, errors.New("WideRecordBytes must not be negative"))
	}
	if c.SlowPage < 0 || c.RequestsPerMinute < 0 || c.BudgetWindow < 0 {
		errs = append(errs, errors.New("SlowPage, RequestsPerMinute and BudgetWindow must not be negative"))
	}
	if c.BasePath != "" && (!strings.HasPrefix(c.BasePath, "/") || strings.HasPrefix(c.BasePath, "/_admin")) {
		errs = append(errs, fmt.Errorf("BasePath %q must start with / and not be under /_admin", c.BasePath))
	}
	if (c.CompanyID != "" || c.PublicKey != "" || c.PrivateKey != "") &&
		(c.CompanyID == "" || c.PublicKey == "" || c.PrivateKey == "") {
		errs = append(errs, errors.New("CompanyID, PublicKey and PrivateKey must be set together"))
	}
	if strings.Contains(c.CompanyID, "+") || strings.Contains(c.PublicKey, ":") {
		errs = append(errs, errors.New("CompanyID must not contain '+' and PublicKey must not contain ':'"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cwfake: invalid config: %w", err)
	}
	return nil
}

// BasicAuth returns the Authorization header value ConnectWise expects:
// "Basic " + base64("companyID+publicKey:privateKey").
func BasicAuth(companyID, publicKey, privateKey string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(companyID+"+"+publicKey+":"+privateKey))
}

// Server serves a Store with the ConnectWise REST protocol. It implements
// http.Handler.
type Server struct {
	cfg    Config
	store  *Store
	base   string
	faults *faultInjector
	stats  *statsRecorder
	// hostile is the current hostile mode (Config.Hostile, SetHostile).
	hostile atomic.Pointer[string]
	// wideValue is the JSON string the wide-records mode puts in every
	// record, made once.
	widePad   sync.Once
	wideValue json.RawMessage
}

// New returns a server for cfg. It panics if cfg.Validate fails.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if cfg.Store == nil {
		cfg.Store = NewStore(1, DefaultTickets)
	}
	if cfg.BasePath == "" {
		cfg.BasePath = DefaultBasePath
	}
	if cfg.CompanyID == "" {
		cfg.CompanyID, cfg.PublicKey, cfg.PrivateKey = DefaultCompanyID, DefaultPublicKey, DefaultPrivateKey
	}
	if cfg.MaxURLLength == 0 {
		cfg.MaxURLLength = DefaultMaxURLLength
	}
	if cfg.BudgetWindow == 0 {
		cfg.BudgetWindow = time.Minute
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.MaxConsecutiveFaults == 0 {
		cfg.MaxConsecutiveFaults = 4
	}
	if cfg.WideRecordBytes == 0 {
		cfg.WideRecordBytes = DefaultWideRecordBytes
	}
	if cfg.WideField == "" {
		cfg.WideField = DefaultWideField
	}
	s := &Server{
		cfg:    cfg,
		store:  cfg.Store,
		base:   strings.TrimRight(cfg.BasePath, "/"),
		faults: newFaultInjector(cfg),
		stats:  newStatsRecorder(),
	}
	s.hostile.Store(&cfg.Hostile)
	return s
}

// Store returns the served store.
func (s *Server) Store() *Store { return s.store }

// BasePath returns the API base path, without a trailing slash.
func (s *Server) BasePath() string { return s.base }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_admin/"):
		s.serveAdmin(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/login/companyinfo/"):
		s.serveCompanyInfo(w, r)
		return
	}
	s.serveAPI(w, r)
}

// serveCompanyInfo answers GET /login/companyinfo/{companyId}, which
// clients use to discover the codebase part of the base URL.
func (s *Server) serveCompanyInfo(w http.ResponseWriter, r *http.Request) {
	company := strings.TrimPrefix(r.URL.Path, "/login/companyinfo/")
	if !strings.EqualFold(company, s.cfg.CompanyID) {
		writeResponse(w, errorResponse(http.StatusNotFound, "NotFound", "Company %q not found", company))
		return
	}
	codebase := strings.TrimPrefix(strings.TrimSuffix(s.base, "apis/3.0"), "/")
	writeResponse(w, jsonResponse(http.StatusOK, map[string]any{
		"CompanyName": s.cfg.CompanyID, "Codebase": codebase, "VersionCode": "v" + APIVersion,
		"VersionNumber": "v4.6." + strings.ReplaceAll(APIVersion, ".", ""), "CompanyID": s.cfg.CompanyID, "IsCloud": false,
	}))
}

// endpoint is a routed API request.
type endpoint struct {
	entity *Entity
	kind   string // "list", "count", "get", "search"
	id     int    // the record of "get"; the parent ticket of a notes list or count
}

// noteEntity is the notes endpoint's entity (not in the store's registry:
// its records live under their tickets).
var noteEntity = NoteEntity()

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	version := acceptVersion(r.Header.Get("Accept"))
	rest, ok := strings.CutPrefix(r.URL.Path, s.base)
	label := r.Method + " " + r.URL.Path
	var resp response
	var ep endpoint
	switch {
	case !ok || (rest != "" && rest[0] != '/'):
		resp = errorResponse(http.StatusNotFound, "NotFound", "Resource %s not found", r.URL.Path)
	case s.cfg.MaxURLLength > 0 && len(r.RequestURI) > s.cfg.MaxURLLength:
		resp = errorResponse(http.StatusRequestURITooLong, "RequestUriTooLong",
			"The request URI is %d characters; the limit is %d. Use POST .../search with the conditions in the body.",
			len(r.RequestURI), s.cfg.MaxURLLength)
	default:
		if bad, denied := s.authenticate(r); denied {
			resp = bad
			break
		}
		var routed bool
		ep, resp, routed = s.route(r, strings.Trim(rest, "/"))
		if m := notesRE.FindStringSubmatch(strings.Trim(rest, "/")); m != nil {
			ep, resp, routed = s.routeNotes(r, m)
		}
		if !routed {
			break
		}
		label = r.Method + " " + ep.entity.Path
		if ep.kind != "list" && ep.entity == noteEntity {
			label += "/" + ep.kind
		} else if ep.kind != "list" {
			label += "/" + map[string]string{"count": "count", "get": "{id}", "search": "search"}[ep.kind]
		}
		s.serveEndpoint(w, r, ep, label, version, start)
		return
	}
	s.stats.record(label, version, strconv.Itoa(resp.status), "")
	s.logf(r, resp.status, start, "")
	writeResponse(w, resp)
}

// serveEndpoint applies the fault plan to one authenticated, routed request.
func (s *Server) serveEndpoint(w http.ResponseWriter, r *http.Request, ep endpoint, label, version string, start time.Time) {
	if ok, wait := s.faults.admit(time.Now()); !ok {
		resp := errorResponse(http.StatusTooManyRequests, "TooManyRequests",
			"Request budget of %d per %s exceeded. Retry after %d seconds.", s.cfg.RequestsPerMinute, s.cfg.BudgetWindow, wait)
		resp.header.Set("Retry-After", strconv.Itoa(wait))
		s.finish(w, r, resp, label, version, faultBudget, start)
		return
	}
	key := r.Method + " " + r.URL.RequestURI() + " " + strings.ToLower(r.Header.Get("pagination-type"))
	d := s.faults.draw(key)
	switch d.kind {
	case faultRateLimit:
		s.faults.settle(key, true)
		resp := errorResponse(http.StatusTooManyRequests, "TooManyRequests",
			"Too many requests. Retry after %d seconds.", s.faults.retryAfter)
		resp.header.Set("Retry-After", strconv.Itoa(s.faults.retryAfter))
		s.finish(w, r, resp, label, version, faultRateLimit, start)
		return
	case faultServerError:
		s.faults.settle(key, true)
		s.finish(w, r, serverError(d.status), label, version, faultServerError, start)
		return
	}

	if resp, ok := s.hostileAnswer(r, ep); ok {
		s.faults.settle(key, false)
		s.finish(w, r, resp, label, version, faultHostile, start)
		return
	}
	var resp response
	switch ep.kind {
	case "list":
		resp = s.list(r, ep, nil)
	case "search":
		resp = s.search(r, ep)
	case "count":
		resp = s.count(r, ep)
	case "get":
		resp = s.get(r, ep.entity, ep.id)
	}
	slow := resp.page && s.cfg.SlowPage > 0 && ep.entity != noteEntity
	if slow {
		t := time.NewTimer(s.cfg.SlowPage)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	fault := ""
	switch {
	case d.kind == faultMalformed && resp.page && resp.status == http.StatusOK:
		fault = faultMalformed
		n := max(1, len(resp.body)/2)
		resp.body = resp.body[:n]
	case d.kind == faultReset && resp.status >= 200 && resp.status < 300 && len(resp.body) > 1:
		fault = faultReset
	}
	if slow {
		s.stats.fault(faultSlow)
	}
	s.faults.settle(key, fault != "")
	if fault == faultReset {
		cut := max(1, min(len(resp.body)-1, int(float64(len(resp.body))*d.cut)))
		s.stats.record(label, version, "reset", faultReset)
		s.logf(r, 0, start, "reset after "+strconv.Itoa(cut)+" bytes")
		emitReset(w, resp, cut)
		return
	}
	s.finish(w, r, resp, label, version, fault, start)
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, resp response, label, version, fault string, start time.Time) {
	s.stats.record(label, version, strconv.Itoa(resp.status), fault)
	s.logf(r, resp.status, start, fault)
	writeResponse(w, resp)
}

func (s *Server) logf(r *http.Request, status int, start time.Time, note string) {
	if s.cfg.Logf == nil {
		return
	}
	s.cfg.Logf("cwfake: %s %s -> %d %s %s", r.Method, r.URL.RequestURI(), status, time.Since(start).Round(time.Microsecond), note)
}

// acceptVersion extracts version=... from an Accept header such as
// "application/vnd.connectwise.com+json; version=2026.4"; "" if absent.
func acceptVersion(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		_, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && params["version"] != "" {
			return params["version"]
		}
	}
	return ""
}

// authenticate checks Basic credentials and the clientId header. It never
// echoes the private key.
func (s *Server) authenticate(r *http.Request) (response, bool) {
	unauthorized := func(format string, args ...any) (response, bool) {
		resp := errorResponse(http.StatusUnauthorized, "Unauthorized", format, args...)
		resp.header.Set("WWW-Authenticate", `Basic realm="ConnectWise"`)
		return resp, true
	}
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return unauthorized("Authorization with Basic credentials companyId+publicKey:privateKey is required.")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return unauthorized("Authorization credentials are not valid base64.")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	company, public, ok2 := strings.Cut(user, "+")
	if !ok || !ok2 {
		return unauthorized("Credentials must have the form companyId+publicKey:privateKey.")
	}
	if !strings.EqualFold(company, s.cfg.CompanyID) ||
		subtle.ConstantTimeCompare([]byte(public), []byte(s.cfg.PublicKey)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.PrivateKey)) != 1 {
		return unauthorized("Invalid credentials for company %q.", company)
	}
	clientID := r.Header.Get("clientId")
	if clientID == "" {
		return errorResponse(http.StatusForbidden, "Forbidden", "A clientId header is required; register one at developer.connectwise.com."), true
	}
	if s.cfg.ClientID != "" && clientID != s.cfg.ClientID {
		return errorResponse(http.StatusForbidden, "Forbidden", "clientId %q is not valid.", clientID), true
	}
	return response{}, false
}

// route maps a path under the base path to an entity endpoint.
func (s *Server) route(r *http.Request, rest string) (endpoint, response, bool) {
	var ent *Entity
	for _, p := range s.store.Entities() {
		if (rest == p || strings.HasPrefix(rest, p+"/")) && (ent == nil || len(p) > len(ent.Path)) {
			ent, _ = s.store.Entity(p)
		}
	}
	if ent == nil {
		return endpoint{}, errorResponse(http.StatusNotFound, "NotFound", "Resource %s not found", r.URL.Path), false
	}
	sub := strings.TrimPrefix(strings.TrimPrefix(rest, ent.Path), "/")
	ep := endpoint{entity: ent}
	method := http.MethodGet
	switch {
	case sub == "":
		ep.kind = "list"
	case sub == "count":
		ep.kind = "count"
	case sub == "search":
		ep.kind, method = "search", http.MethodPost
	default:
		id, err := strconv.Atoi(sub)
		if err != nil || id < 0 {
			return ep, errorResponse(http.StatusNotFound, "NotFound", "Resource %s not found", r.URL.Path), false
		}
		ep.kind, ep.id = "get", id
	}
	if r.Method != method {
		resp := errorResponse(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"The requested resource does not support http method '%s'.", r.Method)
		resp.header.Set("Allow", method)
		return ep, resp, false
	}
	return ep, response{}, true
}

// param returns a query parameter, matching its name case-insensitively
// as ConnectWise (ASP.NET) does.
func param(q url.Values, name string) (string, bool) {
	if v, ok := q[name]; ok && len(v) > 0 {
		return v[0], true
	}
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}

// listQuery is a parsed list request.
type listQuery struct {
	conditions string
	orderBy    string
}

func (s *Server) search(r *http.Request, ep endpoint) response {
	var body struct {
		Conditions string `json:"conditions"`
		OrderBy    string `json:"orderBy"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(&body); err != nil && err != io.EOF {
		return errorResponse(http.StatusBadRequest, "InvalidObject", "The search body must be JSON like {\"conditions\": \"...\"}: %v", err)
	}
	return s.list(r, ep, &listQuery{conditions: body.Conditions, orderBy: body.OrderBy})
}

// routeNotes routes a notes list or count (m from notesRE).
func (s *Server) routeNotes(r *http.Request, m []string) (endpoint, response, bool) {
	id, err := strconv.Atoi(m[1])
	if err != nil {
		return endpoint{}, errorResponse(http.StatusNotFound, "NotFound", "Resource %s not found", r.URL.Path), false
	}
	ep := endpoint{entity: noteEntity, kind: "list", id: id}
	if m[2] != "" {
		ep.kind = "count"
	}
	if r.Method != http.MethodGet {
		resp := errorResponse(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"The requested resource does not support http method '%s'.", r.Method)
		resp.header.Set("Allow", http.MethodGet)
		return ep, resp, false
	}
	return ep, response{}, true
}
