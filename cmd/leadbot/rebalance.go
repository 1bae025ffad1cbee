package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/leadbot/leadbot/engine"
)

const rebalanceUsage = `Usage: leadbot rebalance [flags]

Moves open leads off reps who hold more than --overload of their
capacity to reps who fit the lead and have room: peers of the same
level first, then other levels, then reserve reps, then (for tier C
leads only) the telesales team. Each move is a hand-over by "rebalance",
recorded like any other. --dry-run prints the plan and changes nothing.
The options default to the engine.rebalance section of the
configuration; a flag given overrides its key for this run.

Flags:
`

func cmdRebalance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := commandFlags("rebalance", rebalanceUsage, stderr)
	def := defaultRebalance()
	dryRun := fs.Bool("dry-run", false, "print the moves, change nothing")
	overload := fs.Float64("overload", def.Overload,
		"share of capacity a rep may hold before work moves off (engine.rebalance.overload)")
	reserve := fs.String("reserve", "",
		"comma-separated ids of reserve reps (engine.rebalance.reserve)")
	reserveLevel := fs.String("reserve-level", "",
		"level whose reps are reserve reps (engine.rebalance.reserve_level)")
	telesales := fs.String("telesales", "",
		"team that takes tier C overflow (engine.rebalance.telesales_team)")
	penalty := fs.Int("move-penalty", def.MovePenalty,
		"cost of one move in tenths of a point of win chance (engine.rebalance.move_penalty)")
	candidates := fs.Int("candidates", def.Candidates,
		"receivers each lead is first offered to (engine.rebalance.candidates)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	c, err := loadConfig(*path)
	if err != nil {
		return err
	}
	// The configuration's options, then each flag given on top.
	o := c.Engine.Rebalance.options()
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "overload":
			o.Overload = *overload
		case "reserve":
			o.Reserve = repIDs(*reserve)
		case "reserve-level":
			o.ReserveLevel = *reserveLevel
		case "telesales":
			o.TelesalesTeam = *telesales
		case "move-penalty":
			o.MovePenalty = *penalty
		case "candidates":
			o.Candidates = *candidates
		}
	})
	return runRebalance(ctx, c, o, *dryRun, stdout, stderr)
}

// repIDs reads a comma-separated list of rep ids.
func repIDs(s string) []engine.RepID {
	var out []engine.RepID
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, engine.RepID(id))
		}
	}
	return out
}

func runRebalance(ctx context.Context, c Config, o engine.RebalanceOptions, dryRun bool,
	stdout, stderr io.Writer) error {
	log := newLogger(c, stderr)
	store, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := newService(c, store, log)
	if err != nil {
		return err
	}
	// Moves weigh each rep's record, so it has to be the current one.
	if err := svc.Relearn(ctx); err != nil {
		log.Warn("engine not retrained", slog.Any("err", err))
	}

	plan, err := svc.Rebalance(ctx, o, dryRun)
	writePlan(stdout, plan, dryRun)
	return err
}

// writePlan prints one line per move, then a summary.
func writePlan(w io.Writer, p engine.Plan, dryRun bool) {
	for _, m := range p.Moves {
		line := fmt.Sprintf("%s\t%s -> %s\t%s", m.LeadID, m.From, m.To, m.Reason)
		if m.Skipped != "" {
			line += "\tskipped: " + m.Skipped
		}
		fmt.Fprintln(w, line)
	}
	if dryRun {
		fmt.Fprintf(w, "dry run: %d moves planned, %d reps overloaded, "+
			"%d tasks left over the limit\n", len(p.Moves), p.Overloaded, p.Unresolved)
		return
	}
	fmt.Fprintf(w, "moved %d of %d planned, %d skipped, %d reps overloaded, "+
		"%d tasks left over the limit\n",
		p.Applied, len(p.Moves), len(p.Moves)-p.Applied, p.Overloaded, p.Unresolved)
}
