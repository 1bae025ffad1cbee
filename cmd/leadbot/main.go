// Command leadbot routes sales leads to the right rep and runs the
// follow-up in chat. This file only wires: it reads the configuration,
// opens storage, builds the engine and starts the listeners.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // reps' time zones resolve in a minimal container too
)

const usage = `Leadbot routes sales leads to the right rep and chases the follow-up.

Usage:
  leadbot serve   [--config FILE]   start the API, chat adapters and scheduler
  leadbot migrate [--config FILE]   create or update the database tables, then exit
  leadbot import  leads|history FILE [flags]
                                    load leads or closed deals from a CRM's CSV export
  leadbot rebalance [--dry-run] [--overload 1.0]
                                    move open leads off overloaded reps to reps with room
  leadbot experiment report [--name X] [--json]
                                    compare the arms of an A/B test of routing strategies
  leadbot export  tasks|decisions|metrics [--from D] [--to D] [-o FILE]
                                    write a CSV export for finance and BI tools
  leadbot dashboard-link REP_ID     print a signed dashboard link for a lead or manager
  leadbot version                   print the version

With no configuration at all, serve uses the SQLite file leadbot.db and
listens on 127.0.0.1:8080. The configuration is read from --config, else
from configs/leadbot.yaml when present; every key can be overridden by an
environment variable (engine.mode: LEADBOT_ENGINE_MODE).

Run "leadbot COMMAND --help" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, stderr)
	case "import":
		err = cmdImport(ctx, rest, stdout, stderr)
	case "rebalance":
		err = cmdRebalance(ctx, rest, stdout, stderr)
	case "experiment":
		err = cmdExperiment(ctx, rest, stdout, stderr)
	case "export":
		err = cmdExport(ctx, rest, stdout, stderr)
	case "dashboard-link":
		err = cmdDashboardLink(ctx, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "leadbot", version())
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "leadbot: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "leadbot %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// version is the module version, or the VCS revision of a source build.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return "devel " + s.Value
		}
	}
	return "devel"
}

// commandFlags starts a command's flags: errors and usage go to stderr,
// usage (when not empty) comes before the flag list, and --config is
// there. It returns the flags and the --config value.
func commandFlags(name, usage string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprint(stderr, usage)
			fs.PrintDefaults()
		}
	}
	path := fs.String(
		"config",
		"",
		"configuration file (default "+DefaultConfigPath+" when present)",
	)
	return fs, path
}

// loadConfig reads the configuration a command was pointed at.
func loadConfig(path string) (Config, error) {
	if path != "" {
		return LoadConfig(path, true, os.LookupEnv)
	}
	return LoadConfig(DefaultConfigPath, false, os.LookupEnv)
}
