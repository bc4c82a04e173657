// Package openapi turns an OpenAPI description (Swagger 2.0, OpenAPI 3.0 or 3.1, in JSON or
// YAML) into MCP tool definitions, one per operation, and serializes a call's arguments into
// the HTTP request the operation describes.
//
//	doc, err := openapi.Parse(data, nil)
//	// err lists every problem of the description, each with its JSON path (*openapi.Error).
//	for _, op := range doc.Operations {
//		// op.Name, op.InputSchema, op.OutputSchema, op.ReadOnly, ...
//		req, err := op.Build(args, nil) // path values, query, headers, cookies and body
//	}
//
// The package sends nothing itself but the token requests of [ClientCredentials]: the
// manifest's HTTP tool machinery sends the requests [Operation.Build] makes, with its
// protections (no dot segments from path values, redirects within the origin only, bounded
// answers).
//
// # Tools
//
// A tool's name is the operation's operationId with every character outside MCP's tool-name
// alphabet (MCP 2025-11-25, Server § Tools, Tool Names: A-Z a-z 0-9 _ - .) replaced by "_",
// cut to 128 bytes; an operation without one is named from its method and path
// ("get_pets_petId"). A name already taken gets "_2", "_3", ...: operations are taken in the
// order of their paths (sorted) and, within a path, get, put, post, delete, options, head,
// patch, trace.
//
// The input schema is one object: each parameter is a property named as the parameter, and the
// request body is the property "body". Names are resolved in this order, the first keeping
// its name: path, query, header and cookie parameters, then the body. A parameter whose name is
// taken is renamed "<in>_<name>" (a query "id" beside a path "id" is "query_id"), and the
// body is "requestBody" when a parameter is named "body"; a name still taken gets "_2", ....
// The input schema refuses other members (additionalProperties false). Header parameters named
// Accept, Content-Type and Authorization are ignored, as OpenAPI says.
//
// Schemas are JSON Schema 2020-12: every schema of components.schemas (definitions in 2.0)
// that a tool uses is in the tool's "$defs" and its $refs point there, so recursive schemas
// stay recursive; other local $refs are followed in place, a cycle among them becoming the
// schema true. OpenAPI 3.0's nullable (and 2.0's x-nullable) becomes a "null" type, example
// becomes examples. The output schema is the schema of the first 2xx JSON answer (200, 201,
// ..., 2XX, default not included) when it is an object schema.
//
// Annotations come from the method: GET and HEAD are read-only, DELETE destructive, PUT and
// DELETE idempotent; every operation is open-world.
//
// # Parameters
//
// Parameters are serialized as OpenAPI 3.1 § Parameter Object, Style Values says (simple,
// label, matrix, form, spaceDelimited, pipeDelimited, deepObject, with explode), Swagger 2.0's
// collectionFormat mapped onto them. Values are percent-encoded, every byte outside RFC 3986's
// unreserved set (allowReserved keeps the reserved ones in a query value).
//
// # What is refused
//
// Parse reports, as problems with JSON paths, what makes the description unusable: a document
// that is neither Swagger 2.0 nor OpenAPI 3.x, a $ref that points nowhere or outside the
// document, a cycle of $refs, a parameter without a name or with an unknown location, a
// security requirement naming no declared scheme, a schema nested too deep. An operation that
// is valid but that the bridge cannot call (a required request body of a media type other
// than JSON, form or text, a parameter of a style its location does not allow, a required file
// upload, a {variable} of its path that no parameter declares, an input schema the server's
// validator refuses) is left out and listed in [Document.Skipped] with why. A path parameter
// that the path does not hold is ignored.
package openapi
