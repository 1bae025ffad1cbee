package engine

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The overlaps are worked out by hand in UTC. Shanghai is UTC+8 all
// year, so its 09:00-18:00 is 01:00-10:00 UTC.
func TestWorkOverlap(t *testing.T) {
	nine, _ := ParseBusinessHours("09:00-18:00", "mon-fri", nil)
	long, _ := ParseBusinessHours("07:00-20:00", "mon-fri", nil)
	winter := time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 15, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		hours BusinessHours
		a, b  string
		at    time.Time
		want  time.Duration
	}{
		// Berlin in CET (UTC+1) works 08:00-17:00 UTC: 08:00-10:00 shared.
		{"shanghai and berlin in winter", nine, "Asia/Shanghai", "Europe/Berlin", winter,
			2 * time.Hour},
		// In CEST (UTC+2) Berlin works 07:00-16:00 UTC: 07:00-10:00.
		{"shanghai and berlin in summer", nine, "Asia/Shanghai", "Europe/Berlin", summer,
			3 * time.Hour},
		// The clocks go forward at 01:00 UTC on 29 March 2026.
		{"berlin before its clocks go forward", nine, "Asia/Shanghai", "Europe/Berlin",
			time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), 2 * time.Hour},
		{"berlin after its clocks go forward", nine, "Asia/Shanghai", "Europe/Berlin",
			time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), 3 * time.Hour},
		{"same zone", nine, "Asia/Shanghai", "Asia/Shanghai", winter, 9 * time.Hour},
		// Tokyo (UTC+9) works 00:00-09:00 UTC: 01:00-09:00.
		{"shanghai and tokyo", nine, "Asia/Shanghai", "Asia/Tokyo", winter, 8 * time.Hour},
		// Kathmandu (UTC+5:45) works 03:15-12:15 UTC: 03:15-10:00.
		{"quarter-hour offset", nine, "Asia/Shanghai", "Asia/Kathmandu", winter,
			6*time.Hour + 45*time.Minute},
		// New York in EST (UTC-5) works 14:00-23:00 UTC: nothing shared.
		{"shanghai and new york", nine, "Asia/Shanghai", "America/New_York", winter, 0},
		// Los Angeles in PST (UTC-8) works 17:00-02:00 UTC: the end of its
		// day meets the start of Shanghai's next one, 01:00-02:00.
		{"los angeles the day before", nine, "Asia/Shanghai", "America/Los_Angeles", winter,
			time.Hour},
		// In PDT (UTC-7) it works 16:00-01:00 UTC: it stops as Shanghai starts.
		{"los angeles in summer", nine, "Asia/Shanghai", "America/Los_Angeles", summer, 0},
		// 07:00-20:00 in UTC and in UTC+12 (19:00-08:00 UTC) share
		// 07:00-08:00 and 19:00-20:00.
		{"both ends of a long day", long, "UTC", "Pacific/Kwajalein", winter, 2 * time.Hour},
		{"hours off count all day", BusinessHours{}, "Asia/Shanghai", "America/New_York",
			winter, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := zone(t, tt.a), zone(t, tt.b)
			if got := WorkOverlap(tt.hours, a, b, tt.at); got != tt.want {
				t.Errorf("WorkOverlap(%s, %s, %s) = %s, want %s", tt.a, tt.b, tt.at, got, tt.want)
			}
			if got := WorkOverlap(tt.hours, b, a, tt.at); got != tt.want {
				t.Errorf("WorkOverlap(%s, %s, %s) = %s, want %s", tt.b, tt.a, tt.at, got, tt.want)
			}
		})
	}
}

// zoneRoster is a Shanghai customer's view of four reps in winter: one
// in Shanghai, one in Berlin (2h shared), one in New York (none) and
// one with no zone.
func zoneRoster() []Rep {
	rep := func(id, tz string) Rep {
		return Rep{ID: RepID(id), Name: id, Role: RoleRep, Active: true, Capacity: 5,
			Timezone: tz}
	}
	return []Rep{rep("ny", "America/New_York"), rep("berlin", "Europe/Berlin"),
		rep("shanghai", "Asia/Shanghai"), rep("nowhere", "")}
}

