package manifest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
)

/*
Design note: building the request of an http tool.

The pieces here turn a call's arguments into an upstream request, and know nothing of the
manifest or of MCP results, so that another bridge (an OpenAPI one) can use them as they are:
a urlTemplate is filled with the arguments (fill), the arguments it does not use go in the
query (addQuery) or in a JSON body (jsonObjectOf), and the client follows redirects with
checkRedirect. Each refuses, before anything is sent, what would make the request other than
the one the manifest describes:

  - A path value is escaped as one segment (url.PathEscape: "/" is %2F), and a segment made
    from one that is "." or "..", or decodes to them once or several times ("%2e%2e",
    "%252e%252e"), or holds them beside a slash or a backslash ("../admin" sent as
    "..%2Fadmin", which some servers decode before routing), is refused: the upstream, or a
    proxy before it, would resolve it and the request would leave the path the manifest
    wrote (/api/v1/users/{{id}}/{{sub}} with "..", "admin" reaching /api/v1/admin) with the
    manifest's credentials.
  - A query value is query-escaped; a placeholder may not be a parameter's name. An argument
    sent as a parameter may not bear the name of one the URL sets (compared without regard to
    case, as some servers do): "key=apikey123&key=attacker-key" would leave it to the upstream
    to pick one of the two. The URL's own query goes as written, the arguments after it.
  - Redirects are followed within the origin (scheme, host and port) of the URL only, and at
    most maxHTTPToolRedirects of them. The manifest's headers hold secrets meant for one
    upstream; Go's client forwards custom headers to any host, and Authorization to another
    port of the same host, so a redirect elsewhere is refused rather than followed with some
    headers stripped: the upstream's answer then says where it wanted to send the call.
*/

// maxHTTPToolRedirects bounds the redirects an http tool's request follows.
const maxHTTPToolRedirects = 5

// maxDecodeRounds bounds how many times a path segment is percent-decoded to look for a dot
// segment hidden under several encodings.
const maxDecodeRounds = 4

// urlTemplate is an http tool's URL: literals and {{placeholders}}, checked at load time.
type urlTemplate struct {
	parts []urlPart
	// args holds the arguments the placeholders name.
	args map[string]bool
	// queryNames holds the names of the query parameters the URL sets itself, decoded.
	queryNames []string
}

// urlPart is a piece of a URL template: a literal or a placeholder.
type urlPart struct {
	literal string
	arg     string // the argument a placeholder names; "" for a literal
	query   bool   // the placeholder is in the query, so it is query-escaped
}

// queryNamesOf returns the names of the parameters of a URL template's query (the text after
// "?", without the fragment), decoded. It fails for a name that holds a placeholder.
func queryNamesOf(query string) ([]string, error) {
	var names []string
	for kv := range strings.SplitSeq(query, "&") {
		if kv == "" {
			continue
		}
		name, _, _ := strings.Cut(kv, "=")
		if placeholderRE.MatchString(name) {
			return nil, errors.New("placeholders may stand for query values, not for parameter names")
		}
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		names = append(names, name)
	}
	return names, nil
}

// fill returns the URL with each placeholder replaced by its argument's value (a string as
// itself, a number or a boolean as its JSON text), escaped for its place. The errors are
// meant for the caller: a missing or unusable value, or a path value that would make a dot
// segment.
func (t *urlTemplate) fill(values map[string]json.RawMessage) (*url.URL, error) {
	return t.build(func(p urlPart) (string, error) {
		raw, ok := values[p.arg]
		if !ok || kindOf(raw) == 'n' {
			return "", fmt.Errorf("missing argument %q, which the URL needs", p.arg)
		}
		if k := kindOf(raw); k == '[' || k == '{' {
			return "", fmt.Errorf("argument %q: the URL needs a string, a number or a boolean", p.arg)
		}
		s, err := argText(p.arg, raw)
		if err != nil {
			return "", err
		}
		if p.query {
			return url.QueryEscape(s), nil
		}
		return url.PathEscape(s), nil
	})
}

// fillEscaped is fill for a template whose placeholders take values already encoded for the
// path (by package openapi, which writes each parameter in its style and percent-encodes it):
// values holds them by placeholder. The same dot-segment check applies.
func (t *urlTemplate) fillEscaped(values map[string]string) (*url.URL, error) {
	return t.build(func(p urlPart) (string, error) {
		v, ok := values[p.arg]
		if !ok {
			return "", fmt.Errorf("missing argument %q, which the URL needs", p.arg)
		}
		if strings.ContainsAny(v, "/?#") {
			return "", fmt.Errorf("argument %q: the value is not encoded for the path", p.arg)
		}
		return v, nil
	})
}

