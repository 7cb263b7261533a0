// Command lambdazip builds each backfill command as an AWS Lambda function
// package: dist/lambda/backfill-<service>-<table>.zip holding the
// executable bootstrap for the provided.al2023 runtime. `make lambda` runs
// it from the repository root:
//
//	go run ./internal/tools/lambdazip [--arch amd64|arm64] [--out dist/lambda] [--only backfill-connectwise-tickets,...]
//
// Each bootstrap is built with GOOS=linux, CGO_ENABLED=0, -tags
// lambda.norpc (aws-lambda-go without its legacy RPC server), -trimpath
// and without symbol tables. The zip has a fixed timestamp, so the same
// binary gives the same zip.
package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"time"

	"github.com/spf13/pflag"
)

// bootstrapName is the executable the provided.al2023 runtime starts.
const bootstrapName = "bootstrap"

// zipTime is every entry's modification time: a fixed one keeps the zip
// reproducible.
var zipTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "lambdazip:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("lambdazip", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	arch := fs.String("arch", "amd64", "target architecture: amd64 or arm64 (the function's --architectures x86_64 or arm64)")
	out := fs.String("out", "dist/lambda", "output `directory`")
	only := fs.StringSlice("only", nil, "build only these commands (e.g. backfill-connectwise-tickets)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *arch != "amd64" && *arch != "arm64" {
		return fmt.Errorf("--arch %q: want amd64 or arm64", *arch)
	}
	cmds, err := filepath.Glob(filepath.Join("cmd", "backfill-*"))
	if err != nil {
		return err
	}
	if len(cmds) == 0 {
		return errors.New("no cmd/backfill-* directory here: run from the repository root")
	}
	var names []string
	for _, c := range cmds {
		if len(*only) == 0 || slices.Contains(*only, filepath.Base(c)) {
			names = append(names, filepath.Base(c))
		}
	}
	for _, o := range *only {
		if !slices.Contains(names, o) {
			return fmt.Errorf("--only %s: no cmd/%s", o, o)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "lambdazip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, name := range names {
		bin := filepath.Join(tmp, name)
		if err := build(name, *arch, bin, stderr); err != nil {
			return err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := writeZip(&buf, bootstrapName, data); err != nil {
			return err
		}
		dst := filepath.Join(*out, name+".zip")
		if err := writeFileAtomic(dst, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%s, %d bytes)\n", dst, *arch, buf.Len())
	}
	return nil
}

// build compiles ./cmd/name for linux/arch into bin.
func build(name, arch, bin string, stderr io.Writer) error {
	gobin := os.Getenv("GO")
	if gobin == "" {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/"+name)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building cmd/%s: %w", name, err)
	}
	return nil
}

// writeZip writes a zip holding one executable file (mode 0755, which
// Lambda needs to start it).
func writeZip(w io.Writer, name string, data []byte) error {
	zw := zip.NewWriter(w)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	f, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

// writeFileAtomic writes data to path through a temporary file, so a
// failed build never leaves half a zip.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
