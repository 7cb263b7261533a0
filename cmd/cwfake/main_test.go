package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/cwfake"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
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

func TestRunServesOnAChosenPortAndStops(t *testing.T) {
	portFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--port-file", portFile, "--tickets", "20", "--seed", "3",
			"--client-id", "cid", "--private-key", "priv-9f3Kq"}, &stdout, &stderr)
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; {
		if b, err := os.ReadFile(portFile); err == nil {
			addr = strings.TrimSpace(string(b))
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v; stderr %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no port file after 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("port file holds %q", addr)
	}
	base := "http://" + addr + cwfake.DefaultBasePath + "/"
	if !strings.Contains(stdout.String(), base) {
		t.Errorf("stdout %q does not print the base URL %s", stdout.String(), base)
	}
	if strings.Contains(stdout.String()+stderr.String(), "priv-9f3Kq") {
		t.Errorf("output shows the private key: %q", stdout.String())
	}
	req, _ := http.NewRequest(http.MethodGet, base+"service/tickets/count", nil)
	req.Header.Set("Authorization", cwfake.BasicAuth(cwfake.DefaultCompanyID, cwfake.DefaultPublicKey, "priv-9f3Kq"))
	req.Header.Set("clientId", "cid")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"count":20}` {
		t.Fatalf("count: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:8089"},
		{"--addr", "192.168.1.4:80"},
		{"--addr", "nonsense"},
		{"--rate-limit-fraction", "2"},
		{"--tickets", "-1"},
		{"--no-such-flag"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
