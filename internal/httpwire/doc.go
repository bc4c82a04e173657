// Package httpwire holds the wire rules an MCP client of the Streamable HTTP transport follows
// on both sides of one exchange: the request headers a per-request revision mirrors from the
// body, and how a reply is read (its media type, the response among a batch, what an error
// reply says). The public client package and the load generator's small client share it, so
// the rules are written once.
package httpwire
