package storage_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	// The baselines talk to each database through database/sql with
	// the drivers the store uses: "sqlite" and "mysql".
	_ "github.com/glebarez/go-sqlite"
	_ "github.com/go-sql-driver/mysql"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// The benchmarks below time one use case per iteration through
// engine.Service and the gorm store ("leadbot"), and beside it the same
// writes as one hand-written database/sql transaction ("baseline") on a
// database migrated the same way. Leadbot / baseline is the overhead we
// track. The baselines write only: the reads Leadbot makes inside its
// transactions (the external id lookup, the roster, the claimed lead and
// rep) are part of that overhead.

// sqliteWriterParams are the settings storage opens its SQLite writer
// with (see sqliteDSN in storage.go); keep the two in step.
const sqliteWriterParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"

const (
	// benchReps is how many reps intake-assign routes among.
	benchReps = 10
	// resetEvery is how many assignments pass, outside the timer, before
	// the reps' loads are set back to zero, so that no rep reaches
	// engine.MaxCapacity however many iterations run.
	resetEvery = 500
	// claimBatch is how many pooled leads one refill of BenchmarkClaim
	// creates outside the timer.
	claimBatch = 500
)

// benchEnv is a fresh, migrated database reached both ways.
type benchEnv struct {
	driver string
	svc    *engine.Service
	raw    *sql.DB
	reps   []engine.RepID
	// scoring is what the engine's default scorer makes of benchInput,
	// for the baselines to store.
	scoring engine.Scoring
}

func openBenchEnv(b *testing.B, driver string, mode engine.Mode, reps int) *benchEnv {
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

	p := engine.DefaultPolicy
	p.Mode = mode
	scorer := engine.GridScorer{Grid: engine.DefaultGrid, DefaultProbability: 0.2}
	env := &benchEnv{
		driver:  driver,
		svc:     engine.NewService(engine.Deps{Store: s, Policy: p}),
		raw:     raw,
		scoring: scorer.Score(benchInput(0).Profile),
	}
	for i := range reps {
		r := engine.Rep{ID: engine.RepID(fmt.Sprintf("r%02d", i)), Name: fmt.Sprintf("rep %d", i),
			Role: engine.RoleRep, Team: "east", Capacity: engine.MaxCapacity, Active: true}
		if _, err := env.svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			b.Fatalf("PutRep(%s): %v", r.ID, err)
		}
		env.reps = append(env.reps, r.ID)
	}
	return env
}

// openRaw opens database/sql on the database of o with the settings the
// store's writer has.
func openRaw(o storage.Options) (*sql.DB, error) {
	switch o.Driver {
	case storage.SQLite:
		db, err := sql.Open("sqlite", o.DSN+"?"+sqliteWriterParams)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		return db, nil
	case storage.MySQL:
		dsn, err := storage.MySQLDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		return db, nil
	}
	return nil, fmt.Errorf("unknown driver %q", o.Driver)
}

// firstTouch is how long an assigned bench lead has for its first
// follow-up.
func (e *benchEnv) firstTouch() time.Duration {
	return engine.DefaultPolicy.FirstTouch[e.scoring.Tier]
}

// resetLoads empties every rep's open task count.
func (e *benchEnv) resetLoads(b *testing.B) {
	b.Helper()
	if _, err := e.raw.Exec("UPDATE reps SET open_tasks = 0"); err != nil {
		b.Fatalf("reset rep loads: %v", err)
	}
}

// benchInput is the n-th lead handed in: a full profile, attributes
// included, with an external id of its own.
func benchInput(n int) engine.LeadInput {
	prob := 0.45
	return engine.LeadInput{ExternalID: "bench-" + strconv.Itoa(n), Profile: engine.Profile{
		Company:          "华东某医院 " + strconv.Itoa(n),
		Contact:          engine.Contact{Name: "王五", Phone: "13800000000"},
		Industry:         "medical",
		ProductLine:      "imaging",
		CustomerType:     engine.CustomerNew,
		CompanySize:      800,
		Region:           "east",
		ExpectedAmount:   120_000,
		CloseProbability: &prob,
		Source:           "web",
		Interactions:     2,
		Attributes:       map[string]any{"campaign": "spring-fair", "utm_source": "wechat"},
	}}
}

// intakeFunc takes in the n-th lead, routing it to rep unless rep is "".
type intakeFunc func(ctx context.Context, e *benchEnv, n int, rep engine.RepID) error

