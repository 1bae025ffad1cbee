package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// BenchmarkSchedulerScans times the scheduler's deadline tick over a
// million open tasks on MySQL, beside the one indexed query the tick
// boils down to, sent by hand through database/sql in the same run.
//
// The million leads are seeded once per run of the benchmark, with
// multi-row INSERTs outside the timer, as the scheduler left them one
// tick earlier: deadlines are spread evenly from three days ago to a week
// ahead, and every reminder and alert due before that tick went out. So
// the tick finds what one minute brings at that rate, about 70 leads
// each for the reminder and the three alert tiers. After each timed tick
// those leads are put back and what the tick wrote is removed, outside
// the timer.
func BenchmarkSchedulerScans(b *testing.B) {
	f := seedScanFixture(b, scanLeads)
	ctx := context.Background()

	b.Run("deadlines/tick", func(b *testing.B) {
		var sent int
		for b.Loop() {
			n, err := f.svc.ScanDeadlines(ctx)
			if err != nil {
				b.Fatal(err)
			}
			sent = n
			b.StopTimer()
			if n != f.dueCount() {
				b.Fatalf("ScanDeadlines queued %d notices, want one for each of the %d leads due",
					n, f.dueCount())
			}
			f.restore(b)
			b.StartTimer()
		}
		b.ReportMetric(float64(sent), "notices")
		b.ReportMetric(float64(f.dueCount()), "due")
	})
	b.Run("deadlines/raw-tick", func(b *testing.B) {
		var sent int
		for b.Loop() {
			sent = f.rawTick(b)
			b.StopTimer()
			if sent != f.dueCount() {
				b.Fatalf("hand-written tick queued %d notices, want %d", sent, f.dueCount())
			}
			f.restore(b)
			b.StartTimer()
		}
		b.ReportMetric(float64(sent), "notices")
	})
	b.Run("deadlines/store", func(b *testing.B) {
		var got int
		for b.Loop() {
			leads, err := f.store.DueLeads(ctx, f.dueBy(), 500)
			if err != nil {
				b.Fatal(err)
			}
			got = len(leads)
		}
		b.ReportMetric(float64(got), "leads")
	})
	b.Run("deadlines/raw", func(b *testing.B) {
		var got int
		for b.Loop() {
			got = f.rawRows(b, dueLeadsSQL, dbArgs(f.dueArgs())...)
		}
		b.ReportMetric(float64(got), "leads")
	})
	// A recycling tick warns the owners of leads idle past the warning.
	b.Run("recycle/tick", func(b *testing.B) {
		var acted int
		for b.Loop() {
			n, err := f.svc.ScanRecycling(ctx)
			if err != nil {
				b.Fatal(err)
			}
			acted = n
			b.StopTimer()
			if n != len(f.toWarn) {
				b.Fatalf("ScanRecycling acted on %d leads, want the %d due a warning",
					n, len(f.toWarn))
			}
			f.restore(b)
			b.StartTimer()
		}
		b.ReportMetric(float64(acted), "warned")
		b.ReportMetric(float64(len(f.toWarn)), "due")
	})
	// Recycling lists the leads idle past the warning, by id.
	b.Run("recycle/store", func(b *testing.B) {
		var got int
		for b.Loop() {
			leads, err := f.store.StaleLeads(ctx, f.staleBy(), 500)
			if err != nil {
				b.Fatal(err)
			}
			got = len(leads)
		}
		b.ReportMetric(float64(got), "leads")
	})
	b.Run("recycle/raw", func(b *testing.B) {
		var got int
		for b.Loop() {
			got = f.rawRows(b, staleLeadsSQL, dbArgs(f.staleArgs())...)
		}
		b.ReportMetric(float64(got), "leads")
	})
	// Half the reps have room for one more, and nothing waits: the drain
	// reads the roster and finds no standby lead.
	b.Run("standby/drain", func(b *testing.B) {
		for b.Loop() {
			if err := f.svc.DrainStandby(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The query the recycling scan made before idx_leads_idle: every lead
	// idle past the warning, warned or not.
	b.Run("recycle/raw-before", func(b *testing.B) {
		var got int
		for b.Loop() {
			got = f.rawRows(b, staleLeadsBeforeSQL, dbArgs(f.staleBeforeArgs())...)
		}
		b.ReportMetric(float64(got), "leads")
	})
	// The query the scan made before idx_leads_chase: every assigned lead
	// due by the reminder cutoff that is not fully chased, most of them
	// with nothing due.
	b.Run("deadlines/raw-before", func(b *testing.B) {
		var got int
		for b.Loop() {
			got = f.rawRows(b, dueLeadsBeforeSQL, dbArgs(f.dueBeforeArgs())...)
		}
		b.ReportMetric(float64(got), "leads")
	})
}

// The recycling policy of the scan benchmarks, the configuration's
// default.
const (
	recycleAfter   = 72 * time.Hour
	recycleWarning = 24 * time.Hour
)

// scanLeads is how many open tasks the scan benchmarks seed.
const scanLeads = 1_000_000

// The roster of the scan benchmarks: teams of ten, each with a team lead
// and a manager.
const (
	scanReps = 1_000
	teamSize = 10
)

// scanFixture is a seeded MySQL store and the same database through
// database/sql.
type scanFixture struct {
	store *storage.Store
	svc   *engine.Service
	raw   *sql.DB
	now   time.Time
	// due are the leads a tick finds, by the state to put them back in.
	due map[chaseState][]int64
	// toWarn are the leads whose recycle warning a tick finds due.
	toWarn []int64
	// lastEvent and lastNotice are the highest ids before any tick.
	lastEvent, lastNotice int64
}

// chaseState is what the scheduler recorded on a lead.
type chaseState struct {
	reminded bool
	tier     int
}

func seedScanFixture(b *testing.B, n int) *scanFixture {
	b.Helper()
	ctx := context.Background()
	o := storagetest.Options(b, storage.MySQL)
	s, err := storage.Open(ctx, o)
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	// The scan before idx_leads_chase takes longer than the store's read
	// timeout at this size; the hand-written queries may take their time.
	cfg, err := gomysql.ParseDSN(o.DSN)
	if err != nil {
		b.Fatal(err)
	}
	cfg.ReadTimeout = 10 * time.Minute
	raw, err := openRaw(storage.Options{Driver: storage.MySQL, DSN: cfg.FormatDSN()})
	if err != nil {
		b.Fatalf("open database/sql: %v", err)
	}
	b.Cleanup(func() { raw.Close() })

	// A Wednesday morning in Shanghai, outside quiet hours.
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	f := &scanFixture{store: s, raw: raw, now: now, due: map[chaseState][]int64{}}
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.RecycleAfter, p.RecycleWarning = recycleAfter, recycleWarning
	f.svc = engine.NewService(engine.Deps{Store: s, Policy: p, Clock: enginetest.NewClock(now)})

	start := time.Now()
	f.seedReps(b)
	f.seedLeads(b, n)
	b.Logf("seeded %d reps and %d leads in %s", scanReps, n, time.Since(start).Round(time.Second))
	for _, row := range []struct {
		q    string
		args []any
	}{
		{dueLeadsSQL, dbArgs(f.dueArgs())},
		{dueLeadsBeforeSQL, dbArgs(f.dueBeforeArgs())},
		{staleLeadsSQL, dbArgs(f.staleArgs())},
		{staleLeadsBeforeSQL, dbArgs(f.staleBeforeArgs())},
	} {
		f.explain(b, row.q, row.args...)
	}
	return f
}

func (f *scanFixture) seedReps(b *testing.B) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("INSERT INTO reps (id, name, team, role, level, capacity, open_tasks, " +
		"industries, regions, timezone, active, language, away, created_at, updated_at) VALUES ")
	var args []any
	for i := range scanReps {
		role := engine.RoleRep
		switch i % teamSize {
		case 0:
			role = engine.RoleLead
		case 1:
			role = engine.RoleManager
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, scanRepID(i), "rep "+strconv.Itoa(i),
			"team-"+strconv.Itoa(i/teamSize), string(role), "senior", engine.MaxCapacity,
			engine.MaxCapacity-i%2, `["medical","retail"]`, `["east"]`, "Asia/Shanghai",
			true, "", false, f.now, f.now)
	}
	if _, err := f.raw.Exec(sb.String(), args...); err != nil {
		b.Fatalf("seed reps: %v", err)
	}
}

func scanRepID(i int) string { return fmt.Sprintf("r%04d", i) }

// seedBatch is how many leads one INSERT carries.
const seedBatch = 2_000

const seedLeadCols = "INSERT INTO leads (external_id, company, contact_name, contact_phone, " +
	"industry, product_line, customer_type, company_size, region, expected_amount, source, " +
	"interactions, attributes, score, tier, status, assignee, due_at, decision, progress, " +
	"touched_at, reminded, alert_tier, held_since, recycle_warned, created_at, updated_at) VALUES "

// seedLeadRow is the placeholders of one row: seedLeadCols has 27.
var seedLeadRow = "(?" + strings.Repeat(", ?", 26) + ")"

// seedLeads inserts n assigned leads whose deadlines are spread evenly
// over ten days around now, in an order unrelated to their ids, each
// chased as a tick one minute before now left it.
func (f *scanFixture) seedLeads(b *testing.B, n int) {
	b.Helper()
	const span = 10 * 24 * time.Hour
	first := f.now.Add(-3 * 24 * time.Hour)
	prev := f.now.Add(-time.Minute)
	sched := engine.DefaultSchedule
	tiers := []engine.Tier{engine.TierA, engine.TierB, engine.TierB, engine.TierC, engine.TierC}

	stmt := seedLeadCols + strings.Repeat(seedLeadRow+", ", seedBatch-1) + seedLeadRow
	args := make([]any, 0, 27*seedBatch)
	for i := range n {
		// 999,983 is prime, so i -> slot is a permutation of the deadlines.
		slot := int64(i) * 999_983 % int64(n)
		due := first.Add(time.Duration(slot) * (span / time.Duration(n))).Truncate(time.Millisecond)
		assigned := due.Add(-48 * time.Hour)
		if assigned.After(f.now.Add(-time.Hour)) {
			assigned = f.now.Add(-time.Hour)
		}
		was := chaseState{reminded: !prev.Before(due.Add(-sched.RemindBefore)),
			tier: overdueTier(sched, due, prev)}
		if now := (chaseState{reminded: !f.now.Before(due.Add(-sched.RemindBefore)),
			tier: overdueTier(sched, due, f.now)}); now != was {
			f.due[was] = append(f.due[was], int64(i+1))
		}
		owner := scanRepID(teamSize*(i%(scanReps/teamSize)) + 2 + i%(teamSize-2))
		decision := fmt.Sprintf(`{"strategy":"expertise-value-load","rep_id":%q,`+
			`"reasons":["行业匹配 medical","负载 %d/%d"],"load":%d,"at":%q}`,
			owner, i%40, engine.MaxCapacity, i%40, assigned.Format(time.RFC3339Nano))
		// Owners last followed up at some point of the last 50 hours, and
		// those idle past the recycle warning were warned a tick ago.
		touched := assigned
		ago := time.Duration(int64(i)*7919%3000) * time.Minute
		if t := f.now.Add(-ago); t.After(assigned) {
			touched = t
		}
		warnBy := -(recycleAfter - recycleWarning)
		warned := !touched.After(prev.Add(warnBy))
		if !warned && !touched.After(f.now.Add(warnBy)) {
			f.toWarn = append(f.toWarn, int64(i+1))
		}
		args = append(args,
			"scan-"+strconv.Itoa(i), "华东某医院 "+strconv.Itoa(i), "王五",
			fmt.Sprintf("138%08d", i), "medical", "imaging", "new", 800, "east",
			120_000.0, "web", 2, `{"campaign":"spring-fair"}`, 60.0+float64(i%40),
			string(tiers[i%len(tiers)]), string(engine.StatusAssigned), owner, due, decision,
			0, touched, was.reminded, was.tier, assigned, warned, assigned, assigned)
		if len(args) == cap(args) || i == n-1 {
			q := stmt
			if len(args) < cap(args) {
				rows := len(args) / 27
				q = seedLeadCols + strings.Repeat(seedLeadRow+", ", rows-1) + seedLeadRow
			}
			if _, err := f.raw.Exec(q, args...); err != nil {
				b.Fatalf("seed leads: %v", err)
			}
			args = args[:0]
		}
	}
	for q, to := range map[string]*int64{
		"SELECT COALESCE(MAX(id), 0) FROM lead_events": &f.lastEvent,
		"SELECT COALESCE(MAX(id), 0) FROM outbox":      &f.lastNotice,
	} {
		if err := f.raw.QueryRow(q).Scan(to); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := f.raw.Exec("ANALYZE TABLE leads"); err != nil {
		b.Fatal(err)
	}
}

// overdueTier mirrors the scheduler's tiers: 1 when due, 2 after
// EscalateLeadAfter, 3 after EscalateManagerAfter.
func overdueTier(sc engine.Schedule, due, at time.Time) int {
	switch late := at.Sub(due); {
	case late >= sc.EscalateManagerAfter:
		return 3
	case late >= sc.EscalateLeadAfter:
		return 2
	case late >= 0:
		return 1
	}
	return 0
}

// restore puts the leads one tick chased back as they were seeded and
// removes the history lines and notices it wrote.
func (f *scanFixture) restore(b *testing.B) {
	b.Helper()
	for st, ids := range f.due {
		q := "UPDATE leads SET reminded = ?, alert_tier = ? WHERE id IN (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		args := []any{st.reminded, st.tier}
		for _, id := range ids {
			args = append(args, id)
		}
		if _, err := f.raw.Exec(q, args...); err != nil {
			b.Fatalf("restore leads: %v", err)
		}
	}
	q := "UPDATE leads SET recycle_warned = ? WHERE id IN (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(f.toWarn)), ", ") + ")"
	args := []any{false}
	for _, id := range f.toWarn {
		args = append(args, id)
	}
	if _, err := f.raw.Exec(q, args...); err != nil {
		b.Fatalf("restore warnings: %v", err)
	}
	if _, err := f.raw.Exec("DELETE FROM lead_events WHERE id > ?", f.lastEvent); err != nil {
		b.Fatal(err)
	}
	if _, err := f.raw.Exec("DELETE FROM outbox WHERE id > ?", f.lastNotice); err != nil {
		b.Fatal(err)
	}
}

// rawTick is the deadline tick by hand in database/sql: the indexed
// query, the roster once, then per lead one transaction of the
// conditional update, its history line and its notice, as the engine
// writes them. It returns how many notices it queued.
func (f *scanFixture) rawTick(b *testing.B) int {
	b.Helper()
	type due struct {
		id       int64
		owner    string
		at       time.Time
		reminded bool
		tier     int
	}
	rows, err := f.raw.Query("SELECT id, assignee, due_at, reminded, alert_tier"+
		strings.TrimPrefix(dueLeadsSQL, "SELECT *"), dbArgs(f.dueArgs())...)
	if err != nil {
		b.Fatal(err)
	}
	var leads []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.owner, &d.at, &d.reminded, &d.tier); err != nil {
			b.Fatal(err)
		}
		leads = append(leads, d)
	}
	rows.Close()
	team := map[string]string{}
	heads := map[string]map[engine.Role]string{}
	reps, err := f.raw.Query("SELECT id, team, role FROM reps WHERE active")
	if err != nil {
		b.Fatal(err)
	}
	for reps.Next() {
		var id, tm, role string
		if err := reps.Scan(&id, &tm, &role); err != nil {
			b.Fatal(err)
		}
		team[id] = tm
		if heads[tm] == nil {
			heads[tm] = map[engine.Role]string{}
		}
		heads[tm][engine.Role(role)] = id
	}
	reps.Close()

	sent := 0
	now := dbArgs([]any{f.now})[0]
	for _, d := range leads {
		tier := overdueTier(engine.DefaultSchedule, d.at, f.now)
		to, kind, event := d.owner, "reminder", "reminded"
		switch tier {
		case 1:
			kind, event = "alert", "alerted"
		case 2:
			to, kind, event = heads[team[d.owner]][engine.RoleLead], "alert", "alerted"
		case 3:
			to, kind, event = heads[team[d.owner]][engine.RoleManager], "alert", "alerted"
		}
		tx, err := f.raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		res, err := tx.Exec("UPDATE leads SET reminded = ?, alert_tier = ? "+
			"WHERE id = ? AND status = ? AND due_at = ? AND alert_tier < ?",
			true, tier, d.id, string(engine.StatusAssigned), d.at, max(tier, 1))
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			b.Fatalf("lead %d was not marked chased", d.id)
		}
		if _, err := tx.Exec("INSERT INTO lead_events "+
			"(lead_id, `at`, event, actor, rep_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
			d.id, now, event, "engine", d.owner,
			"逾期 "+strconv.Itoa(tier)); err != nil {
			b.Fatal(err)
		}
		key := fmt.Sprintf("%s:%d:%d:%s:%d", kind, tier, d.id, to, d.at.UnixMilli())
		if _, err := tx.Exec("INSERT INTO outbox (`key`, kind, lead_id, rep_id, text, args, "+
			"status, next_at, attempts, created_at) "+
			"VALUES (?, ?, ?, ?, ?, '', 'pending', ?, 0, ?) "+
			"ON DUPLICATE KEY UPDATE id = id",
			key, kind, d.id, to, strconv.Itoa(tier), now, now); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		sent++
	}
	return sent
}

