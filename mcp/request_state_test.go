package mcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRequestDigest: the digest that binds a requestState to its request ignores member order
// and spacing, and the members that change from round to round, but tells apart two requests
// that give a member twice in another order: a reader that takes the last (or the first) of
// them acts on different values. The sort of members by name must be stable for that: with
// twelve other members around them, an unstable one ordered both alike, and a state issued for
// a call of tool "issuer" resumed a call of tool "victim" (TestNamingMembersOnce now refuses
// a tool's name given twice; the digest does not rely on it, for the members it does not check).
func TestRequestDigest(t *testing.T) {
	d := func(params string) string { return string(requestDigest("tools/call", []byte(params))) }
	assert.Equal(t, d(`{"name":"t","arguments":{"a":1}}`), d(`{ "arguments" : {"a": 1}, "name":"t","_meta":{"x":1},"requestState":"s","inputResponses":{}}`))
	assert.NotEqual(t, d(`{"name":"t","arguments":{"a":1}}`), d(`{"name":"t","arguments":{"a":2}}`))
	assert.NotEqual(t, d(`{"name":"t"}`), string(requestDigest("prompts/get", []byte(`{"name":"t"}`))))

	issued := `{"name":"victim","name":"issuer","k02":0,"k03":0,"k04":0,"k05":0,"k06":0,"k07":0,"k08":0,"k09":0,"k10":0,"k11":0,"k12":0}`
	replayed := `{"k05":0,"k09":0,"k10":0,"k03":0,"k08":0,"k11":0,"name":"issuer","k02":0,"k06":0,"k07":0,"k04":0,"name":"victim","k12":0}`
	assert.NotEqual(t, d(issued), d(replayed))
}
