package config_test

import (
	"fmt"
	"strings"

	"haloleads/internal/config"
)

// ExampleFromEnv reads a configuration from a map standing in for the environment, validates it
// and prints part of the dump that is safe to log.
func ExampleFromEnv() {
	env := map[string]string{
		"TEMPORAL_ADDRESS":   "temporal:7233",
		"HALO_URL":           "https://acme.halopsa.com",
		"HALO_CLIENT_ID":     "haloleads",
		"HALO_CLIENT_SECRET": "s3cret",
		"HALO_RATE_WINDOW":   "10m",
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err == nil {
		err = cfg.Validate()
	}
	fmt.Println("error:", err)
	for line := range strings.Lines(cfg.Redacted()) {
		if strings.HasPrefix(line, "HALO_") || strings.HasPrefix(line, "TEMPORAL_") {
			fmt.Print(line)
		}
	}
	fmt.Println("secret in fmt:", cfg.Halo.ClientSecret)
	// Output:
	// error: <nil>
	// TEMPORAL_ADDRESS=temporal:7233
	// TEMPORAL_NAMESPACE=default
	// TEMPORAL_UI_URL=
	// TEMPORAL_DEV_DATABASE_URL=(unset)
	// TEMPORAL_UI_ADDRESS=127.0.0.1:8233
	// HALO_URL=https://acme.halopsa.com
	// HALO_AUTH_URL=
	// HALO_TENANT=
	// HALO_CLIENT_ID=haloleads
	// HALO_CLIENT_SECRET=[redacted]
	// HALO_SCOPES=
	// HALO_RATE_LIMIT=300
	// HALO_RATE_WINDOW=10m0s
	// HALO_ALLOW_INSECURE=false
	// HALO_NEW_CLIENT_SITE=with-client
	// secret in fmt: [redacted]
}
