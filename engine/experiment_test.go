package engine

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestSplitIsStableAndKeepsTheShare(t *testing.T) {
	o := ExperimentOptions{Name: "ev-2026q4", Share: 0.2}
	const n = 10_000
	treated := 0
	for i := range n {
		ext := fmt.Sprint("crm-", i)
		a, in := o.ArmOf(Lead{ExternalID: ext})
		if !in {
			t.Fatalf("ArmOf(%s) is outside an experiment with no start", ext)
		}
		// Another replica, a re-import or a re-routing sees another id
		// and other times, never another arm.
		again, _ := o.ArmOf(Lead{ID: LeadID(i + 7), ExternalID: ext, CreatedAt: time.Unix(int64(i), 0)})
		if a != again {
			t.Fatalf("ArmOf(%s) = %s, then %s", ext, a, again)
		}
		if a == ArmTreatment {
			treated++
		}
	}
	// Binomial(10000, 0.2): sd 40, so 2000 ± 120 is three of them.
	if treated < 1880 || treated > 2120 {
		t.Errorf("treatment got %d of %d leads, want 2000 ± 120", treated, n)
	}
	// The split is a pure function of name and id: this count is what
	// the hash gives today and must never change while experiments run.
	if treated != 2001 {
		t.Errorf("treatment got %d of %d leads, want exactly 2001 from the fixed hash", treated, n)
	}

	pinned := map[string]Arm{"crm-0": ArmControl, "crm-1": ArmTreatment,
		"crm-4": ArmTreatment, "crm-10": ArmTreatment, "crm-11": ArmControl}
	for ext, want := range pinned {
		if got, _ := o.ArmOf(Lead{ExternalID: ext}); got != want {
			t.Errorf("ArmOf(%s) = %s, want %s", ext, got, want)
		}
	}
}

func TestNewExperimentNameReshuffles(t *testing.T) {
	a := ExperimentOptions{Name: "ev-2026q4", Share: 0.2}
	b := ExperimentOptions{Name: "ev-2027q1", Share: 0.2}
	moved := 0
	for i := range 10_000 {
		l := Lead{ExternalID: fmt.Sprint("crm-", i)}
		x, _ := a.ArmOf(l)
		y, _ := b.ArmOf(l)
		if x != y {
			moved++
		}
	}
	// Independent splits disagree on 2 × 0.2 × 0.8 = 32% of the leads
	// (sd 0.47 points); the same split would disagree on none.
	if moved < 3050 || moved > 3350 {
		t.Errorf("a new name moved %d of 10000 leads to the other arm, want about 3200", moved)
	}
}

func TestSplitEnds(t *testing.T) {
	for _, tt := range []struct {
		share float64
		want  Arm
	}{{0, ArmControl}, {1, ArmTreatment}} {
		o := ExperimentOptions{Name: "x", Share: tt.share}
		for i := range 1000 {
			if got, _ := o.ArmOf(Lead{ExternalID: fmt.Sprint(i)}); got != tt.want {
				t.Fatalf("share %v: ArmOf(%d) = %s, want %s", tt.share, i, got, tt.want)
			}
		}
	}
}

