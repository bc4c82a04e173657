// Package statekey reads the keys that seal the requestState of 2026-07-28 input-required
// results (mcp.ServerOptions.StateKeys) as `minimcp serve --state-key` takes them: 32 bytes
// each, in hex or base64, comma-separated or "@FILE" with one key a line, newest first.
//
//	keys, err := statekey.Parse(os.Getenv("MINIMCP_STATE_KEY"))
//	srv := mcp.NewServer(impl, &mcp.ServerOptions{StateKeys: keys})
package statekey
