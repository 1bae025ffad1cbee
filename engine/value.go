package engine

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"
)

// ExpertiseValueLoadName is the configuration name of ValueRouter.
const ExpertiseValueLoadName = "expertise-value-load"

// ValueOptions tune a ValueRouter. The yaml keys are the field names
// that Validate reports.
type ValueOptions struct {
	// Lang is the language of the reasons (default Chinese).
	Lang Lang `yaml:"lang"`
	// MaxShareA is the most of the recent tier A leads one rep may hold
	// before the next goes to the best rep under the cap; 0 turns the
	// guard off. When fewer reps fit a lead than 1/MaxShareA, the cap
	// rises to an equal share among them.
	MaxShareA float64 `yaml:"max_share_a"`
	// MinRecentA is how many recent tier A leads the guard waits for
	// before it acts, so that the first few do not look unfair.
	MinRecentA int `yaml:"min_recent_a"`
	// Explore is the share of fitting leads given to the best rep with
	// little history rather than the best overall, so that new reps get
	// a record; 0 turns exploration off.
	Explore float64 `yaml:"explore"`
	// ExploreBelow is the confidence under which a rep counts as having
	// little history.
	ExploreBelow float64 `yaml:"explore_below"`
	// ExploreTierA lets exploration take tier A leads too.
	ExploreTierA bool `yaml:"explore_tier_a"`
	// Seed varies ties and exploration between installations. The same
	// seed, lead, roster and knowledge always give the same decision.
	Seed uint64 `yaml:"seed"`
	// MaxCandidates is how many reps a decision lists (default 5).
	MaxCandidates int `yaml:"max_candidates"`
	// MinOverlap and RegionTimezones are the time zone rule, which the
	// Service applies for every strategy through Policy.Zones; see
	// ZoneRule. Validate leaves them to ZoneRule.Validate.
	MinOverlap      time.Duration     `yaml:"min_overlap"`
	RegionTimezones map[string]string `yaml:"region_timezones"`
}

// Zones returns the time zone rule the options set.
func (o ValueOptions) Zones() ZoneRule {
	return ZoneRule{MinOverlap: o.MinOverlap, RegionZones: o.RegionTimezones}
}

// DefaultValueOptions are the options NewRouter uses.
var DefaultValueOptions = ValueOptions{
	Lang:          Chinese,
	MaxShareA:     0.25,
	MinRecentA:    20,
	Explore:       0.1,
	ExploreBelow:  0.5,
	MaxCandidates: 5,
	MinOverlap:    DefaultZoneRule.MinOverlap,
}

// Validate reports the first option out of range, as an *Error of kind
// Invalid naming it.
func (o ValueOptions) Validate() error {
	if err := o.Lang.Validate(); err != nil {
		return err
	}
	var c checker
	c.number("max_share_a", o.MaxShareA, 0, 1)
	c.number("min_recent_a", float64(o.MinRecentA), 0, 1e9)
	c.number("explore", o.Explore, 0, 1)
	c.number("explore_below", o.ExploreBelow, 0, 1)
	c.number("max_candidates", float64(o.MaxCandidates), 0, 1000)
	return errOrNil(c.err)
}

// ValueRouter gives each lead to the rep with the highest expected
// value: the chance that this rep wins this lead at their current load,
// times its amount. The chance starts from the lead's close probability
// and moves by the rep's record on leads like it and by their load.
// Within that, a fairness guard keeps tier A leads from piling up on a
// few stars, a controlled share of leads goes to reps with little
// history, and ties are broken at random but reproducibly.
//
// A ValueRouter is safe for concurrent use. It works from priors until
// SetKnowledge hands it a snapshot.
type ValueRouter struct {
	o ValueOptions
	k atomic.Pointer[Knowledge]
}

// NewValueRouter returns a router with the given options, or an Invalid
// error naming the option out of range.
func NewValueRouter(o ValueOptions) (*ValueRouter, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("%s options: %w", ExpertiseValueLoadName, err)
	}
	if o.MaxCandidates == 0 {
		o.MaxCandidates = 5
	}
	return &ValueRouter{o: o}, nil
}

// Name returns ExpertiseValueLoadName.
func (*ValueRouter) Name() string { return ExpertiseValueLoadName }

