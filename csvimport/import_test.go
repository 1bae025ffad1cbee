package csvimport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/csvimport"
	"github.com/leadbot/leadbot/engine"
)

func TestLineNumbers(t *testing.T) {
	text := strings.Join([]string{
		"编号,公司,预计金额",  // line 1
		`L1,"Acme`,    // 2, a cell over two lines
		`Inc",100`,    // 3
		``,            // 4, skipped
		`L2,Beta,abc`, // 5, bad amount
		`L3,"Gamma`,   // 6, bad amount in a row over two lines
		`Ltd","x"`,    // 7
		`L4,Delta`,    // 8, too few fields
		` , ,`,        // 9, skipped
		`L5,"Eps"x,1`, // 10, bad quoting
		`L6,Zeta,1,2`, // 11, too many fields
		`L7,Eta,7`,    // 12
	}, "\n") + "\n"
	got, sum := importLeads(t, text, csvimport.Options{})

	var exts []string
	for _, in := range got {
		exts = append(exts, in.ExternalID)
	}
	if want := []string{"L1", "L7"}; !reflect.DeepEqual(exts, want) {
		t.Errorf("imported %v, want %v", exts, want)
	}
	if got[0].Company != "Acme\nInc" {
		t.Errorf("company = %q, want %q", got[0].Company, "Acme\nInc")
	}
	want := []csvimport.Rejection{
		{5, `column "预计金额": "abc" is not an amount`},
		{6, `column "预计金额": "x" is not an amount`},
		{8, "has 2 fields, the header has 3"},
		{10, `malformed CSV at line 10, column 8: extraneous or missing " in quoted-field`},
		{11, "has 4 fields, the header has 3"},
	}
	if !reflect.DeepEqual(sum.Rejected, want) {
		t.Errorf("rejected:\n%v\nwant\n%v", sum.Rejected, want)
	}
}

func TestSinkRejections(t *testing.T) {
	text := "编号,客户名称\nL1,A\nL2,B\nL3,C\nL1,A\nL5,E\n"
	tooLong := &engine.Error{Kind: engine.Invalid, Code: "too_long", Field: "company",
		Msg: "is 300 characters long, at most 256 allowed"}
	seen := make(map[string]bool)
	sink := &fakeSink{intake: func(_ int, ins []engine.LeadInput) ([]engine.IntakeResult, error) {
		res := make([]engine.IntakeResult, len(ins))
		for i, in := range ins {
			if in.ExternalID == "L3" {
				res[i].Err = tooLong
				continue
			}
			res[i].Created = !seen[in.ExternalID]
			seen[in.ExternalID] = true
		}
		return res, nil
	}}
	sum, err := csvimport.Import(t.Context(), strings.NewReader(text), csvimport.Leads, sink,
		csvimport.Options{BatchSize: 2})
	if err != nil {
		t.Fatalf("Import() error = %v", err)
	}

	want := csvimport.Summary{Imported: 3, Duplicates: 1, Rejected: []csvimport.Rejection{
		{4, `column "客户名称": company: is 300 characters long, at most 256 allowed`},
	}}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
}

func TestHistoryRejections(t *testing.T) {
	text := "编号,公司,销售,结果,成交时间\n" +
		"D1,A,r1,won,2024-01-01\n" +
		"D2,B,ghost,won,2024-01-01\n" +
		"D3,C,r1,lost,2024-01-01\n" +
		"D4,D,r1,maybe,2024-01-01\n" +
		"D1,A,r1,won,2024-01-01\n"
	unknownRep := &engine.Error{Kind: engine.Invalid, Code: "unknown_rep", Field: "rep_id",
		Msg: `no rep has id "ghost"`}
	duplicate := &engine.Error{Kind: engine.Conflict, Code: "duplicate_external_id",
		Msg: "a deal with this external id is already loaded"}
	seen := make(map[string]bool)
	sink := &fakeSink{history: func(_ int, deals []engine.Deal) (int, []engine.RowError, error) {
		var errs []engine.RowError
		for i, d := range deals {
			switch {
			case d.RepID == "ghost":
				errs = append(errs, engine.RowError{Index: i, Err: unknownRep})
			case seen[d.ExternalID]:
				errs = append(errs, engine.RowError{Index: i, Err: duplicate})
			default:
				seen[d.ExternalID] = true
			}
		}
		return len(deals) - len(errs), errs, nil
	}}
	sum, err := csvimport.Import(t.Context(), strings.NewReader(text), csvimport.History, sink,
		csvimport.Options{BatchSize: 2})
	if err != nil {
		t.Fatalf("Import() error = %v", err)
	}

	want := csvimport.Summary{Imported: 2, Duplicates: 1, Rejected: []csvimport.Rejection{
		{3, `column "销售": rep_id: no rep has id "ghost"`},
		{5, `column "结果": "maybe" is not an outcome (want 赢单, 输单, won or lost)`},
	}}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	if got := len(sink.dealBatches); got != 2 {
		t.Errorf("sink got %d batches, want 2", got)
	}
}

