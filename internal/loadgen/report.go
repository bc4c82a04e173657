package loadgen

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

// Report is the result of a run, printed as text or, with --json, as this JSON object:
//
//	url             the endpoint
//	mode            "stateless" or "stateful"
//	tool            the tool called
//	concurrency     number of workers
//	requests        measured requests that completed, successful or not (warmup, probe,
//	                initialize and DELETE are not counted)
//	succeeded       requests that got a result without isError
//	errors          requests that failed (requests - succeeded)
//	duration_s      measured wall time, seconds
//	throughput_rps  requests / duration_s
//	latency_ms      {min, mean, p50, p90, p99, max} of the successful requests, milliseconds;
//	                percentiles come from a log-linear histogram (within 1.6%); min and max
//	                are exact
//	errors_by_kind  {kind: count}: http_<status>, jsonrpc_<code>, tool_error, timeout,
//	                transport, malformed
//	replicas        [{name, requests, share, mean_ms, errors}] by X-Served-By, by name; share
//	                is requests / all requests that got an HTTP reply; "" names replies
//	                without the header; [] when no reply had it
//	interrupted     true when the run was stopped by a signal (omitted otherwise)
type Report struct {
	URL          string           `json:"url"`
	Mode         string           `json:"mode"`
	Tool         string           `json:"tool"`
	Concurrency  int              `json:"concurrency"`
	Requests     int64            `json:"requests"`
	Succeeded    int64            `json:"succeeded"`
	Errors       int64            `json:"errors"`
	Duration     float64          `json:"duration_s"`
	Throughput   float64          `json:"throughput_rps"`
	Latency      LatencyReport    `json:"latency_ms"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind"`
	Replicas     []ReplicaReport  `json:"replicas"`
	Interrupted  bool             `json:"interrupted,omitempty"`
}

// LatencyReport holds latencies in milliseconds.
type LatencyReport struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// ReplicaReport is one row of the replica table.
type ReplicaReport struct {
	Name     string  `json:"name"`
	Requests int64   `json:"requests"`
	Share    float64 `json:"share"`
	MeanMs   float64 `json:"mean_ms"`
	Errors   int64   `json:"errors"`
}

// report merges the workers' tallies.
func (r *benchRun) report(workers []*benchWorker, elapsed time.Duration) *Report {
	rep := &Report{
		URL:          r.cfg.URL,
		Mode:         r.mode,
		Tool:         r.cfg.Tool,
		Concurrency:  r.cfg.Concurrency,
		Duration:     round3(elapsed.Seconds()),
		ErrorsByKind: map[string]int64{},
		Replicas:     []ReplicaReport{},
	}
	var h histTotal
	replicas := map[string]*replicaTally{}
	for _, w := range workers {
		h.add(&w.hist)
		for k, n := range w.errs {
			rep.ErrorsByKind[k] += n
			rep.Errors += n
		}
		for name, t := range w.replicas {
			sum := replicas[name]
			if sum == nil {
				sum = &replicaTally{}
				replicas[name] = sum
			}
			sum.requests += t.requests
			sum.errors += t.errors
			sum.latency += t.latency
		}
	}
	rep.Succeeded = int64(h.n)
	rep.Requests = rep.Succeeded + rep.Errors
	if elapsed > 0 {
		rep.Throughput = round3(float64(rep.Requests) / elapsed.Seconds())
	}
	if h.n > 0 {
		rep.Latency = LatencyReport{
			Min:  ms(h.min),
			Mean: ms(h.sum / time.Duration(h.n)),
			P50:  ms(h.quantile(0.50)),
			P90:  ms(h.quantile(0.90)),
			P99:  ms(h.quantile(0.99)),
			Max:  ms(h.max),
		}
	}
	_, anonymous := replicas[""]
	if len(replicas) > 1 || (len(replicas) == 1 && !anonymous) {
		var replied int64
		for _, t := range replicas {
			replied += t.requests
		}
		for name, t := range replicas {
			rep.Replicas = append(rep.Replicas, ReplicaReport{
				Name:     name,
				Requests: t.requests,
				Share:    round3(float64(t.requests) / float64(replied)),
				MeanMs:   ms(t.latency / time.Duration(max(t.requests, 1))),
				Errors:   t.errors,
			})
		}
		slices.SortFunc(rep.Replicas, func(a, b ReplicaReport) int { return strings.Compare(a.Name, b.Name) })
	}
	return rep
}

