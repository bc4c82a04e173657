module github.com/minimcp/minimcp

go 1.26.0

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/goccy/go-json v0.12.0
	github.com/julienschmidt/httprouter v1.3.0
	github.com/minimcp/minimcp/redisstore v0.0.0
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

// The Redis store is a module of its own, so that go-redis stays out of the core packages;
// the binary links it from this tree.
replace github.com/minimcp/minimcp/redisstore => ./redisstore