// BenchmarkIntake times taking in one new lead: "intake" in pool mode
// (no routing) with no reps on the roster, so no pool cards are queued;
// "intake-assign" in auto mode, where each lead goes to one of ten reps
// and the rep's load, the lead's ownership and the rep's assignment
// notice are written too.
func BenchmarkIntake(b *testing.B) {
	variants := []struct {
		name string
		mode engine.Mode
	}{
		{"intake", engine.ModePool},
		{"intake-assign", engine.ModeAuto},
	}
	for _, driver := range storagetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			for _, v := range variants {
				b.Run(v.name, func(b *testing.B) {
					b.Run("leadbot", func(b *testing.B) { benchIntake(b, driver, v.mode, intakeLeadbot) })
					b.Run("baseline", func(b *testing.B) { benchIntake(b, driver, v.mode, intakeBaseline) })
				})
			}
		})
	}
}

func benchIntake(b *testing.B, driver string, mode engine.Mode, intake intakeFunc) {
	reps := 0
	if mode == engine.ModeAuto {
		reps = benchReps
	}
	e := openBenchEnv(b, driver, mode, reps)
	ctx := context.Background()

	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		var rep engine.RepID
		if reps > 0 {
			if n%resetEvery == 0 {
				b.StopTimer()
				e.resetLoads(b)
				b.StartTimer()
			}
			rep = e.reps[n%reps]
		}
		if err := intake(ctx, e, n, rep); err != nil {
			b.Fatal(err)
		}
	}
}

// intakeLeadbot ignores rep: the engine routes by itself.
func intakeLeadbot(ctx context.Context, e *benchEnv, n int, rep engine.RepID) error {
	in := benchInput(n)
	l, created, err := e.svc.Intake(ctx, in, engine.ActorAPI)
	if err != nil {
		return err
	}
	want := engine.StatusPool
	if rep != "" {
		want = engine.StatusAssigned
	}
	if !created || l.Status != want {
		return fmt.Errorf("Intake(%s) = %s, created %t; want %s, created",
			in.ExternalID, l.Status, created, want)
	}
	return nil
}

// rawDecision is a decision as storage keeps it in JSON columns.
type rawDecision struct {
	Strategy   string         `json:"strategy"`
	RepID      string         `json:"rep_id,omitempty"`
	Reasons    []string       `json:"reasons"`
	Candidates []rawCandidate `json:"candidates,omitempty"`
	At         time.Time      `json:"at"`
}

type rawCandidate struct {
	RepID string  `json:"rep_id"`
	Score float64 `json:"score"`
}

const insertLeadSQL = "INSERT INTO leads (external_id, company, contact_name, contact_phone, " +
	"industry, product_line, customer_type, company_size, region, expected_amount, " +
	"close_probability, source, interactions, attributes, score, tier, status, assignee, " +
	"due_at, decision, progress, accepted_at, touched_at, created_at, updated_at, " +
	"closed_at, closed_amount) " +
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " +
	"0, NULL, NULL, ?, ?, NULL, NULL)"

const (
	insertEventSQL = "INSERT INTO lead_events (lead_id, `at`, event, actor, rep_id, detail) " +
		"VALUES (?, ?, ?, ?, ?, ?)"
	insertEventsSQL = "INSERT INTO lead_events (lead_id, `at`, event, actor, rep_id, detail) " +
		"VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)"
	insertDecisionSQL = "INSERT INTO decisions " +
		"(lead_id, `at`, strategy, rep_id, reasons, candidates) VALUES (?, ?, ?, ?, ?, ?)"
	insertOwnershipSQL = "INSERT INTO ownerships " +
		"(lead_id, rep_id, how, started_at, ended_at, end_reason) VALUES (?, ?, ?, ?, NULL, '')"
	reserveSQL = "UPDATE reps SET open_tasks = open_tasks + 1, last_assigned_at = ?, " +
		"updated_at = ? WHERE id = ? AND active AND open_tasks < capacity"
	claimLeadSQL = "UPDATE leads SET status = 'assigned', assignee = ?, due_at = ?, decision = ?, " +
		"progress = 0, accepted_at = NULL, touched_at = NULL, updated_at = ? " +
		"WHERE id = ? AND status = 'pool'"
	insertNoticeSQL = "INSERT INTO outbox (`key`, kind, lead_id, rep_id, `text`, args, status, " +
		"next_at, attempts, lease_until, last_error, created_at, completed_at) VALUES "
	noticeValues = "(?, ?, ?, ?, '', '', 'pending', ?, 0, NULL, '', ?, NULL)"
)

