package csvimport_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/csvimport"
	"github.com/leadbot/leadbot/engine"
)

func TestLeadValues(t *testing.T) {
	tests := []struct {
		name   string
		column string
		cell   string
		want   func(in *engine.LeadInput) // nil: the row is rejected
	}{
		{"plain amount", "预计金额", "1200000", amount(1200000)},
		{"amount with yen and commas", "预计金额", "¥1,200,000", amount(1200000)},
		{"amount with full-width yen and 元", "预计金额", "￥3,000.50元", amount(3000.5)},
		{"amount in 万", "预计金额", "120万", amount(1200000)},
		{"fractional 万", "预计金额", "1.2万", amount(12000)},
		{"万元", "预计金额", "0.07 万元", amount(700)},
		{"亿", "预计金额", "1.5亿", amount(150000000)},
		{"amount in exponent form", "预计金额", "1.2E+06", amount(1200000)},
		{"amount not a number", "预计金额", "面议", nil},
		{"amount NaN", "预计金额", "NaN", nil},
		{"amount in hexadecimal", "预计金额", "0x10", nil},
		{"amount with exponent and 万", "预计金额", "1e2万", nil},
		{"yen alone", "预计金额", "¥", nil},

		{"percentage", "成交概率", "60%", probability(0.6)},
		{"full-width percent sign", "成交概率", "35 ％", probability(0.35)},
		{"fraction", "成交概率", "0.6", probability(0.6)},
		{"bare number above 1 is a percentage", "成交概率", "60", probability(0.6)},
		{"one is certain", "成交概率", "1", probability(1)},
		{"zero", "成交概率", "0%", probability(0)},
		{"over 100%", "成交概率", "150", nil},
		{"negative probability", "成交概率", "-5%", nil},
		{"probability not a number", "成交概率", "高", nil},

		{"customer type new", "客户类型", "新客户", customerType(engine.CustomerNew)},
		{"customer type 新", "客户类型", "新", customerType(engine.CustomerNew)},
		{"customer type New", "客户类型", "New", customerType(engine.CustomerNew)},
		{"customer type existing", "客户类型", "现有客户", customerType(engine.CustomerExisting)},
		{"customer type 老", "客户类型", "老", customerType(engine.CustomerExisting)},
		{"customer type unknown", "客户类型", "潜在", nil},

		{"size with separator", "人数", "1,200", size(1200)},
		{"size with 人", "人数", "300人", size(300)},
		{"size in 万", "人数", "1.2万", size(12000)},
		{"size fractional", "人数", "2.5", nil},
		{"size range", "人数", "100-499", nil},
		{"interactions", "互动次数", "7", interactions(7)},
		{"interactions not a number", "互动次数", "很多", nil},

		{"date", "截止时间", "2024-03-01", due(2024, 3, 1, 0, 0)},
		{"date and time", "截止时间", "2024-03-01 09:30", due(2024, 3, 1, 9, 30)},
		{"slashes", "截止时间", "2024/03/01 09:30", due(2024, 3, 1, 9, 30)},
		{"slashes without padding", "截止时间", "2024/3/1 9:30", due(2024, 3, 1, 9, 30)},
		{"slash date", "截止时间", "2024/3/1", due(2024, 3, 1, 0, 0)},
		{"seconds", "截止时间", "2024-03-01 09:30:00", due(2024, 3, 1, 9, 30)},
		{"chinese date", "截止时间", "2024年3月1日", due(2024, 3, 1, 0, 0)},
		{"RFC 3339 keeps its offset", "截止时间", "2024-03-01T01:30:00Z", due(2024, 3, 1, 9, 30)},
		{"RFC 3339 with offset", "截止时间", "2024-03-01T09:30:00+08:00", due(2024, 3, 1, 9, 30)},
		{"no such month", "截止时间", "2024-13-01", nil},
		{"not a date", "截止时间", "下周一", nil},

		{"text is trimmed", "行业", "  制造  ", func(in *engine.LeadInput) { in.Industry = "制造" }},
		{"empty cell is not given", "预计金额", "   ", func(in *engine.LeadInput) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "编号,公司," + tt.column + "\nL1,Acme,\"" + tt.cell + "\"\n"
			got, sum := importLeads(t, text, csvimport.Options{})
			if tt.want == nil {
				checkRejected(t, sum, tt.column, tt.cell)
				return
			}
			want := lead("L1", "Acme")
			tt.want(&want)
			if len(got) != 1 || !sameLead(got[0], want) {
				t.Errorf("%s %q: leads = %+v, want [%+v] (rejected %v)",
					tt.column, tt.cell, got, want, sum.Rejected)
			}
		})
	}
}

