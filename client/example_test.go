package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// A server to try the client on: one typed tool.
func exampleServer() *mcp.Server {
	type In struct {
		City string `json:"city"`
	}
	type Out struct {
		TempC float64 `json:"tempC"`
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "weather", Version: "1.0.0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "forecast", Description: "Tomorrow's temperature."},
		func(ctx context.Context, req *mcp.Request, in In) (Out, error) {
			return Out{TempC: 18.5}, nil
		})
	return srv
}

// Testing a server in the same process: no port, the real encoding and dispatch.
func ExampleConnectInMemory() {
	ctx := context.Background()
	c, err := client.ConnectInMemory(ctx, exampleServer(), nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	type Forecast struct {
		TempC float64 `json:"tempC"`
	}
	f, err := client.CallTool[Forecast](ctx, c, "forecast", map[string]string{"city": "Lyon"})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ProtocolVersion(), f.TempC)
	// Output: 2026-07-28 18.5
}

// Connecting over Streamable HTTP, here to a minimcp server on httptest, pinned to a 2025
// revision so that the client opens a session.
func ExampleConnect() {
	h := server.New(exampleServer(), nil)
	ts := httptest.NewServer(h)
	defer ts.Close()
	defer h.Shutdown(context.Background())

	ctx := context.Background()
	c, err := client.Connect(ctx, ts.URL+"/mcp", &client.Options{
		HTTPClient:      ts.Client(),
		ProtocolVersion: mcp.Version20251125,
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	fmt.Println(c.ServerInfo().Name, c.ProtocolVersion(), c.SessionID() != "")
	for tool, err := range c.Tools(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Println(tool.Name+":", tool.Description)
	}
	// Output:
	// weather 2025-11-25 true
	// forecast: Tomorrow's temperature.
}

// One elicitation handler serves both eras: at 2026-07-28 the server's question comes as an
// input-required result, which the client answers and retries without the caller seeing it.
func ExampleOptions_elicitationHandler() {
	srv := mcp.NewServer(&mcp.Implementation{Name: "greeter", Version: "1.0.0"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "greet", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "Your name?",
				RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)})
			if err != nil {
				return nil, err // at 2026-07-28: mcp.ErrInputRequired, which ends this round
			}
			return mcp.TextResult(fmt.Sprintf("Hello, %v!", res.Content["name"])), nil
		})

	for _, version := range []string{mcp.Version20251125, mcp.Version20260728} {
		ctx := context.Background()
		c, err := client.ConnectInMemory(ctx, srv, &client.Options{
			ProtocolVersion: version,
			ElicitationHandler: func(ctx context.Context, p *mcp.ElicitParams) (*mcp.ElicitResult, error) {
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Ada"}}, nil
			},
		})
		if err != nil {
			panic(err)
		}
		res, err := c.CallTool(ctx, "greet", nil)
		if err != nil {
			panic(err)
		}
		fmt.Println(version, res.Content[0].(*mcp.TextContent).Text)
		c.Close()
	}
	// Output:
	// 2025-11-25 Hello, Ada!
	// 2026-07-28 Hello, Ada!
}

// Progress notifications of one call reach the callback of its context.
func ExampleWithProgress() {
	srv := mcp.NewServer(&mcp.Implementation{Name: "worker", Version: "1.0.0"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "work", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			for i := 1; i <= 2; i++ {
				_ = req.Progress(ctx, float64(i), 2, "")
			}
			return mcp.TextResult("done"), nil
		})
	ctx := context.Background()
	c, err := client.ConnectInMemory(ctx, srv, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	pctx := client.WithProgress(ctx, func(p *mcp.ProgressNotificationParams) {
		fmt.Printf("%g of %g\n", p.Progress, *p.Total)
	})
	if _, err := c.CallTool(pctx, "work", nil); err != nil {
		panic(err)
	}
	// Output:
	// 1 of 2
	// 2 of 2
}

// Listening for changes: the same call in both eras (subscriptions/listen at 2026-07-28; the
// GET stream and resources/subscribe in a 2025 session).
func ExampleClient_Listen() {
	srv := exampleServer()
	srv.AddResource(&mcp.Resource{URI: "file:///config.json", Name: "config"},
		func(ctx context.Context, req *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "{}"}}}, nil
		})
	ctx, cancel := context.WithCancel(context.Background())
	c, err := client.ConnectInMemory(ctx, srv, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	filter := &mcp.SubscriptionFilter{ResourceSubscriptions: []string{"file:///config.json"}}
	err = c.Listen(ctx, filter, func(n *client.Notification) {
		fmt.Println(n.Method)
		switch n.Method {
		case mcp.NotificationSubscriptionsAcknowledged:
			srv.ResourceUpdated(ctx, "file:///config.json") // the client is listening: change it
		case mcp.NotificationResourceUpdated:
			cancel() // enough: Listen returns nil
		}
	})
	fmt.Println(err)
	// Output:
	// notifications/subscriptions/acknowledged
	// notifications/resources/updated
	// <nil>
}
