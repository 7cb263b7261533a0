// Package chserver runs private ClickHouse servers for tests.
//
// Each Server is a clickhouse-server child process (Debian's 18.16 package
// is the reference) with its own directory for config, data, temporary
// files and logs, listening on 127.0.0.1 only, on two free ports: native
// TCP (NativeAddr, what clickhouse-go speaks) and HTTP (HTTPAddr). It
// knows two users: DefaultUser with an empty password and LoaderUser with
// LoaderPassword. The server time zone is UTC (18.16 reports it as
// "Etc/UTC").
//
// Use Start for a server owned by one test (it is stopped and its
// directory removed when the test ends), or Shared for one server per
// test binary together with Main:
//
//	func TestMain(m *testing.M) { chserver.Main(m) }
//
//	func TestX(t *testing.T) {
//		srv := chserver.Shared(t)
//		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{srv.NativeAddr}})
//		...
//	}
//
// Tests that share a server should each use their own database
// (TempDatabase). Tests that call Restart, Down, Up or Kill must use
// Start, not Shared.
//
// FINDINGS.md beside this file lists what clickhouse-go v2 can and cannot
// do against 18.16 (in short: always give PrepareBatch an explicit column
// list, never Exec an INSERT ... VALUES); compat_test.go pins it.
//
// The binary is CLICKHOUSE_SERVER_BIN if set, else clickhouse-server or
// clickhouse (run as "clickhouse server") from PATH, /usr/sbin or
// /usr/bin. When none is found, Start and Shared skip the test with the
// install command, or fail it when the environment has CI=true.
package chserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled is returned (wrapped) by FindBinary and StartProcess
// when no clickhouse-server binary can be found.
var ErrNotInstalled = errors.New("chserver: clickhouse-server is not installed")

// InstallHint says how to install the server on a Debian machine.
const InstallHint = "install it as root with internal/testenv/install-clickhouse.sh " +
	"(apt-get update && apt-get install -y clickhouse-server clickhouse-client)"

// Default timeouts.
const (
	DefaultStartTimeout = 30 * time.Second
	defaultStopTimeout  = 15 * time.Second
)

// Option changes how StartProcess starts a server.
type Option func(*options)

type options struct {
	binary       string
	startTimeout time.Duration
	tls          bool
	ports        []int             // native, HTTP; nil picks free ones
	extra        map[string][]byte // extra files by relative path
}

// WithTLS also serves the native protocol over TLS on SecureAddr and the
// HTTP interface over TLS (https) on HTTPSAddr, with a self-signed
// certificate for 127.0.0.1 generated into the server's directory
// (clients connect with secure=true&skip_verify=true, or trust
// Server.CertFile).
func WithTLS() Option { return func(o *options) { o.tls = true } }

// WithBinary runs the given server binary instead of looking one up. A
// binary whose base name is "clickhouse" is run as "clickhouse server".
func WithBinary(path string) Option { return func(o *options) { o.binary = path } }

// WithStartTimeout sets how long StartProcess, Restart and Up wait for the
// server to answer (DefaultStartTimeout if unset).
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// WithPorts listens on the given native and HTTP ports instead of free
// ones the server picks; a port taken by then fails the start (no retry).
// A cluster harness uses it to write every node's address into every
// node's configuration before any of them starts.
func WithPorts(native, http int) Option {
	return func(o *options) { o.ports = []int{native, http} }
}

// WithExtraFile adds a file at rel (a slash path inside the server's
// directory) before the server starts. clickhouse-server merges
// "config.d/*.xml" into config.xml (remote_servers, macros, zookeeper)
// and "users.d/*.xml" into users.xml (profile settings).
func WithExtraFile(rel string, data []byte) Option {
	return func(o *options) {
		if o.extra == nil {
			o.extra = map[string][]byte{}
		}
		o.extra[rel] = data
	}
}

