package engine

import (
	"strings"
	"sync"
	"time"
)

// ZoneRule is routing's time zone rule: a rep fits a lead only when the
// installation's business hours, kept in the rep's own time zone, overlap
// the same hours kept in the customer's zone by at least MinOverlap. A
// rep or a lead without a zone always fits.
type ZoneRule struct {
	// MinOverlap is the least shared working time a rep needs with the
	// customer; 0 turns the rule off.
	MinOverlap time.Duration
	// RegionZones gives the customer's time zone of a lead that names
	// none, by the lead's region (matched ignoring case).
	RegionZones map[string]string
}

// DefaultZoneRule asks for two shared working hours and maps no region.
var DefaultZoneRule = ZoneRule{MinOverlap: 2 * time.Hour}

// Validate reports the first setting that cannot work, as an Invalid
// error naming it: min_overlap or region_timezones.
func (z ZoneRule) Validate() error {
	if z.MinOverlap < 0 || z.MinOverlap > 24*time.Hour {
		return invalid("min_overlap", "out_of_range",
			"is %s, must be from 0 (off) to 24h", z.MinOverlap)
	}
	for region, name := range z.RegionZones {
		if strings.TrimSpace(region) == "" {
			return invalid("region_timezones", "invalid_value", "maps an empty region")
		}
		if !knownZone(name) {
			return invalid("region_timezones", "invalid_value",
				"maps region %q to %q, which is not an IANA time zone such as Asia/Shanghai",
				region, name)
		}
	}
	return nil
}

// zoneOf is the customer's time zone of the lead: its own, else the one
// its region maps to, else "".
func (z ZoneRule) zoneOf(l *Lead) string {
	if l.Timezone != "" {
		return l.Timezone
	}
	region := strings.TrimSpace(l.Region)
	if region == "" {
		return ""
	}
	for k, name := range z.RegionZones {
		if strings.EqualFold(strings.TrimSpace(k), region) {
			return name
		}
	}
	return ""
}

// WorkOverlap returns how long business hours h, kept in zone a and in
// zone b, overlap in a day, with the zones' offsets from UTC at t: the
// overlap changes when one of them moves its clocks for daylight saving.
// Hours that are off (every hour counts) overlap all day. Weekdays and
// holidays are not considered.
func WorkOverlap(h BusinessHours, a, b *time.Location, t time.Time) time.Duration {
	_, offA := t.In(a).Zone()
	_, offB := t.In(b).Zone()
	return time.Duration(dailyOverlap(offA-offB, workSeconds(h))) * time.Second
}

// workSeconds is the length of a working day, all day when hours are off.
func workSeconds(h BusinessHours) int {
	if !h.On {
		return 24 * 3600
	}
	return (h.End - h.Start) * 60
}

// dailyOverlap is how many seconds two daily windows of work seconds
// each, starting at the same local time in zones delta seconds apart,
// share in a day. The windows repeat every day, so a window shifted by
// delta meets both the other's same day and its day before or after.
func dailyOverlap(delta, work int) int {
	const day = 24 * 3600
	d := delta % day
	if d < 0 {
		d += day
	}
	return max(0, work-d) + max(0, work-(day-d))
}

// zones caches time zones by name: time.LoadLocation reads and parses
// the zone database each time, far too slow to do for every rep of every
// decision. Only zones that load are kept, so names nobody could have
// stored do not fill it.
var zones sync.Map // string to *time.Location

// location returns the zone called name, or nil when there is none.
func location(name string) *time.Location {
	if name == "" || name == "Local" {
		return nil
	}
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	zones.Store(name, loc)
	return loc
}

// knownZone reports whether name is an IANA time zone: "Local", which
// differs from machine to machine, is not one.
func knownZone(name string) bool { return location(name) != nil }

// zoneCheck applies the time zone rule for one decision about one lead.
// It holds the lead's offset at the decision time, found once, and the
// offsets of the last few rep zones it met, since a roster has few zones
// and a cache lookup per rep costs more than comparing a few names. It is
// for one goroutine.
type zoneCheck struct {
	at   time.Time
	lead int // the customer's offset from UTC, in seconds
	work int // seconds of a working day
	min  int // seconds of overlap a rep needs
	seen [8]zoneOffset
	n    int // entries of seen in use; past len(seen), the next slot to reuse
}

