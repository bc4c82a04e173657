// Package jsontext reads JSON text (RFC 8259) in place, for the packages of this module that
// must not pay for decoding into Go values: rpc, which classifies every JSON-RPC message, mcp,
// which reads a few members of params, and jsonschema, which validates tool arguments. Nothing
// is tokenized and nothing is allocated on the success path. Each function takes the document
// and the offset of the first byte of a value (whitespace already skipped) and returns the
// offset just past it:
//
//	i := jsontext.SkipSpace(data, 0)
//	end, err := jsontext.SkipValue(data, i, 0) // err: *SyntaxError, nil if data[i:end] is one value
//	if err == nil {
//		err = jsontext.CheckEnd(data, end) // only whitespace may follow
//	}
//
// # Grammar
//
// The grammar and its limits are those of encoding/json's Valid: insignificant whitespace is
// space, tab, CR and LF; strings may hold bytes that are not UTF-8 (RFC 8259 §8.1 requires
// UTF-8 of JSON text exchanged between systems, and a caller that echoes text raw checks it
// itself); arrays and objects nest at most [MaxDepth] deep.
//
// # Strings
//
// [AppendUnescaped], [Unquote] and [RuneCount] read a string the way encoding/json decodes it
// into a Go string: escapes decoded, a \u escape of a lone surrogate and every byte that is not
// part of valid UTF-8 turned into U+FFFD. [AppendString] writes a string the way encoding/json
// encodes one, so that what it writes is always valid JSON text.
package jsontext
