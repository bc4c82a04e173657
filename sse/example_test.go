package sse_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/minimcp/minimcp/sse"
)

func ExampleEncoder() {
	enc := sse.NewEncoder(os.Stdout)
	// The MCP priming event: an id and an empty data field (and the retry
	// the client should use when it reconnects).
	if err := enc.Encode(&sse.Event{ID: "s1-0", Retry: 3 * time.Second}); err != nil {
		panic(err)
	}
	if err := enc.Encode(&sse.Event{ID: "s1-1", Data: []byte(`{"jsonrpc":"2.0","id":1,"result":{}}`)}); err != nil {
		panic(err)
	}
	if err := enc.Comment("keep-alive"); err != nil {
		panic(err)
	}
	// Output:
	// id: s1-0
	// retry: 3000
	// data:
	//
	// id: s1-1
	// data: {"jsonrpc":"2.0","id":1,"result":{}}
	//
	// : keep-alive
}

func ExampleAppendEvent() {
	buf, err := sse.AppendEvent(nil, &sse.Event{Name: "note", Data: []byte("two\r\nlines")})
	fmt.Printf("%q %v\n", buf, err)

	_, err = sse.AppendEvent(nil, &sse.Event{ID: "bad\nid"})
	fmt.Println(errors.Is(err, sse.ErrInvalidID))
	// Output:
	// "event: note\ndata: two\ndata: lines\n\n" <nil>
	// true
}

func ExampleDecoder() {
	stream := ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
	dec := sse.NewDecoder(strings.NewReader(stream), nil)
	for e, err := range dec.Events() {
		if err != nil {
			panic(err)
		}
		fmt.Printf("id=%q data=%q\n", e.ID, e.Data)
	}
	// Output:
	// id="1" data="first event"
	// id="" data="second event"
	// id="" data=" third event"
}

// An MCP client skips the priming event's empty data, and resumes from
// LastEventID when the stream breaks.
func ExampleDecoder_LastEventID() {
	stream := "id: s1-0\nretry: 3000\ndata:\n\nid: s1-1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\nid: s1-2\nda"
	dec := sse.NewDecoder(strings.NewReader(stream), nil)
	for e, err := range dec.Events() {
		if err != nil {
			panic(err)
		}
		if len(e.Data) == 0 {
			fmt.Printf("priming event %q\n", e.ID)
			continue
		}
		fmt.Printf("message %q: %s\n", e.ID, e.Data)
	}
	retry, _ := dec.Retry()
	fmt.Printf("resume from %q after %v\n", dec.LastEventID(), retry)
	// Output:
	// priming event "s1-0"
	// message "s1-1": {"jsonrpc":"2.0","method":"notifications/progress"}
	// resume from "s1-1" after 3s
}
