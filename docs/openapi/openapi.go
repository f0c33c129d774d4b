// Package openapi embeds the OpenAPI (Swagger 2.0) document of agentchain's
// REST routes, generated from the protos by make proto-gen. The node serves
// it at /agentchain/openapi.json on its API port.
package openapi

import (
	_ "embed"
	"net/http"
)

// Path is where the node serves the document.
const Path = "/agentchain/openapi.json"

// Document is the OpenAPI document.
//
//go:embed agentchain.swagger.json
var Document []byte

// Handler serves the document.
func Handler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(Document)
}
