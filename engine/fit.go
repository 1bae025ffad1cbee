package engine

import "strings"

// fitKind says whether a rep may take a lead, or why not.
type fitKind uint8

const (
	fitOK fitKind = iota
	fitInactive
	fitRegion
	fitFull
	fitZone
)

// fitOf checks a rep against a lead: routable, covering the lead's region
// (a rep with no regions covers all), working enough of the customer's
// hours when z holds a time zone rule, and with room.
// It takes pointers because it runs for every rep of every decision.
func fitOf(lead *Lead, r *Rep, z *zoneCheck) fitKind {
	switch {
	case !Routable(*r):
		return fitInactive
	case !covers(r, lead.Region):
		return fitRegion
	case !z.fits(r):
		return fitZone
	case !r.HasRoom():
		return fitFull
	}
	return fitOK
}

func covers(r *Rep, region string) bool {
	if len(r.Regions) == 0 || strings.TrimSpace(region) == "" {
		return true
	}
	for _, g := range r.Regions {
		if strings.EqualFold(strings.TrimSpace(g), strings.TrimSpace(region)) {
			return true
		}
	}
	return false
}

// skipped counts the reps a strategy passed over, by why.
type skipped struct{ full, inactive, region, zone int }

// countFits returns how many reps fit the lead and why the others do
// not. Managers are not counted as skipped: they never take leads.
func countFits(lead *Lead, reps []Rep, z *zoneCheck) (int, skipped) {
	var n int
	var s skipped
	for i := range reps {
		if s.note(fitOf(lead, &reps[i], z), &reps[i]) {
			n++
		}
	}
	return n, s
}

// note counts a rep that does not fit, and reports whether it fits.
func (s *skipped) note(f fitKind, r *Rep) bool {
	switch f {
	case fitFull:
		s.full++
	case fitRegion:
		s.region++
	case fitZone:
		s.zone++
	case fitInactive:
		if r.Role != RoleManager {
			s.inactive++
		}
	}
	return f == fitOK
}

func (s skipped) any() bool { return s.full+s.inactive+s.region+s.zone > 0 }

func (l Lang) standby(s skipped) []string {
	if !s.any() {
		return []string{l.say(msgStandby)}
	}
	return []string{l.say(msgStandbyWhy, l.skipList(s))}
}

func (l Lang) skips(s skipped) string { return l.say(msgSkipped, l.skipList(s)) }

// skipList names the non-zero counts: "2 full, 6 out-of-region".
func (l Lang) skipList(s skipped) string {
	var parts []string
	for _, c := range [...]struct {
		n int
		m msg
	}{
		{s.full, msgSkipFull},
		{s.inactive, msgSkipInactive},
		{s.region, msgSkipRegion},
		{s.zone, msgSkipZone},
	} {
		if c.n > 0 {
			parts = append(parts, l.say(c.m, c.n))
		}
	}
	return strings.Join(parts, l.say(msgListSep))
}

// stableHash mixes a seed and strings into 64 bits that are the same on
// every run and every machine: FNV-1a, then the SplitMix64 finaliser so
// that the low and high bits are equally random.
func stableHash(seed uint64, parts ...string) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// leadKey is what seeds a lead's random draws: its external id, which is
// stable from intake on, else its id.
func leadKey(l Lead) string {
	if l.ExternalID != "" {
		return l.ExternalID
	}
	return l.ID.String()
}
