package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/leadbot/leadbot/csvimport"
)

const importUsage = `Usage: leadbot import leads|history FILE [flags]

Loads a CSV export (UTF-8 with or without BOM, or GBK) from a CRM or
Excel. Headers may be Chinese or English (公司/company, 销售/rep_id, ...);
--map names others. Leads go through the same validation, idempotency by
external_id and routing as POST /api/v1/leads; history rows are closed
deals the engine learns from, like POST /api/v1/history.

Flags:
`

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := commandFlags("import", importUsage, stderr)
	dryRun := fs.Bool("dry-run", false, "check and decide every row, store nothing")
	encoding := fs.String("encoding", "auto", "file encoding: auto, utf-8 or gbk")
	mapping := fs.String("map", "", `extra header names, as "客户全称=company,Owner=rep_id"`)
	batch := fs.Int("batch", csvimport.DefaultBatchSize, "rows per transaction")
	if len(args) < 2 {
		fs.Usage()
		return errors.New("want the kind (leads or history) and a file")
	}
	kind, file := args[0], args[1]
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}

	opts := csvimport.Options{Encoding: *encoding, BatchSize: *batch, DryRun: *dryRun}
	var k csvimport.Kind
	switch kind {
	case "leads":
		k = csvimport.Leads
	case "history":
		k = csvimport.History
	default:
		return fmt.Errorf("unknown kind %q: want leads or history", kind)
	}
	if *mapping != "" {
		m, err := csvimport.ParseMapping(*mapping)
		if err != nil {
			return fmt.Errorf("--map: %w", err)
		}
		opts.Mapping = m
	}

	c, err := loadConfig(*path)
	if err != nil {
		return err
	}
	return runImport(ctx, c, k, file, opts, stdout, stderr)
}

func runImport(
	ctx context.Context,
	c Config,
	kind csvimport.Kind,
	file string,
	opts csvimport.Options,
	stdout, stderr io.Writer,
) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	opts.Location, _ = time.LoadLocation(c.API.Timezone)

	// Per-lead events would be thousands of lines; the summary says it all.
	if c.Log.Level == "debug" || c.Log.Level == "info" {
		c.Log.Level = "warn"
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

	bar := newProgress(stderr, info.Size())
	if bar != nil {
		opts.Progress = func(rows int, read int64) {
			bar.Describe(fmt.Sprintf("%d rows", rows))
			bar.Set64(read)
		}
	}
	sum, err := csvimport.Import(ctx, f, kind, svc, opts)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(stderr)
	}
	sum.Write(stdout)
	return err
}

// newProgress returns a progress bar over the file's bytes when w is a
// terminal, and nil otherwise, so logs and pipes get only the summary.
func newProgress(w io.Writer, size int64) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionSetPredictTime(true),
	)
}