// dueCount is how many leads a tick should chase.
func (f *scanFixture) dueCount() int {
	n := 0
	for _, ids := range f.due {
		n += len(ids)
	}
	return n
}

// rawRows runs q and reads every column of every row, as a driver
// hands them over, and returns how many rows came back.
func (f *scanFixture) rawRows(b *testing.B, q string, args ...any) int {
	b.Helper()
	rows, err := f.raw.Query(q, args...)
	if err != nil {
		b.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		b.Fatal(err)
	}
	vals := make([]sql.RawBytes, len(cols))
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

// explain logs MySQL's plan for q, for docs/benchmarks.md.
func (f *scanFixture) explain(b *testing.B, q string, args ...any) {
	b.Helper()
	rows, err := f.raw.Query("EXPLAIN "+q, args...)
	if err != nil {
		b.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		var parts []string
		for i, c := range cols {
			parts = append(parts, c+"="+vals[i].String)
		}
		b.Logf("EXPLAIN %s\n  %s", q, strings.Join(parts, " "))
	}
}

// dbArgs turns times into the UTC milliseconds the store writes.
func dbArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			a = t.UTC().Truncate(time.Millisecond)
		}
		out[i] = a
	}
	return out
}

// dueLeadsSQL is the statement the store's DueLeads sends.
const dueLeadsSQL = "SELECT * FROM `leads` WHERE status = ? AND (" +
	"(alert_tier = 0 AND reminded = ? AND due_at <= ?)" +
	" OR (alert_tier = 0 AND reminded = ? AND due_at <= ?)" +
	" OR (alert_tier = 1 AND reminded = ? AND due_at <= ?)" +
	" OR (alert_tier = 1 AND reminded = ? AND due_at <= ?)" +
	" OR (alert_tier = 2 AND reminded = ? AND due_at <= ?)" +
	" OR (alert_tier = 2 AND reminded = ? AND due_at <= ?)" +
	") ORDER BY due_at,id LIMIT 500"

