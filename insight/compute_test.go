package insight

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

func TestJudgeAtThresholds(t *testing.T) {
	f := Floor{Healthy: 0.85, Warning: 0.70}
	c := Ceiling{Alert: 0.35, Warning: 0.25}
	tests := []struct {
		name string
		got  Status
		want Status
	}{
		{"floor above healthy", f.judge(0.8501), Healthy},
		{"floor at healthy", f.judge(0.85), Warning},
		{"floor at warning", f.judge(0.70), Alert},
		{"floor zero", f.judge(0), Alert},
		{"ceiling above alert", c.judge(0.3501), Alert},
		{"ceiling at alert", c.judge(0.35), Warning},
		{"ceiling at warning", c.judge(0.25), Healthy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("status = %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name string
		in   []time.Duration
		want time.Duration
		ok   bool
	}{
		{"none", nil, 0, false},
		{"one", []time.Duration{3 * h}, 3 * h, true},
		{"odd, unsorted", []time.Duration{5 * h, h, 2 * h}, 2 * h, true},
		{"even: mean of the middle two", []time.Duration{4 * h, h}, 150 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := median(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("median(%v) = %s %v, want %s %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// monday is 2026-03-02 00:00 UTC, a Monday.
var monday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func week(asOf time.Time) Period {
	return Period{From: monday, To: monday.Add(7 * 24 * time.Hour), AsOf: asOf}
}

// Holdings count in the period they start in, [from, to): one starting
// exactly at from is this period's, one at to is nobody's, one at the
// previous period's start is the previous period's.
func TestHoldingPeriodBoundaries(t *testing.T) {
	p := week(monday.Add(7 * 24 * time.Hour))
	b := NewBuilder(Settings{Thresholds: DefaultThresholds}, p,
		[]engine.Rep{{ID: "r1", Role: engine.RoleRep, Team: "t"}})
	touch := func(start time.Time, after time.Duration) Holding {
		ft := start.Add(after)
		return Holding{Rep: "r1", Start: start, FirstTouch: &ft}
	}
	b.AddHolding(touch(p.From, time.Hour))
	b.AddHolding(touch(p.To, 50*time.Hour))
	b.AddHolding(touch(p.Previous().From, 4*time.Hour))
	b.AddHolding(touch(p.From.Add(-time.Millisecond), 8*time.Hour))
	// Touched only after the report was made: still pending.
	b.AddHolding(touch(p.From.Add(time.Hour), 8*24*time.Hour))
	r := b.Report("")
	ft, _ := r.Company.Tile(TileFirstTouch)
	if ft.Value == nil || *ft.Value != 1 || *ft.Samples != 1 || *ft.Pending != 1 {
		t.Errorf("first touch = %+v, want 1h of one sample, one pending", ft)
	}
	// Previous period: 4h and 8h, median 6h; 1h / 6h = 0.1667.
	sl, _ := r.Company.Tile(TileSlowingReplies)
	if sl.Value == nil || *sl.Value != 0.1667 || sl.Status != Healthy || *sl.Denominator != 6 {
		t.Errorf("slowing replies = %+v, want 0.1667 healthy over 6h", sl)
	}
}

// Acts are after hours outside 09:00-18:00 Monday to Friday in the
// rep's own time zone, the installation's for a rep without one.
func TestAfterHours(t *testing.T) {
	hours, err := engine.ParseBusinessHours("09:00-18:00", "mon-fri", nil)
	if err != nil {
		t.Fatal(err)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	reps := []engine.Rep{{ID: "utc"}, {ID: "sh", Timezone: "Asia/Shanghai"}}
	b := NewBuilder(Settings{Hours: hours, Zone: time.UTC}, week(monday), reps)
	tests := []struct {
		rep  engine.RepID
		at   time.Time
		want bool
	}{
		{"utc", monday.Add(9 * time.Hour), false},
		{"utc", monday.Add(18*time.Hour - time.Millisecond), false},
		{"utc", monday.Add(18 * time.Hour), true},
		{"utc", monday.Add(9*time.Hour - time.Millisecond), true},
		{"utc", monday.Add(5*24*time.Hour + 10*time.Hour), true}, // Saturday
		// 01:00 UTC is 09:00 in Shanghai; 10:00 UTC is 18:00 there.
		{"sh", monday.Add(time.Hour), false},
		{"sh", monday.Add(10 * time.Hour), true},
		{"sh", time.Date(2026, 3, 2, 12, 0, 0, 0, shanghai), false},
	}
	for _, tt := range tests {
		if got := b.afterHours(Action{Rep: tt.rep, At: tt.at}); got != tt.want {
			t.Errorf("afterHours(%s at %s) = %v, want %v", tt.rep, tt.at, got, tt.want)
		}
	}
	// Without business hours nothing is after hours.
	plain := NewBuilder(Settings{}, week(monday), reps)
	if plain.afterHours(Action{Rep: "utc", At: monday.Add(3 * time.Hour)}) {
		t.Error("afterHours without business hours = true, want false")
	}
}

func TestCadenceRules(t *testing.T) {
	asOf := monday.Add(7 * 24 * time.Hour)
	got := CadenceRules(engine.DefaultCadence, asOf)
	since := asOf.Add(-7 * 24 * time.Hour)
	// DefaultCadence: A 2 a week, B 1, C none, a new customer 3 in the
	// first week: 56h for new customers of every tier, 84h for A, 168h
	// for B.
	want := []CadenceRule{
		{Tier: engine.TierA, NewSince: &since, Before: asOf.Add(-56 * time.Hour)},
		{Tier: engine.TierA, Before: asOf.Add(-84 * time.Hour)},
		{Tier: engine.TierB, NewSince: &since, Before: asOf.Add(-56 * time.Hour)},
		{Tier: engine.TierB, Before: asOf.Add(-168 * time.Hour)},
		{Tier: engine.TierC, NewSince: &since, Before: asOf.Add(-56 * time.Hour)},
	}
	if len(got) != len(want) {
		t.Fatalf("CadenceRules = %d rules, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Tier != w.Tier || !g.Before.Equal(w.Before) ||
			(g.NewSince == nil) != (w.NewSince == nil) ||
			(g.NewSince != nil && !g.NewSince.Equal(*w.NewSince)) {
			t.Errorf("rule %d = %+v, want %+v", i, g, w)
		}
	}
}

// With nothing to count every tile has no data, no tile divides by
// zero, and the report still encodes as JSON (a NaN would not).
func TestEmptyReport(t *testing.T) {
	reps := []engine.Rep{{ID: "r1", Team: "east", Role: engine.RoleRep, Active: true}}
	b := NewBuilder(Settings{Thresholds: DefaultThresholds}, week(monday), reps)
	r := b.Report("")
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("encode empty report: %v", err)
	}
	info := map[string]bool{TileRevenuePerRep: true, TileUntouched: true}
	for _, tile := range r.Company.Tiles {
		switch {
		case info[tile.ID]:
			if tile.Value == nil || *tile.Value != 0 {
				t.Errorf("%s = %+v, want 0 (a count, or no revenue of one rep)", tile.ID, tile)
			}
		case tile.Status != NoData || tile.Value != nil:
			t.Errorf("%s = %+v, want no data", tile.ID, tile)
		}
	}
	if len(r.Teams) != 1 || len(r.Teams[0].Reps) != 1 {
		t.Errorf("teams = %+v, want east with r1", r.Teams)
	}
}
