package sim

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

var valueVsRoundRobin = engine.ExperimentOptions{Name: "sim", Control: engine.RoundRobinName,
	Treatment: engine.ExpertiseValueLoadName, Share: 0.2}

func TestRunExperiment(t *testing.T) {
	c := SmallConfig(1)
	r, err := RunExperiment(c, valueVsRoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	ctl, trt := r.Control, r.Treatment
	if ctl.Strategy != engine.RoundRobinName || trt.Strategy != engine.ExpertiseValueLoadName {
		t.Errorf("arms by %s and %s, want round-robin and expertise-value-load",
			ctl.Strategy, trt.Strategy)
	}
	// Every lead of the stream is assigned and closed by the end.
	if n := ctl.Leads + trt.Leads; n != c.Leads || ctl.Closed+trt.Closed != c.Leads {
		t.Errorf("arms hold %d leads, %d closed; want all %d", n, ctl.Closed+trt.Closed, c.Leads)
	}
	// Binomial(1500, 0.2): sd 0.0103, so 0.2 ± 0.031 is three of them.
	if share := float64(trt.Leads) / float64(c.Leads); math.Abs(share-0.2) > 0.031 {
		t.Errorf("treatment got %.3f of the leads, want 0.2 ± 0.031", share)
	}
	if !r.Test.Valid || r.Verdict == "" {
		t.Errorf("report has no test: %+v", r)
	}

	again, err := RunExperiment(c, valueVsRoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, again) {
		t.Error("two runs of one experiment on one world differ")
	}
}

// TestExperimentReportTable prints the experiment tables of
// docs/experiments.md: the default strategy against round-robin, and
// least-loaded against round-robin, on five worlds.
func TestExperimentReportTable(t *testing.T) {
	if !*report {
		t.Skip("run with -report to print the table")
	}
	leastVsRoundRobin := valueVsRoundRobin
	leastVsRoundRobin.Treatment = engine.LeastLoadedName
	for _, o := range []engine.ExperimentOptions{valueVsRoundRobin, leastVsRoundRobin} {
		var b strings.Builder
		fmt.Fprintf(&b, "\n%s against %s, share %.1f\n\n", o.Treatment, o.Control, o.Share)
		b.WriteString("| seed | arm | leads | won | win rate | revenue | median cycle (h) |" +
			" difference, points (95% CI) | p |\n")
		b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for seed := uint64(1); seed <= 5; seed++ {
			r, err := RunExperiment(DefaultConfig(seed), o)
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range []engine.ArmReport{r.Control, r.Treatment} {
				test, p := "", ""
				if i == 1 {
					test = fmt.Sprintf("%+.1f (%+.1f to %+.1f)", 100*r.Test.Diff,
						100*r.Test.Low, 100*r.Test.High)
					p = fmt.Sprintf("%.3f", r.Test.P)
					if r.Test.P < 0.001 {
						p = "< 0.001"
					}
				}
				fmt.Fprintf(&b, "| %d | %s | %d | %d | %.1f%% | %.1fM | %.0f | %s | %s |\n",
					seed, a.Arm, a.Leads, a.Won, 100*a.WinRate, a.Revenue/1e6,
					a.MedianCycle.Hours(), test, p)
			}
		}
		t.Log(b.String())
	}
}
