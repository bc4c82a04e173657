package interop

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricsPrometheusParser: what `minimcp serve` writes at /metrics (here on
// --metrics-addr, a listener of its own) is read by the Prometheus text parser
// (prometheus/common/expfmt) without an error, every family with the type it declares, and
// says what the Go SDK client did: its tools/call counted and timed, a refused Origin
// counted, a live session. The parser is a dependency of this module only, so minimcp never
// depends on it.
func TestMetricsPrometheusParser(t *testing.T) {
	maddr, err := freeAddr()
	require.NoError(t, err)
	httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	base := serveHTTP(t, "--metrics-addr", maddr, "--pprof")
	t.Cleanup(httpClient.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(t.Context(), sessionTimeout)
	defer cancel()

	client := mcp.NewClient(&mcp.Implementation{Name: "minimcp-interop-metrics", Version: "1.0.0"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: httpClient},
		&mcp.ClientSessionOptions{ProtocolVersion: latestVersion})
	require.NoError(t, err)
	defer cs.Close()
	for range 3 {
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}})
		require.NoError(t, err)
	}
	code, _, err := postJSON(ctx, httpClient, base+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		map[string]string{"Origin": "https://evil.example"})
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, code)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+maddr+"/metrics", nil)
	require.NoError(t, err)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, expfmt.TextVersion, strings.TrimPrefix(strings.Split(resp.Header.Get("Content-Type"), ";")[1], " version="))

	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err, "the Prometheus text parser reads /metrics")

	for name, typ := range map[string]dto.MetricType{
		"minimcp_requests_total":           dto.MetricType_COUNTER,
		"minimcp_request_duration_seconds": dto.MetricType_HISTOGRAM,
		"minimcp_rejections_total":         dto.MetricType_COUNTER,
		"minimcp_store_errors_total":       dto.MetricType_COUNTER,
		"minimcp_sessions":                 dto.MetricType_GAUGE,
		"minimcp_sse_streams":              dto.MetricType_GAUGE,
		"minimcp_listen_streams":           dto.MetricType_GAUGE,
		"minimcp_event_store_bytes":        dto.MetricType_GAUGE,
		"minimcp_body_bytes_in_flight":     dto.MetricType_GAUGE,
	} {
		require.Contains(t, families, name)
		assert.Equal(t, typ, families[name].GetType(), name)
		assert.NotEmpty(t, families[name].GetHelp(), name)
	}

	labels := func(m *dto.Metric) map[string]string {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		return l
	}
	counter := func(family string, want map[string]string) float64 {
		for _, m := range families[family].GetMetric() {
			if assert.ObjectsAreEqual(want, labels(m)) {
				return m.GetCounter().GetValue()
			}
		}
		return 0
	}
	assert.Equal(t, 3.0, counter("minimcp_requests_total", map[string]string{"method": "tools/call", "outcome": "ok"}))
	assert.Equal(t, 1.0, counter("minimcp_requests_total", map[string]string{"method": "initialize", "outcome": "ok"}))
	assert.Equal(t, 1.0, counter("minimcp_rejections_total", map[string]string{"reason": "origin"}))

	var hist *dto.Histogram
	for _, m := range families["minimcp_request_duration_seconds"].GetMetric() {
		if labels(m)["method"] == "tools/call" {
			hist = m.GetHistogram()
		}
	}
	require.NotNil(t, hist)
	assert.Equal(t, uint64(3), hist.GetSampleCount())
	assert.Positive(t, hist.GetSampleSum())
	buckets := hist.GetBucket()
	require.NotEmpty(t, buckets)
	for i := 1; i < len(buckets); i++ {
		assert.Less(t, buckets[i-1].GetUpperBound(), buckets[i].GetUpperBound())
		assert.LessOrEqual(t, buckets[i-1].GetCumulativeCount(), buckets[i].GetCumulativeCount())
	}
	assert.Equal(t, 1.0, families["minimcp_sessions"].GetMetric()[0].GetGauge().GetValue())

	// pprof is on the metrics listener, never on the MCP one.
	code, _, err = getStatus(ctx, httpClient, "http://"+maddr+"/debug/pprof/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	code, _, err = getStatus(ctx, httpClient, base+"/debug/pprof/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code)
	code, _, err = getStatus(ctx, httpClient, base+"/metrics")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code, "moved by --metrics-addr")
}

// getStatus fetches url and returns its status and body.
func getStatus(ctx context.Context, client *http.Client, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
