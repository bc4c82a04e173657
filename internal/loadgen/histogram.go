package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// The latency histogram is log-linear, like HdrHistogram: values below 2*histSub ns each have
// a bucket; above, each power of two is split into histSub equal buckets, so a bucket is
// never wider than 1/histSub (1.6%) of its values. It covers up to 2^histMaxBits ns (about
// 73 minutes; longer values count as that), in 2368 uint32 counters, 9.5 KiB per worker.
const (
	histSubBits = 6
	histSub     = 1 << histSubBits
	histMaxBits = 42
	histBuckets = (histMaxBits - histSubBits + 1) * histSub
)

// histogram records durations. The zero value is empty and ready; it is not safe for
// concurrent use: each worker has its own, and [histTotal] adds them up at the end.
type histogram struct {
	counts [histBuckets]uint32
	n      uint64
	sum    time.Duration
	min    time.Duration
	max    time.Duration
}

// histIndex returns the bucket of v nanoseconds.
func histIndex(v uint64) int {
	if v >= 1<<histMaxBits {
		v = 1<<histMaxBits - 1
	}
	if v < histSub {
		return int(v)
	}
	shift := bits.Len64(v) - 1 - histSubBits
	return (shift+1)*histSub + int(v>>shift) - histSub
}

// histBounds returns the smallest and largest value of bucket i.
func histBounds(i int) (lo, hi uint64) {
	if i < 2*histSub {
		return uint64(i), uint64(i)
	}
	shift := i/histSub - 1
	sub := uint64(i%histSub + histSub)
	return sub << shift, (sub+1)<<shift - 1
}

// record adds one duration; a negative one counts as zero. A worker records at most some
// hundreds of millions of values, well within a uint32 per bucket.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	h.counts[histIndex(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	h.max = max(h.max, d)
	h.n++
	h.sum += d
}

// histTotal is the sum of the workers' histograms, with counters wide enough for any run.
type histTotal struct {
	counts [histBuckets]uint64
	n      uint64
	sum    time.Duration
	min    time.Duration
	max    time.Duration
}

// add adds h's values to t.
func (t *histTotal) add(h *histogram) {
	if h.n == 0 {
		return
	}
	for i, c := range h.counts {
		t.counts[i] += uint64(c)
	}
	if t.n == 0 || h.min < t.min {
		t.min = h.min
	}
	t.max = max(t.max, h.max)
	t.n += h.n
	t.sum += h.sum
}

// quantile returns the value at quantile q (0 to 1): the middle of the bucket holding the
// ceil(q*n)-th smallest value, kept within [min, max]. It returns 0 when t is empty.
func (t *histTotal) quantile(q float64) time.Duration {
	if t.n == 0 {
		return 0
	}
	rank := min(max(uint64(math.Ceil(q*float64(t.n))), 1), t.n)
	var seen uint64
	for i, c := range t.counts {
		seen += c
		if seen >= rank {
			lo, hi := histBounds(i)
			v := time.Duration(lo + (hi-lo)/2)
			return min(max(v, t.min), t.max)
		}
	}
	return t.max
}