// WriteJSON prints the report as one JSON object, indented, with a final newline (bench
// --json): the fields and names of [Report].
func WriteJSON(w io.Writer, rep *Report) {
	raw, err := json.Marshal(rep)
	if err != nil {
		panic("loadgen: encoding the report: " + err.Error()) // a Report holds nothing that cannot encode
	}
	var buf bytes.Buffer
	_ = json.Indent(&buf, raw, "", "  ") // raw is JSON just encoded
	buf.WriteByte('\n')
	_, _ = w.Write(buf.Bytes())
}

// WriteText prints the report for people.
func WriteText(w io.Writer, rep *Report) {
	var b strings.Builder
	fmt.Fprintf(&b, "Target      %s (%s, tool %s, %d workers)\n", rep.URL, rep.Mode, rep.Tool, rep.Concurrency)
	status := ""
	if rep.Interrupted {
		status = " (interrupted)"
	}
	fmt.Fprintf(&b, "Requests    %d in %s%s\n", rep.Requests, fmtSeconds(rep.Duration), status)
	fmt.Fprintf(&b, "Throughput  %.1f req/s\n", rep.Throughput)
	if rep.Succeeded > 0 {
		l := rep.Latency
		fmt.Fprintf(&b, "Latency     min %s  p50 %s  p90 %s  p99 %s  max %s  (mean %s)\n",
			fmtMs(l.Min), fmtMs(l.P50), fmtMs(l.P90), fmtMs(l.P99), fmtMs(l.Max), fmtMs(l.Mean))
	} else {
		fmt.Fprintf(&b, "Latency     - (no successful requests)\n")
	}
	if rep.Errors == 0 {
		fmt.Fprintf(&b, "Errors      0\n")
	} else {
		fmt.Fprintf(&b, "Errors      %d (%.1f%%)\n", rep.Errors, 100*float64(rep.Errors)/float64(max(rep.Requests, 1)))
		kinds := make([]string, 0, len(rep.ErrorsByKind))
		for k := range rep.ErrorsByKind {
			kinds = append(kinds, k)
		}
		// Most frequent first.
		slices.SortFunc(kinds, func(a, b string) int {
			if c := cmp.Compare(rep.ErrorsByKind[b], rep.ErrorsByKind[a]); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		width := 0
		for _, k := range kinds {
			width = max(width, len(k))
		}
		for _, k := range kinds {
			fmt.Fprintf(&b, "  %-*s  %d\n", width, k, rep.ErrorsByKind[k])
		}
	}
	if len(rep.Replicas) > 0 {
		fmt.Fprintf(&b, "Replicas\n")
		var nameW, countW int
		var top float64
		for _, r := range rep.Replicas {
			nameW = max(nameW, len(replicaName(r.Name)))
			countW = max(countW, len(strconv.FormatInt(r.Requests, 10)))
			top = max(top, r.Share)
		}
		for _, r := range rep.Replicas {
			cells := 0
			if top > 0 {
				cells = int(math.Round(r.Share / top * barWidth))
			}
			fmt.Fprintf(&b, "  %-*s  %*d  %5.1f%%  %8s  %s", nameW, replicaName(r.Name), countW, r.Requests, 100*r.Share, fmtMs(r.MeanMs), strings.Repeat("█", cells))
			if r.Errors > 0 {
				fmt.Fprintf(&b, "  (%d errors)", r.Errors)
			}
			b.WriteByte('\n')
		}
	}
	_, _ = io.WriteString(w, b.String())
}

// replicaName is how the table shows a replica; replies without X-Served-By show as "-".
func replicaName(name string) string {
	if name == "" {
		return "-"
	}
	return name
}

// fmtMs formats milliseconds for people: 412µs, 1.21ms, 2.35s.
func fmtMs(v float64) string {
	switch {
	case v < 1:
		return fmt.Sprintf("%.0fµs", v*1000)
	case v < 1000:
		return fmt.Sprintf("%.2fms", v)
	}
	return fmt.Sprintf("%.2fs", v/1000)
}

// fmtSeconds formats a run's length for people: 992ms, 10.01s.
func fmtSeconds(v float64) string {
	if v < 1 {
		return fmt.Sprintf("%.0fms", v*1000)
	}
	return fmt.Sprintf("%.2fs", v)
}

// ms returns d in milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
