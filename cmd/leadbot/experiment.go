package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
)

// experimentOn reports whether an A/B test of strategies is configured.
func (c Config) experimentOn() bool { return c.Engine.Experiment.Name != "" }

// experiment is the engine's view of engine.experiment: the control
// strategy defaults to engine.strategy.
func (c Config) experiment() (engine.ExperimentOptions, error) {
	x := c.Engine.Experiment
	o := engine.ExperimentOptions{Name: x.Name, Control: x.Control, Treatment: x.Treatment,
		Share: x.Share}
	if o.Control == "" {
		o.Control = c.Engine.Strategy
	}
	if x.Start != "" {
		t, err := time.Parse(time.RFC3339, x.Start)
		if err != nil {
			return o, &engine.Error{Kind: engine.Invalid, Field: "start",
				Msg: "is \"" + x.Start + "\"; want an RFC 3339 time such as " +
					"2026-12-07T09:00:00+08:00"}
		}
		o.Start = t
	}
	return o, nil
}

// router is the routing strategy the configuration sets: engine.strategy,
// or the experiment that splits leads between two strategies.
func (c Config) router() (engine.Router, error) {
	if !c.experimentOn() {
		return engine.NewRouter(c.Engine.Strategy, c.routing())
	}
	o, err := c.experiment()
	if err != nil {
		return nil, err
	}
	return engine.NewExperiment(o, c.routing())
}

func (c Config) validateExperiment(bad func(key, format string, args ...any)) {
	x := c.Engine.Experiment
	if !c.experimentOn() {
		if x.Treatment != "" || x.Control != "" || x.Start != "" {
			bad("engine.experiment.name", "is empty; name the experiment to run it")
		}
		return
	}
	o, err := c.experiment()
	if err == nil {
		_, err = engine.NewExperiment(o, c.routing())
	}
	if err == nil {
		return
	}
	var e *engine.Error
	if errors.As(err, &e) && e.Field != "" {
		bad("engine.experiment."+e.Field, "%s", e.Msg)
		return
	}
	bad("engine.experiment", "%v", err)
}

const experimentUsage = `Usage: leadbot experiment report [flags]

Prints, per arm of an A/B test of routing strategies, the leads routed,
assigned, closed and won, the win rate, the revenue of the won leads and
the cycle time from assignment to close, then a two-proportion z-test of
the difference in win rate. Without --name it reports on the experiment
engine.experiment names.

Flags:
`

func cmdExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "report" {
		fmt.Fprint(stderr, experimentUsage)
		if len(args) == 0 {
			return errors.New("missing subcommand: want report")
		}
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return flag.ErrHelp
		}
		return fmt.Errorf("unknown subcommand %q: want report", args[0])
	}
	fs, path := commandFlags("experiment report", experimentUsage, stderr)
	name := fs.String("name", "", "experiment to report on (default engine.experiment.name)")
	asJSON := fs.Bool("json", false, "print the report as the API's JSON")
	if err := fs.Parse(args[1:]); err != nil {
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
	r, err := svc.ExperimentReport(ctx, *name)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(api.ExperimentReportOut(r))
	}
	return writeExperiment(stdout, r)
}

// writeExperiment prints the report as a table of the two arms, then
// the test.
func writeExperiment(w io.Writer, r engine.ExperimentReport) error {
	fmt.Fprintf(w, "experiment %s\n\n", r.Experiment)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c, t := r.Control, r.Treatment
	row := func(label string, f func(a engine.ArmReport) string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", label, f(c), f(t))
	}
	fmt.Fprintf(tw, "\tcontrol\ttreatment\n")
	row("strategy", func(a engine.ArmReport) string { return a.Strategy })
	row("leads", func(a engine.ArmReport) string { return strconv.Itoa(a.Leads) })
	row("assigned", func(a engine.ArmReport) string { return strconv.Itoa(a.Assigned) })
	row("closed", func(a engine.ArmReport) string { return strconv.Itoa(a.Closed) })
	row("won", func(a engine.ArmReport) string { return strconv.Itoa(a.Won) })
	row("win rate", func(a engine.ArmReport) string { return percent(a.WinRate) })
	row("revenue (yuan)", func(a engine.ArmReport) string { return yuan(a.Revenue) })
	row("mean cycle", func(a engine.ArmReport) string { return cycle(a, a.MeanCycle) })
	row("median cycle", func(a engine.ArmReport) string { return cycle(a, a.MedianCycle) })
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	if x := r.Test; x.Valid {
		p := fmt.Sprintf("p = %.4f", x.P)
		if x.P < 0.0001 {
			p = "p < 0.0001"
		}
		fmt.Fprintf(w, "win rate difference %s points (95%% CI %s to %s), z = %.3f, %s\n",
			points(x.Diff), points(x.Low), points(x.High), x.Z, p)
	}
	fmt.Fprintln(w, r.Verdict)
	if r.Warning != "" {
		fmt.Fprintln(w, "warning:", r.Warning)
	}
	return nil
}

func percent(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }

func points(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) }

// yuan writes a non-negative amount with thousands separators.
func yuan(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func cycle(a engine.ArmReport, d time.Duration) string {
	if a.Closed == 0 {
		return "-"
	}
	return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + "h"
}
