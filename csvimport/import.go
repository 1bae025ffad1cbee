package csvimport

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// Kind is what the rows of a file are.
type Kind int

// The kinds of file.
const (
	// Leads are leads to take in and route.
	Leads Kind = iota + 1
	// History is closed deals for the engine to learn from.
	History
)

// String returns "leads" or "history".
func (k Kind) String() string {
	switch k {
	case Leads:
		return "leads"
	case History:
		return "history"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Sink takes the rows of a file in batches. *engine.Service satisfies it.
type Sink interface {
	// IntakeBatch takes in leads and returns one result per input, in
	// order: created, already known (Created false), or rejected (Err).
	// An error means the whole batch failed.
	IntakeBatch(ctx context.Context, ins []engine.LeadInput, opt engine.IntakeOptions) (
		[]engine.IntakeResult, error)
	// ImportHistory loads deals and returns how many it stored and the
	// rows it rejected, by index into deals; a repeat of a known external
	// id is rejected with code duplicate_external_id. An error means the
	// whole batch failed.
	ImportHistory(ctx context.Context, deals []engine.Deal, opt engine.HistoryOptions) (
		int, []engine.RowError, error)
}

var _ Sink = (*engine.Service)(nil)

// DefaultBatchSize is the number of rows sent to the sink at once when
// Options.BatchSize is 0.
const DefaultBatchSize = 500

// Options tune an import. The zero value detects the encoding, uses the
// built-in header names, reads times in Asia/Shanghai and sends batches
// of DefaultBatchSize.
type Options struct {
	// Encoding is "auto" (or ""), "utf-8" or "gbk". Auto skips a UTF-8
	// byte order mark; without one, it takes the file for UTF-8 if its
	// first 64 KiB are valid UTF-8, and for GBK otherwise.
	Encoding string
	// Mapping maps header text to a field name, and takes precedence over
	// the built-in header names. Headers match as the built-in ones do,
	// regardless of case, spaces, underscores and hyphens. ParseMapping
	// describes the field names.
	Mapping map[string]string
	// Location is where a time written without an offset is read. Nil
	// means Asia/Shanghai.
	Location *time.Location
	// BatchSize is the number of rows sent to the sink at once.
	BatchSize int
	// DryRun asks the sink to check and decide everything and to store
	// nothing. As nothing is stored, an external id repeated in a later
	// batch then counts as imported, where a real import would count it
	// as a duplicate.
	DryRun bool
	// Progress, if set, is called after each batch with the number of
	// data rows read so far and the number of bytes read from the source
	// so far, which runs ahead of the rows by up to 64 KiB of buffer.
	Progress func(rows int, bytes int64)
}

// Rejection is a row that was not imported, by its first line in the file
// (the header is line 1), and why.
type Rejection struct {
	Line   int
	Reason string
}

// Summary is what became of the rows of a file.
type Summary struct {
	// DryRun is set when nothing was stored.
	DryRun bool
	// Imported counts the rows stored, or that would be in a dry run.
	Imported int
	// Duplicates counts the rows whose external id was already known.
	Duplicates int
	// Rejected lists the rows that could not be read or that the sink
	// rejected, in file order.
	Rejected []Rejection
}

// maxListed is how many rejections Summary.Write lists.
const maxListed = 50

// Write prints the summary for people: the counts, then the first
// rejections with their lines. Errors writing to w are ignored.
func (s Summary) Write(w io.Writer) {
	prefix := ""
	if s.DryRun {
		prefix = "dry run, nothing stored: "
	}
	fmt.Fprintf(w, "%simported %d, duplicates %d, rejected %d\n",
		prefix, s.Imported, s.Duplicates, len(s.Rejected))
	for i, r := range s.Rejected {
		if i == maxListed {
			fmt.Fprintf(w, "  and %d more rejected rows\n", len(s.Rejected)-maxListed)
			break
		}
		fmt.Fprintf(w, "  line %d: %s\n", r.Line, r.Reason)
	}
}

// Import reads a CSV file of the given kind from src and sends its rows
// to sink in batches. The first row is the header: if it names a field
// twice or lacks a required column, Import fails before reading any row.
// A row that cannot be read, or that the sink rejects, is listed in the
// summary by its line and the other rows go ahead. A row with no
// text in any cell is skipped.
//
// A batch that the sink fails as a whole, as when the database is down,
// stops the import with an error naming the batch's lines. The rows of
// earlier batches stay imported, and the returned summary counts them.
func Import(ctx context.Context, src io.Reader, kind Kind, sink Sink, opts Options) (
	Summary, error) {
	im, err := newImporter(src, kind, sink, opts)
	if err != nil {
		return Summary{}, err
	}
	err = im.run(ctx)
	return im.summary(), err
}

// importer is the state of one Import.
type importer struct {
	kind   Kind
	sink   Sink
	opts   Options
	src    *countingReader
	csv    *csv.Reader
	parser *rowParser
	batch  []row
	rows   int // data rows read so far
	sum    Summary
}

func newImporter(src io.Reader, kind Kind, sink Sink, opts Options) (*importer, error) {
	if kind != Leads && kind != History {
		return nil, fmt.Errorf("import %v: unknown kind of file", kind)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Location == nil {
		opts.Location = shanghai()
	}

	counter := &countingReader{r: src}
	text, checkUTF8, err := decode(counter, opts.Encoding)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(text)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cols, err := readHeader(cr, kind, opts.Mapping, checkUTF8)
	if err != nil {
		return nil, err
	}

	return &importer{
		kind:   kind,
		sink:   sink,
		opts:   opts,
		src:    counter,
		csv:    cr,
		parser: newRowParser(cols, opts.Location, checkUTF8),
		batch:  make([]row, 0, opts.BatchSize),
		sum:    Summary{DryRun: opts.DryRun},
	}, nil
}

// shanghai is the default location of times without an offset.
var shanghai = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	// Without the time zone database: China has kept UTC+8, without
	// daylight saving time, since 1991.
	return time.FixedZone("Asia/Shanghai", 8*60*60)
})

func (im *importer) run(ctx context.Context) error {
	for {
		rec, err := im.csv.Read()
		if errors.Is(err, io.EOF) {
			return im.flush(ctx)
		}
		if err != nil {
			if err := im.malformed(err); err != nil {
				return err
			}
			continue
		}
		im.take(rec)
		if len(im.batch) == im.opts.BatchSize {
			if err := im.flush(ctx); err != nil {
				return err
			}
		}
	}
}

// malformed rejects a record that is not valid CSV, or returns err if it
// is a read error.
func (im *importer) malformed(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read %s file after %d rows: %w", im.kind, im.rows, err)
	}
	im.rows++
	im.reject(pe.StartLine, fmt.Sprintf("malformed CSV at line %d, column %d: %v",
		pe.Line, pe.Column, pe.Err))
	return nil
}

