package engine

import (
	"math"
	"strings"
	"testing"
	"time"
)

func close6(a, b float64) bool { return math.Abs(a-b) < 5e-6 }

func TestTwoProportion(t *testing.T) {
	tests := []struct {
		name                 string
		won1, n1, won2, n2   int
		diff, z, p, low, hgh float64
		significant, small   bool
	}{
		// Control 40 of 200 (20%), treatment 15 of 50 (30%). Pooled
		// 55/250 = 0.22; SE0 = √(0.22·0.78·(1/200 + 1/50)) =
		// √(0.1716·0.025) = 0.0654981, so z = 0.10/0.0654981 = 1.52676
		// and p = 2·(1 − Φ(1.52676)) = 0.126820. The interval uses each
		// arm's own rate: SE = √(0.2·0.8/200 + 0.3·0.7/50) = √0.005 =
		// 0.0707107, and 0.10 ± 1.959964·0.0707107 = −0.038590..0.238590.
		{"not significant", 40, 200, 15, 50, 0.10, 1.526762, 0.126820, -0.038590, 0.238590, false, false},
		// Control 400 of 1000 (40%), treatment 140 of 250 (56%). Pooled
		// 540/1250 = 0.432; SE0 = √(0.432·0.568·0.005) = 0.0350268, so
		// z = 0.16/0.0350268 = 4.567925 and p = 4.93e-6. SE =
		// √(0.24/1000 + 0.2464/250) = 0.0350086; 0.16 ± 0.068616.
		{"significant", 400, 1000, 140, 250, 0.16, 4.567925, 0.000005, 0.091384, 0.228616, true, false},
		// Control 3 of 10, treatment 1 of 4: pooled 4/14 = 0.285714;
		// SE0 = √(0.285714·0.714286·(0.1 + 0.25)) = 0.267261, z =
		// −0.05/0.267261 = −0.187083, p = 0.851596. SE = √(0.021 +
		// 0.046875) = 0.260528; −0.05 ± 0.510626. One won lead is too few.
		{"lower and small", 3, 10, 1, 4, -0.05, -0.187083, 0.851596, -0.560626, 0.460626, false, true},
		// Everything won in both arms: no spread, so no evidence.
		{"no spread", 6, 6, 9, 9, 0, 0, 1, 0, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TwoProportion(tt.won1, tt.n1, tt.won2, tt.n2)
			if !got.Valid || !close6(got.Diff, tt.diff) || !close6(got.Z, tt.z) || !close6(got.P, tt.p) ||
				!close6(got.Low, tt.low) || !close6(got.High, tt.hgh) {
				t.Errorf("TwoProportion(%d/%d, %d/%d) = diff %.6f z %.6f p %.6f CI %.6f..%.6f; "+
					"want diff %.6f z %.6f p %.6f CI %.6f..%.6f",
					tt.won1, tt.n1, tt.won2, tt.n2, got.Diff, got.Z, got.P, got.Low, got.High,
					tt.diff, tt.z, tt.p, tt.low, tt.hgh)
			}
			if got.Significant != tt.significant || got.Small != tt.small {
				t.Errorf("TwoProportion(%d/%d, %d/%d) significant %t small %t, want %t %t",
					tt.won1, tt.n1, tt.won2, tt.n2, got.Significant, got.Small, tt.significant, tt.small)
			}
		})
	}
	if got := TwoProportion(0, 0, 3, 5); got.Valid {
		t.Errorf("TwoProportion with an empty arm = %+v, want no test", got)
	}
}

