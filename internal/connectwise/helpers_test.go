package connectwise

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testCompany  = "acme"
	testPublic   = "PUBpubKEY1234"
	testPrivate  = "PRIVsecretKEY5678"
	testClientID = "3b1f0d1e-1111-2222-3333-444455556666"
	// base64("acme+PUBpubKEY1234:PRIVsecretKEY5678"), computed independently of the code under test.
	testAuthB64 = "YWNtZStQVUJwdWJLRVkxMjM0OlBSSVZzZWNyZXRLRVk1Njc4"
)

// secretStrings are the values that must never show up in errors, logs or renderings.
var secretStrings = []string{testPublic, testPrivate, testAuthB64, testCompany + "+" + testPublic}

// assertNoSecrets fails the test if s contains any secret.
func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range secretStrings {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks secret %q: %s", what, sec, s)
		}
	}
}

// fakeClock is a clock whose Sleep advances Now instantly and records every wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.sleeps = append(f.sleeps, d)
	return nil
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testConfig returns a valid config for baseURL with tiny backoffs, a fake clock and a debug logger
// writing to logs.
func testConfig(baseURL string, clock *fakeClock, logs *syncBuffer) Config {
	return Config{
		BaseURL:    baseURL,
		Company:    testCompany,
		PublicKey:  testPublic,
		PrivateKey: testPrivate,
		ClientID:   testClientID,
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MaxRetries: 3,
		MinBackoff: time.Millisecond,
		MaxBackoff: 4 * time.Millisecond,
		Sleep:      clock.Sleep,
		Now:        clock.Now,
	}
}

// newTestClient builds a client against baseURL; mod may adjust the config. At cleanup it checks
// that the captured logs hold no secret.
func newTestClient(t *testing.T, baseURL string, mod func(*Config)) (*Client, *fakeClock, *syncBuffer) {
	t.Helper()
	clock, logs := newFakeClock(), &syncBuffer{}
	cfg := testConfig(baseURL, clock, logs)
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { assertNoSecrets(t, "log output", logs.String()) })
	return c, clock, logs
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