// Server is one running (or stopped) private clickhouse-server.
type Server struct {
	// NativeAddr is the host:port of the native TCP protocol.
	NativeAddr string
	// HTTPAddr is the host:port of the HTTP interface.
	HTTPAddr string
	// SecureAddr is the host:port of the native protocol over TLS and
	// HTTPSAddr that of the HTTP interface over TLS ("" unless WithTLS), and
	// CertFile their certificate.
	SecureAddr, HTTPSAddr, CertFile string
	// Dir holds config.xml, users.xml, data/, tmp/ and log/.
	Dir string
	// Binary is the server executable that runs.
	Binary string

	args         []string // arguments before --config-file
	tls          bool     // also listen with TLS
	ports        []int    // fixed native and HTTP ports, or nil
	extra        map[string][]byte
	config       string // path of config.xml
	ownsDir      bool   // Stop removes Dir
	startTimeout time.Duration

	mu      sync.Mutex
	proc    *process // nil while down
	stopped bool
}

// process is one run of the server binary.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, set before done is closed
	out  *os.File      // the child's stdout and stderr
}

// binDirs are searched after PATH: Debian puts clickhouse-server in
// /usr/sbin, which a non-root PATH may lack.
var binDirs = []string{"/usr/sbin", "/usr/bin"}

// FindBinary returns the clickhouse-server executable to run: the
// CLICKHOUSE_SERVER_BIN environment variable if set (an error if it does
// not name an executable), else clickhouse-server or clickhouse from
// PATH, /usr/sbin or /usr/bin. The error wraps ErrNotInstalled when
// nothing is found.
func FindBinary() (string, error) {
	if p := os.Getenv("CLICKHOUSE_SERVER_BIN"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("chserver: CLICKHOUSE_SERVER_BIN=%q: %w", p, err)
		}
		return path, nil
	}
	for _, name := range []string{"clickhouse-server", "clickhouse"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
		for _, d := range binDirs {
			if path, err := exec.LookPath(filepath.Join(d, name)); err == nil {
				return path, nil
			}
		}
	}
	return "", fmt.Errorf("%w (looked for CLICKHOUSE_SERVER_BIN, clickhouse-server and clickhouse in PATH, /usr/sbin and /usr/bin); %s",
		ErrNotInstalled, InstallHint)
}

// StartProcess starts a server and waits until it answers. If dir is
// empty, a new temporary directory is used and Stop removes it; otherwise
// dir (created if missing) holds the server's files, Stop leaves it in
// place, and a later StartProcess on the same dir finds the same data.
// The caller must call Stop. It does not need a testing.TB, so TestMain
// functions and programs can use it.
func StartProcess(dir string, opts ...Option) (*Server, error) {
	o := options{startTimeout: DefaultStartTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	bin := o.binary
	if bin == "" {
		var err error
		if bin, err = FindBinary(); err != nil {
			return nil, err
		}
	}
	s := &Server{Binary: bin, startTimeout: o.startTimeout, tls: o.tls, ports: o.ports, extra: o.extra}
	if filepath.Base(bin) == "clickhouse" {
		s.args = []string{"server"}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "chserver-")
		if err != nil {
			return nil, fmt.Errorf("chserver: create server directory: %w", err)
		}
		dir, s.ownsDir = d, true
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("chserver: create server directory: %w", err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("chserver: %w", err)
	}
	s.Dir = abs

	// Free ports are picked by binding port 0 and closing it; another
	// process may take one before the server binds it, so a start that
	// fails on a taken port is retried with new ports.
	const attempts = 3
	for i := 1; ; i++ {
		err = s.configure()
		if err == nil {
			err = s.Up()
		}
		if err == nil {
			return s, nil
		}
		if i == attempts || !errors.Is(err, errPortTaken) || s.ports != nil {
			break
		}
	}
	if s.ownsDir {
		os.RemoveAll(s.Dir)
	}
	return nil, err
}

// configure picks free loopback ports and writes the config files.
func (s *Server) configure() error {
	ports, err := FreePorts(4)
	if err != nil {
		return err
	}
	if s.ports != nil {
		copy(ports, s.ports)
	}
	if err := writeExtraFiles(s.Dir, s.extra); err != nil {
		return err
	}
	secure, https := 0, 0
	if s.tls {
		secure, https = ports[2], ports[3]
		if s.CertFile, err = writeCertificate(filepath.Join(s.Dir, "tls")); err != nil {
			return err
		}
		s.SecureAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(secure))
		s.HTTPSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(https))
	}
	s.config, err = writeConfig(s.Dir, ports[0], ports[1], secure, https)
	if err != nil {
		return err
	}
	s.NativeAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	s.HTTPAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	return nil
}

