// Package clicmd does the work of minimcp's client commands (tools, call, read, prompt) once
// cmd/minimcp has parsed their flags and arguments: it connects with package client, sends the
// one request the command is for, prints the answer for a person (or, with JSON, as the server
// sent it) and says which exit status the outcome gets.
//
//	code := clicmd.Run(ctx, &clicmd.Conn{URL: url, Timeout: 30 * time.Second}, os.Stderr,
//		func(ctx context.Context, c *client.Client) int {
//			return clicmd.Call(ctx, c, "echo", json.RawMessage(`{"text":"hi"}`), &clicmd.Output{Stdout: os.Stdout, Stderr: os.Stderr})
//		})
//	os.Exit(code)
//
// # Exit statuses
//
// [ExitOK] when the request succeeded; [ExitFailed] when the server answered what was asked
// with a failure (a tool result with isError, a JSON-RPC error such as an unknown resource, an
// input-required result the command cannot answer); [ExitUsage] for a bad command line;
// [ExitProtocol] when the server could not be reached or broke the protocol.
//
// Results are read loosely (a content type this build does not know is printed as JSON rather
// than refused), and --json prints what the server said rather than what this build decodes.
package clicmd
