package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

const exportUsage = `Usage: leadbot export tasks|decisions|metrics [flags]

Writes a CSV file for finance and BI tools, the same as the API's
/api/v1/export/*.csv: UTF-8 with a byte order mark (so that Excel on
Chinese Windows reads it as UTF-8), RFC 4180 quoting, CRLF line ends,
times in RFC 3339 UTC. docs/metrics.md lists the columns.

  tasks      the leads with a holder due in the period
  decisions  the routing decisions made in the period
  metrics    the health metrics of the period, company, teams and reps

--from and --to take an RFC 3339 time or a date, read as midnight in
api.timezone; the period is [from, to), by default the week up to now.

Flags:
`

// exportKinds are the files export writes.
var exportKinds = map[string]bool{"tasks": true, "decisions": true, "metrics": true}

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !exportKinds[args[0]] {
		fmt.Fprint(stderr, exportUsage)
		switch {
		case len(args) == 0:
			return errors.New("missing what to export: want tasks, decisions or metrics")
		case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
			return flag.ErrHelp
		}
		return fmt.Errorf("unknown export %q: want tasks, decisions or metrics", args[0])
	}
	kind := args[0]
	fs, path := commandFlags("export "+kind, exportUsage, stderr)
	fromFlag := fs.String("from", "", "start of the period, included (default a week before --to)")
	toFlag := fs.String("to", "", "end of the period, excluded (default now)")
	team := fs.String("team", "", "metrics of this team only, beside the company")
	out := fs.String("o", "", "file to write (default standard output)")
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
	loc, err := time.LoadLocation(c.API.Timezone)
	if err != nil {
		return fmt.Errorf("config api.timezone: %w", err)
	}
	clock := engine.SystemClock{}
	q, err := exportPeriod(*fromFlag, *toFlag, loc, clock.Now())
	if err != nil {
		return err
	}
	q.Team = *team

	log := newLogger(c, stderr)
	store, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer store.Close()
	write := func(w io.Writer) error {
		switch kind {
		case "tasks":
			return insight.WriteTasks(ctx, w, store, q.From, q.To, clock.Now())
		case "decisions":
			return insight.WriteDecisions(ctx, w, store, q.From, q.To)
		}
		r, err := c.reporter(store, clock).Health(ctx, q)
		if err != nil {
			return err
		}
		return insight.WriteMetrics(w, r)
	}
	if *out == "" {
		return write(stdout)
	}
	return writeFile(*out, write)
}

// exportPeriod reads --from and --to.
func exportPeriod(from, to string, loc *time.Location, now time.Time) (insight.Query, error) {
	q := insight.Query{To: now}
	if to != "" {
		t, err := insight.ParseTime(to, loc)
		if err != nil {
			return q, fmt.Errorf("--to %w", err)
		}
		q.To = t
	}
	q.From = q.To.Add(-7 * 24 * time.Hour)
	if from != "" {
		t, err := insight.ParseTime(from, loc)
		if err != nil {
			return q, fmt.Errorf("--from %w", err)
		}
		q.From = t
	}
	if !q.From.Before(q.To) {
		return q, fmt.Errorf("--to is %s; it must be after --from (%s)",
			q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return q, nil
}

// writeFile writes name through a temporary file beside it, so that a
// failed export leaves no half-written file.
func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("export to %s: %w", name, err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("export to %s: %w", name, err)
	}
	return nil
}
