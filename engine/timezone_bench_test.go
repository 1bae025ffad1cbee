package engine

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRouteZoned routes a Shanghai customer's lead over the rosters
// of BenchmarkRoute with the time zone rule on, each rep in a different
// zone from the one before (the worst case for the check, which reuses
// the last rep's offset) and every zone sharing at least 2h with
// Shanghai in January, so that the same reps fit as without the rule.
// Each strategy runs without the rule too, as the baseline of the ratio.
func BenchmarkRouteZoned(b *testing.B) {
	zones := []string{"Asia/Shanghai", "Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata",
		"Europe/Berlin", "Australia/Sydney", ""}
	at := time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)
	lead := Lead{ExternalID: "crm-1", Tier: TierB, Timezone: "Asia/Shanghai",
		Profile: Profile{Industry: "i2", ProductLine: "p1", CustomerType: CustomerNew,
			CompanySize: 300, ExpectedAmount: 120_000}}
	for _, n := range []int{100, 1_000, 10_000} {
		reps, k := benchRoster(n)
		for i := range reps {
			reps[i].Timezone = zones[i%len(zones)]
		}
		value, _ := NewValueRouter(DefaultValueOptions)
		value.SetKnowledge(k)
		for _, r := range []Router{value, LeastLoaded{}, RoundRobin{}} {
			b.Run(fmt.Sprintf("%s/reps=%d/plain", r.Name(), n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if d := r.Route(lead, reps); d.RepID == "" {
						b.Fatal("nobody chosen")
					}
				}
			})
			b.Run(fmt.Sprintf("%s/reps=%d/zoned", r.Name(), n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					z := newZoneCheck(DefaultZoneRule, DefaultHours, &lead, at)
					if d := routeWith(r, lead, reps, z); d.RepID == "" || len(d.Reasons) == 0 {
						b.Fatal("nobody chosen")
					}
				}
			})
		}
	}
}

// The benchmark's zones must all fit, or the two sides would route over
// different reps.
func TestBenchZonesFit(t *testing.T) {
	lead := Lead{Timezone: "Asia/Shanghai"}
	z := newZoneCheck(DefaultZoneRule, DefaultHours, &lead,
		time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC))
	for _, tz := range []string{"Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata",
		"Europe/Berlin", "Australia/Sydney"} {
		if !z.fits(&Rep{Timezone: tz}) {
			t.Errorf("a rep in %s does not fit a Shanghai customer in January", tz)
		}
	}
}
