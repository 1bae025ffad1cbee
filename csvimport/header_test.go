package csvimport_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/csvimport"
	"github.com/leadbot/leadbot/engine"
)

func TestLeadHeader(t *testing.T) {
	full := engine.LeadInput{
		ExternalID: "L1",
		Profile: engine.Profile{
			Company:          "Acme",
			Contact:          engine.Contact{Name: "张三", Phone: "13800000000"},
			Industry:         "制造",
			ProductLine:      "CRM",
			CustomerType:     engine.CustomerExisting,
			CompanySize:      200,
			Region:           "华东",
			ExpectedAmount:   500000,
			CloseProbability: new(0.3),
			Source:           "展会",
			Interactions:     3,
		},
		DueAt: new(time.Date(2024, 3, 1, 0, 0, 0, 0, utc8)),
	}
	values := "L1,Acme,张三,13800000000,制造,CRM,老客户,200,华东,50万,30%,展会,3,2024-03-01"
	tests := []struct {
		name    string
		header  string
		values  string
		mapping map[string]string
		want    engine.LeadInput
	}{
		{
			name: "chinese",
			header: "线索编号,客户名称,联系人,手机号,行业,产品线,客户类型,员工数,大区," +
				"预算,赢率,线索来源,互动次数,跟进截止",
			values: values,
			want:   full,
		},
		{
			name: "other chinese names",
			header: "外部编号,企业名称,联系人姓名,联系电话,行业,产品,客户类型,公司规模,地区," +
				"预计金额,成交概率,来源,互动次数,截止时间",
			values: values,
			want:   full,
		},
		{
			name: "english in any case and spacing",
			header: "External_ID, Company Name ,CONTACT,phone,Industry,product line," +
				"Customer Type,company_size,REGION,Expected Amount,Win Rate,Lead_Source," +
				"interactions,Due At",
			values: values,
			want:   full,
		},
		{
			name:   "crm id",
			header: "crm_id,company",
			values: "L1,Acme",
			want:   lead("L1", "Acme"),
		},
		{
			name:    "custom mapping",
			header:  "单号,客户全称",
			values:  "L1,Acme",
			mapping: map[string]string{"单号": "external_id", "客户 全称": "company"},
			want:    lead("L1", "Acme"),
		},
		{
			name:    "custom mapping overrides built-in name",
			header:  "编号,公司,客户",
			values:  "L1,Acme,制造",
			mapping: map[string]string{"客户": "industry"},
			want:    withIndustry(lead("L1", "Acme"), "制造"),
		},
		{
			name:   "unmapped columns become attributes",
			header: "编号,公司,备注,审批人",
			values: "L1,Acme, 老板介绍 ,",
			want:   withAttributes(lead("L1", "Acme"), map[string]any{"备注": "老板介绍"}),
		},
		{
			name:    "mapped to ignore and to attribute",
			header:  "编号,公司,电话,手机",
			values:  "L1,Acme,010-1234,138",
			mapping: map[string]string{"电话": "ignore", "手机": "attribute"},
			want:    withAttributes(lead("L1", "Acme"), map[string]any{"手机": "138"}),
		},
		{
			name:   "column without header dropped",
			header: "编号,公司,",
			values: "L1,Acme,x",
			want:   lead("L1", "Acme"),
		},
		{
			name:   "history columns are attributes in a lead file",
			header: "编号,公司,负责人",
			values: "L1,Acme,r1",
			want:   withAttributes(lead("L1", "Acme"), map[string]any{"负责人": "r1"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sum := importLeads(t, tt.header+"\n"+tt.values+"\n",
				csvimport.Options{Mapping: tt.mapping})
			if len(sum.Rejected) > 0 {
				t.Fatalf("Rejected = %+v, want none", sum.Rejected)
			}
			if len(got) != 1 || !sameLead(got[0], tt.want) {
				t.Errorf("leads = %+v, want [%+v]", got, tt.want)
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	tooMany := "编号,公司"
	for i := range engine.MaxAttributes + 1 {
		tooMany += ",x" + string(rune('A'+i%26)) + strings.Repeat("y", i/26)
	}
	tests := []struct {
		name    string
		kind    csvimport.Kind
		header  string
		mapping map[string]string
		want    []string // parts of the error
	}{
		{"field twice", csvimport.Leads, "编号,公司,客户名称",
			nil, []string{`2 "公司"`, `3 "客户名称"`, "company"}},
		{"field twice by mapping", csvimport.Leads, "编号,公司,客户全称",
			map[string]string{"客户全称": "company"}, []string{"客户全称", "company"}},
		{"same attribute header twice", csvimport.Leads, "编号,公司,备注,备注 ",
			nil, []string{"columns 3 and 4", `"备注"`}},
		{"missing company", csvimport.Leads, "编号,行业",
			nil, []string{"missing column for company", "公司名称"}},
		{"missing both", csvimport.Leads, "行业",
			nil, []string{"external_id (headed 外部编号", "; company"}},
		{"missing history columns", csvimport.History, "编号,公司,结果",
			nil, []string{"rep_id", "closed_at"}},
		{"unknown field in mapping", csvimport.Leads, "编号,公司",
			map[string]string{"x": "compnay"},
			[]string{`unknown field "compnay"`, "known fields: "}},
		{"history field in a lead file", csvimport.Leads, "编号,公司,Owner",
			map[string]string{"owner": "rep_id"}, []string{`"Owner"`, "not part of a leads file"}},
		{"lead field in a history file", csvimport.History, "公司,销售,结果,成交时间,x",
			map[string]string{"x": "due_at"}, []string{"due_at is not part of a history file"}},
		{"too many attributes", csvimport.Leads, tooMany,
			nil, []string{"65 columns map to no field", "at most 64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, _, err := run(t, tt.header+"\nL1,Acme\n", tt.kind,
				csvimport.Options{Mapping: tt.mapping})
			if err == nil {
				t.Fatalf("Import(%q) error = nil, want one with %q", tt.header, tt.want)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Import(%q) error = %q, want it to contain %q", tt.header, err, part)
				}
			}
			if n := len(sink.leadBatches) + len(sink.dealBatches); n != 0 {
				t.Errorf("sink got %d batches, want none", n)
			}
		})
	}
}

func TestHistoryHeader(t *testing.T) {
	want := engine.Deal{
		ExternalID: "D1",
		Profile:    engine.Profile{Company: "Acme", ExpectedAmount: 10000},
		RepID:      "r1",
		Outcome:    engine.Won,
		Amount:     12000,
		ClosedAt:   time.Date(2023, 12, 5, 16, 0, 0, 0, utc8),
	}
	tests := []struct {
		name   string
		header string
	}{
		{"chinese", "编号,客户名称,负责人,结果,合同金额,结单时间,预计金额"},
		{"other chinese names", "线索编号,公司,销售编号,结果,成交金额,关闭时间,金额"},
		{"english", "ID,Company,Owner,Outcome,Amount,Closed_At,Budget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.header + "\nD1,Acme,r1,赢单,1.2万,2023-12-05 16:00,1万\n"
			sink, sum, err := run(t, text, csvimport.History, csvimport.Options{})
			if err != nil {
				t.Fatalf("Import(history) error = %v", err)
			}
			got := sink.deals()
			if len(got) != 1 || !sameDeal(got[0], want) {
				t.Errorf("deals = %+v, want [%+v]", got, want)
			}
			if sum.Imported != 1 || len(sum.Rejected) != 0 {
				t.Errorf("summary = %+v, want 1 imported", sum)
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{"pairs", "客户全称=company,Owner=rep_id",
			map[string]string{"客户全称": "company", "Owner": "rep_id"}, ""},
		{"spaces, case and full-width comma", " 客户全称 = Company ，备注=ignore,",
			map[string]string{"客户全称": "company", "备注": "ignore"}, ""},
		{"equals sign in header", "a=b=source", map[string]string{"a=b": "source"}, ""},
		{"empty", "", map[string]string{}, ""},
		{"unknown field", "客户全称=compnay", nil,
			`mapping "客户全称=compnay": unknown field "compnay" (known fields: external_id, company,`},
		{"no equals sign", "客户全称", nil, `mapping "客户全称": want header=field`},
		{"no header", "=company", nil, "want header=field"},
		{"header twice", "a=company,a=industry", nil,
			`header "a" is mapped to both company and industry`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := csvimport.ParseMapping(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMapping(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMapping(%q) error = %v", tt.in, err)
			}
			if !equalMaps(got, tt.want) {
				t.Errorf("ParseMapping(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func lead(ext, company string) engine.LeadInput {
	return engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: company}}
}

func withIndustry(in engine.LeadInput, industry string) engine.LeadInput {
	in.Industry = industry
	return in
}

func withAttributes(in engine.LeadInput, attrs map[string]any) engine.LeadInput {
	in.Attributes = attrs
	return in
}
