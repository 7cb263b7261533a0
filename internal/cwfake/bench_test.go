package cwfake

import "testing"

func BenchmarkRenderTicket(b *testing.B) {
	s := NewStore(1, 1000)
	recs := s.Records(TicketsPath)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		out, err := marshalRecord(recs[i%len(recs)])
		if err != nil {
			b.Fatal(err)
		}
		n += len(out)
	}
	b.ReportMetric(float64(n)/float64(b.N), "bytes/ticket")
}

func BenchmarkNewStore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		NewStore(int64(i), 10000)
	}
}
