package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// skillDeals is a history in which a wins 24 of 40 healthcare deals and
// 8 of 40 manufacturing ones, b the reverse; c is new.
func skillDeals() ([]Deal, []Rep) {
	reps := []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10), valueRep("c", 0, 10)}
	var deals []Deal
	add := func(rep RepID, industry string, won int) {
		for i := range 40 {
			d := Deal{RepID: rep, Profile: Profile{Industry: industry}, Outcome: Lost,
				Amount: 100_000, ClosedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			if i < won {
				d.Outcome = Won
			}
			deals = append(deals, d)
		}
	}
	add("a", "医疗", 24)
	add("a", "制造", 8)
	add("b", "医疗", 8)
	add("b", "制造", 24)
	return deals, reps
}

func valueRep(id string, open, capacity int) Rep {
	return Rep{ID: RepID(id), Name: "rep " + id, Team: "T", Role: RoleRep, Active: true,
		OpenTasks: open, Capacity: capacity}
}

func newTestRouter(t *testing.T, edit func(*ValueOptions)) *ValueRouter {
	t.Helper()
	o := DefaultValueOptions
	o.Explore = 0
	if edit != nil {
		edit(&o)
	}
	r, err := NewValueRouter(o)
	if err != nil {
		t.Fatalf("NewValueRouter(%+v) = %v", o, err)
	}
	deals, reps := skillDeals()
	r.SetKnowledge(Learn(deals, reps, nil, LearnOptions{}))
	return r
}

func valueLead(id, industry string, tier Tier) Lead {
	return Lead{ExternalID: id, Tier: tier,
		Profile: Profile{Industry: industry, ExpectedAmount: 100_000}}
}

func TestValueRouterFit(t *testing.T) {
	r := newTestRouter(t, nil)
	inactive := valueRep("a", 0, 10)
	inactive.Active = false
	manager := valueRep("a", 0, 10)
	manager.Role = RoleManager
	north := valueRep("a", 0, 10)
	north.Regions = []string{"华北"}
	east := valueRep("b", 0, 10)
	east.Regions = []string{" 华东 "}

	tests := []struct {
		name   string
		region string
		reps   []Rep
		want   RepID
	}{
		{"best record", "", []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10)}, "a"},
		{"skips full", "", []Rep{valueRep("a", 10, 10), valueRep("b", 0, 10)}, "b"},
		{"skips inactive", "", []Rep{inactive, valueRep("b", 0, 10)}, "b"},
		{"skips managers", "", []Rep{manager, valueRep("b", 0, 10)}, "b"},
		{"skips zero capacity", "", []Rep{valueRep("a", 0, 0), valueRep("b", 0, 10)}, "b"},
		{"skips other regions", "华东", []Rep{north, east}, "b"},
		{"lead without region fits all", "", []Rep{north, east}, "a"},
		{"nobody fits", "华南", []Rep{north, east, valueRep("c", 3, 3)}, ""},
		{"empty roster", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lead := valueLead("L1", "医疗", TierB)
			lead.Region = tt.region
			d := r.Route(lead, tt.reps)
			if d.RepID != tt.want {
				t.Errorf("Route = %q, want %q (reasons %q)", d.RepID, tt.want, d.Reasons)
			}
			if d.Strategy != ExpertiseValueLoadName || len(d.Reasons) == 0 {
				t.Errorf("decision = %+v, want %s with reasons", d, ExpertiseValueLoadName)
			}
			if tt.want == "" && len(d.Candidates) > 0 {
				t.Errorf("standby decision lists candidates %v", d.Candidates)
			}
		})
	}
}

func TestValueRouterExpertiseAndLoad(t *testing.T) {
	r := newTestRouter(t, nil)
	tests := []struct {
		name     string
		industry string
		reps     []Rep
		want     RepID
	}{
		{"healthcare to a", "医疗", []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10)}, "a"},
		{"manufacturing to b", "制造", []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10)}, "b"},
		{"a busy still beats b idle", "医疗", []Rep{valueRep("a", 8, 10), valueRep("b", 0, 10)}, "a"},
		// c and d have the same (empty) record: the lighter load wins.
		{"lighter load among equals", "医疗", []Rep{valueRep("c", 5, 10), valueRep("d", 1, 10)}, "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.Route(valueLead("L1", tt.industry, TierB), tt.reps)
			if d.RepID != tt.want {
				t.Errorf("Route(%s lead) = %q, want %q (reasons %q)",
					tt.industry, d.RepID, tt.want, d.Reasons)
			}
		})
	}
}

