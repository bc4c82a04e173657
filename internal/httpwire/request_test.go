package httpwire

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
)

func TestToolCallParams(t *testing.T) {
	assert.JSONEq(t, `{"name":"echo","arguments":{}}`, string(ToolCallParams("echo", nil)))
	assert.JSONEq(t, `{"name":"a\"b","arguments":{"x":1}}`, string(ToolCallParams(`a"b`, json.RawMessage(`{"x":1}`))))
}
