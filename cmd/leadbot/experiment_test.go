package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestExperimentConfig(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_STRATEGY":             "round-robin",
		"LEADBOT_ENGINE_EXPERIMENT_NAME":      "ev-2026q4",
		"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "expertise-value-load",
		"LEADBOT_ENGINE_EXPERIMENT_SHARE":     "0.3",
		"LEADBOT_ENGINE_EXPERIMENT_START":     "2026-12-07T09:00:00+08:00",
	}))
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.experiment()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	if o.Name != "ev-2026q4" || o.Control != "round-robin" ||
		o.Treatment != "expertise-value-load" || o.Share != 0.3 || !o.Start.Equal(start) {
		t.Errorf("experiment = %+v, want ev-2026q4, round-robin (engine.strategy) "+
			"vs expertise-value-load, share 0.3, start %s", o, start)
	}
	r, err := c.router()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(engine.Learner); !ok {
		t.Errorf("router %s is not a Learner, want one: its treatment learns", r.Name())
	}
}

func TestBadExperimentNamesKey(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unknown treatment", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "random"},
			`engine.experiment.treatment: unknown routing strategy "random"`},
		{"unknown control", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_CONTROL": "coin", "LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin"},
			`engine.experiment.control: unknown routing strategy "coin"`},
		{"no treatment", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x"},
			"engine.experiment.treatment: is required"},
		{"share over 1", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin", "LEADBOT_ENGINE_EXPERIMENT_SHARE": "1.5"},
			"engine.experiment.share: is 1.5, must be from 0 to 1"},
		{"bad start", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin", "LEADBOT_ENGINE_EXPERIMENT_START": "monday"},
			`engine.experiment.start: is "monday"; want an RFC 3339 time`},
		{"treatment without a name", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin"},
			"engine.experiment.name: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("", false, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// seedExperiment runs the configured experiment on a fresh SQLite file:
// three control leads (one won for 100,000 after 24 hours, one lost
// after 48, one open) and two treatment leads, both won (50,000 and
// 30,000) after 24 and 48 hours.
func seedExperiment(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	opts := storagetest.Options(t, storage.SQLite)
	t.Setenv("LEADBOT_DATABASE_DRIVER", opts.Driver)
	t.Setenv("LEADBOT_DATABASE_DSN", opts.DSN)
	t.Setenv("LEADBOT_ENGINE_MODE", "auto")
	t.Setenv("LEADBOT_ENGINE_STRATEGY", "round-robin")
	t.Setenv("LEADBOT_ENGINE_EXPERIMENT_NAME", "ev-2026q4")
	t.Setenv("LEADBOT_ENGINE_EXPERIMENT_TREATMENT", "least-loaded")
	t.Setenv("LEADBOT_ENGINE_EXPERIMENT_SHARE", "0.5")
	c, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	store, err := openStore(ctx, c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	router, err := c.router()
	if err != nil {
		t.Fatal(err)
	}
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC))
	svc := engine.NewService(engine.Deps{Store: store, Clock: clock, Policy: c.policy(),
		Router: router})
	for _, id := range []engine.RepID{"r1", "r2"} {
		r := engine.Rep{ID: id, Name: string(id), Role: engine.RoleRep, Capacity: 10, Active: true}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}

	o, _ := c.experiment()
	var ctl, trt []engine.LeadID
	for i := 0; len(ctl) < 3 || len(trt) < 2; i++ {
		in := engine.LeadInput{ExternalID: fmt.Sprint("crm-", i),
			Profile: engine.Profile{Company: fmt.Sprint("公司", i)}}
		arm, _ := o.ArmOf(engine.Lead{ExternalID: in.ExternalID})
		if (arm == engine.ArmControl && len(ctl) == 3) || (arm == engine.ArmTreatment && len(trt) == 2) {
			continue
		}
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if arm == engine.ArmControl {
			ctl = append(ctl, l.ID)
		} else {
			trt = append(trt, l.ID)
		}
	}
	closeLead := func(id engine.LeadID, o engine.Outcome, amount float64) {
		t.Helper()
		var a *float64
		if amount > 0 {
			a = &amount
		}
		if _, err := svc.RecordOutcome(ctx, id, o, a, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(24 * time.Hour)
	closeLead(ctl[0], engine.Won, 100_000)
	closeLead(trt[0], engine.Won, 50_000)
	clock.Add(24 * time.Hour)
	closeLead(ctl[1], engine.Lost, 0)
	closeLead(trt[1], engine.Won, 30_000)
}

func TestExperimentReportCommand(t *testing.T) {
	seedExperiment(t)

	code, out, errOut := runCmd(t, "experiment", "report")
	if code != 0 {
		t.Fatalf("experiment report = %d\n%s", code, errOut)
	}
	// 1 of 2 against 2 of 2: z = 0.5/√(0.75·0.25·1) = 1.155, p = 0.2482;
	// the interval is 0.5 ± 1.96·√(0.125) = −19.3 to 119.3 points.
	want := `experiment ev-2026q4

                control      treatment
strategy        round-robin  least-loaded
leads           3            2
assigned        3            2
closed          2            2
won             1            2
win rate        50.0%        100.0%
revenue (yuan)  100,000      80,000
mean cycle      36.0h        36.0h
median cycle    36.0h        36.0h

win rate difference 50.0 points (95% CI -19.3 to 119.3), z = 1.155, p = 0.2482
实验组赢率比对照组高 50.0 个百分点，差异不显著（p = 0.25）：尚不能说哪一组更好
warning: 样本太少：每组至少要有 5 单赢单和 5 单输单，正态近似才可靠
`
	if out != want {
		t.Errorf("experiment report printed\n%s\nwant\n%s", out, want)
	}

	code, out, errOut = runCmd(t, "experiment", "report", "--json", "--name", "ev-2026q4")
	if code != 0 {
		t.Fatalf("experiment report --json = %d\n%s", code, errOut)
	}
	var got api.ExperimentReportJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if got.Control.Won != 1 || got.Treatment.Revenue != 80_000 || got.Test == nil ||
		got.Test.PValue != 0.2482 {
		t.Errorf("--json report = %s", out)
	}

	code, _, errOut = runCmd(t, "experiment", "report", "--name", "ev-2027")
	if code != 1 || !strings.Contains(errOut, `no lead has been routed in experiment "ev-2027"`) {
		t.Errorf("report of an unknown experiment = %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "experiment", "start")
	if code != 1 || !strings.Contains(errOut, `unknown subcommand "start"`) {
		t.Errorf("experiment start = %d %q, want an unknown subcommand", code, errOut)
	}
}
