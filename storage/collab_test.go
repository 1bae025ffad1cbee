package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// collabService is an auto-mode, round-robin service with collaboration
// on; reps have no team, so their records are measured against the
// company's.
func collabService(t *testing.T, s *storage.Store, o engine.CollaborationOptions) (*engine.Service, *enginetest.Clock) {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	p.Collaboration = o
	return engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p, Router: rotation{}}), clock
}

// rotation gives each lead to the routable rep with room who has waited
// longest, the lower id first among equals: the fixed order the squad
// tests count on, where the real strategies break ties at random.
type rotation struct{}

func (rotation) Name() string { return "rotation" }

func (rotation) Route(_ engine.Lead, reps []engine.Rep) engine.Decision {
	d := engine.Decision{Strategy: "rotation"}
	var best *engine.Rep
	for i := range reps {
		r := &reps[i]
		if !engine.Routable(*r) || !r.HasRoom() {
			continue
		}
		if best == nil || r.LastAssignedAt.Before(best.LastAssignedAt) ||
			r.LastAssignedAt.Equal(best.LastAssignedAt) && r.ID < best.ID {
			best = r
		}
	}
	if best != nil {
		d.RepID, d.Load = best.ID, best.OpenTasks
		d.Candidates = []engine.Candidate{{RepID: best.ID, Score: 1}}
	}
	return d
}

func putCollabRep(t *testing.T, svc *engine.Service, r engine.Rep) {
	t.Helper()
	r.Role, r.Active = engine.RoleRep, !strings.HasPrefix(r.Name, "离职")
	if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		t.Fatalf("PutRep(%s): %v", r.ID, err)
	}
}

// history loads closed deals: for each rep, n deals of which the first
// won are wins, all in one industry and product line.
func history(t *testing.T, svc *engine.Service, now time.Time, rows ...struct {
	rep, industry, product string
	n, won                 int
}) {
	t.Helper()
	var deals []engine.Deal
	for _, r := range rows {
		for i := range r.n {
			outcome := engine.Lost
			if i < r.won {
				outcome = engine.Won
			}
			deals = append(deals, engine.Deal{
				ExternalID: fmt.Sprintf("h-%s-%s-%d", r.rep, r.industry, i),
				RepID:      engine.RepID(r.rep), Outcome: outcome, Amount: 100000,
				ClosedAt: now.Add(-time.Duration(i+1) * time.Hour),
				Profile: engine.Profile{Company: "历史客户", Industry: r.industry,
					ProductLine: r.product, ExpectedAmount: 100000},
			})
		}
	}
	ctx := context.Background()
	if _, rejected, err := svc.ImportHistory(ctx, deals, engine.HistoryOptions{Actor: engine.ActorAPI}); err != nil || len(rejected) > 0 {
		t.Fatalf("ImportHistory: %v %v", rejected, err)
	}
	if err := svc.Relearn(ctx); err != nil {
		t.Fatal(err)
	}
}

func medicalLead(ext string) engine.LeadInput {
	return engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: "医院 " + ext,
		Industry: "医疗", ProductLine: "影像", ExpectedAmount: 100000}}
}

// live lists the reps working live on a lead beside its owner.
func live(t *testing.T, svc *engine.Service, id engine.LeadID) []engine.RepID {
	t.Helper()
	cs, err := svc.Collaborators(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []engine.RepID
	for _, c := range cs {
		if c.Live() {
			out = append(out, c.RepID)
		}
	}
	return out
}

func events(t *testing.T, svc *engine.Service, id engine.LeadID, ev engine.Event) []string {
	t.Helper()
	es, err := svc.LeadHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Event == ev {
			out = append(out, string(e.RepID)+": "+e.Detail)
		}
	}
	return out
}

