package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func rbRep(id, level string, open, capacity int) Rep {
	return Rep{ID: RepID(id), Name: id, Role: RoleRep, Level: level, Active: true,
		OpenTasks: open, Capacity: capacity}
}

// rbLeads gives owner n assigned leads of a tier, numbered from first.
func rbLeads(owner string, first, n int, tier Tier) []Lead {
	var out []Lead
	for i := range n {
		out = append(out, Lead{ID: LeadID(first + i), Status: StatusAssigned,
			Assignee: RepID(owner), Tier: tier})
	}
	return out
}

// movesOf writes a plan's moves as "L1:a>b", in the plan's order.
func movesOf(p Plan) []string {
	var out []string
	for _, m := range p.Moves {
		out = append(out, fmt.Sprintf("%s:%s>%s", m.LeadID, m.From, m.To))
	}
	return out
}

// received counts the leads each rep receives.
func received(p Plan) map[RepID]int {
	out := map[RepID]int{}
	for _, m := range p.Moves {
		out[m.To]++
	}
	return out
}

func TestPlanRebalance(t *testing.T) {
	telesales := rbRep("t", "junior", 0, 10)
	telesales.Team = "电销"
	south := rbRep("s", "senior", 0, 1)
	south.Regions = []string{"华南"}
	worked := rbLeads("a", 1, 3, TierB)
	worked[0].Progress, worked[2].Progress = 50, 50
	regional := rbLeads("a", 1, 2, TierB)
	regional[1].Region = "华南"

	tests := []struct {
		name       string
		leads      []Lead
		reps       []Rep
		o          RebalanceOptions
		want       []string
		unresolved int
	}{
		{"obvious move takes the least worked lead", worked,
			[]Rep{rbRep("a", "senior", 3, 2), rbRep("b", "senior", 0, 2)},
			RebalanceOptions{}, []string{"L2:a>b"}, 0},
		{"no move needed", rbLeads("a", 1, 2, TierB),
			[]Rep{rbRep("a", "senior", 2, 2), rbRep("b", "senior", 0, 2)},
			RebalanceOptions{}, nil, 0},
		{"capacity respected", rbLeads("a", 1, 5, TierB),
			[]Rep{rbRep("a", "senior", 5, 2), rbRep("b", "senior", 1, 2),
				rbRep("c", "senior", 2, 3)},
			RebalanceOptions{}, []string{"L4:a>b", "L5:a>c"}, 1},
		{"tier C to telesales", append(rbLeads("a", 1, 1, TierA), rbLeads("a", 2, 1, TierC)...),
			[]Rep{rbRep("a", "senior", 2, 1), telesales},
			RebalanceOptions{TelesalesTeam: "电销"}, []string{"L2:a>t"}, 0},
		{"telesales takes no tier A", rbLeads("a", 1, 2, TierA),
			[]Rep{rbRep("a", "senior", 2, 1), telesales},
			RebalanceOptions{TelesalesTeam: "电销"}, nil, 1},
		{"peers before others and reserve", rbLeads("a", 1, 2, TierB),
			[]Rep{rbRep("a", "senior", 2, 1), rbRep("p", "senior", 3, 4),
				rbRep("r", "senior", 0, 10), rbRep("j", "junior", 0, 10)},
			RebalanceOptions{Reserve: []RepID{"r"}}, []string{"L2:a>p"}, 0},
		{"reserve by level when no regular rep has room", rbLeads("a", 1, 2, TierB),
			[]Rep{rbRep("a", "senior", 2, 1), rbRep("p", "senior", 4, 4), rbRep("r", "储备", 0, 10)},
			RebalanceOptions{ReserveLevel: "储备"}, []string{"L2:a>r"}, 0},
		{"one assignment, not greedy", regional,
			[]Rep{rbRep("a", "senior", 2, 0), rbRep("b", "senior", 0, 1), south},
			RebalanceOptions{}, []string{"L1:a>b", "L2:a>s"}, 0},
		{"share of capacity", rbLeads("a", 1, 9, TierB),
			[]Rep{rbRep("a", "senior", 9, 10), rbRep("b", "senior", 7, 10),
				rbRep("c", "senior", 8, 10)},
			RebalanceOptions{Overload: 0.8}, []string{"L9:a>b"}, 0},
		{"inactive and managers receive nothing", rbLeads("a", 1, 2, TierB),
			[]Rep{rbRep("a", "senior", 2, 1),
				{ID: "m", Role: RoleManager, Level: "senior", Active: true, Capacity: 5},
				{ID: "off", Role: RoleRep, Level: "senior", Capacity: 5}},
			RebalanceOptions{}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PlanRebalance(tt.leads, tt.reps, nil, tt.o)
			if got := movesOf(p); !slices.Equal(got, tt.want) {
				t.Errorf("PlanRebalance moves = %v, want %v", got, tt.want)
			}
			if p.Unresolved != tt.unresolved {
				t.Errorf("PlanRebalance unresolved = %d, want %d", p.Unresolved, tt.unresolved)
			}
		})
	}
}

func TestPlanRebalanceSpreadsLoad(t *testing.T) {
	reps := []Rep{rbRep("a", "senior", 6, 2), rbRep("b", "senior", 0, 4),
		rbRep("c", "senior", 0, 4)}
	p := PlanRebalance(rbLeads("a", 1, 6, TierB), reps, nil, RebalanceOptions{})
	got := received(p)
	if got["b"] != 2 || got["c"] != 2 || len(p.Moves) != 4 {
		t.Errorf("PlanRebalance received = %v in %d moves, want 2 each in 4", got, len(p.Moves))
	}
}

