package interop

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLegacySSEEndpointReady checks what both SDK clients rely on over the legacy HTTP+SSE
// transport: they POST to the message endpoint the moment they read the endpoint event, so
// the session must accept messages as soon as the event is out (MCP 2024-11-05, Transports §
// HTTP with SSE: "When a client connects, the server MUST send an endpoint event containing a
// URI for the client to use for sending messages"; the server answers 202 to each).
//
// The SDK tests hit a race here in a few sessions of a hundred; this test repeats the
// exchange so a regression shows on every run.
func TestLegacySSEEndpointReady(t *testing.T) {
	const (
		rounds = 300
		// budget bounds the loop on a slow machine; the rounds done by then still count.
		budget = 10 * time.Second
		// roundTimeout bounds one round.
		roundTimeout = 5 * time.Second
	)
	base := serveHTTP(t, "--legacy-sse")
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(client.CloseIdleConnections) // before the server stops

	refused, first, done := 0, "", 0
	for deadline := time.Now().Add(budget); done < rounds && time.Now().Before(deadline); done++ {
		ctx, cancel := context.WithTimeout(t.Context(), roundTimeout)
		status, body, err := postRightAfterEndpoint(ctx, client, base)
		cancel()
		require.NoError(t, err, "round %d", done)
		if status != http.StatusAccepted {
			refused++
			if first == "" {
				first = fmt.Sprintf("round %d: POST /message got %d %s", done, status, body)
			}
		}
	}
	t.Logf("%d rounds", done)
	require.Zero(t, refused, "%d of %d POSTs sent right after the endpoint event were refused; the first: %s", refused, done, first)
}

// postRightAfterEndpoint opens an SSE session, reads its endpoint event and at once POSTs a
// ping there, as the SDK clients do. It returns the POST's status and body.
func postRightAfterEndpoint(ctx context.Context, client *http.Client, base string) (int, string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the SSE stream, and so the session
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/sse", nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return 0, "", fmt.Errorf("GET /sse: %d %s", resp.StatusCode, b)
	}
	endpoint, err := readEndpoint(resp.Body)
	if err != nil {
		return 0, "", err
	}
	return postJSON(ctx, client, base+endpoint, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, nil)
}

// readEndpoint reads SSE events until the endpoint event and returns its data.
func readEndpoint(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:") && event == "endpoint":
			return strings.TrimSpace(strings.TrimPrefix(line, "data:")), nil
		case line == "":
			event = ""
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", io.ErrUnexpectedEOF
}
