package insight

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// fakeExporter serves fixed rows.
type fakeExporter struct {
	reps      []engine.Rep
	tasks     []TaskLine
	decisions []DecisionLine
	err       error
}

func (f fakeExporter) Reps(context.Context) ([]engine.Rep, error) { return f.reps, nil }

func (f fakeExporter) ExportTasks(
	_ context.Context,
	_, _ time.Time,
	fn func(TaskLine) error,
) error {
	for _, t := range f.tasks {
		if err := fn(t); err != nil {
			return err
		}
	}
	return f.err
}

func (f fakeExporter) ExportDecisions(
	_ context.Context,
	_, _ time.Time,
	fn func(DecisionLine) error,
) error {
	for _, d := range f.decisions {
		if err := fn(d); err != nil {
			return err
		}
	}
	return f.err
}

func TestWriteTasksBytes(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	due := time.Date(2026, 3, 3, 20, 0, 0, 0, cst) // 12:00 UTC
	acc := due.Add(-2 * time.Hour)
	closed := due.Add(time.Hour)
	amt := 1234.5
	src := fakeExporter{
		reps: []engine.Rep{{ID: "r1", Team: "华东"}},
		tasks: []TaskLine{
			{Lead: engine.Lead{ID: 1, ExternalID: "crm-1", Tier: "A", Status: "assigned",
				Progress: 40, Profile: engine.Profile{Company: `Acme, "Big" Co`}},
				Assignee: "r1", DueAt: due, AcceptedAt: &acc, TouchedAt: &acc},
			{Lead: engine.Lead{ID: 2, ExternalID: "crm-2", Tier: "B", Status: "won",
				Profile: engine.Profile{Company: "上海\n医院"}},
				Assignee: "r9", DueAt: due, ClosedAt: &closed, ClosedAmount: &amt},
			{Lead: engine.Lead{ID: 3, ExternalID: "crm-3", Tier: "C", Status: "assigned",
				Profile: engine.Profile{Company: "Later Ltd"}},
				Assignee: "r1", DueAt: due.Add(48 * time.Hour)},
		},
	}
	var b bytes.Buffer
	asOf := due.Add(24 * time.Hour)
	if err := WriteTasks(context.Background(), &b, src, due, due, asOf); err != nil {
		t.Fatal(err)
	}
	want := "\xEF\xBB\xBF" +
		"lead_id,external_id,company,tier,status,assignee,team,due_at,accepted_at," +
		"touched_at,progress,closed_at,closed_amount,on_time\r\n" +
		`1,crm-1,"Acme, ""Big"" Co",A,assigned,r1,华东,2026-03-03T12:00:00Z,` +
		"2026-03-03T10:00:00Z,2026-03-03T10:00:00Z,40,,,yes\r\n" +
		// Inside a quoted field, too, a line ends in CRLF.
		"2,crm-2,\"上海\r\n医院\",B,won,r9,,2026-03-03T12:00:00Z,,,0," +
		"2026-03-03T13:00:00Z,1234.50,no\r\n" +
		"3,crm-3,Later Ltd,C,assigned,r1,华东,2026-03-05T12:00:00Z,,,0,,,pending\r\n"
	if got := b.String(); got != want {
		t.Errorf("tasks.csv =\n%q\nwant\n%q", got, want)
	}
}

func TestWriteDecisionsBytes(t *testing.T) {
	at := time.Date(2026, 3, 3, 9, 30, 0, 0, time.UTC)
	src := fakeExporter{
		reps: []engine.Rep{{ID: "r1", Team: "east"}},
		decisions: []DecisionLine{
			{ID: 7, LeadID: 1, Company: "Acme\r\nGroup", Decision: engine.Decision{
				Strategy: "expertise-value-load", RepID: "r1", At: at,
				Reasons:    []string{"medical win rate 41%", `load "3" of 8`},
				Candidates: []engine.Candidate{{RepID: "r1", Score: 0.82}, {RepID: "r2", Score: 0.5}},
				Inputs:     &engine.DecisionInputs{Score: 87.5, Tier: "A"},
			}},
			{ID: 8, LeadID: 2, Company: "Pool Co", Decision: engine.Decision{
				Strategy: "pool", At: at}},
		},
	}
	var b bytes.Buffer
	if err := WriteDecisions(context.Background(), &b, src, at, at); err != nil {
		t.Fatal(err)
	}
	want := "\xEF\xBB\xBF" +
		"decision_id,at,lead_id,company,strategy,rep_id,team,score,tier,experiment,arm," +
		"reasons,candidates\r\n" +
		"7,2026-03-03T09:30:00Z,1,\"Acme\r\nGroup\",expertise-value-load,r1,east,87.5000,A,,," +
		`"medical win rate 41%; load ""3"" of 8",r1:0.8200 r2:0.5000` + "\r\n" +
		"8,2026-03-03T09:30:00Z,2,Pool Co,pool,,,,,,,,\r\n"
	if got := b.String(); got != want {
		t.Errorf("decisions.csv =\n%q\nwant\n%q", got, want)
	}
}

func TestWriteMetricsBytes(t *testing.T) {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	r := Report{From: from, To: from.Add(24 * time.Hour), AsOf: from.Add(24 * time.Hour),
		Company: Scope{
			Tiles: []Tile{
				floorTile(TileCompletion, 6, 7, Floor{Healthy: 0.85, Warning: 0.7}),
				medianTile(TileFirstTouch, nil, ptr(2)),
			},
			Conversion: []TierConversion{{Tier: "A", Won: 1, Closed: 2, Rate: ptr(0.5)}},
		},
		Teams: []Scope{{Team: "east, north", Reps: []RepHealth{{Rep: "r1", Team: "east, north",
			Tiles: []Tile{countTile(TileUntouched, 3, &Ceiling{Alert: 2})}}}}},
	}
	var b bytes.Buffer
	if err := WriteMetrics(&b, r); err != nil {
		t.Fatal(err)
	}
	head := "2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,2026-03-03T00:00:00Z,"
	want := "\xEF\xBB\xBF" +
		"from,to,as_of,scope,team,rep,metric,tier,unit,value,status,numerator,denominator," +
		"samples,pending,healthy_above,warning_above,alert_above\r\n" +
		head + "company,,,completion_rate,,ratio,0.8571,healthy,6,7,,,0.85,0.7,\r\n" +
		head + "company,,,median_first_touch_hours,,hours,,no_data,,,0,2,,,\r\n" +
		head + "company,,,conversion_rate,A,ratio,0.5,info,1,2,,,,,\r\n" +
		head + "rep,\"east, north\",r1,untouched_tasks,,count,3,alert,,,,,,0,2\r\n"
	if got := b.String(); got != want {
		t.Errorf("metrics.csv =\n%q\nwant\n%q", got, want)
	}
}

// A source that fails mid-stream: the error comes back, so the caller
// can tell a short file from a whole one.
func TestWriteTasksPassesErrors(t *testing.T) {
	boom := errors.New("boom")
	src := fakeExporter{err: boom}
	var b bytes.Buffer
	err := WriteTasks(context.Background(), &b, src, time.Time{}, time.Time{}, time.Time{})
	if !errors.Is(err, boom) {
		t.Errorf("WriteTasks = %v, want boom", err)
	}
}