func TestBatches(t *testing.T) {
	text := "external_id,company\nL1,A\nL2,B\nL3,C\nL4,D\nL5,E\n"
	type report struct {
		rows  int
		bytes int64
	}
	var reports []report
	opts := csvimport.Options{BatchSize: 2, DryRun: true,
		Progress: func(rows int, bytes int64) { reports = append(reports, report{rows, bytes}) }}
	sink, sum, err := run(t, text, csvimport.Leads, opts)
	if err != nil {
		t.Fatalf("Import() error = %v", err)
	}

	var sizes []int
	for _, b := range sink.leadBatches {
		sizes = append(sizes, len(b))
	}
	if want := []int{2, 2, 1}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("batch sizes = %v, want %v", sizes, want)
	}
	for i, o := range sink.intakeOpts {
		if want := (engine.IntakeOptions{Actor: engine.ActorImport, DryRun: true}); o != want {
			t.Errorf("batch %d options = %+v, want %+v", i, o, want)
		}
	}
	n := int64(len(text))
	if want := []report{{2, n}, {4, n}, {5, n}}; !reflect.DeepEqual(reports, want) {
		t.Errorf("progress = %v, want %v", reports, want)
	}
	if want := (csvimport.Summary{DryRun: true, Imported: 5}); !reflect.DeepEqual(sum, want) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
}

func TestHistoryOptions(t *testing.T) {
	text := "公司,销售,结果,成交时间\nA,r1,won,2024-01-01\n"
	sink, _, err := run(t, text, csvimport.History, csvimport.Options{})
	if err != nil {
		t.Fatalf("Import() error = %v", err)
	}
	want := []engine.HistoryOptions{{Actor: engine.ActorImport}}
	if !reflect.DeepEqual(sink.historyOpts, want) {
		t.Errorf("options = %+v, want %+v", sink.historyOpts, want)
	}
}

