package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func poolService(t *testing.T, s *storage.Store, edit func(*engine.Policy)) (*engine.Service, *enginetest.Clock) {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	edit(&p)
	return engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p}), clock
}

func putPoolRep(t *testing.T, svc *engine.Service, id, team string, regions ...string) {
	t.Helper()
	r := engine.Rep{ID: engine.RepID(id), Name: "rep " + id, Role: engine.RoleRep, Team: team,
		Regions: regions, Capacity: 10, Active: true}
	if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		t.Fatalf("PutRep(%s): %v", id, err)
	}
}

// poolAudience lists who was told a lead is in the pool: reps by id and
// team group chats as "team:name", sorted.
func poolAudience(t *testing.T, s *storage.Store, now time.Time) []string {
	t.Helper()
	items, err := s.ClaimNotices(context.Background(), now.Add(time.Hour), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		switch it.Kind {
		case engine.NoticePool:
			out = append(out, string(it.To))
		case engine.NoticeTeam:
			out = append(out, "team:"+it.Text)
		}
		if err := s.CompleteNotice(context.Background(), it.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

// The held cap counts the open leads a rep holds from claims: a lead
// handed over to them does not count, and a claimed lead stops counting
// once it is won or lost.
func TestHeldCap(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := poolService(t, s, func(p *engine.Policy) { p.MaxHeld = 2 })
		putPoolRep(t, svc, "a", "east")
		putPoolRep(t, svc, "b", "east")
		var ids []engine.LeadID
		for i := range 6 {
			l, _, err := svc.Intake(ctx, lead(fmt.Sprint("h-", i), 100, 0.5), engine.ActorAPI)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		claim := func(i int, rep engine.RepID) error {
			clock.Add(time.Minute)
			_, err := svc.Claim(ctx, ids[i], rep, engine.Actor(rep))
			return err
		}
		close := func(i int, o engine.Outcome) {
			clock.Add(time.Minute)
			if _, err := svc.RecordOutcome(ctx, ids[i], o, nil, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}

		if err := claim(5, "b"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transfer(ctx, ids[5], "b", "a"); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			do   func() error
			code string
		}{
			{"first claim, besides a lead handed over", func() error { return claim(0, "a") }, ""},
			{"second claim", func() error { return claim(1, "a") }, ""},
			{"third while two held", func() error { return claim(2, "a") }, "held_limit"},
			{"after one is won", func() error { close(0, engine.Won); return claim(2, "a") }, ""},
			{"after one is lost", func() error { close(1, engine.Lost); return claim(3, "a") }, ""},
			{"two held again", func() error { return claim(4, "a") }, "held_limit"},
			{"another rep is not capped by a's", func() error { return claim(4, "b") }, ""},
		}
		for _, st := range steps {
			err := st.do()
			if got := engine.CodeOf(err); (st.code == "" && err != nil) || (st.code != "" && got != st.code) {
				t.Fatalf("%s: err = %v, want code %q", st.name, err, st.code)
			}
			if st.code != "" && (engine.KindOf(err) != engine.OverCapacity ||
				engine.FieldOf(err) != "rep_id" || !strings.Contains(err.Error(), `rep "a" holds 2`)) {
				t.Errorf("%s: err = %v (kind %s), want over_capacity naming rep a and 2",
					st.name, err, engine.KindOf(err))
			}
		}
		if n, err := s.CountHeld(ctx, "a", engine.EventClaimed); err != nil || n != 2 {
			t.Errorf("CountHeld(a, claimed) = %d, %v; want 2", n, err)
		}
		if n, err := s.CountHeld(ctx, "a", engine.EventTransferred); err != nil || n != 1 {
			t.Errorf("CountHeld(a, transferred) = %d, %v; want 1", n, err)
		}
	})
}

// poolView is what each rep sees of one pooled lead: in the pool list,
// in the pool cards sent, and when claiming.
type poolView struct {
	listed, told []string
	refused      map[string]string // rep -> error code of a claim
}

func viewOf(t *testing.T, svc *engine.Service, s *storage.Store, l engine.Lead, reps []string,
	told []string) poolView {
	t.Helper()
	ctx := context.Background()
	v := poolView{told: told, refused: map[string]string{}}
	for _, id := range reps {
		pool, err := svc.PoolFor(ctx, engine.RepID(id), 100)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(pool, func(p engine.Lead) bool { return p.ID == l.ID }) {
			v.listed = append(v.listed, id)
		}
		r, _ := s.Rep(ctx, engine.RepID(id))
		may, err := svc.MayClaim(ctx, r, l)
		if err != nil {
			t.Fatal(err)
		}
		if may != slices.Contains(v.listed, id) {
			t.Errorf("lead %s: MayClaim(%s) = %t, but the pool list says %t",
				l.ExternalID, id, may, !may)
		}
	}
	// Claims that must fail go first, so that the lead stays pooled.
	for _, id := range reps {
		if slices.Contains(v.listed, id) {
			continue
		}
		_, err := svc.Claim(ctx, l.ID, engine.RepID(id), engine.Actor(id))
		if err == nil {
			t.Fatalf("lead %s: %s claimed a lead not shown to them", l.ExternalID, id)
		}
		v.refused[id] = engine.CodeOf(err)
		if engine.KindOf(err) != engine.Invalid || engine.FieldOf(err) != "rep_id" {
			t.Errorf("lead %s: claim by %s = %v, want invalid rep_id", l.ExternalID, id, err)
		}
	}
	if len(v.listed) > 0 {
		if _, err := svc.Claim(ctx, l.ID, engine.RepID(v.listed[0]), "x"); err != nil {
			t.Errorf("lead %s: claim by %s, who sees it: %v", l.ExternalID, v.listed[0], err)
		}
	}
	return v
}

func TestPoolVisibility(t *testing.T) {
	reps := []string{"e1", "e2", "w1"}
	in := func(ext, region string) engine.LeadInput {
		return engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: "company " + ext,
			Region: region, ExpectedAmount: 100}}
	}
	tests := []struct {
		name   string
		rules  []engine.VisibilityRule
		region string
		listed []string
		told   []string
	}{
		{"region: in the east", []engine.VisibilityRule{engine.VisibleRegion}, "east",
			[]string{"e1", "e2"}, []string{"e1", "e2", "team:east"}},
		{"region: no region is everyone's", nil, "",
			reps, []string{"e1", "e2", "team:east", "team:west", "w1"}},
		{"all: even out of region", []engine.VisibilityRule{engine.VisibleAll}, "north",
			reps, []string{"e1", "e2", "team:east", "team:west", "w1"}},
		{"team: north is the west team's", []engine.VisibilityRule{engine.VisibleTeam}, "north",
			[]string{"w1"}, []string{"team:west", "w1"}},
		{"team: east, whatever the reps' regions", []engine.VisibilityRule{engine.VisibleTeam}, "East",
			[]string{"e1", "e2"}, []string{"e1", "e2", "team:east"}},
		{"team: an unmapped region is every team's", []engine.VisibilityRule{engine.VisibleTeam}, "south",
			reps, []string{"e1", "e2", "team:east", "team:west", "w1"}},
		{"team and region", []engine.VisibilityRule{engine.VisibleTeam, engine.VisibleRegion}, "north",
			nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				svc, clock := poolService(t, s, func(p *engine.Policy) {
					p.Visibility = engine.PoolVisibility{Rules: tt.rules,
						RegionTeams: map[string]string{"east": "east", "North": "west"}}
				})
				putPoolRep(t, svc, "e1", "east", "east")
				putPoolRep(t, svc, "e2", "east")
				putPoolRep(t, svc, "w1", "west", "west")
				l, _, err := svc.Intake(context.Background(), in("v", tt.region), engine.ActorAPI)
				if err != nil {
					t.Fatal(err)
				}
				v := viewOf(t, svc, s, l, reps, poolAudience(t, s, clock.Now()))
				if fmt.Sprint(v.listed) != fmt.Sprint(tt.listed) {
					t.Errorf("listed to %v, want %v", v.listed, tt.listed)
				}
				if fmt.Sprint(v.told) != fmt.Sprint(tt.told) {
					t.Errorf("pool notices to %v, want %v", v.told, tt.told)
				}
				for id, code := range v.refused {
					if code != "not_visible" {
						t.Errorf("claim by %s refused with %s, want not_visible", id, code)
					}
				}
			})
		})
	}
}

