// Command starter is haloleads' command line: the demo, imports, tenant set-up, the HaloPSA
// sandbox, lead operations and the review queue. Run it without arguments for the list.
package main

import (
	"os"

	"haloleads/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.IO{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