func TestSinkFailure(t *testing.T) {
	errDown := errors.New("database is down")
	text := "编号,公司\nL1,A\nL2,B\nL3,\"C\nD\"\nL4,E\nL5,F\n"
	intake := func(batch int, ins []engine.LeadInput) ([]engine.IntakeResult, error) {
		if batch == 1 {
			return nil, errDown
		}
		return make([]engine.IntakeResult, len(ins)), nil
	}
	sink := &fakeSink{intake: intake}
	progress := 0
	opts := csvimport.Options{BatchSize: 2, Progress: func(int, int64) { progress++ }}
	sum, err := csvimport.Import(t.Context(), strings.NewReader(text), csvimport.Leads, sink, opts)

	if !errors.Is(err, errDown) {
		t.Fatalf("Import() error = %v, want %v", err, errDown)
	}
	if want := "import lines 4 to 6: database is down"; err.Error() != want {
		t.Errorf("Import() error = %q, want %q", err, want)
	}
	if sum.Duplicates != 2 || len(sink.leadBatches) != 2 || progress != 1 {
		t.Errorf("summary %+v after %d batches and %d progress reports, want 2 duplicates "+
			"after 2 batches and 1 report", sum, len(sink.leadBatches), progress)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	sink := &fakeSink{}
	_, err := csvimport.Import(ctx, strings.NewReader("编号,公司\nL1,A\n"), csvimport.Leads, sink,
		csvimport.Options{})
	if !errors.Is(err, context.Canceled) || len(sink.leadBatches) != 0 {
		t.Errorf("Import() error = %v after %d batches, want %v before any",
			err, len(sink.leadBatches), context.Canceled)
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		kind csvimport.Kind
		want string
	}{
		{"empty file", "", csvimport.Leads, "file is empty: want a header row"},
		{"blank file", "\n \n", csvimport.Leads, "missing column"},
		{"unknown kind", "编号,公司\n", csvimport.Kind(9), "import kind(9): unknown kind of file"},
		{"bad header", "编号,\"公司\n", csvimport.Leads, "read header: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, tt.text, tt.kind, csvimport.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Import(%q) error = %v, want %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestSummaryWrite(t *testing.T) {
	tests := []struct {
		name string
		sum  csvimport.Summary
		want string
	}{
		{
			name: "clean",
			sum:  csvimport.Summary{Imported: 3},
			want: "imported 3, duplicates 0, rejected 0\n",
		},
		{
			name: "dry run with rejections",
			sum: csvimport.Summary{DryRun: true, Imported: 1, Duplicates: 2,
				Rejected: []csvimport.Rejection{{4, "bad"}, {9, "worse"}}},
			want: "dry run, nothing stored: imported 1, duplicates 2, rejected 2\n" +
				"  line 4: bad\n  line 9: worse\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tt.sum.Write(&b)
			if got := b.String(); got != tt.want {
				t.Errorf("Write() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestSummaryWriteCapsRejections(t *testing.T) {
	var sum csvimport.Summary
	for i := range 55 {
		sum.Rejected = append(sum.Rejected, csvimport.Rejection{Line: i + 2, Reason: "bad"})
	}
	var b bytes.Buffer
	sum.Write(&b)

	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 52 {
		t.Fatalf("Write() printed %d lines, want 52:\n%s", len(lines), b.String())
	}
	if got, want := lines[50], "  line 51: bad"; got != want {
		t.Errorf("line 51 of output = %q, want %q", got, want)
	}
	if got, want := lines[51], "  and 5 more rejected rows"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}

// discard stores every lead and deal without keeping them.
type discard struct{}

func (discard) IntakeBatch(_ context.Context, ins []engine.LeadInput,
	_ engine.IntakeOptions) ([]engine.IntakeResult, error) {
	res := make([]engine.IntakeResult, len(ins))
	for i := range res {
		res[i].Created = true
	}
	return res, nil
}

func (discard) ImportHistory(_ context.Context, deals []engine.Deal,
	_ engine.HistoryOptions) (int, []engine.RowError, error) {
	return len(deals), nil, nil
}

func BenchmarkParse100k(b *testing.B) {
	const rows = 100_000
	var buf bytes.Buffer
	buf.WriteString("线索编号,客户名称,联系人,手机号,行业,产品线,客户类型,员工数,大区," +
		"预算,赢率,线索来源,互动次数,跟进截止,备注\n")
	for i := range rows {
		fmt.Fprintf(&buf, "L%d,北京星辰科技有限公司%d,张三,138%08d,制造,CRM,老客户,%d,华东,"+
			"%d.5万,%d%%,展会,%d,2024-03-%02d 09:30,\"老客户介绍, 需要回访\"\n",
			i, i, i, i%5000, i%300, i%100, i%20, i%28+1)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()

	n := 0
	for b.Loop() {
		sum, err := csvimport.Import(b.Context(), bytes.NewReader(data), csvimport.Leads,
			discard{}, csvimport.Options{})
		if err != nil || sum.Imported != rows {
			b.Fatalf("Import() = %d imported, rejected %v, error %v", sum.Imported,
				sum.Rejected[:min(3, len(sum.Rejected))], err)
		}
		n++
	}
	b.ReportMetric(float64(n*rows)/b.Elapsed().Seconds(), "rows/s")
}
