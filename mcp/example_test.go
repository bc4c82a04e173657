package mcp_test

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/server"
)

// exchange sends client lines to s over the in-memory transport and prints what comes back.
func exchange(s *mcp.Server, lines ...string) { exchangeWith(s, `{}`, lines...) }

// exchangeWith is exchange for a client declaring the capabilities caps.
func exchangeWith(s *mcp.Server, caps string, lines ...string) {
	ctx := context.Background()
	conn, wait := server.InMemory(ctx, s, nil)
	sc := bufio.NewScanner(conn)
	init := `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":` + caps + `,"clientInfo":{"name":"example","version":"1"}}}`
	for _, line := range append([]string{init}, lines...) {
		fmt.Fprintln(conn, line)
		sc.Scan()
		if !strings.Contains(line, `"initialize"`) {
			fmt.Println(sc.Text())
		}
	}
	conn.Close()
	_ = wait()
}

func ExampleAddTool() {
	s := mcp.NewServer(&mcp.Implementation{Name: "calc", Version: "1.0.0"}, nil)
	type In struct {
		A float64 `json:"a" description:"first addend"`
		B float64 `json:"b" description:"second addend"`
	}
	type Out struct {
		Sum float64 `json:"sum"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "Adds two numbers."},
		func(_ context.Context, _ *mcp.Request, in In) (Out, error) {
			return Out{Sum: in.A + in.B}, nil
		})
	exchange(s,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":"two"}}}`)
	// Output:
	// {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\"sum\":5}"}],"structuredContent":{"sum":5}}}
	// {"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"invalid arguments for tool add: argument \"a\": expected number, got string"}],"isError":true}}
}

func ExampleServer_AddResourceTemplate() {
	s := mcp.NewServer(&mcp.Implementation{Name: "files", Version: "1.0.0"}, nil)
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "notes://{day}/summary", Name: "daily-summary", MimeType: "text/plain"},
		func(_ context.Context, _ *mcp.Request, uri string, vars map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{
				{URI: uri, MimeType: "text/plain", Text: "Summary of " + vars["day"]},
			}}, nil
		})
	exchange(s,
		`{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"notes://2026-11-21/summary"}}`,
		`{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"notes://x/other"}}`)
	// Output:
	// {"jsonrpc":"2.0","id":1,"result":{"contents":[{"uri":"notes://2026-11-21/summary","mimeType":"text/plain","text":"Summary of 2026-11-21"}]}}
	// {"jsonrpc":"2.0","id":2,"error":{"code":-32002,"message":"Resource not found: notes://x/other","data":{"uri":"notes://x/other"}}}
}

func ExampleServer_AddPrompt() {
	s := mcp.NewServer(&mcp.Implementation{Name: "prompts", Version: "1.0.0"}, nil)
	s.AddPrompt(&mcp.Prompt{Name: "review", Description: "Reviews code.", Arguments: []mcp.PromptArgument{
		{Name: "language", Description: "programming language", Required: true},
	}}, func(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{
			{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "Review this " + args["language"] + " code."}},
		}}, nil
	})
	exchange(s,
		`{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"review","arguments":{"language":"Go"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"review"}}`)
	// Output:
	// {"jsonrpc":"2.0","id":1,"result":{"messages":[{"role":"user","content":{"type":"text","text":"Review this Go code."}}]}}
	// {"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"Invalid params: prompt \"review\": missing required argument \"language\""}}
}

// A URI template of level 4 matched against URIs a client may read.
func ExampleURITemplate_Match() {
	t, err := mcp.ParseURITemplate("repo://{owner}{/path*}{?ref}")
	if err != nil {
		panic(err)
	}
	vars, ok := t.Match("repo://ada/docs/guide%20v2.md?ref=main")
	fmt.Println(ok, vars["owner"], vars["path"], vars["ref"])
	_, ok = t.Match("repo://ada/docs?page=2")
	fmt.Println(ok)
	// Output:
	// true ada docs/guide v2.md main
	// false
}

