package sse_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/sse"
)

// decoded returns what a Decoder returns for the encoded form of e, given the
// last event ID before it: CR and CRLF in Data become LF, empty Data is nil,
// ResetID survives only without an ID, and an event without an id field
// carries the previous ID (WHATWG HTML §9.2.6).
func decoded(e sse.Event, lastID string) sse.Event {
	data := strings.ReplaceAll(string(e.Data), "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	e.Data = nil
	if data != "" {
		e.Data = []byte(data)
	}
	e.ResetID = e.ResetID && e.ID == ""
	if e.ID == "" && !e.ResetID {
		e.ID = lastID
	}
	return e
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			wire, err := sse.AppendEvent(nil, &tc.event)
			require.NoError(t, err)
			d := sse.NewDecoder(bytes.NewReader(wire), nil)
			got, err := d.Next()
			require.NoError(t, err)
			assert.Equal(t, decoded(tc.event, ""), got)
		})
	}
}

// TestRoundTripStream encodes every case into one stream, with comments
// between events, and checks that the last event ID carries over.
func TestRoundTripStream(t *testing.T) {
	var (
		buf  bytes.Buffer
		want []sse.Event
	)
	enc := sse.NewEncoder(&buf)
	lastID := ""
	for _, tc := range encodeCases {
		require.NoError(t, enc.Encode(&tc.event))
		require.NoError(t, enc.Comment("keep-alive\nsecond line"))
		e := decoded(tc.event, lastID)
		want = append(want, e)
		lastID = e.ID
	}
	var got []sse.Event
	d := sse.NewDecoder(&buf, nil)
	for e, err := range d.Events() {
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, lastID, d.LastEventID())
}
