// Package manifest is the engine behind `minimcp serve --manifest FILE`: it reads a JSON
// manifest declaring tools (programs to run, HTTP APIs to call, the operations of OpenAPI
// descriptions), resources (files and directories), prompt templates and skills, checks all of
// it at once, and registers it on an [mcp.Server]. docs/manifest.md is the reference of the format.
//
//	m, err := manifest.Load("tools.json", &manifest.Options{Version: "v1.2.3"})
//	if err != nil {
//		return err // every problem of the file, one per line
//	}
//	defer m.Close()
//	srv := mcp.NewServer(&m.Impl, &mcp.ServerOptions{Instructions: m.Instructions})
//	m.Register(srv, logger)
//
// The programs of exec tools are contained (process groups; on Linux a child subreaper and a
// parent-death signal): a program that outlives minimcp would escape every limit. A command
// that runs exec tools calls [KillProcesses] before it exits.
package manifest
