package insight

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// BOM is the UTF-8 byte order mark every export starts with: without it
// Excel reads a CSV file in the system's code page (GBK on Chinese
// Windows) and garbles Chinese text.
const BOM = "\uFEFF"

// TaskLine is one task: a lead with a deadline, as it stands.
type TaskLine struct {
	Lead         engine.Lead
	Assignee     engine.RepID
	DueAt        time.Time
	AcceptedAt   *time.Time
	TouchedAt    *time.Time
	ClosedAt     *time.Time
	ClosedAmount *float64
}

// DecisionLine is one routing decision with its lead's company.
type DecisionLine struct {
	ID       int64
	LeadID   engine.LeadID
	Company  string
	Decision engine.Decision
}

// Exporter is where exported rows come from; each stream pages through
// its rows in order and passes them to fn, returning fn's error
// unchanged.
type Exporter interface {
	// Reps returns every rep, ordered by id.
	Reps(ctx context.Context) ([]engine.Rep, error)
	// ExportTasks streams the held or closed leads due in [from, to),
	// earliest deadline first, then by id.
	ExportTasks(ctx context.Context, from, to time.Time, fn func(TaskLine) error) error
	// ExportDecisions streams the decisions made in [from, to) in the
	// order they were made.
	ExportDecisions(ctx context.Context, from, to time.Time, fn func(DecisionLine) error) error
}

// TaskHeader is the first row of tasks.csv.
var TaskHeader = []string{
	"lead_id", "external_id", "company", "tier", "status", "assignee", "team",
	"due_at", "accepted_at", "touched_at", "progress", "closed_at", "closed_amount", "on_time",
}

// DecisionHeader is the first row of decisions.csv.
var DecisionHeader = []string{
	"decision_id", "at", "lead_id", "company", "strategy", "rep_id", "team",
	"score", "tier", "experiment", "arm", "reasons", "candidates",
}

// MetricHeader is the first row of metrics.csv.
var MetricHeader = []string{
	"from", "to", "as_of", "scope", "team", "rep", "metric", "tier", "unit", "value",
	"status", "numerator", "denominator", "samples", "pending",
	"healthy_above", "warning_above", "alert_above",
}

// newCSV starts a CSV file on w: the BOM, RFC 4180 records ending in
// CRLF, and the header.
func newCSV(w io.Writer, header []string) (*csv.Writer, error) {
	if _, err := io.WriteString(w, BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw, cw.Write(header)
}

// WriteTasks writes tasks.csv of the leads due in [from, to) as they
// stand at asOf, row by row as the source streams them.
func WriteTasks(ctx context.Context, w io.Writer, src Exporter, from, to, asOf time.Time) error {
	teams, err := teamsOf(ctx, src)
	if err != nil {
		return err
	}
	cw, err := newCSV(w, TaskHeader)
	if err != nil {
		return err
	}
	err = src.ExportTasks(ctx, from, to, func(t TaskLine) error {
		l := t.Lead
		return cw.Write([]string{
			strconv.FormatInt(int64(l.ID), 10), l.ExternalID, l.Company, string(l.Tier),
			string(l.Status), string(t.Assignee), teams[t.Assignee],
			stamp(&t.DueAt), stamp(t.AcceptedAt), stamp(t.TouchedAt),
			strconv.Itoa(l.Progress), stamp(t.ClosedAt), amount(t.ClosedAmount),
			onTime(t, asOf),
		})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// onTime is "yes" for a task followed up or closed by its deadline, "no"
// for one that was not, "pending" for one not done and not due yet.
func onTime(t TaskLine, asOf time.Time) string {
	for _, at := range []*time.Time{t.AcceptedAt, t.TouchedAt, t.ClosedAt} {
		if at != nil && !at.After(t.DueAt) {
			return "yes"
		}
	}
	if t.DueAt.After(asOf) {
		return "pending"
	}
	return "no"
}

// WriteDecisions writes decisions.csv of the decisions made in
// [from, to), row by row as the source streams them.
func WriteDecisions(ctx context.Context, w io.Writer, src Exporter, from, to time.Time) error {
	teams, err := teamsOf(ctx, src)
	if err != nil {
		return err
	}
	cw, err := newCSV(w, DecisionHeader)
	if err != nil {
		return err
	}
	err = src.ExportDecisions(ctx, from, to, func(d DecisionLine) error {
		x := d.Decision
		score, tier := "", ""
		if in := x.Inputs; in != nil {
			score, tier = strconv.FormatFloat(in.Score, 'f', 4, 64), string(in.Tier)
		}
		var cands []string
		for _, c := range x.Candidates {
			cands = append(cands, fmt.Sprintf("%s:%.4f", c.RepID, c.Score))
		}
		return cw.Write([]string{
			strconv.FormatInt(d.ID, 10), stamp(&x.At), strconv.FormatInt(int64(d.LeadID), 10),
			d.Company, x.Strategy, string(x.RepID), teams[x.RepID], score, tier,
			x.Experiment, string(x.Arm), strings.Join(x.Reasons, "; "), strings.Join(cands, " "),
		})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteMetrics writes metrics.csv of a report: one row per tile of the
// company, of each team and of each rep, and one per tier's conversion.
func WriteMetrics(w io.Writer, r Report) error {
	cw, err := newCSV(w, MetricHeader)
	if err != nil {
		return err
	}
	head := []string{stamp(&r.From), stamp(&r.To), stamp(&r.AsOf)}
	for _, s := range append([]Scope{r.Company}, r.Teams...) {
		scope := "team"
		if s.Team == "" {
			scope = "company"
		}
		for _, t := range s.Tiles {
			cw.Write(metricRow(head, scope, s.Team, "", "", t))
		}
		for _, c := range s.Conversion {
			t := Tile{ID: TileConversion, Unit: "ratio", Value: c.Rate, Status: Info,
				Numerator: ptr(float64(c.Won)), Denominator: ptr(float64(c.Closed))}
			if c.Rate == nil {
				t.Status = NoData
			}
			cw.Write(metricRow(head, scope, s.Team, "", string(c.Tier), t))
		}
		for _, rep := range s.Reps {
			for _, t := range rep.Tiles {
				cw.Write(metricRow(head, "rep", rep.Team, string(rep.Rep), "", t))
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func metricRow(head []string, scope, team, rep, tier string, t Tile) []string {
	row := append([]string{}, head...)
	row = append(row, scope, team, rep, t.ID, tier, t.Unit, number(t.Value), string(t.Status),
		number(t.Numerator), number(t.Denominator), count(t.Samples), count(t.Pending))
	var healthy, warning, alert *float64
	if f := t.Floor; f != nil {
		healthy, warning = &f.Healthy, &f.Warning
	}
	if c := t.Ceiling; c != nil {
		alert, warning = &c.Alert, &c.Warning
	}
	return append(row, number(healthy), number(warning), number(alert))
}

func teamsOf(ctx context.Context, src Exporter) (map[engine.RepID]string, error) {
	reps, err := src.Reps(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[engine.RepID]string, len(reps))
	for _, r := range reps {
		out[r.ID] = r.Team
	}
	return out, nil
}

// stamp writes a time in RFC 3339, UTC, to the second; "" for none.
func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func amount(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func number(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func count(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// ParseTime reads a period's end: an RFC 3339 time, or a date read as
// midnight in loc.
func ParseTime(raw string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, raw, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("is %q; want an RFC 3339 time such as "+
		"2026-12-01T00:00:00+08:00 or a date such as 2026-12-01", raw)
}
