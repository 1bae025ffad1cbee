package storage_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// at is 2026-03-dd hh:00 UTC; March 2 is a Monday.
func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

func atp(day, hour int) *time.Time {
	t := at(day, hour)
	return &t
}

// healthSettings: business hours 09:00-18:00 Monday to Friday in UTC,
// tier A two touches a week (3.5 days), B one (7 days), a new customer
// three in the first week (56h), stalled after 7 days, untouched after
// 48h with 2 leads alerting.
func healthSettings(t *testing.T) insight.Settings {
	t.Helper()
	hours, err := engine.ParseBusinessHours("09:00-18:00", "mon-fri", nil)
	if err != nil {
		t.Fatal(err)
	}
	return insight.Settings{
		Thresholds:     insight.DefaultThresholds,
		StallAfter:     7 * 24 * time.Hour,
		UntouchedAfter: 48 * time.Hour,
		UntouchedCount: 2,
		Cadence: engine.Cadence{PerWeek: map[engine.Tier]int{engine.TierA: 2, engine.TierB: 1},
			NewCustomer: 3},
		Hours: hours,
		Zone:  time.UTC,
	}
}

// healthLead is a lead as the fixture stores it.
type healthLead struct {
	ext      string
	tier     engine.Tier
	status   engine.Status
	rep      engine.RepID
	customer engine.CustomerType
	due      *time.Time
	held     *time.Time
	accepted *time.Time
	touched  *time.Time
	closed   *time.Time
	amount   float64
}