// A lead given back goes to the team of the rep who gave it back, when
// its region names no team.
func TestPoolTeamOfReleasedLead(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := poolService(t, s, func(p *engine.Policy) {
			p.Visibility = engine.PoolVisibility{Rules: []engine.VisibilityRule{engine.VisibleTeam}}
		})
		putPoolRep(t, svc, "e1", "east")
		putPoolRep(t, svc, "w1", "west")
		putPoolRep(t, svc, "w2", "west")
		l, _, err := svc.Intake(ctx, lead("r", 100, 0.5), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if got := poolAudience(t, s, clock.Now()); len(got) != 5 {
			t.Errorf("a new lead with no team told %v, want all three reps and both teams", got)
		}
		if _, err := svc.Claim(ctx, l.ID, "w1", "w1"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if _, err := svc.Release(ctx, l.ID, "w1"); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(poolAudience(t, s, clock.Now())); got != "[team:west w2]" {
			t.Errorf("given back by w1, the lead was announced to %s, want [team:west w2]", got)
		}
		v := viewOf(t, svc, s, l, []string{"e1", "w2"}, nil)
		if fmt.Sprint(v.listed) != "[w2]" || v.refused["e1"] != "not_visible" {
			t.Errorf("listed to %v, refused %v; want w2 alone, e1 refused not_visible",
				v.listed, v.refused)
		}
	})
}

