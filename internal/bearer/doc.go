// Package bearer authenticates the requests of `minimcp serve`: it reads the static tokens of
// --auth-token ([ParseTokens]) and is the server.TokenVerifier ([Verifier]) that looks a
// request's bearer token up among them and then, with --auth-issuer, hands it to the JWT
// verifier of internal/jwtauth. [Config] is what the --auth-* flags say, checked, and makes
// the server's AuthOptions.
//
//	tokens, err := bearer.ParseTokens([]string{"@/etc/minimcp/tokens"})
//	if err != nil {
//		return err // names the flag, the file and the line; never shows a token
//	}
//	cfg := bearer.Config{Tokens: tokens}
//	h := server.New(srv, &server.Options{Auth: cfg.AuthOptions(ctx, logger)})
package bearer

/*
Design note: authentication of minimcp serve.

serve makes the handler an OAuth resource server (server.Options.Auth) when it is given static
tokens (--auth-token), a JWT issuer (--auth-issuer, --auth-audience and --auth-jwks, all three),
or both. Each request's bearer token is looked up among the static tokens first (hashed,
compared in constant time); a token that is none of them goes to the JWT verifier, when there
is one. Both may be set: static tokens for operators and scripts, JWTs for users. A static
token's principal is the one the token file names, a JWT's is its sub: give static principals
names no subject of the issuer takes, since a principal owns its sessions and tasks.

A static token grants the scopes its line of the token file lists after the principal, a token
given on the command line none; a JWT grants its scope (or scp) claim. Tools, prompts and
resources of the manifest that list "scopes" need them.

The protected resource metadata is served when an authorization server is known: --auth-server,
else the issuer. Its resource is --auth-resource, else the audience when that is an http(s)
URL: the canonical URI of this server, which tokens must be issued for.
*/