// take parses a record into the batch, or rejects it.
func (im *importer) take(rec []string) {
	if blank(rec) {
		return
	}
	im.rows++
	line, _ := im.csv.FieldPos(0)
	// Parsing in place saves a copy of every row.
	im.batch = append(im.batch, row{})
	if err := im.parser.parse(rec, line, &im.batch[len(im.batch)-1]); err != nil {
		im.batch = im.batch[:len(im.batch)-1]
		im.reject(line, err.Error())
	}
}

// flush sends the batch, if any, then reports progress.
func (im *importer) flush(ctx context.Context) error {
	if n := len(im.batch); n > 0 {
		if err := im.send(ctx); err != nil {
			first, last := im.batch[0].line, im.batch[n-1].line
			return fmt.Errorf("import lines %d to %d: %w", first, last, err)
		}
		im.batch = im.batch[:0]
	}
	if im.opts.Progress != nil {
		im.opts.Progress(im.rows, im.src.n)
	}
	return nil
}

func (im *importer) send(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if im.kind == Leads {
		return im.sendLeads(ctx)
	}
	return im.sendHistory(ctx)
}

func (im *importer) sendLeads(ctx context.Context) error {
	ins := make([]engine.LeadInput, len(im.batch))
	for i, r := range im.batch {
		ins[i] = r.lead()
	}
	opt := engine.IntakeOptions{Actor: engine.ActorImport, DryRun: im.opts.DryRun}
	res, err := im.sink.IntakeBatch(ctx, ins, opt)
	if err != nil {
		return err
	}
	if len(res) != len(ins) {
		return fmt.Errorf("sink returned %d results for %d leads", len(res), len(ins))
	}

	// TODO: in a dry run, a repeat of an external id from an earlier batch
	// counts as imported; counting it as a duplicate would mean keeping
	// every external id of the file.
	for i, r := range res {
		switch {
		case r.Err != nil:
			im.rejectByEngine(im.batch[i].line, r.Err)
		case r.Created:
			im.sum.Imported++
		default:
			im.sum.Duplicates++
		}
	}
	return nil
}

func (im *importer) sendHistory(ctx context.Context) error {
	deals := make([]engine.Deal, len(im.batch))
	for i, r := range im.batch {
		deals[i] = r.deal
	}
	opt := engine.HistoryOptions{Actor: engine.ActorImport, DryRun: im.opts.DryRun}
	n, rowErrs, err := im.sink.ImportHistory(ctx, deals, opt)
	if err != nil {
		return err
	}

	for _, re := range rowErrs {
		if re.Index < 0 || re.Index >= len(deals) {
			return fmt.Errorf("sink rejected row %d of a batch of %d", re.Index, len(deals))
		}
		if engine.CodeOf(re.Err) == "duplicate_external_id" {
			im.sum.Duplicates++
			continue
		}
		im.rejectByEngine(im.batch[re.Index].line, re.Err)
	}
	im.sum.Imported += n
	return nil
}

// rejectByEngine rejects a row for an engine error, naming the column of
// the field at fault unless its header is the field's own name.
func (im *importer) rejectByEngine(line int, err error) {
	reason := err.Error()
	if col := im.parser.column(engine.FieldOf(err)); col != "" {
		reason = fmt.Sprintf("column %q: %s", col, reason)
	}
	im.reject(line, reason)
}

func (im *importer) reject(line int, reason string) {
	im.sum.Rejected = append(im.sum.Rejected, Rejection{Line: line, Reason: reason})
}

// summary returns the summary with the rejections in file order: those
// of the sink come after the parse rejections of their batch.
func (im *importer) summary() Summary {
	slices.SortStableFunc(im.sum.Rejected, func(a, b Rejection) int {
		return cmp.Compare(a.Line, b.Line)
	})
	return im.sum
}