// The fit rule shows a lead to reps whose record on leads like it is at
// least the threshold against the team's: the rep who wins most medical
// deals sees a medical lead, the one who loses most does not.
func TestPoolFitRule(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, clock := poolService(t, s, func(p *engine.Policy) {
			p.Visibility = engine.PoolVisibility{Rules: []engine.VisibilityRule{engine.VisibleFit},
				FitAbove: 0.5}
		})
		putPoolRep(t, svc, "good", "east")
		putPoolRep(t, svc, "poor", "east")
		var deals []engine.Deal
		for i := range 40 {
			rep, outcome := engine.RepID("good"), engine.Won
			if i%2 == 1 {
				rep, outcome = "poor", engine.Lost
			}
			if i%10 == 0 || i%10 == 1 {
				// A win for poor and a loss for good now and then.
				outcome = map[engine.Outcome]engine.Outcome{engine.Won: engine.Lost,
					engine.Lost: engine.Won}[outcome]
			}
			deals = append(deals, engine.Deal{ExternalID: fmt.Sprint("hist-", i), RepID: rep,
				Outcome: outcome, Amount: 1000, ClosedAt: clock.Now().Add(-time.Hour),
				Profile: engine.Profile{Company: "医院", Industry: "medical", ExpectedAmount: 1000}})
		}
		if _, _, err := svc.ImportHistory(ctx, deals, engine.HistoryOptions{Actor: engine.ActorAPI}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Relearn(ctx); err != nil {
			t.Fatal(err)
		}
		in := engine.LeadInput{ExternalID: "m", Profile: engine.Profile{Company: "某医院",
			Industry: "medical", ExpectedAmount: 1000}}
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		told := poolAudience(t, s, clock.Now())
		v := viewOf(t, svc, s, l, []string{"good", "poor"}, told)
		if fmt.Sprint(v.listed) != "[good]" || fmt.Sprint(v.told) != "[good team:east]" {
			t.Errorf("listed to %v, told %v; want good alone", v.listed, v.told)
		}
		if v.refused["poor"] != "not_visible" {
			t.Errorf("claim by poor refused with %q, want not_visible", v.refused["poor"])
		}
	})
}

// A pooled lead for an existing customer that another rep holds within
// the protection period cannot be claimed by anyone else; once the
// period is over it can. A new customer is not protected.
func TestProtectedDuplicateInPool(t *testing.T) {
	for _, ct := range []engine.CustomerType{engine.CustomerExisting, engine.CustomerNew} {
		t.Run(string(ct), func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				protectedDuplicate(t, s, ct)
			})
		})
	}
}

func protectedDuplicate(t *testing.T, s *storage.Store, ct engine.CustomerType) {
	ctx := context.Background()
	svc, clock := poolService(t, s, func(p *engine.Policy) { p.ProtectExisting = 30 * 24 * time.Hour })
	owner := engine.Rep{ID: "o", Name: "owner", Role: engine.RoleRep, Team: "east", Capacity: 1,
		Active: true}
	if _, err := svc.PutRep(ctx, owner, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	putPoolRep(t, svc, "x", "east")
	in := func(ext string) engine.LeadInput {
		return engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: "甲医院",
			CustomerType: ct, Contact: engine.Contact{Phone: "13800000000"}}}
	}
	first, _, err := svc.Intake(ctx, in("1"), engine.ActorAPI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Claim(ctx, first.ID, "o", "o"); err != nil {
		t.Fatal(err)
	}
	// The owner is full, so the second lead of the customer is pooled.
	dup, _, err := svc.Intake(ctx, in("2"), engine.ActorAPI)
	if err != nil || dup.Status != engine.StatusPool {
		t.Fatalf("duplicate = %s, %v; want pooled", dup.Status, err)
	}
	clock.Add(29 * 24 * time.Hour)
	_, err = svc.Claim(ctx, dup.ID, "x", "x")
	if ct == engine.CustomerNew {
		if err != nil {
			t.Errorf("claim of a new customer's duplicate: %v", err)
		}
		return
	}
	if engine.CodeOf(err) != "protected_customer" || engine.KindOf(err) != engine.Conflict ||
		!strings.Contains(err.Error(), first.ID.String()) {
		t.Errorf("claim within protection = %v, want conflict protected_customer naming %s",
			err, first.ID)
	}
	clock.Add(2 * 24 * time.Hour)
	if _, err := svc.Claim(ctx, dup.ID, "x", "x"); err != nil {
		t.Errorf("claim after the protection ended: %v", err)
	}
}
