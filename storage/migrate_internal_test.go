package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// A database from before cadences had cadence_at: migrating adds it and
// starts each held lead's cadence from its latest touch, or when its
// owner got it; a later migration leaves the column alone.
func TestMigrateStartsCadence(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Driver: SQLite, DSN: filepath.Join(t.TempDir(), "old.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	held := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	touched := held.Add(5 * time.Hour)
	rows := []leadRow{
		{ExternalID: "held", Company: "a", Tier: "A", Status: "assigned", HeldSince: &held},
		{ExternalID: "touched", Company: "b", Tier: "A", Status: "assigned", HeldSince: &held,
			TouchedAt: &touched},
		{ExternalID: "pooled", Company: "c", Tier: "B", Status: "pool"},
	}
	for i := range rows {
		rows[i].CreatedAt, rows[i].UpdatedAt = held, held
	}
	if err := s.w.Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
	m := s.w.Migrator()
	if err := m.DropIndex(&leadRow{}, "idx_leads_cadence"); err != nil {
		t.Fatal(err)
	}
	if err := m.DropColumn(&leadRow{}, "CadenceAt"); err != nil {
		t.Fatal(err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]*time.Time{"held": &held, "touched": &touched, "pooled": nil}
	check := func(when string) {
		t.Helper()
		for ext, w := range want {
			var got leadRow
			if err := s.w.Where("external_id = ?", ext).Take(&got).Error; err != nil {
				t.Fatal(err)
			}
			if (got.CadenceAt == nil) != (w == nil) || (w != nil && !got.CadenceAt.Equal(*w)) {
				t.Errorf("%s: lead %s cadence_at = %v, want %v", when, ext, got.CadenceAt, w)
			}
		}
	}
	check("after the migration")

	if err := s.w.Model(&leadRow{}).Where("external_id = ?", "held").
		Update("cadence_at", nil).Error; err != nil {
		t.Fatal(err)
	}
	want["held"] = nil
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	check("after a second migration")
}