// build writes the URL, each placeholder replaced by what value returns for it (encoded for
// its place), and refuses a path value that makes a dot segment.
func (t *urlTemplate) build(value func(urlPart) (string, error)) (*url.URL, error) {
	type span struct {
		start, end int
		arg        string
	}
	var (
		b     strings.Builder
		spans []span // where path values stand in b
	)
	for _, p := range t.parts {
		if p.arg == "" {
			b.WriteString(p.literal)
			continue
		}
		s, err := value(p)
		if err != nil {
			return nil, err
		}
		start := b.Len()
		b.WriteString(s)
		if !p.query {
			spans = append(spans, span{start, b.Len(), p.arg})
		}
	}
	out := b.String()
	for _, sp := range spans {
		// The escaped value holds no "/", "?" or "#", so its segment is bounded by literals.
		segStart := strings.LastIndexByte(out[:sp.start], '/') + 1
		segEnd := sp.end + strings.IndexAny(out[sp.end:]+"/", "/?#")
		if isDotSegment(out[segStart:segEnd]) {
			return nil, fmt.Errorf(`argument %q: "." and ".." are not allowed as a path segment`, sp.arg)
		}
	}
	u, err := url.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("building the URL: %v", err)
	}
	return u, nil
}

// isDotSegment reports whether a path segment, as sent or percent-decoded up to
// maxDecodeRounds times, is "." or "..", or holds one between slashes or backslashes.
func isDotSegment(seg string) bool {
	for range maxDecodeRounds + 1 {
		for part := range strings.FieldsFuncSeq(seg, func(r rune) bool { return r == '/' || r == '\\' }) {
			if part == "." || part == ".." {
				return true
			}
		}
		dec, err := url.PathUnescape(seg)
		if err != nil || dec == seg {
			return false
		}
		seg = dec
	}
	return false
}

// addQuery adds the named arguments to u as query parameters, in the order given, after the
// parameters u has, which stay as written: a string as itself, an array as one parameter per
// item, anything else as its JSON text. It refuses, changing nothing, an argument named like
// a parameter the URL sets.
func (t *urlTemplate) addQuery(u *url.URL, names []string, values map[string]json.RawMessage) error {
	for _, k := range names {
		if i := slices.IndexFunc(t.queryNames, func(q string) bool { return strings.EqualFold(q, k) }); i >= 0 {
			return fmt.Errorf("argument %q: %q is a query parameter the URL sets; it cannot be sent again", k, t.queryNames[i])
		}
	}
	q := url.Values{}
	for _, k := range names {
		for _, v := range queryValues(values[k]) {
			q.Add(k, v)
		}
	}
	if len(q) == 0 {
		return nil
	}
	// Encode sorts by name; the names are sorted already, so nothing moves.
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += q.Encode()
	return nil
}

// queryValues renders an argument as query parameter values: one per item of an array, else
// one, a string as itself and anything else as its JSON text.
func queryValues(raw json.RawMessage) []string {
	if kindOf(raw) != '[' {
		s, _ := argText("", raw)
		return []string{s}
	}
	var items []json.RawMessage
	_ = json.Unmarshal(raw, &items)
	var out []string
	for _, it := range items {
		if kindOf(it) != 'n' {
			s, _ := argText("", it)
			out = append(out, s)
		}
	}
	return out
}

// jsonObjectOf returns the JSON object of the named members of values, in the order given.
func jsonObjectOf(keys []string, values map[string]json.RawMessage) []byte {
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		name, _ := json.Marshal(k)
		b = append(b, name...)
		b = append(b, ':')
		b = append(b, values[k]...)
	}
	return append(b, '}')
}

// redirectError is why a redirect was not followed. Its text says where the upstream wanted
// to go (an origin, without a path or credentials), never where the call went.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// checkRedirect is the CheckRedirect of http tools' clients: it follows at most
// maxHTTPToolRedirects redirects, all within the origin of the first request.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxHTTPToolRedirects {
		return &redirectError{fmt.Sprintf("the upstream redirected more than %d times", maxHTTPToolRedirects)}
	}
	if to := origin(req.URL); to != origin(via[0].URL) {
		return &redirectError{fmt.Sprintf("the upstream redirected to %s, another origin (http tools follow redirects within the origin of their URL only)", to)}
	}
	return nil
}

// origin returns the origin of an http(s) URL (RFC 6454): scheme, host and port, the port
// made explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
