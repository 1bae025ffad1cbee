package csvimport_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/csvimport"
	"github.com/leadbot/leadbot/engine"
)

func TestTimezoneColumn(t *testing.T) {
	for _, header := range []string{"时区", "客户时区", "所在时区", "timezone", "Time Zone", "TZ"} {
		t.Run(header, func(t *testing.T) {
			got, sum := importLeads(t, "编号,公司,"+header+"\nL1,Acme, Europe/Berlin \n",
				csvimport.Options{})
			if len(sum.Rejected) > 0 {
				t.Fatalf("Rejected = %+v, want none", sum.Rejected)
			}
			want := lead("L1", "Acme")
			want.Timezone = "Europe/Berlin"
			if len(got) != 1 || !sameLead(got[0], want) {
				t.Errorf("leads = %+v, want [%+v]", got, want)
			}
		})
	}
	t.Run("mapped by name", func(t *testing.T) {
		got, _ := importLeads(t, "编号,公司,客户所在地时间\nL1,Acme,Asia/Tokyo\n",
			csvimport.Options{Mapping: map[string]string{"客户所在地时间": "timezone"}})
		if len(got) != 1 || got[0].Timezone != "Asia/Tokyo" || got[0].Attributes != nil {
			t.Errorf("leads = %+v, want one in Asia/Tokyo with no attributes", got)
		}
	})
	t.Run("not in history files", func(t *testing.T) {
		_, _, err := run(t, "公司,销售,结果,成交时间\nAcme,r1,赢单,2024-03-01\n",
			csvimport.History, csvimport.Options{Mapping: map[string]string{"公司": "timezone"}})
		if err == nil || !strings.Contains(err.Error(), "timezone") {
			t.Errorf("Import(history) mapping to timezone = %v, want an error naming timezone", err)
		}
	})
}

// validating is a sink that checks each lead as the engine does, so a
// rejection reads as it would against the store.
type validating struct{ fakeSink }

func (v *validating) IntakeBatch(_ context.Context, ins []engine.LeadInput,
	_ engine.IntakeOptions) ([]engine.IntakeResult, error) {
	res := make([]engine.IntakeResult, len(ins))
	for i, in := range ins {
		res[i].Err = in.Validate()
		res[i].Created = res[i].Err == nil
	}
	return res, nil
}

func TestTimezoneRejected(t *testing.T) {
	text := "编号,公司,时区\nL1,Acme,Asia/Shanghai\nL2,Beta,Mars/Olympus\n"
	sum, err := csvimport.Import(t.Context(), strings.NewReader(text), csvimport.Leads,
		&validating{}, csvimport.Options{})
	if err != nil {
		t.Fatalf("Import() error = %v", err)
	}
	want := csvimport.Summary{Imported: 1, Rejected: []csvimport.Rejection{{3,
		`column "时区": timezone: "Mars/Olympus" is not an IANA time zone such as Asia/Shanghai`}}}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
}