func TestReportExperiment(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	amount := func(v float64) *float64 { return &v }
	leads := []ExperimentLead{
		{LeadID: 1, Arm: ArmControl, Strategy: RoundRobinName, AssignedAt: at(0),
			Status: StatusWon, ClosedAt: at(10 * day), Amount: amount(100_000)},
		{LeadID: 2, Arm: ArmControl, Strategy: RoundRobinName, AssignedAt: at(0),
			Status: StatusLost, ClosedAt: at(2 * day)},
		{LeadID: 3, Arm: ArmControl, Strategy: RoundRobinName, AssignedAt: at(0),
			Status: StatusAssigned},
		{LeadID: 4, Arm: ArmControl, Strategy: RoundRobinName, Status: StatusStandby},
		{LeadID: 5, Arm: ArmControl, Strategy: RoundRobinName, AssignedAt: at(day),
			Status: StatusWon, ClosedAt: at(5 * day), Amount: amount(50_000)},
		{LeadID: 6, Arm: ArmTreatment, Strategy: LeastLoadedName, AssignedAt: at(0),
			Status: StatusWon, ClosedAt: at(day), Amount: amount(80_000)},
		{LeadID: 7, Arm: ArmTreatment, Strategy: LeastLoadedName, AssignedAt: at(day),
			Status: StatusWon, ClosedAt: at(4 * day), Amount: amount(20_000)},
	}
	r := ReportExperiment("ev-2026q4", leads, English)

	// Control: 5 leads, 4 reached a rep, 3 closed, 2 won: 2/3. Revenue
	// 100,000 + 50,000. Cycles 240h, 48h, 96h: mean 384h/3 = 128h,
	// median 96h. Treatment: 2 of 2 won, 100,000; cycles 24h and 72h:
	// mean and median 48h.
	want := []ArmReport{
		{Arm: ArmControl, Strategy: RoundRobinName, Leads: 5, Assigned: 4, Closed: 3, Won: 2,
			WinRate: 2.0 / 3, Revenue: 150_000, MeanCycle: 128 * time.Hour, MedianCycle: 96 * time.Hour},
		{Arm: ArmTreatment, Strategy: LeastLoadedName, Leads: 2, Assigned: 2, Closed: 2, Won: 2,
			WinRate: 1, Revenue: 100_000, MeanCycle: 48 * time.Hour, MedianCycle: 48 * time.Hour},
	}
	for i, got := range []ArmReport{r.Control, r.Treatment} {
		if got != want[i] {
			t.Errorf("%s arm = %+v\nwant %+v", want[i].Arm, got, want[i])
		}
	}

	// 2/3 against 2/2: pooled 0.8, SE0 = √(0.16·(1/3 + 1/2)) = 0.365148,
	// z = 0.333333/0.365148 = 0.912871, p = 0.361310.
	if !close6(r.Test.Z, 0.912871) || !close6(r.Test.P, 0.361310) {
		t.Errorf("test z %.6f p %.6f, want 0.912871 and 0.361310", r.Test.Z, r.Test.P)
	}
	if want := "the treatment's win rate is higher by 33.3 points, not significant (p = 0.36)"; !strings.HasPrefix(r.Verdict, want) {
		t.Errorf("verdict = %q, want it to start %q", r.Verdict, want)
	}
	if !strings.Contains(r.Warning, "samples too small") {
		t.Errorf("warning = %q, want one about small samples", r.Warning)
	}
}

func TestVerdictWords(t *testing.T) {
	tests := []struct {
		name string
		lang Lang
		test ProportionTest
		want string
	}{
		{"significant, zh", Chinese, TwoProportion(400, 1000, 140, 250),
			"实验组赢率比对照组高 16.0 个百分点，差异显著（p < 0.001，95% 置信区间 9.1 到 22.9 个百分点）"},
		{"significant lower, en", English, TwoProportion(140, 250, 400, 1000),
			"the treatment's win rate is lower by 16.0 points, a significant difference " +
				"(p < 0.001, 95% interval -22.9 to -9.1 points)"},
		{"no test, zh", Chinese, TwoProportion(0, 0, 1, 1), "还没有两组都已结案的线索，无法比较赢率"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.lang.verdict(tt.test); got != tt.want {
				t.Errorf("verdict = %q\nwant      %q", got, tt.want)
			}
		})
	}
}
