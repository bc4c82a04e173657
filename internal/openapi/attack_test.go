package openapi_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/openapi"
)

// refBomb is a description of a kilobyte or two whose one schema, its in-place $refs followed,
// holds fan^levels leaves: each level's properties all point to the next level (not to a
// named schema, which would be shared through $defs, but to a part of the document).
func refBomb(levels, fan int) string {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"x-b":{`)
	for i := range levels {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"l%d":{"type":"object","properties":{`, i)
		for j := range fan {
			if j > 0 {
				b.WriteString(",")
			}
			if i == levels-1 {
				fmt.Fprintf(&b, `"p%d":{"type":"string"}`, j)
			} else {
				fmt.Fprintf(&b, `"p%d":{"$ref":"#/x-b/l%d"}`, j, i+1)
			}
		}
		b.WriteString("}}")
	}
	b.WriteString(`},"paths":{"/a":{"post":{"operationId":"a","requestBody":{"content":{"application/json":{"schema":{"$ref":"#/x-b/l0"}}}},"responses":{}}}}}`)
	return b.String()
}

// TestRefBomb (attack: a $ref bomb, the billion laughs of $refs followed in place): a
// description whose in-place $refs expand beyond Options.MaxSchemaNodes is refused with a
// problem saying so, before the expansion is built (4^10 leaves took a minute and 37 MB,
// 4^16 would not fit in memory); one within the bound still loads.
func TestRefBomb(t *testing.T) {
	_, err := openapi.Parse([]byte(refBomb(16, 4)), nil)
	var oe *openapi.Error
	require.True(t, errors.As(err, &oe), "want *openapi.Error, got %v", err)
	assert.Contains(t, oe.Error(), "in-place $refs expand to more than")

	_, err = openapi.Parse([]byte(refBomb(4, 4)), &openapi.Options{MaxSchemaNodes: 100})
	require.Error(t, err, "a lower bound refuses a smaller expansion")
	d, err := openapi.Parse([]byte(refBomb(4, 4)), nil)
	require.NoError(t, err)
	assert.Len(t, d.Operations, 1)
}
