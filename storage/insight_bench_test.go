package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// The health benchmark's company: healthBenchReps reps, and
// healthBenchWeeks weeks of history with healthBenchPerWeek leads
// assigned, followed up and closed each week.
const (
	healthBenchReps    = 100
	healthBenchWeeks   = 50
	healthBenchPerWeek = 400
)

// BenchmarkHealthReport times one week's health report of a company
// with a year of history ("leadbot"); beside it, reading every lead once
// ("baseline"), the least a report that loaded the history whole would
// do. The ratio says how much of the history one report reads.
func BenchmarkHealthReport(b *testing.B) {
	for _, driver := range storagetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			s, end := openHealthBench(b, driver)
			r := insight.NewReporter(s, insight.Settings{Thresholds: insight.DefaultThresholds,
				Cadence: engine.DefaultCadence}, enginetest.NewClock(end))
			q := insight.Query{From: end.Add(-7 * 24 * time.Hour), To: end}
			b.Run("leadbot", func(b *testing.B) {
				for b.Loop() {
					rep, err := r.Health(context.Background(), q)
					if err != nil {
						b.Fatal(err)
					}
					if t, _ := rep.Company.Tile(insight.TileCompletion); t.Denominator == nil ||
						*t.Denominator != healthBenchPerWeek {
						b.Fatalf("completion counts %+v, want %d due", t, healthBenchPerWeek)
					}
				}
			})
			b.Run("baseline", func(b *testing.B) {
				for b.Loop() {
					n := 0
					var after engine.LeadID
					for {
						page, err := s.Leads(context.Background(),
							engine.LeadFilter{AfterID: after, Limit: 1000})
						if err != nil {
							b.Fatal(err)
						}
						if len(page) == 0 {
							break
						}
						n += len(page)
						after = page[len(page)-1].ID
					}
					if n != healthBenchWeeks*healthBenchPerWeek {
						b.Fatalf("read %d leads, want %d", n, healthBenchWeeks*healthBenchPerWeek)
					}
				}
			})
		})
	}
}

// openHealthBench stores the company and returns the end of its last
// week. Each lead is held for a day from its week's Monday, accepted
// after two hours, due after four and closed at the end of the day.
func openHealthBench(b *testing.B, driver string) (*storage.Store, time.Time) {
	b.Helper()
	ctx := context.Background()
	s := storagetest.Open(b, driver)
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx engine.Tx) error {
		for i := range healthBenchReps {
			r := engine.Rep{ID: engine.RepID(fmt.Sprintf("r%03d", i)), Name: "rep",
				Team: fmt.Sprintf("team%d", i%10), Role: engine.RoleRep, Capacity: 50,
				Active: true}
			if _, err := tx.PutRep(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for w := range healthBenchWeeks {
		monday := start.Add(time.Duration(w) * 7 * 24 * time.Hour)
		if err := seedBenchWeek(ctx, s, w, monday); err != nil {
			b.Fatal(err)
		}
	}
	return s, start.Add(healthBenchWeeks*7*24*time.Hour - 9*time.Hour)
}

func seedBenchWeek(ctx context.Context, s *storage.Store, w int, monday time.Time) error {
	return s.Update(ctx, func(tx engine.Tx) error {
		leads := make([]*engine.Lead, healthBenchPerWeek)
		for i := range leads {
			rep := engine.RepID(fmt.Sprintf("r%03d", i%healthBenchReps))
			held, acc := monday, monday.Add(2*time.Hour)
			due, closed := monday.Add(4*time.Hour), monday.Add(8*time.Hour)
			amount := 1000.0
			leads[i] = &engine.Lead{ExternalID: fmt.Sprintf("w%d-%d", w, i), Tier: engine.TierB,
				Status: engine.StatusWon, Assignee: rep, DueAt: &due, HeldSince: &held,
				AcceptedAt: &acc, TouchedAt: &acc, ClosedAt: &closed, ClosedAmount: &amount,
				CreatedAt: held, UpdatedAt: closed,
				Profile: engine.Profile{Company: "Co", CustomerType: engine.CustomerExisting}}
		}
		if err := tx.InsertLeads(ctx, leads); err != nil {
			return err
		}
		var owns []engine.Ownership
		var events []engine.LeadEvent
		for _, l := range leads {
			end := *l.ClosedAt
			owns = append(owns, engine.Ownership{LeadID: l.ID, RepID: l.Assignee,
				How: engine.EventAssigned, StartedAt: *l.HeldSince, EndedAt: &end})
			events = append(events, engine.LeadEvent{LeadID: l.ID, At: *l.AcceptedAt,
				Event: engine.EventAccepted, Actor: engine.Actor(l.Assignee), RepID: l.Assignee})
		}
		if err := tx.StartOwnerships(ctx, owns...); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, events...)
	})
}