func TestRoutersSkipRepsOutOfTimeZone(t *testing.T) {
	winter := time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)
	lead := Lead{ExternalID: "tz-1", Tier: TierB, Timezone: "Asia/Shanghai",
		Profile: Profile{Company: "c", ExpectedAmount: 1000}}
	value, err := NewValueRouter(DefaultValueOptions)
	if err != nil {
		t.Fatal(err)
	}
	english, _ := NewValueRouter(ValueOptions{Lang: English})
	split, err := NewExperiment(ExperimentOptions{Name: "x", Control: RoundRobinName,
		Treatment: ExpertiseValueLoadName, Share: 0.5}, DefaultValueOptions)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		router Router
		min    time.Duration
		skip   string // the first decision's last reason
		chosen string // everyone chosen before standby, sorted
	}{
		{"round-robin", RoundRobin{}, 2 * time.Hour, "跳过 1 名时区不重叠的销售",
			"berlin nowhere shanghai"},
		{"least-loaded", LeastLoaded{}, 2 * time.Hour, "跳过 1 名时区不重叠的销售",
			"berlin nowhere shanghai"},
		{"expertise-value-load", value, 2 * time.Hour, "跳过 1 名时区不重叠的销售",
			"berlin nowhere shanghai"},
		{"in english", english, 2 * time.Hour, "skipped 1 out-of-time-zone reps",
			"berlin nowhere shanghai"},
		{"more than berlin shares", RoundRobin{}, 3 * time.Hour, "跳过 2 名时区不重叠的销售",
			"nowhere shanghai"},
		{"rule off", LeastLoaded{}, 0, "", "berlin nowhere ny shanghai"},
		{"experiment", split, 2 * time.Hour, "", "berlin nowhere shanghai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := newZoneCheck(ZoneRule{MinOverlap: tt.min}, DefaultHours, &lead, winter)
			reps := zoneRoster()
			var chosen []string
			// Each decision fills the chosen rep, so the router walks
			// through everyone who fits before it gives up.
			for range len(reps) {
				d := routeWith(tt.router, lead, reps, z)
				if d.RepID == "" {
					break
				}
				if last := d.Reasons[len(d.Reasons)-1]; len(chosen) == 0 && tt.skip != "" &&
					last != tt.skip {
					t.Errorf("first decision's reasons %q, want %q last", d.Reasons, tt.skip)
				}
				chosen = append(chosen, string(d.RepID))
				i := indexOfRep(reps, d.RepID)
				reps[i].OpenTasks = reps[i].Capacity
			}
			slices.Sort(chosen)
			if got := strings.Join(chosen, " "); got != tt.chosen {
				t.Errorf("chose %s before standby, want %s", got, tt.chosen)
			}
		})
	}
}

func TestStandbyNamesTimeZones(t *testing.T) {
	lead := Lead{ExternalID: "tz-2", Timezone: "Asia/Shanghai"}
	reps := zoneRoster()[:1]
	z := newZoneCheck(DefaultZoneRule, DefaultHours, &lead,
		time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC))
	d := routeWith(RoundRobin{}, lead, reps, z)
	if want := "没有合适且有空位的销售（1 名时区不重叠）：进入待分配"; d.RepID != "" ||
		len(d.Reasons) != 1 || d.Reasons[0] != want {
		t.Errorf("Route = %s, %q; want standby, %q", d.RepID, d.Reasons, want)
	}
	if d := (RoundRobin{}).Route(lead, reps); d.RepID != "ny" {
		t.Errorf("Route without the rule = %s, want ny", d.RepID)
	}
}

func TestNewZoneCheck(t *testing.T) {
	at := time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)
	rule := ZoneRule{MinOverlap: 2 * time.Hour,
		RegionZones: map[string]string{" EU ": "Europe/Berlin"}}
	tests := []struct {
		name  string
		rule  ZoneRule
		hours BusinessHours
		lead  Lead
		on    bool
		lag   int // the customer's offset in hours, when on
	}{
		{"own zone", rule, DefaultHours, Lead{Timezone: "America/New_York"}, true, -5},
		{"own zone before the region's", rule, DefaultHours,
			Lead{Timezone: "Asia/Tokyo", Profile: Profile{Region: "eu"}}, true, 9},
		{"from the region, ignoring case", rule, DefaultHours,
			Lead{Profile: Profile{Region: "Eu"}}, true, 1},
		{"unmapped region", rule, DefaultHours, Lead{Profile: Profile{Region: "east"}}, false, 0},
		{"rule off", ZoneRule{}, DefaultHours, Lead{Timezone: "Asia/Tokyo"}, false, 0},
		{"hours off", rule, BusinessHours{}, Lead{Timezone: "Asia/Tokyo"}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := newZoneCheck(tt.rule, tt.hours, &tt.lead, at)
			if (z != nil) != tt.on || (z != nil && z.lead != tt.lag*3600) {
				t.Errorf("newZoneCheck = %+v, want on %t at UTC%+d", z, tt.on, tt.lag)
			}
		})
	}
	var off *zoneCheck
	if !off.fits(&Rep{Timezone: "Asia/Tokyo"}) {
		t.Error("a nil check keeps a rep out")
	}
	z := newZoneCheck(rule, DefaultHours, &Lead{Timezone: "Asia/Shanghai"}, at)
	for _, tz := range []string{"", "Local", "Mars/Olympus"} {
		if !z.fits(&Rep{Timezone: tz}) {
			t.Errorf("a rep in zone %q does not fit, want every rep without a known zone to", tz)
		}
	}
}

