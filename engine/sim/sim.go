// Package sim is a deterministic simulation of lead routing, for
// comparing strategies on the revenue they would bring. A seeded world
// has reps with hidden strengths by industry and product line and a
// hidden sensitivity to load; history and outcomes are drawn from that
// truth, which no strategy sees. It relies only on package engine and
// the standard library, and does no I/O.
package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// Config shapes a simulated world and its stream of leads.
type Config struct {
	Seed uint64
	// Reps is the size of the roster; NewReps the share of it hired too
	// recently to have any history.
	Reps    int
	NewReps float64
	Teams   int
	// RegionalShare is the share of reps who cover one region only.
	RegionalShare float64
	// History is the number of closed deals the strategies learn from
	// before the stream starts.
	History int
	// Leads is the length of the stream. An assigned lead stays open for
	// MeanDuration steps (hours) on average, and leads arrive at a rate
	// that would keep Utilisation of the roster's capacity busy: near 1,
	// leads queue for a free rep and every strategy has less choice.
	Leads        int
	MeanDuration float64
	Utilisation  float64
	// RetrainEvery is the number of outcomes between retrainings; 0 never
	// retrains.
	RetrainEvery int
	// RecentA is how many of the latest tier A assignments the fairness
	// guard counts.
	RecentA int
}

// DefaultConfig is the world docs/simulation.md reports on.
func DefaultConfig(seed uint64) Config {
	return Config{Seed: seed, Reps: 40, NewReps: 0.2, Teams: 4, RegionalShare: 0.25,
		History: 4000, Leads: 4000, MeanDuration: 100, Utilisation: 0.85,
		RetrainEvery: 500, RecentA: 100}
}

// SmallConfig is a quicker world of the same shape, for tests.
func SmallConfig(seed uint64) Config {
	c := DefaultConfig(seed)
	c.Reps, c.History, c.Leads = 24, 2000, 1500
	return c
}

// Result is how one strategy did on one world.
type Result struct {
	Strategy string
	Assigned int
	// Expected is the sum over assignments of the hidden chance of
	// winning, at the rep's load when assigned, times the amount.
	Expected float64
	// Realised is the amount of the leads that were won, with the same
	// random draws for every strategy.
	Realised float64
	Wins     int
	// OverCapacity counts assignments to a rep without room, and
	// OutOfRegion to a rep who does not cover the lead's region.
	OverCapacity int
	OutOfRegion  int
	// MeanWait is the mean number of steps a lead waited for a rep.
	MeanWait float64
	// TopShareA is the largest share of tier A leads one rep received.
	TopShareA float64
}

// WinRate returns the share of assigned leads that were won.
func (r Result) WinRate() float64 {
	if r.Assigned == 0 {
		return 0
	}
	return float64(r.Wins) / float64(r.Assigned)
}

// OracleName names a strategy that only a simulation can have: it sees
// the hidden truth and gives each lead to the fitting rep most likely to
// win it at their current load. It bounds what any strategy could gain
// by choosing reps one lead at a time.
const OracleName = "oracle"

// Compare runs each strategy, by its engine.NewRouter name or
// OracleName, on the same world and the same stream.
func Compare(c Config, strategies ...string) ([]Result, error) {
	w := newWorld(c)
	var out []Result
	for _, s := range strategies {
		var router engine.Router = oracle{w}
		if s != OracleName {
			r, err := engine.NewRouter(s, engine.DefaultValueOptions)
			if err != nil {
				return nil, err
			}
			router = r
		}
		out = append(out, w.run(router))
	}
	return out, nil
}

