package chcluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/canonic-data/canonic/internal/testenv/chserver"
)

// ErrNoZooKeeper is returned (wrapped) when Java or Debian's zookeeper
// package is missing.
var ErrNoZooKeeper = errors.New("chcluster: zookeeper is not installed")

// zookeeperJar is where Debian's zookeeper package puts the server; its
// dependencies are the other jars of /usr/share/java.
const zookeeperJar = "/usr/share/java/zookeeper.jar"

// ZooKeeper is one private standalone ZooKeeper 3.8 server.
type ZooKeeper struct {
	// Addr is the client host:port on 127.0.0.1.
	Addr string
	// Dir holds zoo.cfg, data/ and zookeeper.log.
	Dir string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *os.File
}

// zooCfg is the whole configuration: a short tick so that the sessions of
// killed ClickHouse nodes expire within seconds (the minimum and maximum
// session timeouts are 2 and 20 ticks), loopback only, no admin server.
const zooCfg = `tickTime=250
initLimit=10
syncLimit=5
dataDir=%s
clientPort=%d
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
maxClientCnxns=0
autopurge.purgeInterval=0
`

// startZooKeeper starts a ZooKeeper server in dir/zookeeper on a free
// port and waits until it answers "imok".
func startZooKeeper(dir string, timeout time.Duration) (*ZooKeeper, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("%w: no java in PATH; %s", ErrNoZooKeeper, InstallHint)
	}
	if _, err := os.Stat(zookeeperJar); err != nil {
		return nil, fmt.Errorf("%w: %s is missing; %s", ErrNoZooKeeper, zookeeperJar, InstallHint)
	}
	z := &ZooKeeper{Dir: filepath.Join(dir, "zookeeper")}
	if err := os.MkdirAll(filepath.Join(z.Dir, "data"), 0o755); err != nil {
		return nil, fmt.Errorf("chcluster: %w", err)
	}
	ports, err := chserver.FreePorts(1)
	if err != nil {
		return nil, err
	}
	z.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	cfg := filepath.Join(z.Dir, "zoo.cfg")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, zooCfg, filepath.Join(z.Dir, "data"), ports[0]), 0o644); err != nil {
		return nil, fmt.Errorf("chcluster: write zoo.cfg: %w", err)
	}
	if z.out, err = os.Create(filepath.Join(z.Dir, "zookeeper.log")); err != nil {
		return nil, fmt.Errorf("chcluster: %w", err)
	}
	// A small serial-GC heap and the client compiler start the JVM in
	// about a second on two cores.
	z.cmd = exec.Command(java, "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-Dzookeeper.admin.enableServer=false",
		"-cp", zookeeperJar+":/usr/share/java/*",
		"org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg)
	z.cmd.Dir = z.Dir
	z.cmd.Stdout, z.cmd.Stderr = z.out, z.out
	if err := chserver.StartChild(z.cmd); err != nil {
		z.out.Close()
		return nil, fmt.Errorf("chcluster: run zookeeper: %w", err)
	}
	z.done = make(chan struct{})
	go func() { z.cmd.Wait(); close(z.done) }() //nolint:errcheck // exit status is irrelevant
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-z.done:
			z.out.Close()
			return nil, fmt.Errorf("chcluster: zookeeper exited during startup; log tail:\n%s", tail(filepath.Join(z.Dir, "zookeeper.log")))
		default:
		}
		if ruok(z.Addr) {
			return z, nil
		}
		if time.Now().After(deadline) {
			z.Stop()
			return nil, fmt.Errorf("chcluster: zookeeper did not answer on %s within %v", z.Addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ruok sends ZooKeeper's "ruok" four-letter command and reports whether
// the answer is "imok".
func ruok(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second)) //nolint:errcheck // a failed deadline fails the read
	if _, err := c.Write([]byte("ruok")); err != nil {
		return false
	}
	b, _ := io.ReadAll(c)
	return bytes.Equal(b, []byte("imok"))
}

// Stop kills the server; safe to call more than once.
func (z *ZooKeeper) Stop() {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.cmd == nil {
		return
	}
	z.cmd.Process.Kill() //nolint:errcheck // it may have exited
	<-z.done
	z.out.Close()
	z.cmd = nil
}

// tail returns the last 2 KB of a file, for failure messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return string(b)
}
