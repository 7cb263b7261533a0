package bench

import (
	"fmt"
	"syscall"
	"unsafe"
)

// offHeap is memory outside the Go heap, an anonymous mapping. The end to
// end benchmark keeps its fixture there (pages, notes) because Go's
// collector paces itself by the live heap: a gigabyte of fixture bytes in
// the heap would let a load in the benchmark's process collect far less
// often than the backfill binary, whose heap holds only its own data.
type offHeap struct {
	mem  []byte
	used int
}

func newOffHeap(size int) (*offHeap, error) {
	mem, err := syscall.Mmap(-1, 0, max(size, 1), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("mapping %d bytes for the fixture: %w", size, err)
	}
	return &offHeap{mem: mem}, nil
}

// alloc returns n bytes of the mapping, 8-byte aligned.
func (a *offHeap) alloc(n int) []byte {
	a.used = (a.used + 7) &^ 7
	if a.used+n > len(a.mem) {
		panic(fmt.Sprintf("offHeap: %d bytes asked, %d of %d left", n, len(a.mem)-a.used, len(a.mem)))
	}
	b := a.mem[a.used : a.used+n : a.used+n]
	a.used += n
	return b
}

// copy returns a copy of b in the mapping.
func (a *offHeap) copy(b []byte) []byte {
	out := a.alloc(len(b))
	copy(out, b)
	return out
}

// int64s returns n int64s in the mapping.
func (a *offHeap) int64s(n int) []int64 {
	if n == 0 {
		return nil
	}
	b := a.alloc(8 * n)
	return unsafe.Slice((*int64)(unsafe.Pointer(&b[0])), n)
}

// free unmaps the memory: nothing may use what it handed out afterwards.
func (a *offHeap) free() {
	if a.mem != nil {
		syscall.Munmap(a.mem)
		a.mem = nil
	}
}