// seedHealth stores the fixture every health test reads; the period is
// the week [March 2, March 9). It returns the leads' ids by external id.
//
// Reps: r1 (east), r2 (east, away, Asia/Shanghai), r3 (west), m1 (east
// manager). Leads:
//
//	L1  A assigned r1 due 3d12 accepted 3d10, held 2d09   on time
//	L2  B assigned r1 due 4d12 accepted 4d13, held 2d09   late
//	L3  C won r1      due 5d12 closed 5d11 (1000)         on time
//	L4  A assigned r2 due 6d12 never touched, held 20 Feb late
//	L5  B lost r3     due 1d12 (before) closed 7d10
//	L6  A assigned r3 due 9d00 (= to), new customer held 8d12
//	L7  A pool, due 3d12 (no holder: not a task)
//	L8  A standby
//	L9  C assigned r3 held 1d00, never touched
//	L10 A won r1 closed 8d10 (5000.5); held by r2 1d10-2d10, r1 from 2d10
//	L11 B won r3 closed 9d00 (= to: outside)
//	L12 B pool; held by r1 24 Feb 09:00 to 25 Feb 09:00
func seedHealth(t *testing.T, s *storage.Store) map[string]engine.LeadID {
	t.Helper()
	ctx := context.Background()
	reps := []engine.Rep{
		{ID: "r1", Name: "Rep One", Team: "east", Role: engine.RoleRep, Capacity: 9, Active: true},
		{ID: "r2", Name: "Rep Two", Team: "east", Role: engine.RoleRep, Capacity: 9, Active: true,
			Away: true, Timezone: "Asia/Shanghai"},
		{ID: "r3", Name: "Rep Three", Team: "west", Role: engine.RoleRep, Capacity: 9,
			Active: true},
		{ID: "m1", Name: "Boss", Team: "east", Role: engine.RoleManager, Capacity: 0, Active: true},
	}
	feb20, feb24, feb25 := time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 2, 24, 9, 0, 0, 0, time.UTC), time.Date(2026, 2, 25, 9, 0, 0, 0, time.UTC)
	leads := []healthLead{
		{ext: "L1", tier: "A", status: "assigned", rep: "r1", due: atp(3, 12), held: atp(2, 9),
			accepted: atp(3, 10), touched: atp(3, 10)},
		{ext: "L2", tier: "B", status: "assigned", rep: "r1", due: atp(4, 12), held: atp(2, 9),
			accepted: atp(4, 13), touched: atp(4, 13)},
		{ext: "L3", tier: "C", status: "won", rep: "r1", due: atp(5, 12), closed: atp(5, 11),
			amount: 1000},
		{ext: "L4", tier: "A", status: "assigned", rep: "r2", due: atp(6, 12), held: &feb20},
		{ext: "L5", tier: "B", status: "lost", rep: "r3", due: atp(1, 12), closed: atp(7, 10)},
		{ext: "L6", tier: "A", status: "assigned", rep: "r3", due: atp(9, 0), held: atp(8, 12),
			customer: engine.CustomerNew},
		{ext: "L7", tier: "A", status: "pool", due: atp(3, 12)},
		{ext: "L8", tier: "A", status: "standby"},
		{ext: "L9", tier: "C", status: "assigned", rep: "r3", held: atp(1, 0)},
		{ext: "L10", tier: "A", status: "won", rep: "r1", closed: atp(8, 10), amount: 5000.5},
		{ext: "L11", tier: "B", status: "won", rep: "r3", closed: atp(9, 0), amount: 9999},
		{ext: "L12", tier: "B", status: "pool"},
	}
	ids := map[string]engine.LeadID{}
	err := s.Update(ctx, func(tx engine.Tx) error {
		for _, r := range reps {
			if _, err := tx.PutRep(ctx, r); err != nil {
				return err
			}
		}
		for _, h := range leads {
			l := healthRow(h, feb20)
			if err := tx.InsertLeads(ctx, []*engine.Lead{&l}); err != nil {
				return err
			}
			ids[h.ext] = l.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	own := func(ext string, rep engine.RepID, start time.Time, end *time.Time) engine.Ownership {
		return engine.Ownership{LeadID: ids[ext], RepID: rep, How: engine.EventAssigned,
			StartedAt: start, EndedAt: end}
	}
	ev := func(ext string, e engine.Event, actor string, rep engine.RepID, t time.Time) engine.LeadEvent {
		return engine.LeadEvent{LeadID: ids[ext], At: t, Event: e, Actor: engine.Actor(actor),
			RepID: rep}
	}
	err = s.Update(ctx, func(tx engine.Tx) error {
		err := tx.StartOwnerships(ctx,
			own("L1", "r1", at(2, 9), nil),
			own("L2", "r1", at(2, 9), nil),
			own("L3", "r1", at(4, 11), atp(5, 11)),
			own("L4", "r2", feb20, nil),
			own("L5", "r3", at(5, 10), atp(7, 10)),
			own("L6", "r3", at(8, 12), nil),
			own("L9", "r3", at(1, 0), nil),
			own("L10", "r2", at(1, 10), atp(2, 10)),
			own("L10", "r1", at(2, 10), atp(8, 10)),
			own("L12", "r1", feb24, &feb25),
		)
		if err != nil {
			return err
		}
		return tx.AppendEvents(ctx,
			ev("L1", engine.EventAccepted, "r1", "r1", at(3, 10)),
			ev("L1", engine.EventProgress, "r3", "r3", at(2, 10)), // not the holder
			ev("L1", engine.EventDisputed, "r2", "r2", at(3, 11)), // 19:00 in Shanghai
			ev("L1", engine.EventReminded, "engine", "r1", at(3, 11)),
			ev("L1", engine.EventProgress, "r1", "r1", at(9, 0)), // at to: outside
			ev("L2", engine.EventAccepted, "r1", "r1", at(4, 13)),
			ev("L5", engine.EventProgress, "r3", "r3", at(5, 16)),
			ev("L10", engine.EventProgress, "r2", "r2", at(1, 12)),
			ev("L10", engine.EventAccepted, "r1", "r1", at(2, 14)),
			ev("L10", engine.EventProgress, "r1", "r1", at(7, 10)), // a Saturday
			ev("L12", engine.EventAccepted, "r1", "r1", feb24.Add(10*time.Hour)),
			ev("L12", engine.EventProgress, "r1", "r1", feb25.Add(24*time.Hour)),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	seedDeliveries(t, s, ids)
	return ids
}

func healthRow(h healthLead, created time.Time) engine.Lead {
	l := engine.Lead{ExternalID: h.ext, Tier: h.tier, Status: h.status, Assignee: h.rep,
		DueAt: h.due, HeldSince: h.held, AcceptedAt: h.accepted, TouchedAt: h.touched,
		ClosedAt: h.closed, CreatedAt: created, UpdatedAt: created,
		Profile: engine.Profile{Company: "Co " + h.ext, CustomerType: h.customer}}
	if l.CustomerType == "" {
		l.CustomerType = engine.CustomerExisting
	}
	if h.closed != nil {
		amount := h.amount
		l.ClosedAmount = &amount
	}
	return l
}

// seedDeliveries: the assignment of L1 reaches r1 on two platforms (2d09
// and 2d09:05), a reminder of L4 reaches r2 at 6d10, a reminder of L2
// reaches r1 at 4d12, and a change of L2 (not a call to act) at 4d09.
func seedDeliveries(t *testing.T, s *storage.Store, ids map[string]engine.LeadID) {
	t.Helper()
	ctx := context.Background()
	notices := []engine.Notice{
		{Key: "a1", Kind: engine.NoticeAssigned, LeadID: ids["L1"], To: "r1", At: at(2, 9)},
		{Key: "r4", Kind: engine.NoticeReminder, LeadID: ids["L4"], To: "r2", At: at(6, 10)},
		{Key: "c2", Kind: engine.NoticeLeadChanged, LeadID: ids["L2"], To: "r1", At: at(4, 9)},
		{Key: "r2", Kind: engine.NoticeReminder, LeadID: ids["L2"], To: "r1", At: at(4, 12)},
	}
	err := s.Update(ctx, func(tx engine.Tx) error { return tx.Enqueue(ctx, notices...) })
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.ClaimNotices(ctx, at(20, 0), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string][]time.Time{
		"a1": {at(2, 9), at(2, 9).Add(5 * time.Minute)},
		"r4": {at(6, 10)},
		"c2": {at(4, 9)},
		"r2": {at(4, 12)},
	}
	platforms := []string{"wecom", "console"}
	for _, it := range items {
		for i, when := range sent[it.Key] {
			d := engine.Delivery{OutboxID: it.ID, Platform: platforms[i], RepID: it.To,
				LeadID: it.LeadID, At: when}
			if err := s.RecordDelivery(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(items) != len(notices) {
		t.Fatalf("claimed %d notices, want %d", len(items), len(notices))
	}
}

// tileWant is what a test expects of one tile; a nil value expects no
// data.
type tileWant struct {
	value  *float64
	status insight.Status
	num    *float64
	den    *float64
}

func v(x float64) *float64 { return &x }

func checkTile(t *testing.T, where string, got insight.Tile, ok bool, want tileWant) {
	t.Helper()
	if !ok {
		t.Errorf("%s: no tile", where)
		return
	}
	if !sameNum(got.Value, want.value) || got.Status != want.status {
		t.Errorf("%s = %s %s, want %s %s", where, num(got.Value), got.Status,
			num(want.value), want.status)
	}
	if want.num != nil && (!sameNum(got.Numerator, want.num) || !sameNum(got.Denominator, want.den)) {
		t.Errorf("%s counts = %s / %s, want %s / %s", where, num(got.Numerator),
			num(got.Denominator), num(want.num), num(want.den))
	}
}

func sameNum(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func num(p *float64) string {
	if p == nil {
		return "none"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// TestHealthReport checks every tile of the fixture against figures
// worked out by hand in the comments.
func TestHealthReport(t *testing.T) {
	for _, page := range []int{500, 1} {
		t.Run(fmt.Sprintf("page %d", page), func(t *testing.T) {
			storage.SetInsightPage(t, page)
			testHealthReport(t)
		})
	}
}

func testHealthReport(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		seedHealth(t, s)
		clock := enginetest.NewClock(at(9, 0))
		r := insight.NewReporter(s, healthSettings(t), clock)
		rep, err := r.Health(context.Background(), insight.Query{From: at(2, 0), To: at(9, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Teams) != 2 || rep.Teams[0].Team != "east" || rep.Teams[1].Team != "west" {
			t.Fatalf("teams = %+v, want east and west", rep.Teams)
		}
		company, east, west := rep.Company, rep.Teams[0], rep.Teams[1]
		cases := []struct {
			scope insight.Scope
			tile  string
			want  tileWant
		}{
			// Due in the period with a holder: L1 (on time), L2 (late),
			// L3 (closed in time), L4 (late); L5 was due before, L6 at
			// to, L7 has no holder. 2/4 = 0.5, at or below 0.70: alert.
			{company, insight.TileCompletion, tileWant{v(0.5), insight.Alert, v(2), v(4)}},
			{east, insight.TileCompletion, tileWant{v(0.5), insight.Alert, v(2), v(4)}},
			{west, insight.TileCompletion, tileWant{nil, insight.NoData, v(0), v(0)}},
			// Open tier A: L1 (r1), L4 (r2 away), L6 (r3), L7 pooled, L8
			// standby; covered L1 and L6: 2/5. East L1, L4: 1/2. West 1/1.
			{company, insight.TileCoverage, tileWant{v(0.4), insight.Alert, v(2), v(5)}},
			{east, insight.TileCoverage, tileWant{v(0.5), insight.Alert, v(1), v(2)}},
			{west, insight.TileCoverage, tileWant{v(1), insight.Healthy, v(1), v(1)}},
			// Held: L1, L2, L4, L6, L9; silent since before 2d00: L4
			// (20 Feb), L9 (1d00). 2/5 = 0.4 alert; east 1/3 warning;
			// west 1/2 alert.
			{company, insight.TileStalled, tileWant{v(0.4), insight.Alert, v(2), v(5)}},
			{east, insight.TileStalled, tileWant{v(0.3333), insight.Warning, v(1), v(3)}},
			{west, insight.TileStalled, tileWant{v(0.5), insight.Alert, v(1), v(2)}},
			// Under a cadence: L1 (A, last 3d10, due by 5d12: behind),
			// L2 (B, 4d13 after 2d00: fine), L4 (A: behind), L6 (new, A,
			// held 8d12 after 6d16: fine); L9 (C) needs none. 2/4.
			{company, insight.TileUnfollowed, tileWant{v(0.5), insight.Alert, v(2), v(4)}},
			{east, insight.TileUnfollowed, tileWant{v(0.6667), insight.Alert, v(2), v(3)}},
			{west, insight.TileUnfollowed, tileWant{v(0), insight.Healthy, v(0), v(1)}},
			// First touches of holdings started in the period: L1 25h,
			// L2 52h, L10 (r1) 4h, L5 6h; L3 and L6 untouched. Median of
			// 4, 6, 25, 52 = 15.5h. East 4, 25, 52: 25h. West 6h.
			{company, insight.TileFirstTouch, tileWant{v(15.5), insight.Info, nil, nil}},
			{east, insight.TileFirstTouch, tileWant{v(25), insight.Info, nil, nil}},
			{west, insight.TileFirstTouch, tileWant{v(6), insight.Info, nil, nil}},
			// Closed in the period: L3 24h (4d11-5d11), L5 48h (5d10-7d10),
			// L10 168h (first held 1d10, closed 8d10). Medians 48, 96, 48.
			{company, insight.TileCycle, tileWant{v(48), insight.Info, nil, nil}},
			{east, insight.TileCycle, tileWant{v(96), insight.Info, nil, nil}},
			{west, insight.TileCycle, tileWant{v(48), insight.Info, nil, nil}},
			// Calls to act: L1's assignment 2d09 answered 3d10 (25h, the
			// second platform ignored), L2's reminder 4d12 answered 4d13
			// (1h), L4's reminder unanswered. Median 13h.
			{company, insight.TileReplyLatency, tileWant{v(13), insight.Info, nil, nil}},
			{west, insight.TileReplyLatency, tileWant{nil, insight.NoData, nil, nil}},
			// Won: L3 1000 + L10 5000.5 over three reps: 2000.17; east
			// over two: 3000.25; west 0 over one.
			{company, insight.TileRevenuePerRep, tileWant{v(2000.17), insight.Info, v(6000.5), v(3)}},
			{east, insight.TileRevenuePerRep, tileWant{v(3000.25), insight.Info, v(6000.5), v(2)}},
			{west, insight.TileRevenuePerRep, tileWant{v(0), insight.Info, v(0), v(1)}},
			// Closed: L3 won, L5 lost, L10 won; L11 at to is outside.
			{company, insight.TileConversion, tileWant{v(0.6667), insight.Info, v(2), v(3)}},
			{west, insight.TileConversion, tileWant{v(0), insight.Info, v(0), v(1)}},
			// Untouched since before 7d00: L1, L2 (r1), L4 (r2), L9 (r3).
			{company, insight.TileUntouched, tileWant{v(4), insight.Info, nil, nil}},
			// Previous week's first touches: L10 by r2 2h, L12 by r1 10h:
			// median 6h; 15.5 / 6 = 2.5833. East 25 / 6; west none before.
			{company, insight.TileSlowingReplies, tileWant{v(2.5833), insight.Alert, v(15.5), v(6)}},
			{east, insight.TileSlowingReplies, tileWant{v(4.1667), insight.Alert, v(25), v(6)}},
			{west, insight.TileSlowingReplies, tileWant{nil, insight.NoData, nil, nil}},
			// Reps' own acts in the period: r1 4 (one on Saturday), r2 1
			// (19:00 in Shanghai), r3 2. 2/7 = 0.2857 warning; east 2/5
			// alert; west 0/2 healthy.
			{company, insight.TileAfterHoursShare, tileWant{v(0.2857), insight.Warning, v(2), v(7)}},
			{east, insight.TileAfterHoursShare, tileWant{v(0.4), insight.Alert, v(2), v(5)}},
			{west, insight.TileAfterHoursShare, tileWant{v(0), insight.Healthy, v(0), v(2)}},
		}
		for _, c := range cases {
			got, ok := c.scope.Tile(c.tile)
			checkTile(t, "scope "+c.scope.Team+" "+c.tile, got, ok, c.want)
		}

		conv := company.Conversion
		if len(conv) != 3 || conv[0].Won != 1 || conv[0].Closed != 1 ||
			conv[1].Won != 0 || conv[1].Closed != 1 || conv[2].Won != 1 || conv[2].Closed != 1 {
			t.Errorf("conversion by tier = %+v, want A 1/1, B 0/1, C 1/1", conv)
		}
		checkReps(t, east, west)
	})
}

func checkReps(t *testing.T, east, west insight.Scope) {
	t.Helper()
	if len(east.Reps) != 2 || east.Reps[0].Rep != "r1" || east.Reps[1].Rep != "r2" {
		t.Fatalf("east reps = %+v, want r1 and r2 (not the manager)", east.Reps)
	}
	r1, r2, r3 := east.Reps[0], east.Reps[1], west.Reps[0]
	tile := func(r insight.RepHealth, id string) (insight.Tile, bool) {
		for _, x := range r.Tiles {
			if x.ID == id {
				return x, true
			}
		}
		return insight.Tile{}, false
	}
	cases := []struct {
		rep  insight.RepHealth
		tile string
		want tileWant
	}{
		// Two untouched leads with the rule at two: alert; one: warning.
		{r1, insight.TileUntouched, tileWant{v(2), insight.Alert, nil, nil}},
		{r2, insight.TileUntouched, tileWant{v(1), insight.Warning, nil, nil}},
		{r3, insight.TileUntouched, tileWant{v(1), insight.Warning, nil, nil}},
		{r1, insight.TileRevenue, tileWant{v(6000.5), insight.Info, nil, nil}},
		{r1, insight.TileUnfollowed, tileWant{v(0.5), insight.Alert, v(1), v(2)}},
		// r1: 25h now against 10h before.
		{r1, insight.TileSlowingReplies, tileWant{v(2.5), insight.Alert, v(25), v(10)}},
		{r2, insight.TileSlowingReplies, tileWant{nil, insight.NoData, nil, nil}},
		{r1, insight.TileAfterHoursShare, tileWant{v(0.25), insight.Warning, v(1), v(4)}},
		{r2, insight.TileAfterHoursShare, tileWant{v(1), insight.Alert, v(1), v(1)}},
		{r3, insight.TileAfterHoursShare, tileWant{v(0), insight.Healthy, v(0), v(2)}},
	}
	for _, c := range cases {
		got, ok := tile(c.rep, c.tile)
		checkTile(t, "rep "+string(c.rep.Rep)+" "+c.tile, got, ok, c.want)
	}
	if !r1.Overloaded || !r2.Overloaded || r3.Overloaded {
		t.Errorf("overloaded r1 %v r2 %v r3 %v, want true true false",
			r1.Overloaded, r2.Overloaded, r3.Overloaded)
	}
}

// A period that ended before the report: the state of held leads is
// not known then, so those tiles say so instead of showing today's.
func TestHealthReportPastPeriod(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		seedHealth(t, s)
		clock := enginetest.NewClock(at(20, 0))
		r := insight.NewReporter(s, healthSettings(t), clock)
		rep, err := r.Health(context.Background(), insight.Query{From: at(2, 0), To: at(9, 0)})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{insight.TileCoverage, insight.TileStalled,
			insight.TileUnfollowed, insight.TileUntouched} {
			got, _ := rep.Company.Tile(id)
			if got.Status != insight.NoData || got.Value != nil || got.Note == "" {
				t.Errorf("%s = %+v, want no data with a note", id, got)
			}
		}
		got, _ := rep.Company.Tile(insight.TileCompletion)
		if got.Value == nil || *got.Value != 0.5 {
			t.Errorf("completion = %s, want 0.5", num(got.Value))
		}
	})
}

// A week with nothing in it: every ratio and median has no data, none is
// 0%.
func TestHealthReportEmptyPeriod(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		seedHealth(t, s)
		from := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
		clock := enginetest.NewClock(at(9, 0))
		r := insight.NewReporter(s, healthSettings(t), clock)
		rep, err := r.Health(context.Background(),
			insight.Query{From: from, To: from.Add(7 * 24 * time.Hour), Team: "west"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Teams) != 1 || rep.Teams[0].Team != "west" {
			t.Fatalf("teams = %+v, want west only", rep.Teams)
		}
		for _, id := range []string{insight.TileCompletion, insight.TileFirstTouch,
			insight.TileCycle, insight.TileReplyLatency, insight.TileConversion,
			insight.TileSlowingReplies, insight.TileAfterHoursShare} {
			got, _ := rep.Teams[0].Tile(id)
			if got.Status != insight.NoData || got.Value != nil {
				t.Errorf("%s = %s %s, want no data", id, num(got.Value), got.Status)
			}
		}
	})
}

// Tasks stream in deadline order across pages, also where deadlines
// tie at a page's end; decisions in the order made.
func TestExportStreamsPages(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ids := seedHealth(t, s)
		ctx := context.Background()
		err := s.Update(ctx, func(tx engine.Tx) error {
			tie := healthRow(healthLead{ext: "L13", tier: "C", status: "assigned", rep: "r3",
				due: atp(3, 12), held: atp(2, 9)}, at(2, 9))
			if err := tx.InsertLeads(ctx, []*engine.Lead{&tie}); err != nil {
				return err
			}
			return tx.AppendDecisions(ctx,
				engine.LoggedDecision{LeadID: ids["L1"], Decision: engine.Decision{
					Strategy: "round-robin", RepID: "r1", At: at(2, 9)}},
				engine.LoggedDecision{LeadID: ids["L7"], Decision: engine.Decision{
					Strategy: "pool", At: at(3, 9)}},
				engine.LoggedDecision{LeadID: ids["L2"], Decision: engine.Decision{
					Strategy: "claim", RepID: "r1", At: at(9, 0)}},
			)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range []int{500, 2, 1} {
			storage.SetInsightPage(t, page)
			var got []string
			err := s.ExportTasks(ctx, at(1, 0), at(9, 1), func(l insight.TaskLine) error {
				got = append(got, l.Lead.ExternalID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// L5 due 1d12, L1 and L13 3d12 (L7 too, but pooled), L2 4d12,
			// L3 5d12, L4 6d12, L6 9d00.
			if want := "L5 L1 L13 L2 L3 L4 L6"; strings.Join(got, " ") != want {
				t.Errorf("page %d: tasks = %v, want %s", page, got, want)
			}
			got = nil
			err = s.ExportDecisions(ctx, at(2, 0), at(9, 0), func(d insight.DecisionLine) error {
				got = append(got, d.Company+"/"+d.Decision.Strategy)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := "Co L1/round-robin Co L7/pool"; strings.Join(got, " ") != want {
				t.Errorf("page %d: decisions = %v, want %s", page, got, want)
			}
		}
	})
}

// A trend gives each tile week by week: the week before the fixture's
// had L5 due (1d12) and not done in time, and closed nothing.
func TestHealthTrend(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		seedHealth(t, s)
		clock := enginetest.NewClock(at(9, 0))
		r := insight.NewReporter(s, healthSettings(t), clock)
		rep, err := r.Health(context.Background(),
			insight.Query{From: at(2, 0), To: at(9, 0), Weeks: 2})
		if err != nil {
			t.Fatal(err)
		}
		feb23 := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
		tests := []struct {
			scope insight.Scope
			tile  string
			want  []tileWant
		}{
			{rep.Company, insight.TileCompletion, []tileWant{{value: v(0), status: insight.Alert},
				{value: v(0.5), status: insight.Alert}}},
			// The earlier week's state is not kept.
			{rep.Company, insight.TileCoverage, []tileWant{{status: insight.NoData},
				{value: v(0.4), status: insight.Alert}}},
			{rep.Teams[1], insight.TileCycle, []tileWant{{status: insight.NoData},
				{value: v(48), status: insight.Info}}},
		}
		for _, tt := range tests {
			tile, _ := tt.scope.Tile(tt.tile)
			if len(tile.Trend) != 2 || !tile.Trend[0].From.Equal(feb23) ||
				!tile.Trend[1].To.Equal(at(9, 0)) {
				t.Errorf("%s %s trend = %+v, want two weeks from 23 Feb", tt.scope.Team, tt.tile,
					tile.Trend)
				continue
			}
			for i, w := range tt.want {
				p := tile.Trend[i]
				if !sameNum(p.Value, w.value) || p.Status != w.status {
					t.Errorf("%s %s week %d = %s %s, want %s %s", tt.scope.Team, tt.tile, i,
						num(p.Value), p.Status, num(w.value), w.status)
				}
			}
		}
		_, err = r.Health(context.Background(),
			insight.Query{From: at(2, 0), To: at(9, 0), Weeks: 27})
		if engine.FieldOf(err) != "trend" {
			t.Errorf("27 weeks: err = %v, want one on trend", err)
		}
	})
}

// The health report's scans of a period use an index on MySQL, so one
// report reads the period, not the whole history.
func TestHealthScansUseIndex(t *testing.T) {
	db := planDB(t)
	const period = " >= NOW() - INTERVAL 7 DAY AND %s < NOW()"
	scan := func(table, col, rest string) string {
		return "SELECT * FROM " + table + " WHERE " + col +
			fmt.Sprintf(period, col) + rest + " ORDER BY id LIMIT 500"
	}
	tests := []struct{ index, query string }{
		{"idx_leads_due_at", "SELECT assignee, COUNT(*) FROM leads WHERE due_at" +
			fmt.Sprintf(period, "due_at") + " AND assignee IS NOT NULL GROUP BY assignee"},
		{"idx_leads_closed", "SELECT assignee, tier, COUNT(*) FROM leads WHERE closed_at" +
			fmt.Sprintf(period, "closed_at") + " GROUP BY assignee, tier"},
		{"idx_leads_queue", "SELECT assignee, COUNT(*) FROM leads" +
			" WHERE status IN ('pool', 'standby', 'assigned') AND tier = 'A' GROUP BY assignee"},
		{"idx_ownerships_started_at", scan("ownerships", "started_at", "")},
		{"idx_deliveries_at", scan("deliveries", "at", "")},
		{"idx_lead_events_at", scan("lead_events", "at", "")},
		{"idx_decisions_at", scan("decisions", "at", "")},
	}
	for _, tt := range tests {
		if keys := explainKey(t, db, tt.query); !strings.Contains(keys, tt.index) {
			t.Errorf("EXPLAIN %s: possible keys %q, want %s", tt.query, keys, tt.index)
		}
	}
}