func TestZoneRuleValidate(t *testing.T) {
	tests := []struct {
		rule  ZoneRule
		field string
	}{
		{DefaultZoneRule, ""},
		{ZoneRule{MinOverlap: 24 * time.Hour}, ""},
		{ZoneRule{MinOverlap: -time.Minute}, "min_overlap"},
		{ZoneRule{MinOverlap: 25 * time.Hour}, "min_overlap"},
		{ZoneRule{RegionZones: map[string]string{"eu": "Europe/Berlin"}}, ""},
		{ZoneRule{RegionZones: map[string]string{"eu": "Europe/Berlni"}}, "region_timezones"},
		{ZoneRule{RegionZones: map[string]string{" ": "Europe/Berlin"}}, "region_timezones"},
	}
	for _, tt := range tests {
		err := tt.rule.Validate()
		if FieldOf(err) != tt.field || (tt.field != "" && KindOf(err) != Invalid) {
			t.Errorf("%+v.Validate() = %v, want Invalid naming %q", tt.rule, err, tt.field)
		}
	}
}

func TestLocationCache(t *testing.T) {
	a, b := location("Europe/Berlin"), location("Europe/Berlin")
	if a == nil || a != b {
		t.Errorf("location(Europe/Berlin) = %p then %p, want one loaded zone", a, b)
	}
	if location("Mars/Olympus") != nil || location("Local") != nil || location("") != nil {
		t.Error("location accepted a zone that is not IANA")
	}
	if _, ok := zones.Load("Mars/Olympus"); ok {
		t.Error("an unknown zone was cached")
	}
}

func TestLeadTimezoneValidate(t *testing.T) {
	in := LeadInput{ExternalID: "x", Profile: Profile{Company: "c"}, Timezone: "Europe/Berlin"}
	if err := in.Validate(); err != nil {
		t.Errorf("Validate(Europe/Berlin) = %v", err)
	}
	for _, tz := range []string{"Berlin", "Local", strings.Repeat("x", 65)} {
		in.Timezone = tz
		if err := in.Validate(); FieldOf(err) != "timezone" {
			t.Errorf("Validate(timezone %q) = %v, want an error naming timezone", tz, err)
		}
	}
}

// The check remembers a few zones; more than it holds, met in turn,
// still each get their own overlap.
func TestZoneCheckManyZones(t *testing.T) {
	at := time.Date(2026, 7, 15, 6, 0, 0, 0, time.UTC)
	names := []string{"Asia/Shanghai", "Asia/Tokyo", "Europe/Berlin", "America/New_York",
		"Asia/Kolkata", "Australia/Sydney", "Europe/London", "America/Los_Angeles",
		"Asia/Kathmandu", "Pacific/Auckland", "Mars/Olympus"}
	z := newZoneCheck(ZoneRule{MinOverlap: time.Hour}, DefaultHours,
		&Lead{Timezone: "Asia/Shanghai"}, at)
	shanghai := zone(t, "Asia/Shanghai")
	for round := range 3 {
		for _, name := range names {
			got, ok := z.overlap(&Rep{Timezone: name})
			loc, err := time.LoadLocation(name)
			if err != nil {
				if ok {
					t.Errorf("round %d: %s has an overlap, want none", round, name)
				}
				continue
			}
			want := WorkOverlap(DefaultHours, shanghai, loc, at)
			if !ok || time.Duration(got)*time.Second != want {
				t.Errorf("round %d: overlap with %s = %ds (%t), want %s",
					round, name, got, ok, want)
			}
		}
	}
}
