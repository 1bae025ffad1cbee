package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// winterDay is a Thursday when Berlin keeps CET (UTC+1) and New York EST
// (UTC-5). Against a customer in Shanghai (UTC+8), working 09:00-18:00
// there, that is 01:00-10:00 UTC: a Berlin rep (08:00-17:00 UTC) shares
// 2h, a New York rep (14:00-23:00 UTC) nothing.
var winterDay = time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)

func zoneService(
	t *testing.T,
	s *storage.Store,
	mode engine.Mode,
	router engine.Router,
	at time.Time,
	min time.Duration,
	edit ...func(*engine.Policy),
) (*engine.Service, *enginetest.Clock) {
	t.Helper()
	clock := enginetest.NewClock(at)
	p := engine.DefaultPolicy
	p.Mode = mode
	p.Zones = engine.ZoneRule{MinOverlap: min,
		RegionZones: map[string]string{"us": "America/New_York"}}
	for _, e := range edit {
		e(&p)
	}
	return engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p, Router: router}), clock
}

func putZoneRep(t *testing.T, svc *engine.Service, id, tz string) {
	t.Helper()
	r := engine.Rep{ID: engine.RepID(id), Name: id, Role: engine.RoleRep, Team: "t",
		Capacity: 1, Active: true, Timezone: tz}
	if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
		t.Fatalf("PutRep(%s): %v", id, err)
	}
}

func zoneLead(ext, tz, region string) engine.LeadInput {
	in := lead(ext, 1000, 0.5)
	in.Timezone, in.Region = tz, region
	return in
}

// Every strategy skips the New York rep for a Shanghai customer and says
// so; reps without a zone fit; a lead without a zone takes its region's.
func TestRoutingKeepsToTimeZones(t *testing.T) {
	value, err := engine.NewRouter(engine.ExpertiseValueLoadName, engine.DefaultValueOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, router := range []engine.Router{engine.RoundRobin{}, engine.LeastLoaded{}, value} {
		t.Run(router.Name(), func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				testRoutingKeepsToTimeZones(t, s, router)
			})
		})
	}
}

func testRoutingKeepsToTimeZones(t *testing.T, s *storage.Store, router engine.Router) {
	ctx := context.Background()
	svc, clock := zoneService(t, s, engine.ModeAuto, router, winterDay, 2*time.Hour)
	for id, tz := range map[string]string{"ny": "America/New_York", "berlin": "Europe/Berlin",
		"shanghai": "Asia/Shanghai", "nowhere": ""} {
		putZoneRep(t, svc, id, tz)
	}
	owners := map[engine.RepID]bool{}
	for i := range 3 {
		clock.Add(time.Minute)
		l, _, err := svc.Intake(ctx, zoneLead(fmt.Sprint("cn-", i), "Asia/Shanghai", ""),
			engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		owners[l.Assignee] = true
	}
	if len(owners) != 3 || !owners["berlin"] || !owners["shanghai"] || !owners["nowhere"] {
		t.Errorf("three Shanghai leads went to %v, want berlin, shanghai and nowhere", owners)
	}

	l, _, err := svc.Intake(ctx, zoneLead("cn-3", "Asia/Shanghai", ""), engine.ActorAPI)
	if err != nil {
		t.Fatal(err)
	}
	want := "没有合适且有空位的销售（3 名满负荷、1 名时区不重叠）：进入待分配"
	if l.Status != engine.StatusStandby || fmt.Sprint(l.Decision.Reasons) != "["+want+"]" {
		t.Errorf("fourth lead %s, reasons %q; want standby, %q", l.Status, l.Decision.Reasons, want)
	}
	stored, err := svc.Lead(ctx, l.ID)
	if err != nil || stored.Timezone != "Asia/Shanghai" {
		t.Errorf("stored lead zone = %q, %v; want Asia/Shanghai", stored.Timezone, err)
	}

	us, _, err := svc.Intake(ctx, zoneLead("us-1", "", "US"), engine.ActorAPI)
	if err != nil {
		t.Fatal(err)
	}
	if us.Assignee != "ny" || us.Timezone != "" {
		t.Errorf("a lead of region US went to %q with zone %q, want ny by the region's zone "+
			"and no zone of its own", us.Assignee, us.Timezone)
	}
}

// The overlap is taken on the day of the decision: Berlin shares 2h with
// Shanghai before its clocks go forward (01:00 UTC, 29 March 2026) and 3h
// after.
func TestZoneRuleFollowsDaylightSaving(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		before := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
		svc, clock := zoneService(t, s, engine.ModeAuto, nil, before, 3*time.Hour)
		putZoneRep(t, svc, "berlin", "Europe/Berlin")
		l, _, err := svc.Intake(ctx, zoneLead("cn-1", "Asia/Shanghai", ""), engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != engine.StatusStandby {
			t.Fatalf("at %s the lead is %s with %s, want standby", before, l.Status, l.Assignee)
		}

		clock.Set(before.Add(time.Hour))
		putZoneRep(t, svc, "berlin", "Europe/Berlin") // lets standby leads through
		l, err = svc.Lead(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != engine.StatusAssigned || l.Assignee != "berlin" {
			t.Errorf("an hour later the lead is %s with %q, want assigned to berlin",
				l.Status, l.Assignee)
		}
	})
}

// Who may claim a pooled lead keeps to the rule too, whatever the
// visibility rules: the New York rep neither sees nor can claim a
// Shanghai customer's lead, and is not told of it.
func TestPoolClaimKeepsToTimeZones(t *testing.T) {
	for _, rules := range [][]engine.VisibilityRule{nil, {engine.VisibleAll}} {
		t.Run(fmt.Sprint(rules), func(t *testing.T) {
			storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
				svc, clock := zoneService(t, s, engine.ModePool, nil, winterDay, 2*time.Hour,
					func(p *engine.Policy) { p.Visibility.Rules = rules })
				putZoneRep(t, svc, "berlin", "Europe/Berlin")
				putZoneRep(t, svc, "nowhere", "")
				putZoneRep(t, svc, "ny", "America/New_York")
				l, _, err := svc.Intake(context.Background(), zoneLead("cn-1", "Asia/Shanghai", ""),
					engine.ActorAPI)
				if err != nil {
					t.Fatal(err)
				}
				told := poolAudience(t, s, clock.Now())
				v := viewOf(t, svc, s, l, []string{"berlin", "nowhere", "ny"}, told)
				if fmt.Sprint(v.listed) != "[berlin nowhere]" {
					t.Errorf("listed to %v, want [berlin nowhere]", v.listed)
				}
				if fmt.Sprint(v.told) != "[berlin nowhere team:t]" {
					t.Errorf("pool notices to %v, want [berlin nowhere team:t]", v.told)
				}
				if fmt.Sprint(v.refused) != "map[ny:out_of_hours]" {
					t.Errorf("claims refused %v, want ny's with out_of_hours", v.refused)
				}
			})
		})
	}
}
