package backfill_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/backfill"
)

// The Lambda tests run the real bootstrap (built as `make lambda` builds
// it) under the AWS Lambda Runtime Interface Emulator (`make rie`
// installs it into .cache/bin; CANONIC_RIE names another binary).

// EnvRIE names the emulator binary, overriding .cache/bin/aws-lambda-rie.
const EnvRIE = "CANONIC_RIE"

// repoRoot is the module root (the tests run in internal/backfill).
func repoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// rieBinary finds the emulator; without it the test is skipped, or fails
// with CI=true.
func rieBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Lambda emulator (-short)")
	}
	path := os.Getenv(EnvRIE)
	if path == "" {
		path = filepath.Join(repoRoot(t), ".cache", "bin", "aws-lambda-rie")
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("the Lambda Runtime Interface Emulator is not installed at %s: run `make rie` (or set %s)", path, EnvRIE)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// bootstrap is the tickets function's bootstrap, built once per test
// binary by `make lambda`'s tool for this machine's architecture.
var bootstrap struct {
	once sync.Once
	dir  string // holds bootstrap
	err  error
}

func lambdaBootstrap(t testing.TB) string {
	t.Helper()
	bootstrap.once.Do(func() {
		bootstrap.dir, bootstrap.err = buildBootstrap(repoRoot(t))
	})
	if bootstrap.err != nil {
		t.Fatal(bootstrap.err)
	}
	return bootstrap.dir
}

// buildBootstrap runs internal/tools/lambdazip (what `make lambda` runs)
// for the tickets command and unzips its bootstrap into .cache/lambda-test
// (rebuilt by every test binary, never left in /tmp).
func buildBootstrap(root string) (string, error) {
	dir := filepath.Join(root, ".cache", "lambda-test")
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "run", "./internal/tools/lambdazip", "--arch", runtime.GOARCH, "--out", dir, "--only", "backfill-connectwise-tickets")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make lambda: %v\n%s", err, out)
	}
	zr, err := zip.OpenReader(filepath.Join(dir, "backfill-connectwise-tickets.zip"))
	if err != nil {
		return "", err
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, f.Mode().Perm()); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// emulator is one running aws-lambda-rie serving the bootstrap.
type emulator struct {
	url     string
	outPath string // the emulator's and the function's output
}

// output returns what the emulator and the function printed so far.
func (e *emulator) output(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(e.outPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startEmulator runs the tickets bootstrap under the emulator with env
// (and nothing else of the test's environment but PATH) and a function
// timeout.
func startEmulator(t *testing.T, env map[string]string, timeout time.Duration) *emulator {
	t.Helper()
	rie := rieBinary(t)
	dir := lambdaBootstrap(t)
	apiPort, rapidPort := freePort(t), freePort(t)
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(rapidPort),
		"./bootstrap")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int(timeout.Seconds()))}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	e := &emulator{url: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", apiPort),
		outPath: filepath.Join(t.TempDir(), "emulator.log")}
	out, err := os.Create(e.outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close() // the child holds its own descriptor
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("emulator output:\n%s", e.output(t))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", apiPort), time.Second)
		if err == nil {
			c.Close()
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator did not listen on port %d: %v\n%s", apiPort, err, e.output(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// invocation is one answer: either the function's result or its error.
type invocation struct {
	raw          string
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
	backfill.Answer
}

func (e *emulator) invoke(t *testing.T, event string) invocation {
	t.Helper()
	resp, err := http.Post(e.url, "application/json", strings.NewReader(event))
	if err != nil {
		t.Fatalf("invoke %s: %v", event, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	inv := invocation{raw: string(body)}
	if err := json.Unmarshal(body, &inv); err != nil {
		t.Fatalf("invoke %s: answer %q is not JSON: %v", event, body, err)
	}
	t.Logf("invoke %s -> %s", event, bytes.TrimSpace(body))
	return inv
}