func TestValueRouterEstimate(t *testing.T) {
	r, err := NewValueRouter(DefaultValueOptions)
	if err != nil {
		t.Fatal(err)
	}
	// No history: base is the prior 0.2, no skill, and the default
	// slope of -0.05 per task from a reference load of 0:
	// σ(logit 0.2 - 0.2) = 0.1699.
	e := r.Estimate(valueLead("L1", "医疗", TierB), valueRep("a", 4, 10))
	want := Estimate{Base: 0.2, Load: -0.2, Probability: 0.1699, Value: 16_990}
	if !near(e.Base, want.Base, 1e-9) || e.Skill != 0 || !near(e.Load, want.Load, 1e-12) ||
		!near(e.Probability, want.Probability, 1e-4) || !near(e.Value, want.Value, 10) ||
		e.Confidence != 0 {
		t.Errorf("Estimate = %+v, want %+v", e, want)
	}
}

func TestValueRouterTies(t *testing.T) {
	r, _ := NewValueRouter(ValueOptions{})
	reps := []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10), valueRep("c", 0, 10)}
	counts := map[RepID]int{}
	for i := range 300 {
		lead := valueLead(fmt.Sprintf("crm-%d", i), "", TierB)
		d := r.Route(lead, reps)
		counts[d.RepID]++
		if d.Candidates[0].RepID != d.RepID {
			t.Fatalf("lead %s went to %s but the list starts with %s",
				lead.ExternalID, d.RepID, d.Candidates[0].RepID)
		}
		if again := r.Route(lead, []Rep{reps[2], reps[0], reps[1]}); again.RepID != d.RepID {
			t.Fatalf("lead %s went to %s, then to %s with the roster reordered",
				lead.ExternalID, d.RepID, again.RepID)
		}
		if i == 0 && !strings.Contains(strings.Join(d.Reasons, "；"), "与另外 2 人并列") {
			t.Errorf("reasons %q do not explain the tie-break", d.Reasons)
		}
	}
	for _, id := range []RepID{"a", "b", "c"} {
		if counts[id] < 70 {
			t.Errorf("tied rep %s got %d of 300 leads, want about 100", id, counts[id])
		}
	}
}

func TestValueRouterFairness(t *testing.T) {
	reps := []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10), valueRep("c", 0, 10)}
	// a holds 10 of the last 20 tier A leads: over the cap of
	// max(25%, 1/3 for three fitting reps).
	recent := NewRecentA(slices.Concat(slices.Repeat([]RepID{"a"}, 10),
		slices.Repeat([]RepID{"b"}, 10)))
	tests := []struct {
		name   string
		tier   Tier
		min    int
		want   RepID
		reason string
	}{
		{"tier A passes the star over", TierA, 20, "c", "公平限制：rep a 近期已获 50% 的 A 类线索（上限 33%）"},
		{"tier B is not guarded", TierB, 20, "a", ""},
		{"too few recent A leads", TierA, 21, "a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRouter(t, func(o *ValueOptions) { o.MinRecentA = tt.min })
			r.SetKnowledge(r.Knowledge().WithRecentA(recent))
			d := r.Route(valueLead("L1", "医疗", tt.tier), reps)
			if d.RepID != tt.want {
				t.Errorf("Route = %q, want %q (reasons %q)", d.RepID, tt.want, d.Reasons)
			}
			if got := strings.Join(d.Reasons, "\n"); !strings.Contains(got, tt.reason) {
				t.Errorf("reasons =\n%s\nwant %q", got, tt.reason)
			}
		})
	}
}

func TestValueRouterExploration(t *testing.T) {
	reps := []Rep{valueRep("a", 0, 10), valueRep("b", 0, 10), valueRep("c", 0, 10)}
	tests := []struct {
		name    string
		explore float64
		tierA   bool
		tier    Tier
		want    RepID
	}{
		{"off", 0, false, TierB, "a"},
		{"always, to the new rep", 1, false, TierB, "c"},
		{"tier A is spared", 1, false, TierA, "a"},
		{"tier A too when allowed", 1, true, TierA, "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRouter(t, func(o *ValueOptions) {
				o.Explore, o.ExploreTierA = tt.explore, tt.tierA
			})
			d := r.Route(valueLead("L1", "医疗", tt.tier), reps)
			if d.RepID != tt.want {
				t.Errorf("Route = %q, want %q (reasons %q)", d.RepID, tt.want, d.Reasons)
			}
			if tt.want == "c" && !strings.Contains(strings.Join(d.Reasons, "\n"), "培养新人：rep c") {
				t.Errorf("reasons %q do not explain the exploration", d.Reasons)
			}
		})
	}

	r := newTestRouter(t, func(o *ValueOptions) { o.Explore = 0.1 })
	explored := 0
	for i := range 2000 {
		if r.Route(valueLead(fmt.Sprintf("crm-%d", i), "医疗", TierB), reps).RepID == "c" {
			explored++
		}
	}
	if explored < 160 || explored > 240 {
		t.Errorf("explored %d of 2000 leads, want about 10%%", explored)
	}
}

