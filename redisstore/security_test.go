package redisstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

// TestAuthURL: Redis AUTH comes from the URL, the password alone or a user and password
// (ACL); a wrong one fails Ping and every call, never silently.
func TestAuthURL(t *testing.T) {
	needRedis(t)
	ctx := context.Background()
	rs, err := startRedisServer(t.TempDir(), 0, "--requirepass", "s3cret", "--user", "mcp", "on", ">pw2", "~*", "&*", "+@all")
	require.NoError(t, err)
	t.Cleanup(rs.stop)
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"password", "redis://:s3cret@" + rs.addr() + "/0", true},
		{"user", "redis://mcp:pw2@" + rs.addr() + "/0", true},
		{"wrong password", "redis://:nope@" + rs.addr() + "/0", false},
		{"none", "redis://" + rs.addr() + "/0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := redisstore.Open(tc.url, nil)
			require.NoError(t, err)
			defer st.Close()
			err = st.Ping(ctx)
			createErr := st.Sessions().Create(ctx, &server.SessionRecord{ID: "a-" + tc.name})
			if tc.ok {
				assert.NoError(t, err)
				assert.NoError(t, createErr)
			} else {
				assert.Error(t, err)
				assert.Error(t, createErr)
			}
		})
	}
}

// TestTLSURL: rediss:// talks TLS (here to a server with a certificate of the test's own,
// which skip_verify accepts; a real deployment gives Redis a certificate its clients trust).
func TestTLSURL(t *testing.T) {
	needRedis(t)
	ctx := context.Background()
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	port, err := freePort()
	require.NoError(t, err)
	rs, err := startRedisServer(dir, port, "--port", "0", "--tls-port", strconv.Itoa(port),
		"--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", cert, "--tls-auth-clients", "no")
	if err != nil {
		t.Skipf("skipped: this redis-server does not serve TLS: %v", err)
	}
	t.Cleanup(rs.stop)
	addr := rs.addr() // the TLS port: the plain one is off

	st, err := redisstore.Open("rediss://"+addr+"/0?skip_verify=true", nil)
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Ping(ctx))
	require.NoError(t, st.Sessions().Create(ctx, &server.SessionRecord{ID: "tls"}))
	_, err = st.Sessions().Load(ctx, "tls")
	require.NoError(t, err)

	plain, err := redisstore.Open("redis://"+addr+"/0", nil)
	require.NoError(t, err)
	defer plain.Close()
	assert.Error(t, plain.Ping(ctx), "plain text to the TLS port fails")
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their paths.
func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	return cert, key
}