// FreePorts returns n distinct TCP ports that were free on 127.0.0.1 (a
// port can be taken by another process before it is bound again).
func FreePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("chserver: find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// errPortTaken marks a start that failed because a port was in use.
var errPortTaken = errors.New("port already in use")

// DSN returns the loader DSN of the default user and database:
// clickhouse://127.0.0.1:PORT/default?http_port=HTTPPORT.
func (s *Server) DSN() string {
	return s.DSNFor("", "", "default")
}

// DSNFor returns the DSN warehouse.OpenServer takes (--clickhouse) for
// the given user, password and database: NativeDSNFor with the HTTP
// interface's port as http_port (inserts use it).
func (s *Server) DSNFor(user, password, database string) string {
	_, port, _ := net.SplitHostPort(s.HTTPAddr)
	return s.NativeDSNFor(user, password, database) + "?http_port=" + port
}

// NativeDSNFor returns a clickhouse-go DSN for the native port with the
// given user, password and database; an empty user gives a DSN without
// user information and an empty password one without a password. (Give
// clickhouse-go this one: it would send DSNFor's http_port to the server
// as a setting.)
func (s *Server) NativeDSNFor(user, password, database string) string {
	u := url.URL{Scheme: "clickhouse", Host: s.NativeAddr, Path: "/" + database}
	switch {
	case user != "" && password != "":
		u.User = url.UserPassword(user, password)
	case user != "":
		u.User = url.User(user)
	}
	return u.String()
}

// Up starts the server process on the current ports and data and waits
// until it answers. It fails if the process is already running or the
// server was stopped with Stop.
func (s *Server) Up() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("chserver: server was stopped")
	}
	if s.proc != nil {
		select {
		case <-s.proc.done:
			s.proc.out.Close()
			s.proc = nil
		default:
			return errors.New("chserver: server is already running")
		}
	}
	out, err := os.OpenFile(filepath.Join(s.Dir, "log", "stdout-stderr.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("chserver: open output log: %w", err)
	}
	args := append(append([]string{}, s.args...), "--config-file="+s.config)
	cmd := exec.Command(s.Binary, args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	p := &process{cmd: cmd, done: make(chan struct{}), out: out}
	if err := startCmd(cmd); err != nil {
		out.Close()
		return fmt.Errorf("chserver: run %s: %w", s.Binary, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.proc = p
	if err := s.waitReady(p); err != nil {
		s.halt(syscall.SIGKILL, 0)
		return err
	}
	return nil
}

// StartChild starts cmd so that the kernel kills it when the test binary
// dies (on Linux; elsewhere it is cmd.Start). Other harnesses (ZooKeeper
// in chcluster) start their children with it.
func StartChild(cmd *exec.Cmd) error {
	cmd.SysProcAttr = sysProcAttr()
	return startCmd(cmd)
}

// waitReady polls /ping over HTTP and the native port until both answer,
// the process exits or the start timeout passes.
func (s *Server) waitReady(p *process) error {
	deadline := time.Now().Add(s.startTimeout)
	client := &http.Client{Timeout: time.Second, Transport: httpTransport}
	var lastErr error
	for {
		select {
		case <-p.done:
			tail := s.LogTail(20)
			err := fmt.Errorf("chserver: %s exited during startup (%v); log tail:\n%s", s.Binary, p.err, tail)
			if strings.Contains(tail, "Address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		default:
		}
		lastErr = ping(client, s.HTTPAddr, s.NativeAddr)
		if lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chserver: server did not answer within %v: %v; log tail:\n%s",
				s.startTimeout, lastErr, s.LogTail(20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// httpTransport keeps no idle connections: the server's graceful shutdown
// waits for open HTTP connections (up to keep_alive_timeout).
var httpTransport = &http.Transport{DisableKeepAlives: true}

// ping checks that the HTTP interface answers /ping with "Ok." and that the
// native port accepts connections.
func ping(client *http.Client, httpAddr, nativeAddr string) error {
	resp, err := client.Get("http://" + httpAddr + "/ping")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "Ok." {
		return fmt.Errorf("GET /ping: %s %q", resp.Status, body)
	}
	c, err := net.DialTimeout("tcp", nativeAddr, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// Down stops the server process gracefully (SIGTERM, then SIGKILL after
// 15 seconds) and keeps its data and ports, so Up can start it again.
func (s *Server) Down() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.halt(syscall.SIGTERM, defaultStopTimeout)
}

// ForceRestoreOnStart sets the data directory's flags/force_restore_data
// for the next start: a replicated table then starts even with parts its
// ZooKeeper replica never heard of (the server detaches them and removes
// the flag), as an operator restarts a server killed during an INSERT.
func (s *Server) ForceRestoreOnStart() error {
	flags := filepath.Join(s.Dir, dataDir, "flags")
	if err := os.MkdirAll(flags, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(flags, "force_restore_data"), nil, 0o644)
}

// Kill ends the server process at once with SIGKILL, as a crash would,
// and keeps its data and ports, so Up can start it again.
func (s *Server) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.halt(syscall.SIGKILL, 0)
}

// Restart stops the server gracefully and starts it again on the same
// ports and data. It takes about a second (a graceful 18.16 shutdown
// waits for idle connections to notice it); Kill and Up take about 0.1 s
// and keep every completed insert too. Open clickhouse-go pools reconnect
// by themselves on their next use.
func (s *Server) Restart() error {
	if err := s.Down(); err != nil {
		return err
	}
	return s.Up()
}

// Stop ends the server for good. If StartProcess created the directory,
// the process is killed at once (its data is thrown away, and a graceful
// shutdown takes about a second) and the directory removed; otherwise it
// is stopped gracefully like Down and the directory kept. It is safe
// to call more than once; the server cannot be started again.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	if s.ownsDir {
		_ = s.halt(syscall.SIGKILL, 0)
		os.RemoveAll(s.Dir)
		return
	}
	_ = s.halt(syscall.SIGTERM, defaultStopTimeout)
}

// halt sends sig to the running process, waits up to grace for it to exit
// and then kills it. The caller holds s.mu. It is a no-op when the server
// is down.
func (s *Server) halt(sig syscall.Signal, grace time.Duration) error {
	p := s.proc
	if p == nil {
		return nil
	}
	s.proc = nil
	defer p.out.Close()
	select {
	case <-p.done:
		return nil // exited on its own
	default:
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("chserver: signal server: %w", err)
	}
	if grace > 0 {
		select {
		case <-p.done:
			return nil
		case <-time.After(grace):
		}
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("chserver: kill server: %w", err)
	}
	<-p.done
	return nil
}

// Running reports whether the server process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return false
	}
	select {
	case <-s.proc.done:
		return false
	default:
		return true
	}
}

// PID is the running server process's id (0 while down), for
// measurements such as its CPU time.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

// Query runs one statement as the default user over HTTP and returns the
// response body (TabSeparated unless the statement has a FORMAT clause).
// A server-side error is returned with the server's message.
func (s *Server) Query(ctx context.Context, query string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.HTTPAddr+"/", strings.NewReader(query))
	if err != nil {
		return "", fmt.Errorf("chserver: %w", err)
	}
	resp, err := (&http.Client{Transport: httpTransport}).Do(req)
	if err != nil {
		return "", fmt.Errorf("chserver: query: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("chserver: read query result: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("chserver: query failed: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return string(body), nil
}

// LogTail returns the last n lines of the server's error log and of its
// stdout/stderr, for failure messages.
func (s *Server) LogTail(n int) string {
	var b strings.Builder
	for _, name := range []string{"clickhouse-server.err.log", "stdout-stderr.log"} {
		data, err := os.ReadFile(filepath.Join(s.Dir, "log", name))
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", name, strings.Join(lines, "\n"))
	}
	return b.String()
}
