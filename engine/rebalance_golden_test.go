package engine

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestPlanRebalanceGolden pins every move, with its reason, of plans on
// a seeded roster of 150 reps and 1,500 open leads, with and without
// knowledge and with offers narrow enough to be widened. The golden file
// was written by the first implementation of the planner, so a faster
// one must find exactly the same plans.
func TestPlanRebalanceGolden(t *testing.T) {
	leads, reps, k := rebalanceFixture(150, 1_500)
	base := RebalanceOptions{ReserveLevel: "reserve", TelesalesTeam: "telesales"}
	narrow := base
	narrow.Candidates = 2
	cases := []struct {
		name string
		k    *Knowledge
		o    RebalanceOptions
	}{
		{"load", nil, base},
		{"knowledge", k, base},
		{"knowledge-narrow", k, narrow},
	}
	var sb strings.Builder
	for _, c := range cases {
		p := PlanRebalance(leads, reps, c.k, c.o)
		fmt.Fprintf(&sb, "# %s: %d moves, %d overloaded, %d unresolved\n",
			c.name, len(p.Moves), p.Overloaded, p.Unresolved)
		for _, m := range p.Moves {
			fmt.Fprintf(&sb, "%s %s>%s %s\n", m.LeadID, m.From, m.To, m.Reason)
		}
	}
	got := sb.String()

	path := filepath.Join("testdata", "rebalance_moves.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden plans (go test -run Golden -update writes them): %v", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("plans differ from %s at line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("plans have %d lines, %s has %d", len(gl), path, len(wl))
	}
}
