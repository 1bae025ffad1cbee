package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// lagBenchLeads is how many held leads, due beyond the reminder window
// and none lagging, one scan of BenchmarkLagScan reads.
const lagBenchLeads = 2000

// BenchmarkLagScan times one ScanDeadlines over lagBenchLeads held
// leads due in 100 hours with progress 50% an hour after assignment, so
// that the lag scan reads every one of them, in pages, and alerts none
// ("leadbot"); beside it, one database/sql query of the same rows with
// every column scanned ("baseline").
func BenchmarkLagScan(b *testing.B) {
	for _, driver := range storagetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			svc, raw, at := openLagBench(b, driver)
			b.Run("leadbot", func(b *testing.B) {
				for b.Loop() {
					n, err := svc.ScanDeadlines(context.Background())
					if err != nil || n != 0 {
						b.Fatalf("scan = %d, %v; want nothing sent", n, err)
					}
				}
			})
			b.Run("baseline", func(b *testing.B) {
				for b.Loop() {
					if n := rawLagScan(b, raw, at); n != lagBenchLeads {
						b.Fatalf("baseline read %d leads, want %d", n, lagBenchLeads)
					}
				}
			})
		})
	}
}

func openLagBench(b *testing.B, driver string) (*engine.Service, *sql.DB, time.Time) {
	b.Helper()
	ctx := context.Background()
	o := storagetest.Options(b, driver)
	s, err := storage.Open(ctx, o)
	if err != nil {
		b.Fatalf("open %s store: %v", driver, err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatalf("migrate %s store: %v", driver, err)
	}
	raw, err := openRaw(o)
	if err != nil {
		b.Fatalf("open %s with database/sql: %v", driver, err)
	}
	b.Cleanup(func() { raw.Close() })

	start := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	clock := enginetest.NewClock(start)
	p := engine.DefaultPolicy
	p.Mode, p.Schedule.LagAlert = engine.ModeAuto, 0.2
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	for i := range benchReps {
		r := engine.Rep{ID: engine.RepID(fmt.Sprintf("r%02d", i)), Name: fmt.Sprintf("rep %d", i),
			Role: engine.RoleRep, Team: "east", Capacity: engine.MaxCapacity, Active: true}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			b.Fatalf("PutRep(%s): %v", r.ID, err)
		}
	}
	due := start.Add(100 * time.Hour)
	ins := make([]engine.LeadInput, lagBenchLeads)
	for i := range ins {
		ins[i] = benchInput(i)
		ins[i].DueAt = &due
	}
	if _, err := svc.IntakeBatch(ctx, ins, engine.IntakeOptions{Actor: engine.ActorAPI}); err != nil {
		b.Fatalf("take in %d leads: %v", len(ins), err)
	}
	if _, err := raw.Exec("UPDATE leads SET progress = 50"); err != nil {
		b.Fatalf("set progress: %v", err)
	}
	clock.Set(start.Add(time.Hour))
	return svc, raw, clock.Now().Add(engine.DefaultSchedule.RemindBefore)
}

// rawLagScan reads the leads the lag scan reads, in one query, and
// returns how many there were.
func rawLagScan(b *testing.B, raw *sql.DB, after time.Time) int {
	b.Helper()
	rows, err := raw.Query("SELECT * FROM leads WHERE status = 'assigned' AND due_at >= ? "+
		"AND alert_tier < 2 AND progress <= 80 ORDER BY due_at, id", after.UTC())
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