func TestPlanRebalanceWidensOffers(t *testing.T) {
	reps := []Rep{rbRep("a", "senior", 3, 0), rbRep("b", "senior", 0, 1),
		rbRep("c", "senior", 0, 1), rbRep("d", "senior", 0, 1)}
	p := PlanRebalance(rbLeads("a", 1, 3, TierB), reps, nil, RebalanceOptions{Candidates: 1})
	if got := received(p); len(p.Moves) != 3 || got["b"] != 1 || got["c"] != 1 || got["d"] != 1 {
		t.Errorf("PlanRebalance with 1 candidate = %v, want one lead each to b, c, d", movesOf(p))
	}
}

func TestPlanRebalanceKnowledge(t *testing.T) {
	reps := []Rep{rbRep("a", "senior", 2, 1), rbRep("good", "senior", 0, 5),
		rbRep("poor", "senior", 0, 5)}
	var deals []Deal
	for i := range 40 {
		d := Deal{ExternalID: fmt.Sprint("d", i), Profile: Profile{Industry: "医疗"}, Outcome: Lost}
		d.RepID = "poor"
		if i%2 == 0 {
			d.RepID, d.Outcome = "good", Won
		}
		deals = append(deals, d)
	}
	k := Learn(deals, reps, nil, LearnOptions{})
	leads := rbLeads("a", 1, 2, TierB)
	for i := range leads {
		leads[i].Industry = "医疗"
	}

	p := PlanRebalance(leads, reps, k, RebalanceOptions{})
	if got := movesOf(p); len(got) != 1 || p.Moves[0].To != "good" {
		t.Fatalf("PlanRebalance with knowledge = %v, want one move to good", got)
	}
	if r := p.Moves[0].Reason; !strings.Contains(r, "赢单概率") || !strings.Contains(r, "同级别") {
		t.Errorf("reason = %q, want the win chance and the peer class", r)
	}
}

func TestPlanRebalanceReasonEnglish(t *testing.T) {
	reps := []Rep{rbRep("a", "senior", 2, 1), rbRep("b", "senior", 0, 2)}
	p := PlanRebalance(rbLeads("a", 1, 2, TierB), reps, nil, RebalanceOptions{Lang: English})
	want := "rebalance: a holds 2 of 1, over the limit of 1; moved to peer b (then 1 of 2)"
	if len(p.Moves) != 1 || p.Moves[0].Reason != want {
		t.Errorf("PlanRebalance reason = %v, want %q", p.Moves, want)
	}
}

func TestRebalanceOptionsValidate(t *testing.T) {
	for _, o := range []RebalanceOptions{{Overload: -1}, {MovePenalty: -1}, {Lang: "fr"}} {
		if err := o.Validate(); KindOf(err) != Invalid {
			t.Errorf("Validate(%+v) = %v, want Invalid", o, err)
		}
	}
}

// TestPlanRebalanceZoneRule: a holds one lead too many, whose customer is
// in Shanghai. The peer b (New York) is the cheaper receiver, but with
// 09:00-18:00 they share no working time in December (13 hours apart),
// so under the rule the lead goes to c (Shanghai, another level).
func TestPlanRebalanceZoneRule(t *testing.T) {
	hours := BusinessHours{Start: 9 * 60, End: 18 * 60, On: true}
	rule := ZoneRule{MinOverlap: 2 * time.Hour}
	dec := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		zone  string // the customer's time zone
		rule  ZoneRule
		hours BusinessHours
		want  []string
	}{
		{"rule on", "Asia/Shanghai", rule, hours, []string{"L2:a>c"}},
		{"rule off", "Asia/Shanghai", ZoneRule{}, hours, []string{"L2:a>b"}},
		{"hours off", "Asia/Shanghai", rule, BusinessHours{}, []string{"L2:a>b"}},
		{"lead without a zone", "", rule, hours, []string{"L2:a>b"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b, c := rbRep("a", "mid", 2, 1), rbRep("b", "mid", 0, 5), rbRep("c", "senior", 0, 5)
			a.Timezone, b.Timezone, c.Timezone = "Asia/Shanghai", "America/New_York", "Asia/Shanghai"
			leads := rbLeads("a", 1, 2, TierB)
			for i := range leads {
				leads[i].Timezone = tt.zone
			}
			o := RebalanceOptions{Zones: tt.rule, Hours: tt.hours, At: dec}
			p := PlanRebalance(leads, []Rep{a, b, c}, nil, o)
			if got := movesOf(p); !slices.Equal(got, tt.want) || p.Unresolved != 0 {
				t.Errorf("PlanRebalance = %v, %d unresolved; want %v, 0", got, p.Unresolved, tt.want)
			}
		})
	}
}

// TestPlanRebalanceZoneRuleUnresolved: the only receiver shares no
// working time with the customer, so the surplus stays where it is.
func TestPlanRebalanceZoneRuleUnresolved(t *testing.T) {
	a, b := rbRep("a", "mid", 2, 1), rbRep("b", "mid", 0, 5)
	b.Timezone = "America/New_York"
	leads := rbLeads("a", 1, 2, TierB)
	for i := range leads {
		leads[i].Timezone = "Asia/Shanghai"
	}
	o := RebalanceOptions{Zones: ZoneRule{MinOverlap: 2 * time.Hour},
		Hours: BusinessHours{Start: 9 * 60, End: 18 * 60, On: true},
		At:    time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)}
	p := PlanRebalance(leads, []Rep{a, b}, nil, o)
	if len(p.Moves) != 0 || p.Unresolved != 1 {
		t.Errorf("PlanRebalance = %v, %d unresolved; want no moves, 1", movesOf(p), p.Unresolved)
	}
}