// A tool whose calls run as tasks: a 2026-07-28 client that declares the tasks extension gets
// the task at once, and its result from tasks/get.
func ExampleRequest_RunTask() {
	s := mcp.NewServer(nil, nil)
	defer s.Shutdown(context.Background())
	s.AddRawTool(&mcp.Tool{Name: "report", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(ctx context.Context, req *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("report ready"), nil // the long work, on a goroutine of the server
		}))
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
		`"io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}`
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20260728}
	handle := func(method, params string) map[string]any {
		msgs, _, _ := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":{`+params+`,`+meta+`}}`), rpc.Limits{})
		resp, _ := s.Handle(context.Background(), in, &msgs[0])
		var res map[string]any
		_ = json.Unmarshal(resp.Result, &res)
		return res
	}
	created := handle("tools/call", `"name":"report","arguments":{}`)
	fmt.Println(created["resultType"], created["status"])
	for {
		got := handle("tasks/get", `"taskId":"`+created["taskId"].(string)+`"`)
		if got["status"] == "completed" {
			fmt.Println(got["status"], got["result"].(map[string]any)["content"])
			break
		}
		time.Sleep(time.Millisecond) // a client waits pollIntervalMs
	}
	// Output:
	// task working
	// completed [map[text:report ready type:text]]
}

// A skill (the skills extension, SEP-2640): its files are resources under skill://, and a
// 2026-07-28 client lists the skills with their frontmatter and the digest of each file.
func ExampleServer_AddSkill() {
	s := mcp.NewServer(nil, nil)
	err := s.AddSkill(&mcp.Skill{Path: "release-notes", Files: []mcp.SkillFile{
		{Path: "SKILL.md", Content: []byte("---\nname: release-notes\ndescription: Write release notes\n---\nGroup changes by area.\n")},
		{Path: "templates/notes.md", Content: []byte("## {{version}}\n")},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	msgs, _, _ := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":1,"method":"skills/list","params":{}}`), rpc.Limits{})
	resp, _ := s.Handle(context.Background(), &mcp.Inbound{ProtocolVersion: mcp.Version20260728}, &msgs[0])
	var res mcp.ListSkillsResult
	_ = json.Unmarshal(resp.Result, &res)
	for _, sk := range res.Skills {
		fmt.Println(sk.URI, string(sk.Frontmatter))
		for _, f := range sk.Resources {
			fmt.Println(" ", f.URI, f.Size, f.Digest[:15])
		}
	}
	// Output:
	// skill://release-notes/SKILL.md {"name":"release-notes","description":"Write release notes"}
	//   skill://release-notes/SKILL.md 84 sha256:19bd8989
	//   skill://release-notes/templates/notes.md 15 sha256:8f201fe2
}

// A middleware that refuses a tool to every principal but one, and one that prints what each
// call was; the first in the list is outermost, so the printer sees the refusal too.
func ExampleMiddleware() {
	adminOnly := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			if req.Method == mcp.MethodToolsCall && req.Target() == "reboot" && req.Principal() != "admin" {
				return nil, rpc.NewError(-32001, "reboot is for admin only")
			}
			return next(ctx, req)
		}
	}
	printer := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			res, err := next(ctx, req)
			fmt.Printf("%s %s %s: %s\n", req.ProtocolVersion(), req.Method, req.Target(), mcp.Outcome(req, err))
			return res, err
		}
	}
	s := mcp.NewServer(nil, &mcp.ServerOptions{Middleware: []mcp.Middleware{printer, adminOnly}})
	mcp.AddTool(s, &mcp.Tool{Name: "reboot"}, func(context.Context, *mcp.Request, struct{}) (string, error) {
		return "rebooting", nil
	})
	exchange(s, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"reboot"}}`)
	// Output:
	// 2025-11-25 initialize : ok
	// 2025-11-25 tools/call reboot: server_error
	// {"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"reboot is for admin only"}}
}
