package main

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

func TestWriteZipHoldsAnExecutableBootstrap(t *testing.T) {
	var a, b bytes.Buffer
	data := []byte("\x7fELF not really")
	if err := writeZip(&a, bootstrapName, data); err != nil {
		t.Fatal(err)
	}
	if err := writeZip(&b, bootstrapName, data); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two zips of the same binary differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("entries %v, want only bootstrap", zr.File)
	}
	if m := zr.File[0].Mode(); m.Perm() != 0o755 || !m.IsRegular() {
		t.Errorf("bootstrap mode %v, want -rwxr-xr-x", m)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) {
		t.Error("bootstrap content differs")
	}
}
