package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// DueLeads finds only leads with a step due, so leads already chased as
// far as they go, or waiting for their next step, cannot fill a batch
// ahead of them.
func TestDueLeadsOnlyStepsDue(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		by := engine.DueBy{Remind: now.Add(24 * time.Hour),
			Alert: [3]time.Time{now, now.Add(-4 * time.Hour), now.Add(-24 * time.Hour)}}
		leads := []struct {
			name     string
			status   engine.Status
			due      time.Duration
			reminded bool
			tier     int
		}{
			{"done", engine.StatusAssigned, -48 * time.Hour, true, 3},
			{"tier3", engine.StatusAssigned, -25 * time.Hour, true, 2},
			{"tier2-sent", engine.StatusAssigned, -20 * time.Hour, true, 2},
			{"tier2", engine.StatusAssigned, -5 * time.Hour, true, 1},
			{"tier1-sent", engine.StatusAssigned, -2 * time.Hour, true, 1},
			{"tier1", engine.StatusAssigned, -time.Hour, true, 0},
			{"pooled", engine.StatusPool, -time.Hour, false, 0},
			{"reminded", engine.StatusAssigned, 10 * time.Hour, true, 0},
			{"remind", engine.StatusAssigned, 20 * time.Hour, false, 0},
			{"later", engine.StatusAssigned, 30 * time.Hour, false, 0},
		}
		names := map[engine.LeadID]string{}
		err := s.Update(ctx, func(tx engine.Tx) error {
			for _, c := range leads {
				due := now.Add(c.due)
				l := &engine.Lead{ExternalID: c.name, Status: c.status, Assignee: "a",
					DueAt: &due, Reminded: c.reminded, AlertTier: c.tier, Tier: engine.TierB,
					Profile: engine.Profile{Company: c.name}, CreatedAt: now, UpdatedAt: now}
				if c.status != engine.StatusAssigned {
					l.Assignee = ""
				}
				if err := tx.InsertLeads(ctx, []*engine.Lead{l}); err != nil {
					return err
				}
				names[l.ID] = c.name
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		for _, tt := range []struct {
			limit int
			want  []string
		}{
			{10, []string{"tier3", "tier2", "tier1", "remind"}},
			{2, []string{"tier3", "tier2"}},
		} {
			got, err := s.DueLeads(ctx, by, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var gotNames []string
			for _, l := range got {
				gotNames = append(gotNames, names[l.ID])
			}
			if !slices.Equal(gotNames, tt.want) {
				t.Errorf("DueLeads(limit %d) = %v, want %v", tt.limit, gotNames, tt.want)
			}
		}
	})
}

// StaleLeads finds only leads due a warning or due back in the pool, so
// owners warned already who still have time cannot fill a batch.
func TestStaleLeadsOnlyStepsDue(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		by := engine.StaleBy{Warn: now.Add(-48 * time.Hour), Recycle: now.Add(-72 * time.Hour)}
		ago := func(h int) *time.Time {
			t := now.Add(-time.Duration(h) * time.Hour)
			return &t
		}
		leads := []struct {
			name    string
			status  engine.Status
			held    *time.Time
			touched *time.Time
			warned  bool
		}{
			{"fresh", engine.StatusAssigned, ago(100), ago(1), false},
			{"warned-waiting", engine.StatusAssigned, ago(100), ago(50), true},
			{"warn", engine.StatusAssigned, ago(100), ago(50), false},
			{"untouched-warn", engine.StatusAssigned, ago(49), nil, false},
			{"untouched-waiting", engine.StatusAssigned, ago(60), nil, true},
			{"recycle", engine.StatusAssigned, ago(100), ago(73), true},
			{"untouched-recycle", engine.StatusAssigned, ago(80), nil, false},
			{"pooled", engine.StatusPool, ago(100), nil, false},
		}
		names := map[engine.LeadID]string{}
		err := s.Update(ctx, func(tx engine.Tx) error {
			for _, c := range leads {
				l := &engine.Lead{ExternalID: c.name, Status: c.status, Assignee: "a",
					HeldSince: c.held, TouchedAt: c.touched, RecycleWarned: c.warned,
					Tier: engine.TierB, Profile: engine.Profile{Company: c.name},
					CreatedAt: now, UpdatedAt: now}
				if c.status != engine.StatusAssigned {
					l.Assignee = ""
				}
				if err := tx.InsertLeads(ctx, []*engine.Lead{l}); err != nil {
					return err
				}
				names[l.ID] = c.name
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		for _, tt := range []struct {
			limit int
			want  []string
		}{
			{10, []string{"warn", "untouched-warn", "recycle", "untouched-recycle"}},
			{1, []string{"warn"}},
		} {
			got, err := s.StaleLeads(ctx, by, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var gotNames []string
			for _, l := range got {
				gotNames = append(gotNames, names[l.ID])
			}
			if !slices.Equal(gotNames, tt.want) {
				t.Errorf("StaleLeads(limit %d) = %v, want %v", tt.limit, gotNames, tt.want)
			}
		}
	})
}