// SetKnowledge swaps in a new snapshot; decisions under way finish on
// the old one.
func (r *ValueRouter) SetKnowledge(k *Knowledge) { r.k.Store(k) }

// Knowledge returns the snapshot in use.
func (r *ValueRouter) Knowledge() *Knowledge { return r.k.Load().orEmpty() }

// Estimate is the parts of a rep's score for one lead.
type Estimate struct {
	// Base is the lead's close probability before the rep is considered.
	Base float64
	// Skill and Load are the changes in log-odds from the rep's record
	// on leads like this one and from their open tasks.
	Skill, Load float64
	// Probability is the chance that this rep wins the lead now.
	Probability float64
	// Value is Probability times the lead's expected amount, in yuan.
	Value float64
	// Confidence is how much of the rep's record is their own history
	// rather than the team's, from 0 to 1.
	Confidence float64
}

// Estimate returns the parts of the rep's score for the lead.
func (r *ValueRouter) Estimate(lead Lead, rep Rep) Estimate {
	k := r.Knowledge()
	base, _ := baseProbability(k, lead.Profile)
	return estimate(k, k.Profiles.view(lead.Profile), base, &lead, &rep)
}

func estimate(k *Knowledge, v *leadView, base float64, lead *Lead, rep *Rep) Estimate {
	skill, conf := v.lift(rep)
	load := k.Load.Shift(rep.OpenTasks)
	p := sigmoid(logit(base) + skill + load)
	return Estimate{Base: base, Skill: skill, Load: load, Probability: p,
		Value: p * math.Max(0, lead.ExpectedAmount), Confidence: conf}
}

// baseSource says where a lead's close probability came from.
type baseSource uint8

const (
	fromLead baseSource = iota
	fromModel
	fromPrior
)

func baseProbability(k *Knowledge, p Profile) (float64, baseSource) {
	switch {
	case p.CloseProbability != nil:
		return *p.CloseProbability, fromLead
	case k.Model.Trained():
		return k.Model.Predict(p), fromModel
	}
	return k.Model.Prior(), fromPrior
}

// Route chooses a rep for the lead in one pass over the roster after
// counting who fits, so its cost grows linearly with the roster. Route
// applies no time zone rule; the Service gives it the rule of the
// decision.
func (r *ValueRouter) Route(lead Lead, reps []Rep) Decision { return r.routeZoned(lead, reps, nil) }

// TODO: among reps who fit, prefer those who share more working hours
// with the customer; today any overlap above the minimum counts alike.
func (r *ValueRouter) routeZoned(lead Lead, reps []Rep, z *zoneCheck) Decision {
	d := Decision{Strategy: ExpertiseValueLoadName}
	n, skips := countFits(&lead, reps, z)
	if n == 0 {
		d.Reasons = r.o.Lang.standby(skips)
		return d
	}
	k := r.Knowledge()
	c := r.choose(k, &lead, reps, n, z)
	d.RepID = reps[c.chosen.i].ID
	d.Candidates = c.candidates(k, reps)
	d.Reasons = r.explain(k, c, lead, reps, skips)
	return d
}

// pick tracks the best rep of some group seen so far. Equal chances go
// to the rep whose hash with the lead is lowest: random, yet the same
// every time the lead is routed.
type pick struct {
	i      int // index in the roster, -1 while none
	p      float64
	h      uint64
	hashed bool
	ties   int
	other  int // a rep tied with i, -1 if none
}

func newPick() pick { return pick{i: -1, other: -1} }

// tieEps is how close two chances must be to count as equal: closer
// than any difference the inputs could mean.
const tieEps = 1e-12

func (t *pick) offer(i int, p float64, hash func(int) uint64) {
	switch {
	case t.i < 0 || p > t.p+tieEps:
		*t = pick{i: i, p: p, ties: 1, other: -1}
	case p >= t.p-tieEps:
		if !t.hashed {
			t.h, t.hashed = hash(t.i), true
		}
		h := hash(i)
		t.ties++
		if h < t.h {
			t.other, t.i, t.h = t.i, i, h
		} else {
			t.other = i
		}
	}
}

type scored struct {
	i int
	p float64
	e Estimate
}

// choice is what one pass over the roster found.
type choice struct {
	best, fair, explore pick
	chosen              pick
	why                 msg // msgFairness, msgExplore or msgCount
	guarded             bool
	guard               float64
	top                 []scored
	est                 Estimate
	view                *leadView
}

