package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// seedExport stores rep r1 of team east and two leads due in the week of
// 2026-03-02: one accepted in time, one never touched.
func seedExport(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	opts := storagetest.Options(t, storage.SQLite)
	t.Setenv("LEADBOT_DATABASE_DRIVER", opts.Driver)
	t.Setenv("LEADBOT_DATABASE_DSN", opts.DSN)
	c, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	store, err := openStore(ctx, c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	due := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	acc := due.Add(-time.Hour)
	later := due.Add(24 * time.Hour)
	err = store.Update(ctx, func(tx engine.Tx) error {
		_, err := tx.PutRep(ctx, engine.Rep{ID: "r1", Name: "Rep One", Team: "east",
			Role: engine.RoleRep, Capacity: 5, Active: true})
		if err != nil {
			return err
		}
		return tx.InsertLeads(ctx, []*engine.Lead{
			{ExternalID: "crm-1", Tier: "A", Status: "assigned", Assignee: "r1", DueAt: &due,
				AcceptedAt: &acc, TouchedAt: &acc, HeldSince: &acc, CreatedAt: acc, UpdatedAt: acc,
				Profile: engine.Profile{Company: `Acme, "Big" Co`}},
			{ExternalID: "crm-2", Tier: "B", Status: "assigned", Assignee: "r1", DueAt: &later,
				HeldSince: &acc, CreatedAt: acc, UpdatedAt: acc,
				Profile: engine.Profile{Company: "华东医院"}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExportCommand(t *testing.T) {
	seedExport(t)
	// Dates are midnight in api.timezone, Asia/Shanghai.
	want := "\xEF\xBB\xBF" +
		"lead_id,external_id,company,tier,status,assignee,team,due_at,accepted_at," +
		"touched_at,progress,closed_at,closed_amount,on_time\r\n" +
		`1,crm-1,"Acme, ""Big"" Co",A,assigned,r1,east,2026-03-03T12:00:00Z,` +
		"2026-03-03T11:00:00Z,2026-03-03T11:00:00Z,0,,,yes\r\n" +
		"2,crm-2,华东医院,B,assigned,r1,east,2026-03-04T12:00:00Z,,,0,,,no\r\n"
	code, out, errOut := runCmd(t, "export", "tasks", "--from", "2026-03-02", "--to", "2026-03-09")
	if code != 0 || out != want {
		t.Errorf("export tasks = %d %q\n%s\nwant\n%q", code, out, errOut, want)
	}

	file := filepath.Join(t.TempDir(), "tasks.csv")
	code, _, errOut = runCmd(t, "export", "tasks", "--from", "2026-03-02T00:00:00+08:00",
		"--to", "2026-03-09", "-o", file)
	if code != 0 {
		t.Fatalf("export tasks -o = %d %s", code, errOut)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != want {
		t.Errorf("export tasks -o wrote %q (%v), want %q", b, err, want)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".tasks.csv.*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// One of two on time: 0.5, an alert.
	code, out, errOut = runCmd(t, "export", "metrics", "--from", "2026-03-02", "--to",
		"2026-03-09", "--team", "east")
	row := "2026-03-01T16:00:00Z,2026-03-08T16:00:00Z,"
	if code != 0 || !strings.Contains(out, row) ||
		!strings.Contains(out, ",team,east,,completion_rate,,ratio,0.5,alert,1,2,") {
		t.Errorf("export metrics = %d %q %s", code, out, errOut)
	}

	code, out, _ = runCmd(t, "export", "decisions", "--from", "2026-03-02", "--to", "2026-03-09")
	if code != 0 || !strings.HasPrefix(out, "\xEF\xBB\xBFdecision_id,at,") {
		t.Errorf("export decisions = %d %q", code, out)
	}
}

func TestExportCommandErrors(t *testing.T) {
	seedExport(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing", []string{"export"}, "missing what to export"},
		{"unknown kind", []string{"export", "deals"}, `unknown export "deals"`},
		{"bad from", []string{"export", "tasks", "--from", "monday"}, `--from is "monday"`},
		{"reversed", []string{"export", "tasks", "--from", "2026-03-09", "--to", "2026-03-02"},
			"--to is 2026-03-02T00:00:00+08:00; it must be after --from"},
		{"unknown team", []string{"export", "metrics", "--team", "nowhere"},
			`no rep is in team "nowhere"`},
		{"extra argument", []string{"export", "tasks", "more"}, `unexpected argument "more"`},
		{"missing folder", []string{"export", "tasks", "-o",
			filepath.Join(t.TempDir(), "no", "such", "x.csv")}, "export to "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("%v = %d %q, want a failure saying %q", tt.args, code, errOut, tt.want)
			}
		})
	}
}

func TestInsightConfig(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_INSIGHT_STALL_AFTER":                            "72h",
		"LEADBOT_INSIGHT_THRESHOLDS_COMPLETION_HEALTHY_ABOVE":    "0.9",
		"LEADBOT_INSIGHT_THRESHOLDS_SLOWING_REPLIES_ALERT_ABOVE": "2",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.insightSettings()
	if s.StallAfter != 72*time.Hour || s.Thresholds.Completion.Healthy != 0.9 ||
		s.Thresholds.SlowingReplies.Alert != 2 || s.UntouchedAfter != 48*time.Hour ||
		s.UntouchedCount != 3 || !s.Hours.On || s.Cadence.PerWeek[engine.TierA] != 2 {
		t.Errorf("insight settings = %+v", s)
	}

	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LEADBOT_INSIGHT_STALL_AFTER": "10m"}, "insight.stall_after: is 10m0s"},
		{map[string]string{"LEADBOT_INSIGHT_THRESHOLDS_COVERAGE_HEALTHY_ABOVE": "1.5"},
			"insight.thresholds.coverage.healthy_above: is 1.5"},
		{map[string]string{"LEADBOT_INSIGHT_THRESHOLDS_STALLED_WARNING_ABOVE": "0.5"},
			"insight.thresholds.stalled.warning_above: is 0.5; want from 0 to alert_above (0.35)"},
		{map[string]string{"LEADBOT_INSIGHT_THRESHOLDS_AFTER_HOURS_ALERT_ABOVE": "0"},
			"insight.thresholds.after_hours.alert_above: is 0"},
	}
	for _, tt := range tests {
		_, err := LoadConfig("", false, env(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadConfig(%v) = %v, want an error naming %q", tt.env, err, tt.want)
		}
	}
}
