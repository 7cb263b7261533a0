package connectwise

import (
	"sync"
	"sync/atomic"
)

// bodyPool holds response buffers that released pages gave back, so that a
// walk of many megabyte pages reuses a few buffers instead of leaving one
// page of garbage per request for the collector.
type bodyPool struct{ pool sync.Pool }

// get returns an empty buffer with room for size bytes: a released one
// when it is large enough, a new one otherwise. A new one has a quarter
// more room, so that the next pages, a little larger or smaller, fit.
func (p *bodyPool) get(size int) []byte {
	if v, ok := p.pool.Get().(*[]byte); ok {
		if cap(*v) >= size {
			return (*v)[:0]
		}
		p.pool.Put(v) // it may fit a smaller page
	}
	return make([]byte, 0, size+size/4)
}

func (p *bodyPool) put(b []byte) {
	b = b[:0]
	p.pool.Put(&b)
}

// pooledBody is the buffer behind one page's Body, given back once.
type pooledBody struct {
	pool     *bodyPool
	buf      []byte
	released atomic.Bool
}

func (b *pooledBody) release() {
	if b != nil && b.released.CompareAndSwap(false, true) {
		b.pool.put(b.buf)
		b.buf = nil
	}
}
