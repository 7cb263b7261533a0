package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/canonic-data/canonic/internal/cwfake"
)

// Credentials of the fake ConnectWise. The private key must never show in
// the binary's output.
const (
	cwCompany    = "acmemsp"
	cwPublicKey  = "pubKEY-e2e-4b1d"
	cwPrivateKey = "privKEY-e2e-S3cr3t-90af"
	cwClientID   = cwfake.DefaultClientID
)

// cwServer is a cwfake server on a loopback httptest listener.
type cwServer struct {
	*cwfake.Server
	url string // the REST root the binary is given

	mu    sync.Mutex
	armed chan struct{} // closed by the next tickets list request
}

// startCW serves cfg (credentials filled in) until the test ends.
func startCW(t testing.TB, cfg cwfake.Config) *cwServer {
	t.Helper()
	cfg.CompanyID, cfg.PublicKey, cfg.PrivateKey = cwCompany, cwPublicKey, cwPrivateKey
	cfg.ClientID = cwClientID
	s := &cwServer{Server: cwfake.New(cfg)}
	hs := httptest.NewServer(s) // 127.0.0.1
	t.Cleanup(hs.Close)
	s.url = hs.URL + s.BasePath() + "/"
	return s
}

// nextList returns a channel closed when the server receives its next
// request for a page of tickets.
func (s *cwServer) nextList() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = make(chan struct{})
	return s.armed
}

func (s *cwServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/"+cwfake.TicketsPath) {
		s.mu.Lock()
		if s.armed != nil {
			close(s.armed)
			s.armed = nil
		}
		s.mu.Unlock()
	}
	s.Server.ServeHTTP(w, r)
}