func TestSquadForKeyIndustry(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		o := engine.DefaultCollaborationOptions
		o.KeyIndustries = []string{"医疗"}
		o.ExpertRate, o.ExpertConfidence = 0.5, 0.3
		o.SquadFor = 48 * time.Hour
		o.MaxPerRep = 1
		svc, clock := collabService(t, s, o)
		for _, r := range []engine.Rep{
			{ID: "a", Name: "张三", Capacity: 5},
			{ID: "b", Name: "李四", Capacity: 5},
			{ID: "c", Name: "王五", Capacity: 5},
			{ID: "d", Name: "赵六", Capacity: 5},
			{ID: "e", Name: "孙七", Capacity: 5, Away: true},
			{ID: "f", Name: "离职周八", Capacity: 5},
		} {
			putCollabRep(t, svc, r)
		}
		history(t, svc, clock.Now(), []struct {
			rep, industry, product string
			n, won                 int
		}{
			{"b", "医疗", "", 8, 3},
			{"c", "医药", "影像", 5, 4},
			{"e", "医疗", "", 12, 8},
			{"f", "医疗", "", 10, 6},
		}...)

		// By the profile formulas (rep strength 10, company strength 20,
		// prior 0.2) over these 35 deals, 21 won: the company wins 45.5%
		// overall, 52.2% in 医疗 and 52.4% in 影像. Against that, 王五's
		// 影像 record is (4 + 10*0.5464)/15 = 69% with 5 deals, but no
		// 医疗 deal, so confidence 0 there; 李四's 医疗 record is
		// (3 + 10*0.4167)/18 = 44% at confidence 8/18: neither is an
		// expert at 50% and 0.3. 孙七 (65%, 0.55) is away and 周八
		// (60%, 0.5) inactive, so nobody who could own the lead is one.
		clock.Add(time.Minute)
		l1, _, err := svc.Intake(ctx, medicalLead("m-1"), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if l1.Assignee != "a" {
			t.Fatalf("L1 owner = %q, want a (first in rotation)", l1.Assignee)
		}
		wantWhy := "重点行业医疗无匹配专家，组建临时小组：王五（影像 胜率 69%）、李四（医疗 胜率 44%）"
		if !slices.Contains(l1.Decision.Reasons, wantWhy) {
			t.Errorf("L1 reasons = %q, want %q", l1.Decision.Reasons, wantWhy)
		}
		if got := live(t, svc, l1.ID); !slices.Equal(got, []engine.RepID{"c", "b"}) {
			t.Errorf("L1 squad = %v, want [c b]", got)
		}
		cs, _ := svc.Collaborators(ctx, l1.ID)
		due := clock.Now().Add(48 * time.Hour)
		for _, c := range cs {
			if c.Role != engine.CollabSquad || c.EndsAt == nil || !c.EndsAt.Equal(due) {
				t.Errorf("L1 collaborator %s: role %s, ends %v; want squad ending %s", c.RepID, c.Role, c.EndsAt, due)
			}
		}
		joined := events(t, svc, l1.ID, engine.EventCollabJoined)
		if len(joined) != 2 || joined[0] != "c: 重点行业医疗无匹配专家，加入临时小组：王五（影像 胜率 69%）" {
			t.Errorf("L1 joined lines = %q", joined)
		}
		logged, err := svc.Decisions(ctx, l1.ID)
		if err != nil || len(logged) != 1 || !slices.Contains(logged[0].Reasons, wantWhy) {
			t.Errorf("L1 decision log = %+v, %v; want the squad line", logged, err)
		}
		if got := pending(t, s, clock.Now()); got["collaborator>c"] != 1 || got["collaborator>b"] != 1 || got["assigned>a"] != 1 {
			t.Errorf("notices after L1 = %v, want the owner's card and one to each squad member", got)
		}

		// L2 goes to 李四 next in rotation; 王五 is in one squad, the
		// most allowed, and nobody else has a record.
		clock.Add(time.Minute)
		l2, _, err := svc.Intake(ctx, medicalLead("m-2"), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got := live(t, svc, l2.ID); l2.Assignee != "b" || len(got) != 0 {
			t.Errorf("L2 owner %q squad %v, want b and nobody", l2.Assignee, got)
		}
		if want := "重点行业医疗无匹配专家，也没有可加入临时小组的销售"; !slices.Contains(l2.Decision.Reasons, want) {
			t.Errorf("L2 reasons = %q, want %q", l2.Decision.Reasons, want)
		}

		// Back from leave, 孙七 is an expert with room: no squad.
		putCollabRep(t, svc, engine.Rep{ID: "e", Name: "孙七", Capacity: 5})
		clock.Add(time.Minute)
		l3, _, err := svc.Intake(ctx, medicalLead("m-3"), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got := live(t, svc, l3.ID); l3.Assignee == "" || len(got) != 0 {
			t.Errorf("L3 owner %q squad %v, want an owner and no squad", l3.Assignee, got)
		}
		for _, why := range l3.Decision.Reasons {
			if strings.Contains(why, "临时小组") {
				t.Errorf("L3 reason %q mentions a squad", why)
			}
		}

		// Closing L1 releases its squad.
		clock.Add(time.Hour)
		if _, err := svc.RecordOutcome(ctx, l1.ID, engine.Won, nil, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		if got := live(t, svc, l1.ID); len(got) != 0 {
			t.Errorf("L1 squad after close = %v, want nobody", got)
		}
		left := events(t, svc, l1.ID, engine.EventCollabLeft)
		if !slices.Equal(left, []string{"c: 王五 结束协作：线索已结案", "b: 李四 结束协作：线索已结案"}) {
			t.Errorf("L1 left lines = %q", left)
		}
		cs, _ = svc.Collaborators(ctx, l1.ID)
		for _, c := range cs {
			if c.EndedAt == nil || !c.EndedAt.Equal(clock.Now()) || c.EndReason != engine.EndClosed {
				t.Errorf("L1 collaborator %s ended %v (%q), want at close", c.RepID, c.EndedAt, c.EndReason)
			}
		}

		// 孙七 away again: the next lead gets a squad, which lapses.
		putCollabRep(t, svc, engine.Rep{ID: "e", Name: "孙七", Capacity: 5, Away: true})
		l4, _, err := svc.Intake(ctx, medicalLead("m-4"), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got := live(t, svc, l4.ID); !slices.Equal(got, []engine.RepID{"c", "b"}) {
			t.Errorf("L4 owner %q squad %v, want [c b]", l4.Assignee, got)
		}
		clock.Add(47 * time.Hour)
		if n, err := svc.ExpireCollaborations(ctx); err != nil || n != 0 {
			t.Errorf("ExpireCollaborations before the end = %d, %v; want 0", n, err)
		}
		clock.Add(time.Hour)
		if n, err := svc.ExpireCollaborations(ctx); err != nil || n != 2 {
			t.Errorf("ExpireCollaborations at the end = %d, %v; want 2", n, err)
		}
		if got := live(t, svc, l4.ID); len(got) != 0 {
			t.Errorf("L4 squad after expiry = %v, want nobody", got)
		}
		if left := events(t, svc, l4.ID, engine.EventCollabLeft); len(left) != 2 || left[0] != "c: 王五 结束协作：临时小组到期" {
			t.Errorf("L4 left lines = %q", left)
		}
		if n, err := svc.ExpireCollaborations(ctx); err != nil || n != 0 {
			t.Errorf("ExpireCollaborations again = %d, %v; want 0", n, err)
		}
	})
}

func TestPairingRuleAddsTaggedRep(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		over := 500000.0
		o := engine.DefaultCollaborationOptions
		o.Pairing = []engine.PairingRule{{Name: "大单配技术顾问",
			When: engine.PairingCondition{AmountOver: &over},
			Add:  engine.PairingTarget{Tag: "technical_consultant"}}}
		svc, clock := collabService(t, s, o)
		tc := []string{"technical_consultant"}
		for _, r := range []engine.Rep{
			{ID: "a", Name: "张三", Capacity: 5},
			{ID: "b", Name: "李四", Capacity: 5},
			{ID: "t0", Name: "离职顾问", Skills: tc},
			{ID: "s1", Name: "西区顾问", Skills: tc, Regions: []string{"west"}},
			{ID: "t1", Name: "顾问甲", Skills: tc},
			{ID: "t2", Name: "顾问乙", Skills: tc},
			{ID: "t3", Name: "顾问丙", Skills: tc, Away: true},
		} {
			putCollabRep(t, svc, r)
		}
		big := func(ext string, amount float64) engine.Lead {
			t.Helper()
			clock.Add(time.Minute)
			l, _, err := svc.Intake(ctx, engine.LeadInput{ExternalID: ext, Profile: engine.Profile{
				Company: "工厂 " + ext, Industry: "制造", Region: "east", ExpectedAmount: amount}},
				engine.ActorAPI)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}

		// Nobody has a record, so the consultants tie on fit: s1 covers
		// another region, t0 is inactive and t3 away, t1 and t2 both hold
		// nothing, and t1 has the lower id.
		l1 := big("p-1", 600000)
		if got := live(t, svc, l1.ID); !slices.Equal(got, []engine.RepID{"t1"}) {
			t.Errorf("L1 collaborators = %v, want [t1]", got)
		}
		if want := "配对规则「大单配技术顾问」：加入technical_consultant 顾问甲（负载 0）"; !slices.Contains(l1.Decision.Reasons, want) {
			t.Errorf("L1 reasons = %q, want %q", l1.Decision.Reasons, want)
		}
		cs, _ := svc.Collaborators(ctx, l1.ID)
		if len(cs) != 1 || cs[0].Role != engine.CollabPairing || cs[0].Rule != "大单配技术顾问" || cs[0].EndsAt != nil {
			t.Errorf("L1 collaborators = %+v, want one pairing by the rule, until close", cs)
		}

		// t1's collaboration weighs half an open task: t2 is lighter.
		l2 := big("p-2", 700000)
		if got := live(t, svc, l2.ID); !slices.Equal(got, []engine.RepID{"t2"}) {
			t.Errorf("L2 collaborators = %v, want [t2]", got)
		}

		// At 500,000 exactly the rule ("over") does not hold.
		l3 := big("p-3", 500000)
		if got := live(t, svc, l3.ID); len(got) != 0 {
			t.Errorf("L3 collaborators = %v, want none", got)
		}

		// A claim obeys the same rule.
		p := engine.DefaultPolicy
		p.Mode = engine.ModePool
		p.Collaboration = o
		pool := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		clock.Add(time.Minute)
		l4, _, err := pool.Intake(ctx, engine.LeadInput{ExternalID: "p-4", Profile: engine.Profile{
			Company: "工厂 p-4", Industry: "制造", Region: "east", ExpectedAmount: 900000}},
			engine.ActorAPI)
		if err != nil || l4.Status != engine.StatusPool {
			t.Fatalf("pool intake = %s, %v", l4.Status, err)
		}
		if got := live(t, svc, l4.ID); len(got) != 0 {
			t.Errorf("pooled L4 collaborators = %v, want none before a claim", got)
		}
		if _, err := pool.Claim(ctx, l4.ID, "b", engine.Actor("b")); err != nil {
			t.Fatal(err)
		}
		// t1 and t2 each hold one collaboration: the id decides.
		if got := live(t, svc, l4.ID); !slices.Equal(got, []engine.RepID{"t1"}) {
			t.Errorf("claimed L4 collaborators = %v, want [t1]", got)
		}
		if got := pending(t, s, clock.Now()); got["collaborator>t1"] != 2 || got["collaborator>t2"] != 1 || got["collaborator>t0"] != 0 {
			t.Errorf("notices = %v, want two to t1, one to t2, none to t0", got)
		}

		// And so does a standby lead that finds room: with a and b full
		// it waits; when a gets room it goes to a, and t2, in one
		// collaboration against t1's two, is lighter.
		for _, id := range []engine.RepID{"a", "b"} {
			putCollabRep(t, svc, engine.Rep{ID: id, Name: string(id), Capacity: 2})
		}
		l5 := big("p-5", 800000)
		if l5.Status != engine.StatusStandby {
			t.Fatalf("L5 = %s, want standby", l5.Status)
		}
		putCollabRep(t, svc, engine.Rep{ID: "a", Name: "张三", Capacity: 3})
		if l5, _ = s.Lead(ctx, l5.ID); l5.Assignee != "a" {
			t.Fatalf("L5 after a has room = %s %q, want a", l5.Status, l5.Assignee)
		}
		if got := live(t, svc, l5.ID); !slices.Equal(got, []engine.RepID{"t2"}) {
			t.Errorf("drained L5 collaborators = %v, want [t2]", got)
		}
	})
}

// A collaborator works with the customer too: a consultant who shares
// too little of the customer's working day is passed over, however
// light their load.
func TestPairingRespectsTimeZones(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		over := 500000.0
		clock := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		p.Zones = engine.ZoneRule{MinOverlap: 2 * time.Hour}
		p.Collaboration = engine.DefaultCollaborationOptions
		p.Collaboration.Pairing = []engine.PairingRule{{Name: "大单配技术顾问",
			When: engine.PairingCondition{AmountOver: &over},
			Add:  engine.PairingTarget{Tag: "technical_consultant"}}}
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p, Router: rotation{}})
		tc := []string{"technical_consultant"}
		for _, r := range []engine.Rep{
			{ID: "a", Name: "张三", Capacity: 5, Timezone: "Asia/Shanghai"},
			{ID: "ny", Name: "纽约顾问", Skills: tc, Timezone: "America/New_York"},
			{ID: "sh", Name: "上海顾问", Skills: tc, Timezone: "Asia/Shanghai"},
		} {
			putCollabRep(t, svc, r)
		}
		// By id ny would come first, but New York's 09:00-18:00
		// (14:00-23:00 UTC in December) and Shanghai's (01:00-10:00 UTC)
		// do not meet.
		l, _, err := svc.Intake(ctx, engine.LeadInput{ExternalID: "tz-1", Timezone: "Asia/Shanghai",
			Profile: engine.Profile{Company: "上海某医院", Industry: "医疗", ExpectedAmount: 800000}},
			engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got := live(t, svc, l.ID); !slices.Equal(got, []engine.RepID{"sh"}) {
			t.Errorf("collaborators = %v, want [sh]: ny shares no working hours with the customer", got)
		}
	})
}
