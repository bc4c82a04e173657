package statekey

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/minimcp/minimcp/mcp"
)

// Parse reads the value of --state-key (MINIMCP_STATE_KEY): keys separated by commas,
// or "@FILE" for a file with one key a line (blank lines and lines starting with # skipped).
// Each key is 32 bytes written as 64 hex digits or in base64 (standard or URL alphabet,
// padded or not), e.g. the output of `openssl rand -hex 32`. The first key seals the
// requestState of input-required results, every key opens them (mcp.ServerOptions.StateKeys):
// to rotate, put the new key first and keep the old one until --state-ttl has passed. "" is
// no keys.
func Parse(spec string) ([][]byte, error) {
	if spec == "" {
		return nil, nil
	}
	var lines []string
	source := "--state-key"
	if name, ok := strings.CutPrefix(spec, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading the state keys: %w", err)
		}
		source = name
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
	} else {
		for _, l := range strings.Split(spec, ",") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s holds no key", source)
	}
	keys := make([][]byte, len(lines))
	for i, l := range lines {
		k, err := decodeStateKey(l)
		if err != nil {
			return nil, fmt.Errorf("%s: key %d: %w", source, i+1, err)
		}
		keys[i] = k
	}
	return keys, nil
}

// decodeStateKey decodes one key of [Parse].
func decodeStateKey(s string) ([]byte, error) {
	if len(s) == 2*mcp.StateKeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != mcp.StateKeySize {
				return nil, fmt.Errorf("it is %d bytes; a key is %d (try: openssl rand -hex %d)", len(k), mcp.StateKeySize, mcp.StateKeySize)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("not %d bytes in hex or base64 (try: openssl rand -hex %d)", mcp.StateKeySize, mcp.StateKeySize)
}
