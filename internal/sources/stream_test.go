package sources

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// synthExport is an io.Reader that writes an Apollo export of n rows as it is read, so that a
// million-row file never exists on disk or in memory. One row in 100 is ragged.
type synthExport struct {
	n, i int
	buf  []byte
}

const synthHeader = "First Name,Last Name,Title,Company Name,Email,Email Status,Seniority,Departments," +
	"Work Direct Phone,Mobile Phone,Corporate Phone,Do Not Call,Stage,# Employees,Industry,Keywords," +
	"Person Linkedin Url,Website,City,State,Country,Company Address,Company City,Technologies,Annual Revenue," +
	"Apollo Contact Id\n"

func newSynthExport(n int) *synthExport {
	return &synthExport{n: n, buf: []byte(synthHeader)}
}

func (s *synthExport) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) && s.i < s.n {
		s.buf = s.row(s.buf)
		s.i++
	}
	if len(s.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.buf)
	s.buf = s.buf[:copy(s.buf, s.buf[n:])]
	return n, nil
}

// row appends row s.i.
func (s *synthExport) row(b []byte) []byte {
	i := strconv.Itoa(s.i)
	if s.i%100 == 99 {
		return append(b, "Ragged,Row,"+i+"\n"...)
	}
	return fmt.Appendf(b, "First%s,Last%s,IT Manager,Company %d Inc.,first%s.last@company%d.example.com,Verified,"+
		"Manager,\"Information Technology, Operations\",'+1 512-555-%04d,,+1 512-555-0100,False,Cold,%d,"+
		"Computer Software,\"managed services, cloud\",http://www.linkedin.com/in/p%s,http://www.company%d.example.com,"+
		"Austin,Texas,United States,\"%d Congress Ave, Austin, Texas 78701\",Austin,\"Microsoft 365, Azure, Veeam\","+
		"%d,id%s\n", i, i, s.i%5000, i, s.i%5000, s.i%10000, 10+s.i%900, i, s.i%5000, s.i%900, 1_000_000+s.i, i)
}

// streamStats reads a synthesised export of n rows, sampling the heap every 10,000 rows.
type streamStats struct {
	records, rejected int
	peakHeap          uint64
	elapsed           time.Duration
}

func streamSynth(tb testing.TB, n int) streamStats {
	tb.Helper()
	runtime.GC()
	var st streamStats
	var ms runtime.MemStats
	start := time.Now()
	r, err := NewReader(newSynthExport(n), "synth.csv")
	if err != nil {
		tb.Fatal(err)
	}
	for {
		_, rej, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if rej != nil {
			st.rejected++
		} else {
			st.records++
		}
		if (st.records+st.rejected)%10_000 == 0 {
			runtime.ReadMemStats(&ms)
			st.peakHeap = max(st.peakHeap, ms.HeapInuse)
		}
	}
	st.elapsed = time.Since(start)
	return st
}

// TestStreamingMemory reads a million rows and checks that the heap stays small: the reader
// must not hold rows it has returned.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 1,000,000-row export; skipped with -short")
	}
	const rows = 1_000_000
	st := streamSynth(t, rows)
	if st.records+st.rejected != rows || st.rejected != rows/100 {
		t.Errorf("got %d records and %d rejections, want %d rows with %d rejections",
			st.records, st.rejected, rows, rows/100)
	}
	const limit = 300 << 20
	if st.peakHeap > limit {
		t.Errorf("peak heap in use %d MB, want under %d MB", st.peakHeap>>20, limit>>20)
	}
	t.Logf("%d rows, peak heap in use %.1f MB", rows, float64(st.peakHeap)/(1<<20))
}

// BenchmarkStream1M reads a synthesised 1,000,000-row Apollo export per iteration and reports
// rows per second and the peak heap in use.
func BenchmarkStream1M(b *testing.B) {
	const rows = 1_000_000
	var peak uint64
	var elapsed time.Duration
	for b.Loop() {
		st := streamSynth(b, rows)
		peak = max(peak, st.peakHeap)
		elapsed += st.elapsed
	}
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkMapRow measures mapping one cleaned row to lead values.
func BenchmarkMapRow(b *testing.B) {
	r, err := NewReader(newSynthExport(1), "one.csv")
	if err != nil {
		b.Fatal(err)
	}
	var cells row
	if _, _, err := r.rows.next(&cells); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, reason := mapRow(&cells); reason != "" {
			b.Fatal(reason)
		}
	}
}
