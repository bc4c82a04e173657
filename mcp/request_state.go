package mcp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
)

/*
Design note: requestState is sealed, bound and short-lived.

An input-required result (MCP 2026-07-28, Basic § Multi Round-Trip Requests) may carry a
requestState that the client echoes on its retry; the spec makes it attacker-controlled input:
"If requestState influences authorization, resource access, or business logic, servers MUST
protect its integrity (e.g. HMAC or AEAD) and MUST reject state that fails verification", and
"servers SHOULD include the following inside the integrity-protected requestState payload and
verify each on receipt: the authenticated principal ..., a short expiry (TTL) ..., an
identifier for the originating request". What this server keeps in it (the answers of earlier
rounds and the state a handler kept) is exactly such input, so every state is:

  - sealed with AES-256-GCM (standard library) under a key ring: the first key seals, every key
    opens, so keys rotate without failing the rounds in flight (put the new key first, drop the
    old one once StateTTL has passed). The key is chosen by a 4-byte id (a digest of the key)
    in front of the nonce; the id is a hint, not a secret, and a wrong one only fails to open;
  - encrypted, not only signed: earlier answers may hold what a user typed, and a client has no
    business reading server state ("Clients MUST NOT inspect, parse, modify ...");
  - bound to the principal, an expiry and a digest of the request it belongs to (method and
    params without _meta, inputResponses and requestState), all inside the sealed payload and
    checked on every retry.

What the bindings do not give: a state is not single-use. Within its expiry it resumes the
same request of the same principal as often as it is presented ("these measures bound the
replay window ... but do not by themselves guarantee single-use"), so a handler whose effect
must happen at most once records that itself. And each round seals a new state with a new
expiry, carrying the answers and kept data of earlier rounds: StateTTL bounds the time between
two rounds, not a whole exchange of many; a handler whose kept data must not outlive a time
keeps that time in it.

A state grows with the rounds (every answer a handler used, and what it kept), and the client
must echo it within the transport's body limit: a round whose state would pass MaxStateBytes
fails there and then, with an error that says so, rather than with a 413 on the retry.

Replicas behind one endpoint must share the key ring: a state sealed on one is opened on
another. A server given no keys makes a random one when created, which is right for one
process and wrong for several; the binary warns about it.
*/

// DefaultStateTTL is how long a requestState stays valid when [ServerOptions].StateTTL is zero:
// long enough for a user to read and fill in an elicitation form, short enough to bound replay.
const DefaultStateTTL = 10 * time.Minute

// StateKeySize is the size in bytes of a key of [ServerOptions].StateKeys (AES-256).
const StateKeySize = 32

// stateVersion prefixes every sealed state, so a later format can be told apart.
const stateVersion = "s1."

// stateAAD is the additional data of every seal: a state sealed for something else under the
// same key does not open here.
var stateAAD = []byte("minimcp requestState v1")

// stateRing seals and opens requestState values.
type stateRing struct {
	keys []stateKey
	ttl  time.Duration
}

type stateKey struct {
	id   [4]byte
	aead cipher.AEAD
}