func TestValueRouterCandidates(t *testing.T) {
	var reps []Rep
	for i := range 8 {
		reps = append(reps, valueRep(fmt.Sprintf("x%d", i), i, 10))
	}
	reps = append(reps, valueRep("a", 0, 10), valueRep("b", 0, 10))
	// Exploration sends the lead to x0, the best of the new reps, who
	// rank below a (strong in healthcare) and above b (weak there).
	tests := []struct {
		max  int
		want []RepID
	}{
		{3, []RepID{"a", "x0", "x1"}},
		{1, []RepID{"x0"}}, // the chosen rep is always listed
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			r := newTestRouter(t, func(o *ValueOptions) { o.MaxCandidates = tt.max; o.Explore = 1 })
			d := r.Route(valueLead("L1", "医疗", TierB), reps)
			var ids []RepID
			for i, c := range d.Candidates {
				ids = append(ids, c.RepID)
				if c.Score < 0 || c.Score > 1 || (i > 0 && c.Score > d.Candidates[i-1].Score) {
					t.Errorf("candidate %d score %v: want within [0, 1], best first", i, c.Score)
				}
			}
			if d.RepID != "x0" || !slices.Equal(ids, tt.want) {
				t.Errorf("Route = %q with candidates %v, want x0 with %v", d.RepID, ids, tt.want)
			}
		})
	}
}

func TestValueRouterReasons(t *testing.T) {
	deals, reps := skillDeals()
	k := Learn(deals, reps, nil, LearnOptions{})
	a := k.Profiles.Cell(reps[0], ByIndustry, "医疗")
	tests := []struct {
		lang Lang
		want []string
	}{
		{Chinese, []string{
			"按期望价值分配给 rep a：赢单概率",
			fmt.Sprintf("医疗行业赢率 %s，团队平均 %s（40 单历史）", pct(a.Rate), pct(a.TeamRate)),
			"负载 2/10，赢率因此降低",
			"候选人：rep a",
			"跳过 1 名满负荷的销售",
		}},
		{English, []string{
			"expected value: rep a wins it with probability",
			fmt.Sprintf("医疗 win rate %s, team average %s (40 deals)", pct(a.Rate), pct(a.TeamRate)),
			"load 2 of 10 costs",
			"candidates: rep a",
			"skipped 1 full reps",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			r := newTestRouter(t, func(o *ValueOptions) { o.Lang = tt.lang })
			roster := []Rep{valueRep("a", 2, 10), valueRep("b", 0, 10), valueRep("c", 5, 5)}
			got := strings.Join(r.Route(valueLead("L1", "医疗", TierB), roster).Reasons, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reasons =\n%s\nwant %q", got, w)
				}
			}
		})
	}
}

func TestValueRouterSwapsKnowledge(t *testing.T) {
	r, _ := NewValueRouter(ValueOptions{})
	deals, reps := skillDeals()
	learned := Learn(deals, reps, nil, LearnOptions{})
	lead := valueLead("L1", "制造", TierB)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if g == 0 && i%10 == 0 {
					r.SetKnowledge(learned.WithRecentA(NewRecentA([]RepID{"a"})))
				}
				if d := r.Route(lead, reps); d.RepID == "" {
					t.Errorf("Route = standby with three free reps")
				}
			}
		}()
	}
	wg.Wait()
	if d := r.Route(lead, reps); d.RepID != "b" {
		t.Errorf("after learning, manufacturing lead went to %q, want b", d.RepID)
	}
}

func TestValueOptionsValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*ValueOptions)
		field string
	}{
		{"defaults", func(*ValueOptions) {}, ""},
		{"share above 1", func(o *ValueOptions) { o.MaxShareA = 1.5 }, "max_share_a"},
		{"negative exploration", func(o *ValueOptions) { o.Explore = -0.1 }, "explore"},
		{"confidence above 1", func(o *ValueOptions) { o.ExploreBelow = 2 }, "explore_below"},
		{"language", func(o *ValueOptions) { o.Lang = "de" }, "lang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultValueOptions
			tt.edit(&o)
			_, err := NewValueRouter(o)
			if got := FieldOf(err); got != tt.field {
				t.Errorf("NewValueRouter field = %q, want %q (error %v)", got, tt.field, err)
			}
		})
	}
}

func TestLeastLoaded(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	waited := valueRep("w", 1, 4)
	waited.LastAssignedAt = t0
	recent := valueRep("n", 1, 4)
	recent.LastAssignedAt = t0.Add(time.Hour)
	north := valueRep("x", 0, 10)
	north.Regions = []string{"华北"}
	tests := []struct {
		name string
		reps []Rep
		want RepID
	}{
		// 2/10 = 20% beats 1/4 = 25% though it holds more tasks.
		{"lowest share of capacity", []Rep{valueRep("a", 1, 4), valueRep("b", 2, 10)}, "b"},
		{"equal share: waited longest", []Rep{recent, waited}, "w"},
		{"equal share, never assigned first", []Rep{recent, valueRep("z", 2, 8)}, "z"},
		{"skips full and other regions",
			[]Rep{valueRep("a", 4, 4), north, valueRep("b", 3, 4)}, "b"},
		{"nobody fits", []Rep{valueRep("a", 4, 4), north}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lead := Lead{Profile: Profile{Region: "华东"}}
			d := LeastLoaded{Lang: English}.Route(lead, tt.reps)
			if d.RepID != tt.want || d.Strategy != LeastLoadedName || len(d.Reasons) == 0 {
				t.Errorf("Route = %q (%s, reasons %q), want %q",
					d.RepID, d.Strategy, d.Reasons, tt.want)
			}
			for _, c := range d.Candidates {
				if c.Score < 0 || c.Score > 1 {
					t.Errorf("candidate %s score %v, want within [0, 1]", c.RepID, c.Score)
				}
			}
		})
	}
	d := LeastLoaded{}.Route(Lead{}, []Rep{valueRep("b", 2, 10), valueRep("a", 1, 4)})
	if want := "最空闲：rep b 负载 2/10（20%），在 2 名合适且有空位的销售中最低"; d.Reasons[0] != want {
		t.Errorf("reason = %q, want %q", d.Reasons[0], want)
	}
}

func TestNewRouter(t *testing.T) {
	for _, name := range []string{RoundRobinName, LeastLoadedName, ExpertiseValueLoadName} {
		r, err := NewRouter(name, DefaultValueOptions)
		if err != nil || r.Name() != name {
			t.Errorf("NewRouter(%q) = %v, %v", name, r, err)
		}
	}
	_, err := NewRouter("random", DefaultValueOptions)
	if err == nil || !strings.Contains(err.Error(), LeastLoadedName) {
		t.Errorf("NewRouter(random) error = %v, want one listing the strategies", err)
	}
	if _, ok := Router(&ValueRouter{}).(Learner); !ok {
		t.Error("ValueRouter is not a Learner")
	}
}

func TestCatalogComplete(t *testing.T) {
	verbs := func(s string) string {
		var out []byte
		for i := 0; i < len(s)-1; i++ {
			if s[i] == '%' {
				out = append(out, s[i+1])
				i++
			}
		}
		return string(out)
	}
	for m := range msgCount {
		zh, en := catalog[Chinese][m], catalog[English][m]
		if zh == "" || en == "" || verbs(zh) != verbs(en) {
			t.Errorf("message %d: zh %q and en %q: want both, with the same verbs",
				m, zh, en)
		}
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		lang Lang
		v    float64
		want string
	}{
		{Chinese, 9_999, "9999元"}, {Chinese, 114_000, "11.4万元"}, {Chinese, 2_000_000, "200万元"},
		{English, 114_000, "114,000 yuan"}, {English, 999, "999 yuan"},
		{English, 1_234_567, "1,234,567 yuan"},
	}
	for _, tt := range tests {
		if got := tt.lang.money(tt.v); got != tt.want {
			t.Errorf("%s money(%v) = %q, want %q", tt.lang, tt.v, got, tt.want)
		}
	}
	if got := pct(math.Nextafter(0.415, 1)); got != "42%" {
		t.Errorf("pct(0.415) = %q, want 42%%", got)
	}
}
