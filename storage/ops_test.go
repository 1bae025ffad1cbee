package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// The backlog counts every pending notice, and dates it by the oldest
// one that is due or has been tried: sent and given-up notices are
// history, and one waiting out quiet hours untried is no backlog.
func TestOutboxBacklog(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		got, err := s.OutboxBacklog(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Pending != 0 || !got.Oldest.IsZero() {
			t.Errorf("OutboxBacklog(empty) = %+v, want nothing", got)
		}

		// A notice is due when queued, or held back until notBefore.
		notice := func(key string, queued, notBefore time.Duration) engine.Notice {
			n := engine.Notice{Key: key, Kind: engine.NoticeText, LeadID: 1, To: "r1",
				Text: key, At: now.Add(queued)}
			if notBefore != 0 {
				n.NotBefore = now.Add(notBefore)
			}
			return n
		}
		err = s.Update(ctx, func(tx engine.Tx) error {
			return tx.Enqueue(ctx,
				notice("given-up", -4*time.Hour, 0),
				notice("sent", -3*time.Hour, 0),
				notice("deferred", -2*time.Hour, 5*time.Hour),
				notice("retried", -30*time.Minute, 0),
				notice("due", -10*time.Minute, 0),
			)
		})
		if err != nil {
			t.Fatal(err)
		}
		// At 08:35 the three queued before then are due; "due" is not.
		items, err := s.ClaimNotices(ctx, now.Add(-25*time.Minute), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for _, it := range items {
			ids[it.Key] = it.ID
		}
		if len(ids) != 3 || ids["given-up"] == 0 || ids["sent"] == 0 || ids["retried"] == 0 {
			t.Fatalf("claimed %v, want given-up, sent and retried", ids)
		}
		failed := now.Add(-20 * time.Minute)
		if err := s.RetryNotice(ctx, ids["given-up"], failed, "gone", true); err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteNotice(ctx, ids["sent"], failed); err != nil {
			t.Fatal(err)
		}
		retry := now.Add(10 * time.Minute)
		if err := s.RetryNotice(ctx, ids["retried"], retry, "busy", false); err != nil {
			t.Fatal(err)
		}

		got, err = s.OutboxBacklog(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := now.Add(-30 * time.Minute); got.Pending != 3 || !got.Oldest.Equal(want) {
			t.Errorf("OutboxBacklog = %d pending, oldest %s; want 3, %s",
				got.Pending, got.Oldest, want)
		}
	})
}

// The scheduler's lag is dated by the lead longest past its deadline
// that has had no overdue alert, whether or not it was reminded first.
func TestOldestUnchased(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		leads := []struct {
			name     string
			status   engine.Status
			due      time.Duration
			reminded bool
			tier     int
		}{
			{"alerted", engine.StatusAssigned, -5 * time.Hour, true, 1},
			{"pooled", engine.StatusPool, -6 * time.Hour, false, 0},
			{"reminded", engine.StatusAssigned, -3 * time.Hour, true, 0},
			{"unreminded", engine.StatusAssigned, -2 * time.Hour, false, 0},
			{"not-due", engine.StatusAssigned, time.Hour, false, 0},
		}
		ids := map[string]engine.LeadID{}
		dues := map[string]time.Time{}
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
				ids[c.name], dues[c.name] = l.ID, due
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		check := func(want time.Time) {
			t.Helper()
			got, err := s.OldestUnchased(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Errorf("OldestUnchased = %s, want %s", got, want)
			}
		}
		check(now.Add(-3 * time.Hour))

		chase := func(name string) {
			t.Helper()
			err := s.Update(ctx, func(tx engine.Tx) error {
				ok, err := tx.MarkChased(ctx, ids[name], dues[name], 1)
				if err == nil && !ok {
					t.Fatalf("MarkChased(%s) = false", name)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		chase("reminded")
		check(now.Add(-2 * time.Hour))
		chase("unreminded")
		check(time.Time{})
	})
}

// The scrape-time reads use an index on MySQL, so that a scrape costs
// the pending notices and the overdue unalerted leads, not the tables.
func TestOpsReadsUseIndex(t *testing.T) {
	for _, q := range []struct{ query, index string }{
		{"SELECT count(*) FROM outbox WHERE status = 'pending'", "idx_outbox_due"},
		{"SELECT created_at FROM outbox WHERE status = 'pending' AND " +
			"(next_at <= NOW() OR attempts > 0) ORDER BY created_at LIMIT 1", "idx_outbox_due"},
		{"SELECT due_at FROM leads WHERE status = 'assigned' AND alert_tier = 0 AND " +
			"reminded = true AND due_at <= NOW() ORDER BY due_at LIMIT 1", "idx_leads_chase"},
	} {
		for _, row := range explainMySQL(t, q.query) {
			if !strings.Contains(row["possible_keys"], q.index) {
				t.Errorf("%s cannot use %s: %v", q.query, q.index, row)
			}
		}
	}
}
