package api

import (
	"math"
	"net/http"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// experimentReport answers the report of the experiment named by the
// query's name, or of the running one.
func (s *Server) experimentReport(r *http.Request) (int, any, error) {
	rep, err := s.svc.ExperimentReport(r.Context(), r.URL.Query().Get("name"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ExperimentReportOut(rep), nil
}

// ExperimentReportJSON is an experiment report on the wire.
type ExperimentReportJSON struct {
	Experiment string    `json:"experiment"`
	Control    ArmJSON   `json:"control"`
	Treatment  ArmJSON   `json:"treatment"`
	Test       *TestJSON `json:"test"`
	Verdict    string    `json:"verdict"`
	Warning    *string   `json:"warning"`
}

// ArmJSON is one arm of an experiment report.
type ArmJSON struct {
	Arm      string  `json:"arm"`
	Strategy string  `json:"strategy"`
	Leads    int     `json:"leads"`
	Assigned int     `json:"assigned"`
	Closed   int     `json:"closed"`
	Won      int     `json:"won"`
	WinRate  float64 `json:"win_rate"`
	Revenue  float64 `json:"revenue"`
	// The cycle times are in hours, null with nothing closed.
	MeanCycleHours   *float64 `json:"mean_cycle_hours"`
	MedianCycleHours *float64 `json:"median_cycle_hours"`
}

// TestJSON is the two-proportion z-test of an experiment report.
type TestJSON struct {
	Diff        float64 `json:"diff"`
	CILow       float64 `json:"ci_low"`
	CIHigh      float64 `json:"ci_high"`
	Z           float64 `json:"z"`
	PValue      float64 `json:"p_value"`
	Significant bool    `json:"significant"`
	SmallSample bool    `json:"small_sample"`
}

// ExperimentReportOut writes a report the way the API answers it, for
// the command line's --json too.
func ExperimentReportOut(r engine.ExperimentReport) ExperimentReportJSON {
	out := ExperimentReportJSON{Experiment: r.Experiment, Control: armOut(r.Control),
		Treatment: armOut(r.Treatment), Verdict: r.Verdict, Warning: optional(r.Warning)}
	if t := r.Test; t.Valid {
		out.Test = &TestJSON{Diff: round(t.Diff, 4), CILow: round(t.Low, 4),
			CIHigh: round(t.High, 4), Z: round(t.Z, 3), PValue: round(t.P, 4),
			Significant: t.Significant, SmallSample: t.Small}
	}
	return out
}

func armOut(a engine.ArmReport) ArmJSON {
	out := ArmJSON{Arm: string(a.Arm), Strategy: a.Strategy, Leads: a.Leads,
		Assigned: a.Assigned, Closed: a.Closed, Won: a.Won, WinRate: round(a.WinRate, 4),
		Revenue: a.Revenue}
	if a.Closed > 0 {
		out.MeanCycleHours = hours(a.MeanCycle)
		out.MedianCycleHours = hours(a.MedianCycle)
	}
	return out
}

func hours(d time.Duration) *float64 {
	h := round(d.Hours(), 1)
	return &h
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