// zoneOffset is a rep zone's offset at the decision time; ok is false
// for a name that is not a zone.
type zoneOffset struct {
	name string
	off  int
	ok   bool
}

// newZoneCheck returns the rule for a decision at at about l, or nil
// when it cannot keep anybody out: the rule is off, business hours are
// off, or the lead has no known zone.
func newZoneCheck(rule ZoneRule, h BusinessHours, l *Lead, at time.Time) *zoneCheck {
	if rule.MinOverlap <= 0 || !h.On {
		return nil
	}
	loc := location(rule.zoneOf(l))
	if loc == nil {
		return nil
	}
	_, off := at.In(loc).Zone()
	return &zoneCheck{at: at, lead: off, work: workSeconds(h),
		min: int(rule.MinOverlap / time.Second)}
}

// fits reports whether the rep shares enough working time with the
// customer. A nil check, and a rep without a known zone, fit.
func (z *zoneCheck) fits(r *Rep) bool {
	o, ok := z.overlap(r)
	return !ok || o >= z.min
}

// overlap is the rep's shared working seconds with the customer, and
// whether the rule can tell (the check is on and the rep has a zone).
func (z *zoneCheck) overlap(r *Rep) (int, bool) {
	if z == nil || r.Timezone == "" {
		return 0, false
	}
	o := z.offset(r.Timezone)
	if !o.ok {
		return 0, false
	}
	return dailyOverlap(o.off-z.lead, z.work), true
}

// offset finds the offset of zone name at the decision time.
func (z *zoneCheck) offset(name string) zoneOffset {
	k := min(z.n, len(z.seen))
	for i := range k {
		if z.seen[i].name == name {
			return z.seen[i]
		}
	}
	o := zoneOffset{name: name}
	if loc := location(name); loc != nil {
		_, o.off = z.at.In(loc).Zone()
		o.ok = true
	}
	z.seen[z.n%len(z.seen)] = o
	z.n++
	return o
}

// zonedRouter is a Router that applies the time zone rule when it is
// given one: the built-in strategies and experiments between them. Route
// alone applies none; the Service routes through routeZoned, with the
// rule for the lead at the decision time.
type zonedRouter interface {
	routeZoned(lead Lead, reps []Rep, z *zoneCheck) Decision
}

// routeWith asks r for a rep, with the time zone rule z when r can
// apply it.
func routeWith(r Router, l Lead, reps []Rep, z *zoneCheck) Decision {
	if zr, ok := r.(zonedRouter); ok && z != nil {
		return zr.routeZoned(l, reps, z)
	}
	return r.Route(l, reps)
}

// route asks the service's router for a rep for l, with the time zone
// rule at now.
func (s *Service) route(l Lead, reps []Rep, now time.Time) Decision {
	return routeWith(s.router, l, reps, s.zoneCheck(&l, now))
}

// zoneCheck is the time zone rule for one decision about l at now, nil
// when it keeps nobody out.
func (s *Service) zoneCheck(l *Lead, now time.Time) *zoneCheck {
	return newZoneCheck(s.policy.Zones, s.policy.Hours, l, now)
}

// outOfHours is why a rep who shares too little working time with a
// pooled lead's customer sees it in no list and may not claim it. The
// time zone rule applies whatever the visibility rules.
const outOfHours VisibilityRule = "timezone"

// zoneChecks finds the time zone rule of each lead that has one, now.
func (s *Service) zoneChecks(leads []Lead) map[LeadID]*zoneCheck {
	out := map[LeadID]*zoneCheck{}
	if s.policy.Zones.MinOverlap <= 0 || !s.policy.Hours.On {
		return out
	}
	now := s.now()
	for i := range leads {
		if z := s.zoneCheck(&leads[i], now); z != nil {
			out[leads[i].ID] = z
		}
	}
	return out
}

// outOfHours refuses a claim the time zone rule does not allow, with
// code "out_of_hours" saying how much time the rep and the customer
// share.
func (g *poolGate) outOfHours(r Rep, l Lead) error {
	shared, _ := g.zones[l.ID].overlap(&r)
	return invalid("rep_id", "out_of_hours",
		"rep %q (%s) shares %s of working hours with the customer of lead %s (%s), "+
			"less than the %s the time zone rule needs",
		r.ID, r.Timezone, time.Duration(shared)*time.Second, l.ID,
		g.s.policy.Zones.zoneOf(&l), g.s.policy.Zones.MinOverlap)
}