// intakeBaseline writes what Intake writes, in one transaction: the
// lead, its history and its decision, and when rep is set also the rep's
// load, the lead's ownership and the assignment notice.
func intakeBaseline(ctx context.Context, e *benchEnv, n int, rep engine.RepID) error {
	in := benchInput(n)
	now := time.Now().UTC().Truncate(time.Millisecond)
	tx, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	status, assignee, due := "pool", any(nil), any(nil)
	d := rawDecision{Strategy: "pool", At: now,
		Reasons: []string{"pool mode: every new lead goes to the open pool for reps to claim"}}
	if rep != "" {
		if err := reserve(ctx, tx, rep, now); err != nil {
			return err
		}
		status, assignee, due = "assigned", string(rep), now.Add(e.firstTouch())
		d = rawDecision{Strategy: "round-robin", RepID: string(rep), At: now, Reasons: []string{
			"round-robin: " + string(rep) + " has waited longest for a new lead among 10 reps with room",
			"load 0 of 1000"}}
		for _, r := range e.reps {
			d.Candidates = append(d.Candidates, rawCandidate{RepID: string(r), Score: 1})
		}
	}

	id, err := insertLead(ctx, tx, in, e.scoring, status, assignee, due, d)
	if err != nil {
		return err
	}
	note := "put in the open pool"
	if rep != "" {
		note = "assigned at once"
	}
	created := fmt.Sprintf("score %.1f, tier %s, %s", e.scoring.Score, e.scoring.Tier, note)
	if rep == "" {
		_, err = tx.ExecContext(ctx, insertEventSQL, id, now, "created", "api", "", created)
	} else {
		_, err := tx.ExecContext(ctx, insertOwnershipSQL, id, string(rep), "assigned", now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, insertEventsSQL,
			id, now, "created", "api", "", created,
			id, now, "assigned", "engine", string(rep), d.Reasons[0])
	}
	if err != nil {
		return err
	}
	if err := insertDecision(ctx, tx, id, d); err != nil {
		return err
	}
	if rep != "" {
		if err := e.enqueue(ctx, tx, id, now, rawNotice{"assigned", rep}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func insertLead(ctx context.Context, tx *sql.Tx, in engine.LeadInput, sc engine.Scoring,
	status string, assignee, due any, d rawDecision) (int64, error) {
	attrs, err := json.Marshal(in.Attributes)
	if err != nil {
		return 0, err
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return 0, err
	}
	p := in.Profile
	res, err := tx.ExecContext(ctx, insertLeadSQL,
		in.ExternalID, p.Company, p.Contact.Name, p.Contact.Phone,
		p.Industry, p.ProductLine, string(p.CustomerType), p.CompanySize, p.Region, p.ExpectedAmount,
		p.CloseProbability, p.Source, p.Interactions, string(attrs), sc.Score, string(sc.Tier),
		status, assignee, due, string(doc), d.At, d.At)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func insertDecision(ctx context.Context, tx *sql.Tx, lead int64, d rawDecision) error {
	reasons, err := json.Marshal(d.Reasons)
	if err != nil {
		return err
	}
	cands, err := json.Marshal(append([]rawCandidate{}, d.Candidates...))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, insertDecisionSQL, lead, d.At, d.Strategy, d.RepID,
		string(reasons), string(cands))
	return err
}

// rawNotice is a notice for the outbox: its kind and to whom.
type rawNotice struct {
	kind string
	to   engine.RepID
}

// enqueue adds notices about lead to the outbox in one statement,
// skipping a key that is there already, as storage's Enqueue does.
func (e *benchEnv) enqueue(ctx context.Context, tx *sql.Tx, lead int64, at time.Time,
	notices ...rawNotice) error {
	q := insertNoticeSQL + strings.Repeat(noticeValues+", ", len(notices)-1) + noticeValues
	if e.driver == storage.SQLite {
		q += " ON CONFLICT (`key`) DO NOTHING"
	} else {
		q += " ON DUPLICATE KEY UPDATE id = id"
	}
	args := make([]any, 0, 6*len(notices))
	for _, n := range notices {
		key := fmt.Sprintf("%s:L%d:%s:%d", n.kind, lead, n.to, at.UnixMilli())
		args = append(args, key, n.kind, lead, string(n.to), at, at)
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

func reserve(ctx context.Context, tx *sql.Tx, rep engine.RepID, now time.Time) error {
	return execOne(ctx, tx, "reserve capacity of "+string(rep), reserveSQL, now, now, string(rep))
}

// execOne runs a conditional UPDATE that must match exactly one row.
func execOne(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%s: %d rows matched, want 1", what, n)
	}
	return nil
}

// claimFunc gives the pooled lead id to rep.
type claimFunc func(ctx context.Context, e *benchEnv, id engine.LeadID, rep engine.RepID) error

// BenchmarkClaim times a rep claiming one pooled lead. The leads are
// pooled beforehand, claimBatch at a time, outside the timer.
func BenchmarkClaim(b *testing.B) {
	for _, driver := range storagetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			b.Run("leadbot", func(b *testing.B) { benchClaim(b, driver, claimLeadbot) })
			b.Run("baseline", func(b *testing.B) { benchClaim(b, driver, claimBaseline) })
		})
	}
}

func benchClaim(b *testing.B, driver string, claim claimFunc) {
	e := openBenchEnv(b, driver, engine.ModePool, 1)
	rep := e.reps[0]
	ctx := context.Background()

	b.ReportAllocs()
	var pool []engine.LeadID
	n := 0
	for b.Loop() {
		if len(pool) == 0 {
			pool = e.refill(b, &n)
		}
		if err := claim(ctx, e, pool[0], rep); err != nil {
			b.Fatal(err)
		}
		pool = pool[1:]
	}
}

// refill pools claimBatch new leads and frees the reps' capacity, with
// the timer stopped, and returns the new leads' ids.
func (e *benchEnv) refill(b *testing.B, n *int) []engine.LeadID {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	e.resetLoads(b)

	ins := make([]engine.LeadInput, claimBatch)
	for i := range ins {
		*n++
		ins[i] = benchInput(*n)
	}
	opt := engine.IntakeOptions{Actor: engine.ActorAPI}
	res, err := e.svc.IntakeBatch(context.Background(), ins, opt)
	if err != nil {
		b.Fatalf("pool %d leads: %v", len(ins), err)
	}
	ids := make([]engine.LeadID, len(res))
	for i, r := range res {
		if r.Err != nil || r.Lead.Status != engine.StatusPool {
			b.Fatalf("pool lead %s = %s, %v; want pool", ins[i].ExternalID, r.Lead.Status, r.Err)
		}
		ids[i] = r.Lead.ID
	}
	return ids
}

func claimLeadbot(ctx context.Context, e *benchEnv, id engine.LeadID, rep engine.RepID) error {
	l, err := e.svc.Claim(ctx, id, rep, engine.Actor(rep))
	if err != nil {
		return err
	}
	if l.Status != engine.StatusAssigned || l.Assignee != rep {
		return fmt.Errorf("Claim(%s, %s) = %s to %q, want assigned to %s",
			id, rep, l.Status, l.Assignee, rep)
	}
	return nil
}

// claimBaseline writes what Claim writes, in one transaction: the lead
// and the rep's load, each changed only if its condition holds, then the
// ownership, the history line, the decision and two notices (to the
// new owner, and to refresh the lead's cards).
func claimBaseline(ctx context.Context, e *benchEnv, id engine.LeadID, rep engine.RepID) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	tx, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	d := rawDecision{Strategy: "claim", RepID: string(rep), At: now,
		Reasons: []string{"claimed from the open pool by rep " + string(rep), "load 1 of 1000"}}
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	err = execOne(ctx, tx, "claim lead "+id.String(), claimLeadSQL,
		string(rep), now.Add(e.firstTouch()), string(doc), now, int64(id))
	if err != nil {
		return err
	}
	if err := reserve(ctx, tx, rep, now); err != nil {
		return err
	}

	_, err = tx.ExecContext(ctx, insertOwnershipSQL, int64(id), string(rep), "claimed", now)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, insertEventSQL,
		int64(id), now, "claimed", string(rep), string(rep), d.Reasons[0])
	if err != nil {
		return err
	}
	if err := insertDecision(ctx, tx, int64(id), d); err != nil {
		return err
	}
	err = e.enqueue(ctx, tx, int64(id), now, rawNotice{"assigned", rep}, rawNotice{"lead_changed", ""})
	if err != nil {
		return err
	}
	return tx.Commit()
}
