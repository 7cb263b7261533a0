package connectwise

import "testing"

func TestPageReleaseGivesTheBufferBackOnce(t *testing.T) {
	var pool bodyPool
	buf := pool.get(1000)
	if cap(buf) < 1000 {
		t.Fatalf("get(1000) has room for %d", cap(buf))
	}
	p := Page{Body: buf[:10], pooled: &pooledBody{pool: &pool, buf: buf}}
	copied := p
	p.Release()
	copied.Release() // a copy shares the buffer: no second give-back
	p.Release()
	if p.Body != nil || copied.Body != nil {
		t.Fatal("Release left Body set")
	}
	given := 0
	for pool.pool.Get() != nil {
		given++
	}
	if given != 1 {
		t.Fatalf("the buffer was given back %d times, want once", given)
	}
	// A page the client did not read (nil pooled) releases nothing.
	(&Page{Body: []byte("[]")}).Release()
}

func TestBodyPoolReusesLargeEnoughBuffers(t *testing.T) {
	var pool bodyPool
	first := pool.get(1 << 20)
	pool.put(first)
	again := pool.get(1<<20 + 100) // a little larger: the quarter of headroom fits it
	if &again[:1][0] != &first[:1][0] {
		t.Error("a buffer with room was not reused")
	}
	pool.put(again)
	if big := pool.get(4 << 20); cap(big) < 4<<20 {
		t.Errorf("get(4 MiB) has room for %d", cap(big))
	}
}
