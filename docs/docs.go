// Package docs holds the reference documents that ship inside the leadbot
// binary: the OpenAPI 3 description of REST API v1, served at
// /api/v1/openapi.yaml.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3.0.3 document, in YAML, of every endpoint the
// API server mounts. api/openapi_test.go keeps it in step with the routes.
//
//go:embed openapi.yaml
var OpenAPI []byte
