package server

// Internals exposed to the external tests of this package.
var (
	Accepts           = accepts
	IsJSONContentType = isJSONContentType
	HostOnly          = hostOnly
	IsLoopbackName    = isLoopbackName
)
