package api_test

import (
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// newExperimentEnv is an API in auto mode whose router runs o.
func newExperimentEnv(t *testing.T, o *engine.ExperimentOptions) *env {
	t.Helper()
	s := storagetest.Open(t, storage.SQLite)
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	d := engine.Deps{Store: s, Clock: clock, Policy: p}
	if o != nil {
		r, err := engine.NewExperiment(*o, engine.ValueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d.Router = r
	}
	h := api.New(api.Options{Service: engine.NewService(d), Token: token, ReadToken: "read-token",
		Location: time.UTC})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: s, clock: clock}
}

func armIDs(o engine.ExperimentOptions, arm engine.Arm, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		ext := fmt.Sprint("crm-", i)
		if a, _ := o.ArmOf(engine.Lead{ExternalID: ext}); a == arm {
			out = append(out, ext)
		}
	}
	return out
}

func TestExperimentReportEndpoint(t *testing.T) {
	o := engine.ExperimentOptions{Name: "ev-2026q4", Control: engine.RoundRobinName,
		Treatment: engine.LeastLoadedName, Share: 0.5}
	e := newExperimentEnv(t, &o)
	e.putRep("r1", 10)
	e.putRep("r2", 10)

	ctl, trt := armIDs(o, engine.ArmControl, 3), armIDs(o, engine.ArmTreatment, 2)
	ids := map[string]string{}
	for _, ext := range append(ctl, trt...) {
		ids[ext] = e.postLead(ext, 50_000, 0.5).ID
	}
	var decision struct {
		Latest struct {
			Strategy   string `json:"strategy"`
			Experiment string `json:"experiment"`
			Arm        string `json:"arm"`
		} `json:"latest"`
	}
	e.must(200, "GET", "/api/v1/leads/"+ids[trt[0]]+"/decision", nil).decode(t, &decision)
	if d := decision.Latest; d.Strategy != "least-loaded" || d.Experiment != o.Name || d.Arm != "treatment" {
		t.Errorf("treatment lead's decision = %+v, want least-loaded in ev-2026q4/treatment", d)
	}

	close := func(ext, outcome string, amount float64) {
		body := map[string]any{"outcome": outcome}
		if amount > 0 {
			body["amount"] = amount
		}
		e.must(200, "POST", "/api/v1/leads/"+ids[ext]+"/outcome", body)
	}
	e.clock.Add(24 * time.Hour)
	close(ctl[0], "won", 100_000)
	close(trt[0], "won", 50_000)
	e.clock.Add(24 * time.Hour)
	close(ctl[1], "lost", 0)
	close(trt[1], "won", 30_000)

	// Control: 3 leads, 2 closed after 24h and 48h, 1 won: 100,000.
	// Treatment: 2 of 2 won after 24h and 48h: 80,000. Test of 1/2
	// against 2/2: pooled 0.75, SE0 = √(0.75·0.25·(1/2 + 1/2)) =
	// 0.433013, z = 0.5/0.433013 = 1.1547, p = 0.248213; SE =
	// √(0.5·0.5/2) = 0.353553, so 0.5 ± 0.692952.
	h36 := 36.0
	want := api.ExperimentReportJSON{
		Experiment: o.Name,
		Control: api.ArmJSON{Arm: "control", Strategy: "round-robin", Leads: 3, Assigned: 3,
			Closed: 2, Won: 1, WinRate: 0.5, Revenue: 100_000, MeanCycleHours: &h36,
			MedianCycleHours: &h36},
		Treatment: api.ArmJSON{Arm: "treatment", Strategy: "least-loaded", Leads: 2, Assigned: 2,
			Closed: 2, Won: 2, WinRate: 1, Revenue: 80_000, MeanCycleHours: &h36,
			MedianCycleHours: &h36},
		Test: &api.TestJSON{Diff: 0.5, CILow: -0.193, CIHigh: 1.193, Z: 1.155, PValue: 0.2482,
			SmallSample: true},
	}
	var got api.ExperimentReportJSON
	r := e.do("GET", "/api/v1/experiments/report", "read-token", nil)
	if r.Status != 200 {
		t.Fatalf("GET report with the read token = %d %s, want 200", r.Status, r.Body)
	}
	r.decode(t, &got)
	if got.Verdict == "" || got.Warning == nil {
		t.Errorf("verdict %q, warning %v: want both", got.Verdict, got.Warning)
	}
	got.Verdict, got.Warning = "", nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report =\n%s\nwant the hand-computed figures", r.Body)
	}

	var named api.ExperimentReportJSON
	e.must(200, "GET", "/api/v1/experiments/report?name=ev-2026q4", nil).decode(t, &named)
	if named.Control.Leads != 3 {
		t.Errorf("report by name: control leads %d, want 3", named.Control.Leads)
	}
	expectError(t, e.call("GET", "/api/v1/experiments/report?name=ev-2027", nil),
		404, "unknown_experiment", "")
}

func TestExperimentReportWithoutExperiment(t *testing.T) {
	e := newExperimentEnv(t, nil)
	expectError(t, e.call("GET", "/api/v1/experiments/report", nil), 422, "missing_field", "name")
}