// Run runs one strategy on the world of c.
func Run(c Config, strategy string) (Result, error) {
	rs, err := Compare(c, strategy)
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

var (
	industries = []string{"医疗", "制造", "教育", "金融", "零售", "物流", "能源", "互联网"}
	products   = []string{"CRM", "ERP", "BI", "OA"}
	regions    = []string{"华东", "华南", "华北"}
	sources    = []string{"官网", "展会", "转介绍", "广告"}
)

// hiddenRep is what the simulation knows of a rep and strategies do not.
type hiddenRep struct {
	general  float64
	industry []float64
	product  []float64
	load     float64 // log-odds lost per open task
}

// lead is one lead of the stream with its draws fixed in advance, so
// that every strategy meets the same luck.
type lead struct {
	engine.Lead
	ind, prod int
	base      float64 // log-odds of winning before the rep
	arrive    int
	duration  int
	draw      float64
}

type world struct {
	c       Config
	t0      time.Time
	reps    []engine.Rep
	hidden  []hiddenRep
	history []engine.Deal
	loads   []engine.LoadObservation
	leads   []lead
	start   *engine.Knowledge
}

func newWorld(c Config) *world {
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	w := &world{c: c, t0: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	w.makeReps(rng)
	w.makeHistory(rng)
	w.start = engine.Learn(w.history, w.reps, w.loads, engine.LearnOptions{})
	w.makeStream(rng)
	return w
}

func (w *world) makeReps(rng *rand.Rand) {
	veterans := w.c.Reps - int(math.Round(float64(w.c.Reps)*w.c.NewReps))
	for i := range w.c.Reps {
		h := hiddenRep{general: rng.NormFloat64() * 0.3, load: 0.02 + 0.1*rng.Float64()}
		for range industries {
			h.industry = append(h.industry, rng.NormFloat64()*0.6)
		}
		for range products {
			h.product = append(h.product, rng.NormFloat64()*0.4)
		}
		r := engine.Rep{ID: engine.RepID(fmt.Sprintf("r%02d", i)), Name: fmt.Sprintf("销售%02d", i),
			Team: fmt.Sprintf("team%d", i%w.c.Teams), Role: engine.RoleRep, Active: true,
			Capacity: 4 + rng.IntN(7)}
		// Declared expertise is a noisy hint: half the reps name their
		// true best industry, the rest one at random.
		best := slices.Index(h.industry, slices.Max(h.industry))
		if rng.Float64() >= 0.5 {
			best = rng.IntN(len(industries))
		}
		r.Industries = []string{industries[best]}
		if rng.Float64() < w.c.RegionalShare {
			r.Regions = []string{regions[rng.IntN(len(regions))]}
		}
		if i >= veterans {
			r.CreatedAt = w.t0
		}
		w.reps = append(w.reps, r)
		w.hidden = append(w.hidden, h)
	}
}

// newLead draws a lead's profile and its base log-odds.
func (w *world) newLead(rng *rand.Rand, i int) lead {
	l := lead{ind: rng.IntN(len(industries)), prod: rng.IntN(len(products))}
	p := engine.Profile{
		Company:        fmt.Sprintf("客户%d", i),
		Industry:       industries[l.ind],
		ProductLine:    products[l.prod],
		CustomerType:   engine.CustomerNew,
		CompanySize:    int(math.Exp(3 + 1.5*rng.NormFloat64())),
		Region:         regions[rng.IntN(len(regions))],
		ExpectedAmount: math.Round(math.Exp(11.2 + 0.8*rng.NormFloat64())),
		Source:         sources[rng.IntN(len(sources))],
		Interactions:   rng.IntN(8),
	}
	existing := rng.Float64() < 0.3
	if existing {
		p.CustomerType = engine.CustomerExisting
	}
	l.base = -1.2 + 0.25*float64(l.ind%4-1) + 0.15*float64(l.prod-1) +
		0.5*b2f(existing) + 0.4*b2f(p.Source == "转介绍") - 0.3*b2f(p.Source == "广告") -
		0.25*(math.Log(p.ExpectedAmount)-11.2) + 0.12*float64(p.Interactions)
	l.Lead = engine.Lead{ExternalID: fmt.Sprintf("sim-%d-%d", w.c.Seed, i), Profile: p}
	return l
}

// chance is the hidden probability that rep i wins l with open tasks.
func (w *world) chance(i int, l lead, open int) float64 {
	h := w.hidden[i]
	z := l.base + h.general + h.industry[l.ind] + h.product[l.prod] - h.load*float64(open)
	return 1 / (1 + math.Exp(-z))
}

// makeHistory draws closed deals as an even-handed past routing would
// have left them: each lead to a random veteran who covers its region,
// at a random load.
func (w *world) makeHistory(rng *rand.Rand) {
	veterans := w.c.Reps - int(math.Round(float64(w.c.Reps)*w.c.NewReps))
	for i := range w.c.History {
		l := w.newLead(rng, -1-i)
		ri := rng.IntN(veterans)
		for !covers(w.reps[ri], l.Region) {
			ri = rng.IntN(veterans)
		}
		open := rng.IntN(w.reps[ri].Capacity)
		won := rng.Float64() < w.chance(ri, l, open)
		w.history = append(w.history, w.deal(l, ri, won, w.t0.Add(-time.Duration(i)*time.Hour)))
		w.loads = append(w.loads, engine.LoadObservation{OpenTasks: open, Won: won})
	}
}

func (w *world) deal(l lead, ri int, won bool, at time.Time) engine.Deal {
	d := engine.Deal{ExternalID: l.ExternalID, Profile: l.Profile, RepID: w.reps[ri].ID,
		Outcome: engine.Lost, Amount: l.ExpectedAmount, ClosedAt: at}
	if won {
		d.Outcome = engine.Won
	}
	return d
}

// makeStream draws the leads, tiered by the weighted scorer on what was
// learned from history, so that tiers are the same for every strategy.
func (w *world) makeStream(rng *rand.Rand) {
	scorer, err := engine.NewWeightedScorer(engine.DefaultWeights(), fixedClock(w.t0))
	if err != nil {
		panic(err) // the default weights are valid; a test covers it
	}
	scorer.SetKnowledge(w.start)
	capacity := 0
	for _, r := range w.reps {
		capacity += r.Capacity
	}
	rate := w.c.Utilisation * float64(capacity) / w.c.MeanDuration
	t := 0.0
	for i := range w.c.Leads {
		l := w.newLead(rng, i)
		t += rng.ExpFloat64() / rate
		l.arrive = int(t)
		l.duration = 1 + int(rng.ExpFloat64()*w.c.MeanDuration)
		l.draw = rng.Float64()
		l.ID = engine.LeadID(i + 1)
		l.Tier = scorer.Score(l.Profile).Tier
		w.leads = append(w.leads, l)
	}
}

// oracle is the strategy of OracleName.
type oracle struct{ w *world }

// Name returns OracleName.
func (oracle) Name() string { return OracleName }

// Route picks the fitting rep with the best hidden chance.
func (o oracle) Route(l engine.Lead, reps []engine.Rep) engine.Decision {
	d := engine.Decision{Strategy: OracleName}
	sl := o.w.leads[l.ID-1]
	best := -1.0
	for i, r := range reps {
		if !engine.Routable(r) || !r.HasRoom() || !covers(r, l.Region) {
			continue
		}
		if p := o.w.chance(i, sl, r.OpenTasks); p > best {
			best, d.RepID = p, r.ID
		}
	}
	return d
}

type fixedClock time.Time

// Now returns the fixed time.
func (c fixedClock) Now() time.Time { return time.Time(c) }

func covers(r engine.Rep, region string) bool {
	return len(r.Regions) == 0 || slices.Contains(r.Regions, region)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// run plays the stream through one router, as the service would: each
// step closes the tasks that are due, gives waiting leads (best tier,
// then oldest, first) to whoever has room, then routes the new arrivals.
func (w *world) run(router engine.Router) Result { return w.play(router).result() }

// play runs the stream through router and returns the final state.
func (w *world) play(router engine.Router) *runState {
	s := newRunState(w, router)
	next := 0
	for step := 0; next < len(w.leads) || len(s.waiting) > 0 || len(s.open) > 0; step++ {
		s.closeDue(step)
		s.drain(step)
		for next < len(w.leads) && w.leads[next].arrive <= step {
			s.waiting = append(s.waiting, next)
			next++
		}
		s.drain(step)
	}
	return s
}

type openTask struct {
	lead, rep, load int
	closes          int
	won             bool
}

type runState struct {
	w        *world
	router   engine.Router
	learner  engine.Learner
	know     *engine.Knowledge
	reps     []engine.Rep
	index    map[engine.RepID]int
	waiting  []int
	open     []openTask
	deals    []engine.Deal
	loads    []engine.LoadObservation
	outcomes int
	recentA  []engine.RepID
	tierA    map[engine.RepID]int
	seq      int
	waited   int
	res      Result
	// arms holds the assignments an experiment made, for its report.
	arms []engine.ExperimentLead
}

func newRunState(w *world, router engine.Router) *runState {
	s := &runState{w: w, router: router, reps: slices.Clone(w.reps),
		index: map[engine.RepID]int{}, tierA: map[engine.RepID]int{},
		deals: slices.Clone(w.history), loads: slices.Clone(w.loads),
		res: Result{Strategy: router.Name()}}
	for i, r := range s.reps {
		s.index[r.ID] = i
	}
	if l, ok := router.(engine.Learner); ok {
		s.learner, s.know = l, w.start
		l.SetKnowledge(w.start)
	}
	return s
}

func (s *runState) closeDue(step int) {
	kept := s.open[:0]
	for _, t := range s.open {
		if t.closes > step {
			kept = append(kept, t)
			continue
		}
		s.reps[t.rep].OpenTasks--
		l := s.w.leads[t.lead]
		s.deals = append(s.deals, s.w.deal(l, t.rep, t.won, s.at(step)))
		s.loads = append(s.loads, engine.LoadObservation{OpenTasks: t.load, Won: t.won})
		s.outcomes++
	}
	s.open = kept
	if s.learner != nil && s.w.c.RetrainEvery > 0 && s.outcomes >= s.w.c.RetrainEvery {
		s.outcomes = 0
		s.know = engine.Learn(s.deals, s.reps, s.loads, engine.LearnOptions{}).
			WithRecentA(s.know.RecentA)
		s.learner.SetKnowledge(s.know)
	}
}

// drain offers every waiting lead to the router, best tier then oldest
// first, and keeps those nobody could take.
func (s *runState) drain(step int) {
	slices.SortStableFunc(s.waiting, func(a, b int) int {
		return cmp.Or(cmp.Compare(s.w.leads[a].Tier, s.w.leads[b].Tier), cmp.Compare(a, b))
	})
	kept := s.waiting[:0]
	for _, li := range s.waiting {
		if !s.assign(li, step) {
			kept = append(kept, li)
		}
	}
	s.waiting = kept
}

func (s *runState) assign(li, step int) bool {
	l := s.w.leads[li]
	d := s.router.Route(l.Lead, s.reps)
	if d.RepID == "" {
		return false
	}
	ri := s.index[d.RepID]
	r := &s.reps[ri]
	if !r.HasRoom() || !engine.Routable(*r) {
		s.res.OverCapacity++
		return false
	}
	if !covers(*r, l.Region) {
		s.res.OutOfRegion++
	}

	p := s.w.chance(ri, l, r.OpenTasks)
	won := l.draw < p
	s.open = append(s.open, openTask{lead: li, rep: ri, load: r.OpenTasks,
		closes: step + l.duration, won: won})
	r.OpenTasks++
	s.seq++
	r.LastAssignedAt = s.at(step).Add(time.Duration(s.seq) * time.Millisecond)

	if d.Arm != "" {
		s.noteArm(l, d, step, won)
	}
	s.res.Assigned++
	s.res.Expected += p * l.ExpectedAmount
	if won {
		s.res.Wins++
		s.res.Realised += l.ExpectedAmount
	}
	s.waited += step - l.arrive
	if l.Tier == engine.TierA {
		s.noteTierA(r.ID)
	}
	return true
}

// noteTierA keeps the window of recent tier A assignments and hands the
// router a snapshot with it, as the service does after each one.
func (s *runState) noteTierA(id engine.RepID) {
	s.tierA[id]++
	s.recentA = append(s.recentA, id)
	if len(s.recentA) > s.w.c.RecentA {
		s.recentA = s.recentA[1:]
	}
	if s.learner != nil {
		s.know = s.know.WithRecentA(engine.NewRecentA(s.recentA))
		s.learner.SetKnowledge(s.know)
	}
}

func (s *runState) at(step int) time.Time { return s.w.t0.Add(time.Duration(step) * time.Hour) }

func (s *runState) result() Result {
	r := s.res
	if r.Assigned > 0 {
		r.MeanWait = float64(s.waited) / float64(r.Assigned)
	}
	total := 0
	for _, n := range s.tierA {
		total += n
	}
	for _, n := range s.tierA {
		if total > 0 {
			r.TopShareA = max(r.TopShareA, float64(n)/float64(total))
		}
	}
	return r
}
