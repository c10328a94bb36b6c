// Command worker runs haloleads' Temporal workers against a HaloPSA tenant, and the webhook
// receiver that turns HaloPSA's change notifications into lead workflow signals. Configuration
// comes from the environment (see README); --dev starts an embedded Temporal server.
package main

import (
	"os"

	"haloleads/internal/cli"
)

func main() {
	os.Exit(cli.RunWorker(os.Args[1:], cli.IO{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
