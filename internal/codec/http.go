package codec

import (
	"net/http"

	"go.temporal.io/sdk/converter"
)

// Handler serves the keyring as a Temporal codec server (POST /encode and /decode, the protocol
// the Temporal Web UI and CLI speak), allowing browser requests from the Web UI at origin (for
// example http://127.0.0.1:8233; empty allows none). Anyone who can reach it can decrypt: serve
// it on a loopback address, on the operator's own machine.
func Handler(kr *Keyring, origin string) http.Handler {
	codec := converter.NewPayloadCodecHTTPHandler(kr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin != "" && r.Header.Get("Origin") == origin {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		codec.ServeHTTP(w, r)
	})
}