// newStateRing returns a ring over keys (the first seals); with no keys, over one random key.
func newStateRing(keys [][]byte, ttl time.Duration) (*stateRing, error) {
	if ttl <= 0 {
		ttl = DefaultStateTTL
	}
	if len(keys) == 0 {
		k := make([]byte, StateKeySize)
		_, _ = rand.Read(k) // never fails (crypto/rand.Read)
		keys = [][]byte{k}
	}
	r := &stateRing{ttl: ttl}
	for i, k := range keys {
		if len(k) != StateKeySize {
			return nil, fmt.Errorf("mcp: state key %d is %d bytes; it must be %d (AES-256)", i+1, len(k), StateKeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(k)
		var id [4]byte
		copy(id[:], sum[:4])
		r.keys = append(r.keys, stateKey{id: id, aead: aead})
	}
	return r, nil
}

// statePayload is what a requestState holds once opened.
type statePayload struct {
	// Principal is the authenticated principal the state was issued to ("" for none).
	Principal string `json:"p"`
	// Expires is when the state stops being accepted, in Unix milliseconds.
	Expires int64 `json:"e"`
	// Digest identifies the originating request (requestDigest).
	Digest []byte `json:"d"`
	// Answers are the input responses of earlier rounds the handler used, by key.
	Answers map[string]json.RawMessage `json:"a,omitempty"`
	// Kept is what the handler kept with [Request.KeepState].
	Kept []byte `json:"k,omitempty"`
}

// Errors of a requestState that cannot be used; each is answered -32602 (see openState).
var (
	errStateMalformed = errors.New("requestState is not one this server issued")
	errStateForged    = errors.New("requestState failed verification (tampered, or sealed under a key this server does not hold)")
	errStateExpired   = errors.New("requestState has expired: start the request again without it")
	errStateForeign   = errors.New("requestState was issued to another principal")
	errStateOtherReq  = errors.New("requestState belongs to another request (method or params differ from the request that received it)")
)

// seal returns p sealed under the ring's first key, as a requestState string.
func (r *stateRing) seal(p *statePayload) (string, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	k := &r.keys[0]
	buf := make([]byte, 0, 4+k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	buf = append(buf, k.id[:]...)
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	buf = append(buf, nonce...)
	buf = k.aead.Seal(buf, nonce, plain, stateAAD)
	return stateVersion + base64.RawURLEncoding.EncodeToString(buf), nil
}

// open verifies and returns the payload of state s, which a request of principal with
// digest carried; now is the time of the request.
func (r *stateRing) open(s, principal string, digest []byte, now time.Time) (*statePayload, error) {
	enc, ok := strings.CutPrefix(s, stateVersion)
	if !ok {
		return nil, errStateMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(enc) // one text for each sealed value
	if err != nil || len(raw) < 4 {
		return nil, errStateMalformed
	}
	var plain []byte
	opened := false
	for i := range r.keys {
		k := &r.keys[i]
		if [4]byte(raw[:4]) != k.id || len(raw) < 4+k.aead.NonceSize() {
			continue
		}
		nonce := raw[4 : 4+k.aead.NonceSize()]
		if plain, err = k.aead.Open(nil, nonce, raw[4+k.aead.NonceSize():], stateAAD); err == nil {
			opened = true
			break
		}
	}
	if !opened {
		return nil, errStateForged
	}
	var p statePayload
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, errStateMalformed // sealed by us, so only a format change gets here
	}
	// Each binding is checked; the order only picks which error a state failing several gets.
	if p.Principal != principal {
		return nil, errStateForeign
	}
	if !slices.Equal(p.Digest, digest) {
		return nil, errStateOtherReq
	}
	if now.UnixMilli() >= p.Expires {
		return nil, errStateExpired
	}
	return &p, nil
}

// requestDigest identifies a request across its rounds: SHA-256 of the method and of the
// params' members other than _meta, inputResponses and requestState, which change from round
// to round (MCP 2026-07-28, Basic § Multi Round-Trip Requests: "an identifier for the
// originating request, e.g. the method name and a digest of its salient parameters"). Members
// are taken in key order and each value compacted, so a client that re-encodes the same
// request with its members in another order or other spacing still matches; anything else it
// changes (an argument, the tool's name, the order of two members of the same name) makes it
// another request.
func requestDigest(method string, params []byte) []byte {
	type member struct{ k, v []byte }
	var ms []member
	_ = jsontext.EachMemberValid(params, func(k, v []byte) bool {
		switch string(k) {
		case "_meta", "inputResponses", "requestState":
		default:
			ms = append(ms, member{k, v})
		}
		return true
	})
	// Stable: members of the same name keep their order. The readers of params take the last
	// (or the first) of a name given twice, so {"name":"a","name":"b"} and
	// {"name":"b","name":"a"} are different requests; an unstable sort could order both the
	// same way, once there are enough members around them, and let a state issued for tool b
	// resume a call of tool a.
	slices.SortStableFunc(ms, func(a, b member) int { return strings.Compare(string(a.k), string(b.k)) })
	h := sha256.New()
	var n [8]byte
	write := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	write([]byte(method))
	var compact []byte
	for _, m := range ms {
		write(m.k)
		compact = appendCompact(compact[:0], m.v)
		write(compact)
	}
	return h.Sum(nil)
}