func (r *ValueRouter) choose(k *Knowledge, lead *Lead, reps []Rep, n int, z *zoneCheck) choice {
	o := r.o
	key := leadKey(*lead)
	hash := func(i int) uint64 { return stableHash(o.Seed, key, string(reps[i].ID)) }
	c := choice{best: newPick(), fair: newPick(), explore: newPick(), why: msgCount,
		guard: math.Max(o.MaxShareA, 1/float64(n))}
	guarded := lead.Tier == TierA && o.MaxShareA > 0 && k.RecentA.Total >= o.MinRecentA
	c.guarded = guarded
	blocked := func(i int) bool { return guarded && k.RecentA.Share(reps[i].ID) > c.guard }
	exploring := o.Explore > 0 && (lead.Tier != TierA || o.ExploreTierA) &&
		unit(stableHash(o.Seed, key, "explore")) < o.Explore

	base, _ := baseProbability(k, lead.Profile)
	v := k.Profiles.view(lead.Profile)
	for i := range reps {
		rep := &reps[i]
		if fitOf(lead, rep, z) != fitOK {
			continue
		}
		e := estimate(k, v, base, lead, rep)
		c.best.offer(i, e.Probability, hash)
		c.top = offerTop(c.top, scored{i, e.Probability, e}, o.MaxCandidates, hash)
		if blocked(i) {
			continue
		}
		c.fair.offer(i, e.Probability, hash)
		if exploring && e.Confidence < o.ExploreBelow {
			c.explore.offer(i, e.Probability, hash)
		}
	}

	c.chosen = c.best
	switch {
	case exploring && c.explore.i >= 0 && c.explore.i != c.best.i:
		c.chosen, c.why = c.explore, msgExplore
	case blocked(c.best.i) && c.fair.i >= 0:
		// The cap is never below an equal share among the reps who fit,
		// so somebody is always under it.
		c.chosen, c.why = c.fair, msgFairness
	}
	c.est = estimate(k, v, base, lead, &reps[c.chosen.i])
	c.view = v
	c.top = c.listed()
	return c
}

// offerTop keeps the k best reps seen, best first, equal chances in the
// order of the tie-break so that the list starts with the chosen rep.
func offerTop(top []scored, s scored, k int, hash func(int) uint64) []scored {
	better := func(a, b scored) bool {
		if math.Abs(a.p-b.p) > tieEps {
			return a.p > b.p
		}
		return hash(a.i) < hash(b.i)
	}
	if len(top) == k && !better(s, top[k-1]) {
		return top
	}
	if len(top) < k {
		top = append(top, s)
	} else {
		top[k-1] = s
	}
	for j := len(top) - 1; j > 0 && better(top[j], top[j-1]); j-- {
		top[j], top[j-1] = top[j-1], top[j]
	}
	return top
}

// listed is the best reps, with the chosen rep last in place of the
// last of them when exploration or fairness reached below the list.
func (c choice) listed() []scored {
	for _, s := range c.top {
		if s.i == c.chosen.i {
			return c.top
		}
	}
	return append(c.top[:len(c.top)-1], scored{c.chosen.i, c.chosen.p, c.est})
}

// candidates lists the reps considered with their chances and the parts
// of each.
func (c choice) candidates(k *Knowledge, reps []Rep) []Candidate {
	out := make([]Candidate, len(c.top))
	for j, s := range c.top {
		id := reps[s.i].ID
		out[j] = Candidate{RepID: id, Score: math.Round(s.p*1000) / 1000,
			Parts: valueParts(s.e, k.RecentA.Share(id), c.guarded,
				c.why == msgExplore && s.i == c.chosen.i)}
	}
	return out
}

// explain writes the reasons for a choice, in the order a manager asks:
// who and why, how sure, what load, what else was weighed.
func (r *ValueRouter) explain(k *Knowledge, c choice, lead Lead, reps []Rep, s skipped) []string {
	l := r.o.Lang
	rep := reps[c.chosen.i]
	name := displayName(rep)
	var out []string
	if lead.ExpectedAmount > 0 {
		out = append(out, l.say(msgValueChosen, name, pct(c.est.Probability), l.money(c.est.Value)))
	} else {
		out = append(out, l.say(msgChanceChosen, name, pct(c.est.Probability)))
	}
	out = append(out, l.base(k, lead.Profile))
	out = append(out, l.record(c.view, &rep, lead.Profile)...)
	if low := cmp.Or(r.o.ExploreBelow, 0.5); c.est.Confidence < low {
		out = append(out, l.say(msgLowConfidence, name, pct(c.est.Confidence)))
	}
	out = append(out, l.load(rep, c.est))
	out = append(out, r.special(k, c, reps)...)
	if len(c.top) > 1 {
		out = append(out, l.parts(c.top, reps))
	}
	if s.any() {
		out = append(out, l.skips(s))
	}
	return out
}