func (f *scanFixture) dueBy() engine.DueBy {
	sc := engine.DefaultSchedule
	return engine.DueBy{Remind: f.now.Add(sc.RemindBefore), Alert: [3]time.Time{
		f.now, f.now.Add(-sc.EscalateLeadAfter), f.now.Add(-sc.EscalateManagerAfter)}}
}

func (f *scanFixture) dueArgs() []any {
	by := f.dueBy()
	return []any{string(engine.StatusAssigned), false, by.Remind, true, by.Alert[0],
		false, by.Alert[1], true, by.Alert[1], false, by.Alert[2], true, by.Alert[2]}
}

// dueLeadsBeforeSQL is the statement DueLeads sent before it named the
// step due.
const dueLeadsBeforeSQL = "SELECT * FROM `leads` WHERE (status = ? AND due_at <= ?) " +
	"AND (reminded = ? OR alert_tier < ?) ORDER BY due_at LIMIT 500"

func (f *scanFixture) dueBeforeArgs() []any {
	return []any{string(engine.StatusAssigned), f.dueBy().Remind, false, 3}
}

// staleLeadsSQL is the statement the store's StaleLeads sends.
const staleLeadsSQL = "SELECT * FROM `leads` WHERE status = ? AND (" +
	"(recycle_warned = ? AND touched_at IS NULL AND held_since <= ?)" +
	" OR (recycle_warned = ? AND touched_at <= ?)" +
	" OR (recycle_warned = ? AND touched_at IS NULL AND held_since <= ?)" +
	" OR (recycle_warned = ? AND touched_at <= ?)" +
	") ORDER BY id LIMIT 500"

func (f *scanFixture) staleBy() engine.StaleBy {
	return engine.StaleBy{Warn: f.now.Add(-(recycleAfter - recycleWarning)),
		Recycle: f.now.Add(-recycleAfter)}
}

func (f *scanFixture) staleArgs() []any {
	by := f.staleBy()
	return []any{string(engine.StatusAssigned), false, by.Warn, false, by.Warn,
		true, by.Recycle, true, by.Recycle}
}

// staleLeadsBeforeSQL is the statement StaleLeads sent before it named
// the step due.
const staleLeadsBeforeSQL = "SELECT * FROM `leads` WHERE status = ? AND " +
	"((touched_at IS NULL AND held_since <= ?) OR touched_at <= ?) ORDER BY id LIMIT 500"

func (f *scanFixture) staleBeforeArgs() []any {
	before := f.staleBy().Warn
	return []any{string(engine.StatusAssigned), before, before}
}
