// Command cwfake serves a deterministic, ConnectWise-compatible REST API on
// loopback for tests and demos (see package internal/cwfake).
//
// Usage:
//
//	cwfake [--addr 127.0.0.1:8089] [--port-file FILE] [--seed 1] [--tickets 500] [fault flags]
//
// It prints the API base URL on start. With --addr 127.0.0.1:0 the kernel
// picks a port; --port-file then receives the chosen address
// ("127.0.0.1:PORT") for scripts. It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "cwfake:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done, and returns any error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("cwfake", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg       cwfake.Config
		addr      = fs.String("addr", "127.0.0.1:8089", "listen address; loopback only (use port 0 for any free port)")
		portFile  = fs.String("port-file", "", "write the chosen listen address (127.0.0.1:PORT) to this file once listening")
		seed      = fs.Int64("seed", 1, "data seed; the same seed serves the same records")
		tickets   = fs.Int("tickets", cwfake.DefaultTickets, "number of tickets to generate")
		related   = fs.Bool("related", true, "also serve companies, contacts, members, boards, projects and time entries related to the tickets")
		verbose   = fs.Bool("verbose", false, "log every API request to stderr")
		pageCache = fs.Bool("page-cache", false, "keep every list page served, as sent, until the data changes (benchmarks warm it with one sweep)")
		cacheMB   = fs.Int("render-cache-mb", cwfake.DefaultRenderCacheBytes>>20, "keep up to `MB` of rendered records (benchmarks size it to hold every record served)")
	)
	fs.StringVar(&cfg.BasePath, "base-path", cwfake.DefaultBasePath, "API base path")
	fs.StringVar(&cfg.CompanyID, "company", cwfake.DefaultCompanyID, "accepted company id")
	fs.StringVar(&cfg.PublicKey, "public-key", cwfake.DefaultPublicKey, "accepted public key")
	fs.StringVar(&cfg.PrivateKey, "private-key", cwfake.DefaultPrivateKey, "accepted private key (never printed)")
	fs.StringVar(&cfg.ClientID, "client-id", "", "required clientId header value (empty: any non-empty value)")
	fs.BoolVar(&cfg.StrictPageSize, "strict-page-size", false, "answer pageSize > 1000 with 400 instead of clamping")
	fs.Int64Var(&cfg.FaultSeed, "fault-seed", 1, "seed of the fault generator")
	fs.Float64Var(&cfg.RateLimitFraction, "rate-limit-fraction", 0, "fraction of requests answered 429")
	fs.Float64Var(&cfg.ServerErrorFraction, "server-error-fraction", 0, "fraction of requests answered 500/502/503")
	fs.Float64Var(&cfg.MalformedFraction, "malformed-fraction", 0, "fraction of list pages sent as truncated JSON")
	fs.Float64Var(&cfg.ResetFraction, "reset-fraction", 0, "fraction of responses whose connection is closed mid-body")
	fs.DurationVar(&cfg.SlowPage, "slow-page", 0, "delay added to every list page")
	fs.IntVar(&cfg.RequestsPerMinute, "rpm", 0, "request budget per minute, 429 past it (0: unlimited)")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", time.Second, "Retry-After of fault 429s (whole seconds; negative sends 0)")
	fs.IntVar(&cfg.MaxConsecutiveFaults, "max-consecutive-faults", 4, "faults in a row on one request before it is served (negative: no cap)")
	fs.StringVar(&cfg.Hostile, "hostile", "", "break the protocol on purpose: one of "+strings.Join(cwfake.HostileModes, ", ")+" (POST /_admin/hostile?mode= changes it)")
	fs.IntVar(&cfg.WideRecordBytes, "wide-record-bytes", cwfake.DefaultWideRecordBytes, "size of the padded field of each record in --hostile "+cwfake.HostileWideRecords)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkLoopback(*addr); err != nil {
		return err
	}
	if *tickets < 0 {
		return fmt.Errorf("--tickets %d must not be negative", *tickets)
	}
	if *verbose {
		logger := log.New(stderr, "", log.LstdFlags)
		cfg.Logf = logger.Printf
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *related {
		counts := cwfake.DefaultCounts()
		counts.Tickets = *tickets
		cfg.Store = cwfake.NewStoreWith(*seed, counts)
	} else {
		cfg.Store = cwfake.NewStore(*seed, *tickets)
	}
	if *cacheMB < 1 {
		return fmt.Errorf("--render-cache-mb %d must be at least 1", *cacheMB)
	}
	cfg.Store.SetRenderCacheBytes(*cacheMB << 20)
	cfg.Store.SetPageCache(*pageCache)
	srv := cwfake.New(cfg)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	chosen := ln.Addr().String()
	if *portFile != "" {
		if err := writeFileAtomic(*portFile, chosen+"\n"); err != nil {
			ln.Close()
			return err
		}
	}
	fmt.Fprintf(stdout, "cwfake: serving %d tickets (seed %d) at http://%s%s/ (company %q, public key %q)\n",
		*tickets, *seed, chosen, srv.BasePath(), cfg.CompanyID, cfg.PublicKey)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// checkLoopback refuses listen addresses that are not loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", addr)
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a watcher never reads a partial address.
func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cwfake-port-*")
	if err != nil {
		return fmt.Errorf("port file: %w", err)
	}
	if _, err := tmp.WriteString(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("port file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("port file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("port file: %w", err)
	}
	return nil
}