// parts lists the candidates with their chance split into what the lead
// brings and what each rep's record and load add, in percentage points
// that sum to the chance.
func (l Lang) parts(top []scored, reps []Rep) string {
	items := make([]string, len(top))
	for j, s := range top {
		e := s.e
		skilled := sigmoid(logit(e.Base) + e.Skill)
		items[j] = l.say(msgCandidate, displayName(reps[s.i]), pct(e.Probability), pct(e.Base),
			points100(skilled-e.Base), points100(e.Probability-skilled))
	}
	return l.say(msgCandidates, strings.Join(items, l.say(msgItemSep)))
}

// points100 writes a change of probability in signed percentage points.
func points100(d float64) string {
	return fmt.Sprintf("%+d", int(math.Round(d*100)))
}

// special explains a choice other than the plain best: exploration, the
// fairness guard, or a tie.
func (r *ValueRouter) special(k *Knowledge, c choice, reps []Rep) []string {
	l := r.o.Lang
	var out []string
	switch c.why {
	case msgExplore:
		out = append(out, l.say(msgExplore, displayName(reps[c.chosen.i]),
			pct(c.est.Confidence), pct(r.o.Explore), displayName(reps[c.best.i])))
	case msgFairness:
		top := reps[c.best.i]
		out = append(out, l.say(msgFairness, displayName(top),
			pct(k.RecentA.Share(top.ID)), pct(c.guard)))
	}
	if c.chosen.ties > 1 {
		out = append(out, l.tie(c.chosen.ties, reps[c.chosen.other]))
	}
	return out
}

func (l Lang) base(k *Knowledge, p Profile) string {
	prob, src := baseProbability(k, p)
	switch src {
	case fromLead:
		return l.say(msgBaseOwn, pct(prob))
	case fromModel:
		return l.say(msgBaseModel, k.Model.Deals(), pct(prob))
	}
	return l.say(msgBasePrior, pct(prob))
}

// record writes the rep's win rates on leads like this one, against the
// team's, in the order of Dimensions.
func (l Lang) record(v *leadView, rep *Rep, p Profile) []string {
	all, cells := v.explain(rep)
	industry, product := strings.TrimSpace(p.Industry), strings.TrimSpace(p.ProductLine)
	var out []string
	if len(cells) == 0 {
		out = append(out, l.say(msgCellAll, pct(all.Rate), pct(all.TeamRate), all.Deals))
	}
	for _, c := range cells {
		rate, team := pct(c.Rate), pct(c.TeamRate)
		switch c.Dimension {
		case ByIndustry:
			out = append(out, l.say(msgCellIndustry, industry, rate, team, c.Deals))
		case ByProductLine:
			out = append(out, l.say(msgCellProduct, product, rate, team, c.Deals))
		case ByCustomerType:
			out = append(out, l.say(msgCellCustomer, l.word(c.Value), rate, team, c.Deals))
		case ByCompanySize:
			out = append(out, l.say(msgCellSize, c.Value, rate, team, c.Deals))
		}
		if c.Declared {
			out = append(out, l.say(msgDeclared, industry))
		}
	}
	return out
}

// load writes the rep's load and, when it moves the chance by a point or
// more, by how much.
func (l Lang) load(rep Rep, e Estimate) string {
	without := sigmoid(logit(e.Probability) - e.Load)
	delta := int(math.Round((e.Probability - without) * 100))
	switch cmp.Compare(delta, 0) {
	case -1:
		return l.say(msgLoadDown, rep.OpenTasks, rep.Capacity, -delta)
	case 1:
		return l.say(msgLoadUp, rep.OpenTasks, rep.Capacity, delta)
	}
	return l.say(msgLoad, rep.OpenTasks, rep.Capacity)
}