func TestHistoryValues(t *testing.T) {
	tests := []struct {
		name   string
		column string
		cell   string
		want   func(d *engine.Deal) // nil: the row is rejected
	}{
		{"won", "结果", "赢单", outcome(engine.Won)},
		{"成交", "结果", "成交", outcome(engine.Won)},
		{"Won", "结果", "Won", outcome(engine.Won)},
		{"lost", "结果", "输单", outcome(engine.Lost)},
		{"丢单", "结果", "丢单", outcome(engine.Lost)},
		{"LOST", "结果", "LOST", outcome(engine.Lost)},
		{"unknown outcome", "结果", "跟进中", nil},
		{"amount in 万", "成交金额", "88万", func(d *engine.Deal) { d.Amount = 880000 }},
		{"bad amount", "成交金额", "八十万", nil},
		{"closed at", "成交时间", "2023/12/5 16:00", func(d *engine.Deal) {
			d.ClosedAt = time.Date(2023, 12, 5, 16, 0, 0, 0, utc8)
		}},
		{"bad closed at", "成交时间", "去年", nil},
		{"rep", "销售", "  r2 ", func(d *engine.Deal) { d.RepID = "r2" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := map[string]string{"公司": "Acme", "销售": "r1", "结果": "won",
				"成交金额": "", "成交时间": "2024-01-02"}
			cells[tt.column] = tt.cell
			text := "公司,销售,结果,成交金额,成交时间\n" + cells["公司"] + "," + cells["销售"] + "," +
				cells["结果"] + "," + cells["成交金额"] + "," + cells["成交时间"] + "\n"
			sink, sum, err := run(t, text, csvimport.History, csvimport.Options{})
			if err != nil {
				t.Fatalf("Import(history) error = %v", err)
			}
			if tt.want == nil {
				checkRejected(t, sum, tt.column, tt.cell)
				return
			}
			want := engine.Deal{Profile: engine.Profile{Company: "Acme"}, RepID: "r1",
				Outcome: engine.Won, ClosedAt: time.Date(2024, 1, 2, 0, 0, 0, 0, utc8)}
			tt.want(&want)
			got := sink.deals()
			if len(got) != 1 || !sameDeal(got[0], want) {
				t.Errorf("%s %q: deals = %+v, want [%+v] (rejected %v)",
					tt.column, tt.cell, got, want, sum.Rejected)
			}
		})
	}
}

// TestDefaultLocation checks that times without an offset are read in
// China's time when Options.Location is nil.
func TestDefaultLocation(t *testing.T) {
	sink := &fakeSink{}
	text := "编号,公司,截止时间\nL1,Acme,2024-03-01 09:30\n"
	_, err := csvimport.Import(t.Context(), strings.NewReader(text), csvimport.Leads, sink,
		csvimport.Options{})
	if err != nil {
		t.Fatalf("Import() error = %v", err)
	}
	got := sink.leads()[0].DueAt
	want := time.Date(2024, 3, 1, 1, 30, 0, 0, time.UTC)
	if got == nil || !got.Equal(want) {
		t.Errorf("DueAt = %v, want %v", got, want)
	}
}

// checkRejected checks that the only row was rejected for its cell in
// column.
func checkRejected(t *testing.T, sum csvimport.Summary, column, cell string) {
	t.Helper()
	if sum.Imported != 0 || len(sum.Rejected) != 1 {
		t.Fatalf("%s %q: summary = %+v, want the row rejected", column, cell, sum)
	}
	r := sum.Rejected[0]
	wantPrefix := `column "` + column + `": "` + strings.TrimSpace(cell) + `"`
	if r.Line != 2 || !strings.HasPrefix(r.Reason, wantPrefix) {
		t.Errorf("%s %q: rejection = %+v, want line 2 and reason starting %s",
			column, cell, r, wantPrefix)
	}
}

func amount(v float64) func(*engine.LeadInput) {
	return func(in *engine.LeadInput) { in.ExpectedAmount = v }
}

func probability(v float64) func(*engine.LeadInput) {
	return func(in *engine.LeadInput) { in.CloseProbability = &v }
}

func customerType(v engine.CustomerType) func(*engine.LeadInput) {
	return func(in *engine.LeadInput) { in.CustomerType = v }
}

func size(v int) func(*engine.LeadInput) {
	return func(in *engine.LeadInput) { in.CompanySize = v }
}

func interactions(v int) func(*engine.LeadInput) {
	return func(in *engine.LeadInput) { in.Interactions = v }
}

func due(y int, m time.Month, d, hh, mm int) func(*engine.LeadInput) {
	return func(in *engine.LeadInput) { in.DueAt = new(time.Date(y, m, d, hh, mm, 0, 0, utc8)) }
}

func outcome(o engine.Outcome) func(*engine.Deal) {
	return func(d *engine.Deal) { d.Outcome = o }
}
