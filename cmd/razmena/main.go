// Command razmena is the Razmena server and its administration tool:
// a MISP-compatible threat-intelligence sharing platform.
//
//	razmena serve     run the HTTP server
//	razmena migrate   apply database migrations and exit
//	razmena admin     manage organisations, users, roles and API keys
//	razmena bench     run the benchmark harness (docs/benchmarks.md)
//	razmena correlate rebuild the correlations, set the correlation limit
//	razmena version   print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is the Razmena version, set at build time with
// -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

// MISPVersion is the MISP version whose API Razmena implements and reports
// to PyMISP and MISP peers.
const MISPVersion = "2.5.1"

// stdio is the program's standard streams and environment.
type stdio struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], stdio{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "razmena:", err)
		os.Exit(1)
	}
}

const usage = `Usage: razmena <command> [flags]

Commands:
  serve     run the HTTP server (first start creates the host organisation
            and a site admin, printing their credentials once)
  migrate   apply database migrations and exit
  admin     manage organisations, users, roles and API keys
  libraries import or download the MISP knowledge libraries (taxonomies,
            galaxies, object templates, warninglists)
  bench     generate a synthetic community, load it and measure (docs/benchmarks.md)
  correlate rebuild the correlations (-rebuild) or set the over-correlation limit (-limit)
  version   print the version

Run "razmena <command> -h" for the flags of a command.
`

func run(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 {
		fmt.Fprint(io.stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], io)
	case "migrate":
		return runMigrate(ctx, args[1:], io)
	case "admin":
		return runAdmin(ctx, args[1:], io)
	case "libraries":
		return runLibraries(ctx, args[1:], io)
	case "bench":
		return runBench(ctx, args[1:], io)
	case "correlate":
		return runCorrelate(ctx, args[1:], io)
	case "version", "-version", "--version":
		fmt.Fprintf(io.stdout, "razmena %s (MISP API %s)\n", Version, MISPVersion)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(io.stdout, usage)
		return nil
	}
	fmt.Fprint(io.stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