func TestExperimentRoutesEachArmByItsStrategy(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	start := t0.Add(time.Hour)
	// Round-robin picks r1 (waited longest); least-loaded picks r2
	// (10% used against 50%).
	reps := []Rep{
		{ID: "r1", Role: RoleRep, Active: true, Capacity: 10, OpenTasks: 5, LastAssignedAt: t0},
		{ID: "r2", Role: RoleRep, Active: true, Capacity: 10, OpenTasks: 1,
			LastAssignedAt: t0.Add(time.Minute)},
	}
	o := ExperimentOptions{Name: "ev-2026q4", Control: RoundRobinName,
		Treatment: LeastLoadedName, Share: 0.2, Start: start}
	r, err := NewExperiment(o, ValueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(Learner); ok {
		t.Errorf("%s is a Learner, want none: neither strategy learns", r.Name())
	}

	tests := []struct {
		name      string
		ext       string
		created   time.Time
		rep       RepID
		strategy  string
		arm       Arm
		lastWords string
	}{
		{"control", "crm-0", start, "r1", RoundRobinName, ArmControl, "A/B 实验 ev-2026q4：对照组"},
		{"treatment", "crm-1", start, "r2", LeastLoadedName, ArmTreatment, "A/B 实验 ev-2026q4：实验组"},
		{"before the start", "crm-1", t0, "r1", RoundRobinName, "", "负载 5/10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.Route(Lead{ExternalID: tt.ext, CreatedAt: tt.created}, reps)
			if d.RepID != tt.rep || d.Strategy != tt.strategy || d.Arm != tt.arm {
				t.Errorf("Route(%s) = %s by %s in arm %q, want %s by %s in arm %q",
					tt.ext, d.RepID, d.Strategy, d.Arm, tt.rep, tt.strategy, tt.arm)
			}
			if want := o.Name; tt.arm != "" && d.Experiment != want {
				t.Errorf("Route(%s).Experiment = %q, want %q", tt.ext, d.Experiment, want)
			}
			last := d.Reasons[len(d.Reasons)-1]
			if !strings.HasPrefix(last, tt.lastWords) {
				t.Errorf("Route(%s) last reason = %q, want %q", tt.ext, last, tt.lastWords)
			}
			want := 0
			if tt.arm != "" {
				want = 1
			}
			if n := strings.Count(strings.Join(d.Reasons, "|"), "A/B"); n != want {
				t.Errorf("Route(%s) reasons %q name the experiment %d times, want %d",
					tt.ext, d.Reasons, n, want)
			}
		})
	}
}

func TestExperimentArmsKeepLearning(t *testing.T) {
	o := ExperimentOptions{Name: "x", Control: RoundRobinName,
		Treatment: ExpertiseValueLoadName, Share: 0.5}
	r, err := NewExperiment(o, DefaultValueOptions)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := r.(Learner)
	if !ok {
		t.Fatalf("%s is not a Learner, want one: its treatment learns", r.Name())
	}
	k := Learn(nil, nil, nil, LearnOptions{})
	l.SetKnowledge(k)
	treatment := r.(learningExperiment).treatment.(*ValueRouter)
	if treatment.Knowledge() != k {
		t.Error("the treatment's strategy did not receive the snapshot")
	}
}

func TestExperimentOptionsNameTheField(t *testing.T) {
	ok := ExperimentOptions{Name: "x", Control: RoundRobinName, Treatment: LeastLoadedName, Share: 0.2}
	tests := []struct {
		name  string
		edit  func(*ExperimentOptions)
		field string
	}{
		{"no name", func(o *ExperimentOptions) { o.Name = " " }, "name"},
		{"long name", func(o *ExperimentOptions) { o.Name = strings.Repeat("n", 65) }, "name"},
		{"share below 0", func(o *ExperimentOptions) { o.Share = -0.1 }, "share"},
		{"share NaN", func(o *ExperimentOptions) { o.Share = math.NaN() }, "share"},
		{"unknown control", func(o *ExperimentOptions) { o.Control = "coin" }, "control"},
		{"unknown treatment", func(o *ExperimentOptions) { o.Treatment = "coin" }, "treatment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			_, err := NewExperiment(o, ValueOptions{})
			if KindOf(err) != Invalid || FieldOf(err) != tt.field {
				t.Errorf("NewExperiment = %v, want Invalid naming %s", err, tt.field)
			}
		})
	}
	if _, err := NewExperiment(ok, ValueOptions{}); err != nil {
		t.Errorf("NewExperiment(valid options) = %v", err)
	}
}

func TestKeepArm(t *testing.T) {
	routed := &Decision{Strategy: RoundRobinName, Experiment: "x", Arm: ArmTreatment}
	claim := &Decision{Strategy: "claim"}
	keepArm(routed, claim)
	if claim.Experiment != "x" || claim.Arm != ArmTreatment {
		t.Errorf("claim after a treatment routing = %q/%q, want x/treatment", claim.Experiment, claim.Arm)
	}
	fresh := &Decision{Strategy: RoundRobinName, Experiment: "y", Arm: ArmControl}
	keepArm(routed, fresh)
	if fresh.Experiment != "y" || fresh.Arm != ArmControl {
		t.Errorf("a routing's own arm was overwritten: %q/%q", fresh.Experiment, fresh.Arm)
	}
	none := &Decision{Strategy: "claim"}
	keepArm(nil, none)
	if none.Experiment != "" {
		t.Errorf("a lead with no decision got experiment %q", none.Experiment)
	}
}
