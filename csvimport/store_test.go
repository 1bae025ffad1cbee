package csvimport_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/leadbot/leadbot/csvimport"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Imports through the real engine and store: rows keep the API's
// validation and idempotency, a dry run stores nothing, and a second
// import of the same file creates nothing.
func TestImportIntoStore(t *testing.T) {
	file := "外部编号,客户名称,行业,预计金额,成交概率,客户类型\n" +
		"c-1,华东某医院,medical,30万,80%,新客户\n" +
		"c-2,,medical,1000,10%,新客户\n" +
		"c-3,上海某工厂,manufacturing,5000,20%,老客户\n" +
		"c-1,华东某医院(重复),medical,1,1%,新客户\n"
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc := engine.NewService(engine.Deps{Store: s})
		rep := engine.Rep{ID: "r1", Name: "张三", Role: engine.RoleRep, Capacity: 5, Active: true}
		if _, err := svc.PutRep(ctx, rep, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}

		dry, err := csvimport.Import(ctx, bytes.NewReader(gbk(t, file)), csvimport.Leads, svc,
			csvimport.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if leads, _ := svc.Leads(ctx, engine.LeadFilter{}); len(leads) != 0 || dry.Imported != 2 {
			t.Fatalf("dry run: imported %d and stored %d leads, want 2 and 0", dry.Imported, len(leads))
		}

		sum, err := csvimport.Import(ctx, bytes.NewReader(gbk(t, file)), csvimport.Leads, svc, csvimport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Imported != 2 || sum.Duplicates != 1 || len(sum.Rejected) != 1 || sum.Rejected[0].Line != 3 {
			t.Errorf("import = %+v, want 2 imported, 1 duplicate, line 3 rejected", sum)
		}
		leads, err := svc.Leads(ctx, engine.LeadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(leads) != 2 || leads[0].Company != "华东某医院" || leads[0].Tier != engine.TierA ||
			leads[0].Status != engine.StatusAssigned {
			t.Fatalf("stored leads = %+v, want c-1 as an assigned tier A lead and c-3", leads)
		}

		again, err := csvimport.Import(ctx, bytes.NewReader(gbk(t, file)), csvimport.Leads, svc, csvimport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Imported != 0 || again.Duplicates != 3 {
			t.Errorf("second import = %+v, want 0 imported and 3 duplicates", again)
		}
	})
}

func TestImportHistoryIntoStore(t *testing.T) {
	file := "\ufeff客户名称,销售,结果,成交金额,成交时间,行业\n" +
		"甲医院,r1,赢单,120000,2026-06-30,medical\n" +
		"乙医院,ghost,输单,0,2026-06-30,medical\n"
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc := engine.NewService(engine.Deps{Store: s})
		rep := engine.Rep{ID: "r1", Name: "张三", Role: engine.RoleRep, Capacity: 5, Active: false}
		if _, err := svc.PutRep(ctx, rep, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		sum, err := csvimport.Import(ctx, strings.NewReader(file), csvimport.History, svc, csvimport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Imported != 1 || len(sum.Rejected) != 1 || sum.Rejected[0].Line != 3 ||
			!strings.Contains(sum.Rejected[0].Reason, "ghost") {
			t.Errorf("history import = %+v, want 1 imported and line 3 rejected for rep ghost", sum)
		}
	})
}

// BenchmarkImport100k imports 100,000 leads into each database. The
// budget is a minute per run on the CI machine.
func BenchmarkImport100k(b *testing.B) {
	const rows = 100_000
	var buf bytes.Buffer
	buf.WriteString("线索编号,客户名称,行业,预算,赢率,大区\n")
	for i := range rows {
		fmt.Fprintf(&buf, "b-%d,北京星辰科技有限公司%d,制造,%d,%d%%,华东\n", i, i, 1000+i%900000, i%100)
	}
	data := buf.Bytes()
	for _, driver := range storagetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				b.StopTimer()
				s := storagetest.Open(b, driver)
				svc := engine.NewService(engine.Deps{Store: s,
					Policy: engine.Policy{Mode: engine.ModePool, FirstTouch: engine.DefaultPolicy.FirstTouch}})
				b.StartTimer()
				sum, err := csvimport.Import(b.Context(), bytes.NewReader(data), csvimport.Leads, svc, csvimport.Options{})
				if err != nil || sum.Imported != rows {
					b.Fatalf("import = %d imported, %v", sum.Imported, err)
				}
			}
			b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
