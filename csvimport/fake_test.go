package csvimport_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/csvimport"
	"github.com/leadbot/leadbot/engine"
)

// fakeSink records the batches it gets. By default it stores every row;
// intake and history, when set, answer instead.
type fakeSink struct {
	leadBatches [][]engine.LeadInput
	dealBatches [][]engine.Deal
	intakeOpts  []engine.IntakeOptions
	historyOpts []engine.HistoryOptions

	intake  func(batch int, ins []engine.LeadInput) ([]engine.IntakeResult, error)
	history func(batch int, deals []engine.Deal) (int, []engine.RowError, error)
}

func (f *fakeSink) IntakeBatch(_ context.Context, ins []engine.LeadInput,
	opt engine.IntakeOptions) ([]engine.IntakeResult, error) {
	f.leadBatches = append(f.leadBatches, ins)
	f.intakeOpts = append(f.intakeOpts, opt)
	if f.intake != nil {
		return f.intake(len(f.leadBatches)-1, ins)
	}
	res := make([]engine.IntakeResult, len(ins))
	for i := range res {
		res[i].Created = true
	}
	return res, nil
}

func (f *fakeSink) ImportHistory(_ context.Context, deals []engine.Deal,
	opt engine.HistoryOptions) (int, []engine.RowError, error) {
	f.dealBatches = append(f.dealBatches, deals)
	f.historyOpts = append(f.historyOpts, opt)
	if f.history != nil {
		return f.history(len(f.dealBatches)-1, deals)
	}
	return len(deals), nil, nil
}

func (f *fakeSink) leads() []engine.LeadInput {
	var all []engine.LeadInput
	for _, b := range f.leadBatches {
		all = append(all, b...)
	}
	return all
}

func (f *fakeSink) deals() []engine.Deal {
	var all []engine.Deal
	for _, b := range f.dealBatches {
		all = append(all, b...)
	}
	return all
}

// utc8 is the location the tests read times in.
var utc8 = time.FixedZone("UTC+8", 8*60*60)

// run imports text into a fake sink, with times in utc8 unless opts say
// otherwise.
func run(t *testing.T, text string, kind csvimport.Kind, opts csvimport.Options) (
	*fakeSink, csvimport.Summary, error) {
	t.Helper()
	if opts.Location == nil {
		opts.Location = utc8
	}
	sink := &fakeSink{}
	sum, err := csvimport.Import(t.Context(), strings.NewReader(text), kind, sink, opts)
	return sink, sum, err
}

// importLeads imports a lead file that must have a good header.
func importLeads(t *testing.T, text string, opts csvimport.Options) (
	[]engine.LeadInput, csvimport.Summary) {
	t.Helper()
	sink, sum, err := run(t, text, csvimport.Leads, opts)
	if err != nil {
		t.Fatalf("Import(leads) error = %v", err)
	}
	return sink.leads(), sum
}

// sameLead compares leads with their times as instants.
func sameLead(a, b engine.LeadInput) bool {
	return reflect.DeepEqual(inUTC(a), inUTC(b))
}

func inUTC(in engine.LeadInput) engine.LeadInput {
	if in.DueAt != nil {
		in.DueAt = new(in.DueAt.UTC())
	}
	return in
}

func sameDeal(a, b engine.Deal) bool {
	a.ClosedAt, b.ClosedAt = a.ClosedAt.UTC(), b.ClosedAt.UTC()
	return reflect.DeepEqual(a, b)
}
