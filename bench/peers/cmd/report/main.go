// Command report turns the raw files of one bench/run.sh run into markdown tables.
//
//	report -raw .cache/bench/raw > tables.md
//
// It reads, from the raw directory (S is a server, M a mode, C a concurrency, R a repetition):
//
//	tput.S.M.C.R.json   the JSON report of "minimcp bench" for one measured window
//	cpu.S.M.C.R.txt     "TICKS HZ": the server's CPU time (user+system) over that window
//	rss.S.M.C.R.txt     the server's VmRSS in KiB after that window
//	idle.S.json         the report of the idle command against S in stateful mode
//	gor.S.fresh.txt     goroutines of S just started (a count)
//	gor.S.idle.txt      goroutines of S holding the idle sessions (a count)
//	benchidle.txt       the output of minimcp's BenchmarkIdleSessions, if it ran
//
// and writes the throughput table (medians over repetitions), the idle-session table and a
// check of each target of the benchmark issue. Missing files leave cells empty ("-").
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Order of rows; the reference servers of the ratio columns.
var (
	servers = []string{"floor", "minimcp", "mcp-go", "go-sdk"}
	modes   = []string{"stateless", "modern", "stateful"}
)

const (
	floorName   = "floor"
	minimcpName = "minimcp"
)

// benchReport holds the fields of a "minimcp bench --json" report that the tables use.
type benchReport struct {
	Requests     int64            `json:"requests"`
	Errors       int64            `json:"errors"`
	Duration     float64          `json:"duration_s"`
	Throughput   float64          `json:"throughput_rps"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind"`
	Latency      struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"latency_ms"`
}

// idleReport is the output of the idle command.
type idleReport struct {
	Sessions        int64            `json:"sessions"`
	Errors          int64            `json:"errors"`
	ErrorsByKind    map[string]int64 `json:"errors_by_kind"`
	Conns           int              `json:"conns"`
	OpenRate        float64          `json:"open_rate"`
	RSSBeforeKB     int64            `json:"rss_before_kb"`
	RSSAfterKB      int64            `json:"rss_after_kb"`
	BytesPerSession float64          `json:"bytes_per_session"`
}

// row is one configuration's medians. A NaN means not measured.
type row struct {
	server, mode string
	c            int
	reps         int
	rps          float64
	p50, p99     float64
	max          float64
	errors       int64
	errKinds     map[string]int64
	rssKB        float64
	cpuPct       float64
	cpuUsPerReq  float64
}

func main() {
	raw := flag.String("raw", ".cache/bench/raw", "the directory of raw results")
	flag.Parse()
	rows, concs := loadRows(*raw)
	w := os.Stdout
	writeThroughput(w, rows, concs)
	idle := loadIdle(*raw)
	writeIdle(w, *raw, idle)
	writeTargets(w, rows, concs, idle)
}

func key(server, mode string, c int) string { return server + "." + mode + "." + strconv.Itoa(c) }

// loadRows reads every tput file and returns the rows by key and the concurrencies seen.
func loadRows(dir string) (map[string]*row, []int) {
	files, _ := filepath.Glob(filepath.Join(dir, "tput.*.json"))
	type acc struct {
		rps, p50, p99, max, cpuPct, cpuUs, rss []float64
		errors                                 int64
		kinds                                  map[string]int64
	}
	accs := map[string]*acc{}
	var concs []int
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".json"), ".")
		if len(parts) != 5 {
			continue
		}
		server, mode, rep := parts[1], parts[2], parts[4]
		c, err := strconv.Atoi(parts[3])
		if err != nil {
			continue
		}
		var br benchReport
		if !readJSON(f, &br) {
			continue
		}
		k := key(server, mode, c)
		a := accs[k]
		if a == nil {
			a = &acc{kinds: map[string]int64{}}
			accs[k] = a
		}
		if !slices.Contains(concs, c) {
			concs = append(concs, c)
		}
		a.rps = append(a.rps, br.Throughput)
		a.p50 = append(a.p50, br.Latency.P50)
		a.p99 = append(a.p99, br.Latency.P99)
		a.max = append(a.max, br.Latency.Max)
		a.errors += br.Errors
		for kind, n := range br.ErrorsByKind {
			a.kinds[kind] += n
		}
		if kb := readNumber(filepath.Join(dir, "rss."+k+"."+rep+".txt")); !math.IsNaN(kb) {
			a.rss = append(a.rss, kb)
		}
		if ticks, hz, ok := readCPU(filepath.Join(dir, "cpu."+k+"."+rep+".txt")); ok && br.Duration > 0 {
			cpu := ticks / hz
			a.cpuPct = append(a.cpuPct, 100*cpu/br.Duration)
			if br.Requests > 0 {
				a.cpuUs = append(a.cpuUs, 1e6*cpu/float64(br.Requests))
			}
		}
	}
	slices.Sort(concs)
	rows := map[string]*row{}
	for k, a := range accs {
		parts := strings.Split(k, ".")
		c, _ := strconv.Atoi(parts[2])
		r := &row{server: parts[0], mode: parts[1], c: c, reps: len(a.rps),
			rps: median(a.rps), p50: median(a.p50), p99: median(a.p99), max: median(a.max),
			errors: a.errors, errKinds: a.kinds, cpuPct: median(a.cpuPct), cpuUsPerReq: median(a.cpuUs),
			rssKB: median(a.rss)}
		rows[k] = r
	}
	return rows, concs
}

func writeThroughput(w io.Writer, rows map[string]*row, concs []int) {
	fmt.Fprintln(w, "## Echo tools/call over Streamable HTTP")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Medians over the repetitions of each configuration (a fresh server each); latencies in ms; RSS of the server after the measured window; ratios are req/s over the floor's and minimcp's in the same mode and c. Server CPU is its user+system time over the measured window (100% = the one core it has); CPU µs/req is that time per request.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | mode | c | req/s | p50 | p99 | max | errors | RSS | ratio to floor | ratio to minimcp | server CPU | CPU µs/req |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, mode := range modes {
		for _, c := range concs {
			floor := rows[key(floorName, mode, c)]
			mini := rows[key(minimcpName, mode, c)]
			for _, s := range servers {
				r := rows[key(s, mode, c)]
				if r == nil {
					continue
				}
				fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
					s, mode, c, num(r.rps, 0), num(r.p50, 2), num(r.p99, 2), num(r.max, 2),
					errCell(r.errors, r.errKinds), mib(r.rssKB), ratio(r, floor), ratio(r, mini),
					pct(r.cpuPct), num(r.cpuUsPerReq, 1))
			}
		}
	}
	fmt.Fprintln(w)
}

// loadIdle reads the idle reports by server.
func loadIdle(dir string) map[string]*idleReport {
	out := map[string]*idleReport{}
	for _, s := range servers {
		var ir idleReport
		if readJSON(filepath.Join(dir, "idle."+s+".json"), &ir) {
			out[s] = &ir
		}
	}
	return out
}

// goroutinesPerSession is (goroutines holding the sessions - goroutines fresh - one per open
// connection) / sessions: net/http keeps one goroutine per open connection, which the idle
// command holds open while the server is dumped.
func goroutinesPerSession(dir, server string, ir *idleReport) (fresh, idle, per float64) {
	fresh = readNumber(filepath.Join(dir, "gor."+server+".fresh.txt"))
	idle = readNumber(filepath.Join(dir, "gor."+server+".idle.txt"))
	per = math.NaN()
	if ir != nil && ir.Sessions > 0 {
		per = (idle - fresh - float64(ir.Conns)) / float64(ir.Sessions)
	}
	return fresh, idle, per
}

func writeIdle(w io.Writer, dir string, idle map[string]*idleReport) {
	if len(idle) == 0 {
		return
	}
	var opened int64
	for _, ir := range idle {
		opened = max(opened, ir.Sessions+ir.Errors)
	}
	fmt.Fprintf(w, "## Idle sessions (stateful, %d sessions opened, then nothing)\n", opened)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Bytes per session is the growth of the server's VmRSS (fresh server, before the first request, to one second after the last) over the sessions opened; it includes the connections (the same for every server) and garbage not yet collected. Goroutines are counted in the server's SIGQUIT dump (GOTRACEBACK=all) while the sessions are held, minus a fresh server's count and one per open connection. Open rate: sessions (initialize + notifications/initialized) per second over that many keep-alive connections.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | sessions | errors | conns | RSS before | RSS after | bytes/session | goroutines fresh → holding | goroutines/session | open rate (sessions/s) | open rate ratio to floor |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	floor := idle[floorName]
	for _, s := range servers {
		ir := idle[s]
		if ir == nil {
			continue
		}
		fresh, held, per := goroutinesPerSession(dir, s, ir)
		openRatio := math.NaN()
		if floor != nil && floor.OpenRate > 0 {
			openRatio = ir.OpenRate / floor.OpenRate
		}
		fmt.Fprintf(w, "| %s | %d | %s | %d | %s | %s | %s | %s → %s | %s | %s | %s |\n",
			s, ir.Sessions, errCell(ir.Errors, ir.ErrorsByKind), ir.Conns, mib(float64(ir.RSSBeforeKB)),
			mib(float64(ir.RSSAfterKB)), num(ir.BytesPerSession, 0), num(fresh, 0), num(held, 0),
			num(per, 3), num(ir.OpenRate, 0), x(openRatio))
	}
	fmt.Fprintln(w)
	if b, err := os.ReadFile(filepath.Join(dir, "benchidle.txt")); err == nil {
		heap, gor := benchMetric(string(b), "heap-B/session"), benchMetric(string(b), "goroutines/session")
		fmt.Fprintf(w, "minimcp's own `BenchmarkIdleSessions` (server package, in process, live heap after GC): %s heap B/session, %s goroutines/session.\n\n", num(heap, 0), num(gor, 3))
	}
}

// benchMetric returns the value printed before unit in go test -bench output, or NaN.
func benchMetric(out, unit string) float64 {
	f := strings.Fields(out)
	for i := 1; i < len(f); i++ {
		if f[i] == unit {
			if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
				return v
			}
		}
	}
	return math.NaN()
}

// writeTargets checks the targets of the benchmark issue.
func writeTargets(w io.Writer, rows map[string]*row, concs []int, idle map[string]*idleReport) {
	fmt.Fprintln(w, "## Targets")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Throughput targets are checked twice: by req/s as measured, and by server CPU per request (1e6 / CPU µs per request, the req/s the server's core would give if saturated), which still compares servers when the load generator, not the server, limits req/s (server CPU well under 100%).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---|---|")
	// check writes one row; targets not measured in this run (NaN) are left out.
	check := func(name string, v, want float64, atLeast bool, unit string) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		met := "no"
		if (atLeast && v >= want) || (!atLeast && v <= want) {
			met = "yes"
		}
		fmt.Fprintf(w, "| %s | %s%s | %s |\n", name, num(v, 2), unit, met)
	}
	rps := func(s, mode string, c int) float64 {
		if r := rows[key(s, mode, c)]; r != nil {
			return r.rps
		}
		return math.NaN()
	}
	// capacity is the req/s a server's core could give if it were saturated: 1e6 / CPU µs per
	// request. Where the load generator, not the server, limits req/s, it compares servers
	// where req/s cannot.
	capacity := func(s, mode string, c int) float64 {
		if r := rows[key(s, mode, c)]; r != nil && r.cpuUsPerReq > 0 {
			return 1e6 / r.cpuUsPerReq
		}
		return math.NaN()
	}
	for _, c := range concs {
		m := rps(minimcpName, "stateless", c)
		check(fmt.Sprintf("stateless c=%d: minimcp >= 0.9x floor", c), m/rps(floorName, "stateless", c), 0.9, true, "x")
		check(fmt.Sprintf("stateless c=%d: minimcp >= 2x mcp-go", c), m/rps("mcp-go", "stateless", c), 2, true, "x")
		check(fmt.Sprintf("stateless c=%d: minimcp >= 5x go-sdk", c), m/rps("go-sdk", "stateless", c), 5, true, "x")
		check(fmt.Sprintf("stateful c=%d: minimcp >= 0.8x floor", c), rps(minimcpName, "stateful", c)/rps(floorName, "stateful", c), 0.8, true, "x")
		// 2026-07-28: against the floor answering the same requests, and against the floor's
		// 2025 stateless path.
		mm := rps(minimcpName, "modern", c)
		check(fmt.Sprintf("modern c=%d: minimcp >= 0.9x floor", c), mm/rps(floorName, "modern", c), 0.9, true, "x")
		check(fmt.Sprintf("modern c=%d: minimcp >= 0.9x floor's stateless (2025) path", c), mm/rps(floorName, "stateless", c), 0.9, true, "x")
		check(fmt.Sprintf("modern c=%d: minimcp >= 2x mcp-go", c), mm/rps("mcp-go", "modern", c), 2, true, "x")
		check(fmt.Sprintf("modern c=%d: minimcp >= 5x go-sdk", c), mm/rps("go-sdk", "modern", c), 5, true, "x")
	}
	for _, c := range concs {
		m := capacity(minimcpName, "stateless", c)
		check(fmt.Sprintf("by server CPU per request, stateless c=%d: minimcp >= 0.9x floor", c), m/capacity(floorName, "stateless", c), 0.9, true, "x")
		check(fmt.Sprintf("by server CPU per request, stateless c=%d: minimcp >= 2x mcp-go", c), m/capacity("mcp-go", "stateless", c), 2, true, "x")
		check(fmt.Sprintf("by server CPU per request, stateless c=%d: minimcp >= 5x go-sdk", c), m/capacity("go-sdk", "stateless", c), 5, true, "x")
		check(fmt.Sprintf("by server CPU per request, stateful c=%d: minimcp >= 0.8x floor", c), capacity(minimcpName, "stateful", c)/capacity(floorName, "stateful", c), 0.8, true, "x")
		check(fmt.Sprintf("by server CPU per request, modern c=%d: minimcp >= 0.9x floor", c), capacity(minimcpName, "modern", c)/capacity(floorName, "modern", c), 0.9, true, "x")
		check(fmt.Sprintf("by server CPU per request, modern c=%d: minimcp >= 0.9x floor's stateless (2025) path", c), capacity(minimcpName, "modern", c)/capacity(floorName, "stateless", c), 0.9, true, "x")
	}
	for _, mode := range modes {
		m, f := rows[key(minimcpName, mode, 256)], rows[key(floorName, mode, 256)]
		v := math.NaN()
		if m != nil && f != nil && f.p99 > 0 {
			v = m.p99 / f.p99
		}
		check(fmt.Sprintf("%s c=256: minimcp p99 <= 1.5x floor's", mode), v, 1.5, false, "x")
	}
	if ir := idle[minimcpName]; ir != nil {
		check("idle session: minimcp bytes/session <= 2048 (RSS growth)", ir.BytesPerSession, 2048, false, " B")
		if f := idle[floorName]; f != nil && f.OpenRate > 0 {
			check("opening 10,000 sessions: minimcp >= 0.8x floor's open rate", ir.OpenRate/f.OpenRate, 0.8, true, "x")
		}
	}
	var errs int64
	for _, r := range rows {
		errs += r.errors
	}
	for _, ir := range idle {
		errs += ir.Errors
	}
	check("zero errors everywhere (all servers, all runs)", float64(errs), 0, false, "")
	fmt.Fprintln(w)
}

func readJSON(path string, v any) bool {
	b, err := os.ReadFile(path)
	return err == nil && json.Unmarshal(b, v) == nil
}

// readNumber reads a file holding one number; NaN if it cannot.
func readNumber(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// readCPU reads "TICKS HZ".
func readCPU(path string) (ticks, hz float64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, false
	}
	t, err1 := strconv.ParseFloat(f[0], 64)
	h, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || h <= 0 {
		return 0, 0, false
	}
	return t, h, true
}

// median returns the median of v (the mean of the middle two for an even count), NaN if empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return num(v, 0) + "%"
}

func x(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return num(v, 2) + "x"
}

func ratio(r, ref *row) string {
	if ref == nil || ref.rps <= 0 {
		return "-"
	}
	return x(r.rps / ref.rps)
}

func mib(kb float64) string {
	if math.IsNaN(kb) {
		return "-"
	}
	return num(kb/1024, 1) + " MiB"
}

// errCell shows an error count and, when not zero, its kinds.
func errCell(n int64, kinds map[string]int64) string {
	if n == 0 {
		return "0"
	}
	ks := make([]string, 0, len(kinds))
	for k := range kinds {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k + ":" + strconv.FormatInt(kinds[k], 10)
	}
	return strconv.FormatInt(n, 10) + " (" + strings.Join(parts, " ") + ")"
}
