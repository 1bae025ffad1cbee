package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/bits"
	"slices"
	"time"
)

// ActorRebalance is the actor of the hand-overs a rebalance makes.
const ActorRebalance Actor = "rebalance"

// RebalanceOptions say when a rep holds too much and where the surplus
// may go. The zero value moves work off reps over their capacity to
// other reps who fit, peers of the same level first.
type RebalanceOptions struct {
	// Overload is the share of capacity a rep may hold before work is
	// moved off them (default 1: anything over capacity). A receiver is
	// filled to no more than this share, and never past capacity.
	Overload float64
	// Reserve names reps held back for overflow: they take work only
	// when no regular rep who fits has room.
	Reserve []RepID
	// ReserveLevel makes every rep of this level a reserve rep too.
	ReserveLevel string
	// TelesalesTeam is the team that takes tier C overflow last; its
	// reps receive no other tier.
	TelesalesTeam string
	// MovePenalty is what one move costs against the loss of win chance
	// it causes, in tenths of a percentage point (default 1000). It only
	// weighs moves against each other: a plan never moves more leads
	// than it needs to bring every rep under the limit.
	MovePenalty int
	// Candidates is how many receivers each lead is first offered to,
	// best first (default 32); more are offered when that leaves work
	// that could have moved.
	Candidates int
	// Lang is the language of the reasons (default Chinese).
	Lang Lang
	// Zones is routing's time zone rule, with business hours Hours, at
	// the time At: a receiver who shares too little working time with a
	// lead's customer is not offered that lead. The zero rule keeps
	// nobody out. Service.Rebalance and the health digests set all three
	// from the policy and the clock, whatever the caller passed.
	Zones ZoneRule
	Hours BusinessHours
	At    time.Time
}

// Validate reports the first option out of range, as an *Error of kind
// Invalid naming it.
func (o RebalanceOptions) Validate() error {
	if err := o.Lang.Validate(); err != nil {
		return err
	}
	if err := o.Zones.Validate(); err != nil {
		return err
	}
	var c checker
	c.number("overload", o.Overload, 0, 10)
	c.number("move_penalty", float64(o.MovePenalty), 0, 1e6)
	c.number("candidates", float64(o.Candidates), 0, 1e6)
	return errOrNil(c.err)
}

func (o RebalanceOptions) withDefaults() RebalanceOptions {
	setFloat(&o.Overload, 1)
	setInt(&o.MovePenalty, 1000)
	setInt(&o.Candidates, 32)
	return o
}

// Move is one lead a plan hands from an overloaded rep to another.
type Move struct {
	LeadID LeadID
	From   RepID
	To     RepID
	// Reason says in words why the lead goes to To.
	Reason string
	// Skipped, when not empty, says why applying the plan left this move
	// out: the lead or the receiver changed after planning.
	Skipped string
}

// Plan is what a rebalance does or would do.
type Plan struct {
	Moves []Move
	// Overloaded counts the reps over the limit when planning.
	Overloaded int
	// Unresolved counts the open tasks left over the limit because no
	// rep who fits had room for them.
	Unresolved int
	// Applied counts the moves carried out; 0 for a dry run.
	Applied int
}

// The cost scale of a plan, in tenths of a percentage point of win
// chance. The receiver's class outweighs anything else, so that a peer
// who fits is always used before a reserve rep.
const (
	classStep    = 100_000
	loadStep     = 300 // a receiver filled to capacity
	acceptedCost = 100 // the owner has taken the lead on
	progressCost = 2   // per percent of progress, counted in quarters
	chanceScale  = 1000
	chanceStep   = 2 // percentage points
)

// rbClass is what kind of receiver a rep is for a lead, best first.
type rbClass uint8

const (
	classPeer rbClass = iota
	classOther
	classReserve
	classTelesales
	classNone
)

// PlanRebalance plans which open leads move off the reps who hold more
// than o.Overload of their capacity, and to whom. It is one min-cost
// flow: every overloaded rep sends out exactly their surplus, each lead
// at most once, to routable reps who cover its region, fit its time zone
// rule (o.Zones) and have room.
// A move costs the receiver's class (peer, other level, reserve,
// telesales), the owner's work on the lead, the penalty, the win chance
// lost by the change of hands when k is not nil, and a rising price for
// every task a receiver takes, which spreads the surplus evenly. Among
// leads that cost the same to move, the newest (highest id) goes, as its
// owner has had it the shortest time.
func PlanRebalance(leads []Lead, reps []Rep, k *Knowledge, o RebalanceOptions) Plan {
	o = o.withDefaults()
	p := newPlanner(reps, k, o)
	p.collect(leads)
	plan := Plan{Overloaded: len(p.owners)}
	if len(p.movable) == 0 || len(p.recv) == 0 {
		plan.Unresolved = p.excess
		return plan
	}

	p.offers = make([][]offer, len(p.leads))
	for width := o.Candidates; ; width *= 4 {
		p.offer(width)
		moved := p.solve()
		if moved == p.excess || width >= len(p.recv) || !p.missed() {
			plan.Moves = p.moves()
			plan.Unresolved = p.excess - moved
			return plan
		}
	}
}

type planner struct {
	o       RebalanceOptions
	k       *Knowledge
	reps    []Rep
	index   map[RepID]int
	reserve map[RepID]bool
	limit   []int // the most open tasks each rep should hold
	room    []int // how many more each receiver may take

	owners  []int   // overloaded reps, by roster index
	surplus []int   // tasks each owner must shed
	movable [][]int // per owner, its leads as indexes into leads
	leads   []Lead
	zones   []*zoneCheck // per lead, its time zone rule; nil keeps nobody out
	recv    []int        // reps with room
	excess  int

	covered map[string][]bool // per lead region, by roster index
	classes []rbClass         // scratch for offersFor, by receiver

	// Set by offer and solve.
	offers    [][]offer // per lead of movable, in order
	g         *flowGraph
	arcs      [][]int32 // per lead, the graph arc of each offer
	ownerArcs []int32   // per owner, the arc from the source
}

type offer struct {
	rep   int
	class rbClass
	cost  int64
	owner float64 // win chance with the owner, -1 without knowledge
	recv  float64 // win chance with the receiver
	tie   uint64
}

func newPlanner(reps []Rep, k *Knowledge, o RebalanceOptions) *planner {
	p := &planner{o: o, k: k, reps: reps, index: make(map[RepID]int, len(reps)),
		reserve: make(map[RepID]bool, len(o.Reserve)), limit: make([]int, len(reps)),
		room: make([]int, len(reps)), covered: make(map[string][]bool)}
	for _, id := range o.Reserve {
		p.reserve[id] = true
	}
	for i := range reps {
		r := &reps[i]
		p.index[r.ID] = i
		p.limit[i] = int(math.Floor(o.Overload*float64(r.Capacity) + 1e-9))
		if room := min(p.limit[i], r.Capacity) - r.OpenTasks; room > 0 && Routable(*r) {
			p.room[i] = room
			p.recv = append(p.recv, i)
		}
	}
	return p
}

// collect finds the overloaded reps and the leads they hold.
func (p *planner) collect(leads []Lead) {
	slot := make(map[int]int)
	for i := range p.reps {
		if n := p.reps[i].OpenTasks - p.limit[i]; n > 0 {
			slot[i] = len(p.owners)
			p.owners = append(p.owners, i)
			p.surplus = append(p.surplus, n)
			p.movable = append(p.movable, nil)
			p.excess += n
		}
	}
	for _, l := range leads {
		ri, ok := p.index[l.Assignee]
		if !ok || l.Status != StatusAssigned {
			continue
		}
		if _, ok := slot[ri]; ok {
			p.leads = append(p.leads, l)
		}
	}
	// The search tries a node's arcs newest first, so adding the leads in
	// id order makes the newest move among equals.
	slices.SortFunc(p.leads, func(a, b Lead) int { return cmp.Compare(a.ID, b.ID) })
	p.zones = make([]*zoneCheck, len(p.leads))
	for li, l := range p.leads {
		s := slot[p.index[l.Assignee]]
		p.movable[s] = append(p.movable[s], li)
		p.zones[li] = newZoneCheck(p.o.Zones, p.o.Hours, &p.leads[li], p.o.At)
	}
}

// fits reports whether receiver ri may take lead li: it covers the
// lead's region (covered, from coverage) and fits its time zone rule.
func (p *planner) fits(li, ri int, covered bool) bool {
	return covered && (p.zones[li] == nil || p.zones[li].fits(&p.reps[ri]))
}

// class is what kind of receiver r is for the owner's lead l; fits says
// whether r covers the lead's region and fits its time zone rule.
func (p *planner) class(owner, r *Rep, l *Lead, fits bool) rbClass {
	switch {
	case r.ID == owner.ID || !fits:
		return classNone
	case p.o.TelesalesTeam != "" && r.Team == p.o.TelesalesTeam:
		if l.Tier == TierC {
			return classTelesales
		}
		return classNone
	case p.reserve[r.ID] || (p.o.ReserveLevel != "" && r.Level == p.o.ReserveLevel):
		return classReserve
	case r.Level == owner.Level:
		return classPeer
	}
	return classOther
}

// offer lists, for the movable leads of every owner not yet relieved,
// the width cheapest receivers.
func (p *planner) offer(width int) {
	for s, owner := range p.owners {
		if p.g != nil && p.g.residual(p.ownerArcs[s]) == 0 {
			continue
		}
		for _, li := range p.movable[s] {
			p.offers[li] = p.offersFor(li, &p.reps[owner], width)
		}
	}
}

func (p *planner) offersFor(li int, owner *Rep, width int) []offer {
	l := &p.leads[li]
	covered := p.coverage(l.Region)
	classes := p.classes[:0]
	var count [classNone]int
	for _, ri := range p.recv {
		c := p.class(owner, &p.reps[ri], l, p.fits(li, ri, covered[ri]))
		classes = append(classes, c)
		if c != classNone {
			count[c]++
		}
	}
	p.classes = classes
	// A class outweighs any win chance (classStep is far above the
	// largest chance cost), so no receiver of a class worse than the one
	// that fills the width can make the list: only the classes up to
	// that one are priced.
	worst, n := classNone-1, 0
	for c := range count {
		if n += count[c]; n >= width {
			worst = rbClass(c)
			break
		}
	}

	var v *leadView
	var base float64
	if p.k != nil {
		v = p.k.Profiles.view(l.Profile)
		base, _ = baseProbability(p.k, l.Profile)
	}
	fixed := int64(p.o.MovePenalty) + int64(l.Progress/25*25)*progressCost
	if l.AcceptedAt != nil {
		fixed += acceptedCost
	}
	was := -1.0
	if v != nil {
		was = estimate(p.k, v, base, l, owner).Probability
	}
	key := leadKey(*l)
	var out []offer
	for j, ri := range p.recv {
		c := classes[j]
		if c > worst {
			continue
		}
		r := &p.reps[ri]
		of := offer{rep: ri, class: c, owner: was, cost: fixed + int64(c)*classStep}
		if v != nil {
			of.recv = estimate(p.k, v, base, l, r).Probability
			// Steps of chanceStep points: finer differences mean little,
			// and every distinct cost costs the flow a round.
			steps := int64(math.Round((was - of.recv) * 100 / chanceStep))
			of.cost += steps * chanceStep * chanceScale / 100
		}
		of.cost = max(of.cost, 0)
		of.tie = stableHash(0, key, string(r.ID))
		out = insertOffer(out, of, width)
	}
	return out
}

// coverage returns, by roster index, whether each rep covers region.
func (p *planner) coverage(region string) []bool {
	if c, ok := p.covered[region]; ok {
		return c
	}
	c := make([]bool, len(p.reps))
	for i := range p.reps {
		c[i] = covers(&p.reps[i], region)
	}
	p.covered[region] = c
	return c
}

// cheaper orders a lead's receivers by cost, equal ones in an order
// drawn from the lead and the rep, so that the offers of leads alike
// spread over the receivers alike and the flow can balance them.
func cheaper(a, b offer) bool {
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	return a.tie < b.tie
}

// insertOffer keeps the width cheapest offers, cheapest first.
func insertOffer(top []offer, of offer, width int) []offer {
	if len(top) == width && !cheaper(of, top[width-1]) {
		return top
	}
	if len(top) < width {
		top = append(top, of)
	} else {
		top[width-1] = of
	}
	for j := len(top) - 1; j > 0 && cheaper(top[j], top[j-1]); j-- {
		top[j], top[j-1] = top[j-1], top[j]
	}
	return top
}

// loadCost is the price of a receiver's n-th open task.
// Prices come in tenths of the full load, so that many receivers share a
// price and the flow moves many leads per round.
func loadCost(n, capacity int) int64 {
	return int64(10*n/max(capacity, 1)) * loadStep / 10
}

// solve builds the flow graph on the current offers and returns how
// many leads it moves. Nodes: source 0, sink 1, then the owners, the
// leads and the receivers.
//
// TODO: successive shortest paths run one Dijkstra and one search over
// the whole graph per distinct path cost; with knowledge that is about
// 1,100 rounds for 1,000 reps and 10,000 open leads, some 3 seconds of
// the plan. Cost scaling or an auction would need far fewer, but would
// pick other moves among equally cheap ones.
func (p *planner) solve() int {
	nOwner, nLead := len(p.owners), len(p.leads)
	recvNode := make(map[int]int, len(p.recv))
	for j, ri := range p.recv {
		recvNode[ri] = 2 + nOwner + nLead + j
	}
	g := newFlowGraph(2 + nOwner + nLead + len(p.recv))
	p.ownerArcs = make([]int32, nOwner)
	for s := range p.owners {
		p.ownerArcs[s] = g.addArc(0, 2+s, p.surplus[s], 0)
		for _, li := range p.movable[s] {
			g.addArc(2+s, 2+nOwner+li, 1, 0)
		}
	}
	p.arcs = make([][]int32, nLead)
	for li, offers := range p.offers {
		for _, of := range offers {
			a := g.addArc(2+nOwner+li, recvNode[of.rep], 1, of.cost)
			p.arcs[li] = append(p.arcs[li], a)
		}
	}
	for _, ri := range p.recv {
		r := &p.reps[ri]
		for t := range min(p.room[ri], p.excess) {
			g.addArc(recvNode[ri], 1, 1, loadCost(r.OpenTasks+t+1, r.Capacity))
		}
	}
	p.g = g
	return g.minCostFlow(0, 1)
}

// missed reports whether a lead left with an overloaded owner fits a
// receiver with room to spare that it was not offered to, so that a
// wider offer could move more.
func (p *planner) missed() bool {
	taken := make(map[int]int)
	for li, offers := range p.offers {
		for j, of := range offers {
			if p.g.moved(p.arcs[li][j]) {
				taken[of.rep]++
			}
		}
	}
	for s, owner := range p.owners {
		for _, li := range p.movable[s] {
			if p.leadMoved(li) {
				continue
			}
			offered := func(ri int) bool {
				return slices.ContainsFunc(p.offers[li], func(of offer) bool { return of.rep == ri })
			}
			for _, ri := range p.recv {
				if taken[ri] < p.room[ri] && !offered(ri) &&
					p.class(&p.reps[owner], &p.reps[ri], &p.leads[li],
						p.fits(li, ri, covers(&p.reps[ri], p.leads[li].Region))) != classNone {
					return true
				}
			}
		}
	}
	return false
}

func (p *planner) leadMoved(li int) bool {
	for _, a := range p.arcs[li] {
		if p.g.moved(a) {
			return true
		}
	}
	return false
}

// moves reads the plan off the solved graph, with reasons, by owner and
// then lead id.
func (p *planner) moves() []Move {
	load := make(map[int]int)
	var out []Move
	for s, owner := range p.owners {
		from := &p.reps[owner]
		ids := slices.Clone(p.movable[s])
		slices.SortFunc(ids, func(a, b int) int {
			return cmp.Compare(p.leads[a].ID, p.leads[b].ID)
		})
		for _, li := range ids {
			for j, of := range p.offers[li] {
				if !p.g.moved(p.arcs[li][j]) {
					continue
				}
				to := &p.reps[of.rep]
				load[of.rep]++
				out = append(out, Move{LeadID: p.leads[li].ID, From: from.ID, To: to.ID,
					Reason: p.reason(from, to, p.limit[owner], to.OpenTasks+load[of.rep], of)})
			}
		}
	}
	return out
}

func (p *planner) reason(from, to *Rep, limit, after int, of offer) string {
	l := p.o.Lang
	s := l.rb(rbMoved, displayName(*from), from.OpenTasks, from.Capacity, limit,
		l.rb(rbClassPeer+rbMsg(of.class)), displayName(*to), after, to.Capacity)
	if of.owner >= 0 {
		s += l.rb(rbChance, pct(of.owner), pct(of.recv))
	}
	return s
}

// flowGraph is a residual graph for min-cost flow, arcs added in pairs
// so that arc a^1 is the reverse of a. Arcs are added to per-node lists
// and, before solving, laid out node by node (each node's arcs newest
// first, the order the lists hold them in), so that the searches read
// each node's arcs from one stretch of memory.
type flowGraph struct {
	head []int32
	next []int32
	pend []flowArc // by arc id, while the graph is built

	start []int32   // node u's arcs are arcs[start[u]:start[u+1]]
	arcs  []flowArc // laid out by freeze
	rev   []int32   // position of the reverse of each arc
	pos   []int32   // where arc id a went
	// live has a bit set for every arc with capacity left. Most arcs
	// into receivers are reverses of offers not taken, so the searches
	// skip them a word at a time.
	live []uint64
}

type flowArc struct {
	to   int32
	cap  int32
	cost int64
}

func newFlowGraph(n int) *flowGraph {
	g := &flowGraph{head: make([]int32, n)}
	for i := range g.head {
		g.head[i] = -1
	}
	return g
}

func (g *flowGraph) addArc(u, v, capacity int, cost int64) int32 {
	a := int32(len(g.pend))
	g.pend = append(g.pend, flowArc{to: int32(v), cap: int32(capacity), cost: cost},
		flowArc{to: int32(u), cost: -cost})
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u], g.head[v] = a, a+1
	return a
}

// freeze lays the arcs out node by node.
func (g *flowGraph) freeze() {
	n := len(g.head)
	g.start = make([]int32, n+1)
	g.arcs = make([]flowArc, len(g.pend))
	g.rev = make([]int32, len(g.pend))
	g.pos = make([]int32, len(g.pend))
	g.live = make([]uint64, (len(g.pend)+63)/64)
	i := int32(0)
	for u := range n {
		g.start[u] = i
		for a := g.head[u]; a >= 0; a = g.next[a] {
			g.pos[a] = i
			g.arcs[i] = g.pend[a]
			i++
		}
	}
	g.start[n] = i
	for a := range g.pend {
		i := g.pos[a]
		g.rev[i] = g.pos[a^1]
		if g.arcs[i].cap > 0 {
			g.live[i>>6] |= 1 << (i & 63)
		}
	}
	g.pend, g.next = nil, nil
}

// nextLive returns the first position from i on, before end, of an arc
// with capacity left, or end.
func (g *flowGraph) nextLive(i, end int32) int32 {
	if i >= end {
		return end
	}
	w := i >> 6
	word := g.live[w] &^ (1<<(i&63) - 1)
	for word == 0 {
		w++
		if w<<6 >= end {
			return end
		}
		word = g.live[w]
	}
	return min(w<<6+int32(bits.TrailingZeros64(word)), end)
}

// push sends one unit through the arc at position i.
func (g *flowGraph) push(i int32) {
	if g.arcs[i].cap--; g.arcs[i].cap == 0 {
		g.live[i>>6] &^= 1 << (i & 63)
	}
	r := g.rev[i]
	g.arcs[r].cap++
	g.live[r>>6] |= 1 << (r & 63)
}

// residual is how much more arc a can carry.
func (g *flowGraph) residual(a int32) int32 { return g.arcs[g.pos[a]].cap }

// moved reports whether one unit went through arc a.
func (g *flowGraph) moved(a int32) bool { return g.residual(a^1) > 0 }

// minCostFlow sends as much as it can from s to t at least cost and
// returns how much: the primal-dual method, Dijkstra on costs reduced by
// node potentials, then as many augmenting paths of reduced cost 0 as a
// depth-first search finds before the next Dijkstra. All costs start
// non-negative, so the potentials start at 0.
func (g *flowGraph) minCostFlow(s, t int) int {
	g.freeze()
	n := len(g.head)
	h := make([]int64, n)
	dist := make([]int64, n)
	seen := make([]uint32, n)
	iter := make([]int32, n)
	var flow int
	var stamp uint32
	for g.dijkstra(s, t, h, dist) {
		// Nodes beyond the sink's distance move by that distance: still
		// a feasible potential, and it lets Dijkstra stop at the sink.
		for v := range n {
			h[v] += min(dist[v], dist[t])
		}
		copy(iter, g.start[:n])
		stamp++
		// Only nodes Dijkstra settled can be on a shortest path; marking
		// the rest keeps the search inside the region it explored.
		for v := range n {
			if dist[v] > dist[t] {
				seen[v] = stamp
			}
		}
		for g.augment(s, t, h, seen, stamp, iter) {
			flow++
		}
	}
	return flow
}

func (g *flowGraph) dijkstra(s, t int, h, dist []int64) bool {
	for i := range dist {
		dist[i] = math.MaxInt64
	}
	dist[s] = 0
	q := distHeap{{0, int32(s)}}
	for len(q) > 0 {
		it := q.pop()
		u := it.v
		if it.d > dist[u] {
			continue
		}
		if int(u) == t {
			return true
		}
		du := it.d + h[u]
		end := g.start[u+1]
		for i := g.nextLive(g.start[u], end); i < end; i = g.nextLive(i+1, end) {
			a := &g.arcs[i]
			if nd := du + a.cost - h[a.to]; nd < dist[a.to] {
				dist[a.to] = nd
				q.push(distItem{nd, a.to})
			}
		}
	}
	return false
}

// augment pushes one unit along a path of arcs with reduced cost 0. The
// capacities out of the source and into the sink are what limit flow;
// every arc between carries one unit. A node found to lead nowhere stays
// marked for the phase, so that a phase costs one pass over the arcs.
func (g *flowGraph) augment(u, t int, h []int64, dead []uint32, stamp uint32, iter []int32) bool {
	if u == t {
		return true
	}
	dead[u] = stamp
	hu := h[u]
	end := g.start[u+1]
	for iter[u] = g.nextLive(iter[u], end); iter[u] < end; iter[u] = g.nextLive(iter[u]+1, end) {
		i := iter[u]
		a := &g.arcs[i]
		v := a.to
		if dead[v] == stamp || a.cost+hu-h[v] != 0 {
			continue
		}
		if g.augment(int(v), t, h, dead, stamp, iter) {
			g.push(i)
			if u != 0 {
				dead[u] = 0
			}
			return true
		}
	}
	return false
}

type distItem struct {
	d int64
	v int32
}

// distHeap is a binary min-heap by distance.
type distHeap []distItem

func (q *distHeap) push(it distItem) {
	*q = append(*q, it)
	s := *q
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].d <= s[i].d {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (q *distHeap) pop() distItem {
	s := *q
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(s) && s[l].d < s[small].d {
			small = l
		}
		if l+1 < len(s) && s[l+1].d < s[small].d {
			small = l + 1
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*q = s
	return top
}

// Rebalance plans moves off the overloaded reps from the roster and the
// open leads as they stand, using the knowledge learned so far, and
// unless dryRun carries each one out in a transaction of its own as a
// hand-over by ActorRebalance. A move whose lead or receiver changed
// after planning is left out, with Move.Skipped saying why; an Invalid
// option or a store failure is returned as an error.
func (s *Service) Rebalance(ctx context.Context, o RebalanceOptions, dryRun bool) (Plan, error) {
	if err := o.Validate(); err != nil {
		return Plan{}, fmt.Errorf("rebalance options: %w", err)
	}
	if o.Lang == "" {
		o.Lang = s.policy.Lang
	}
	o = s.withZoneRule(o)
	reps, err := s.store.Reps(ctx)
	if err != nil {
		return Plan{}, err
	}
	leads, err := s.openLeads(ctx)
	if err != nil {
		return Plan{}, err
	}
	s.learn.mu.Lock()
	k := s.learn.k
	s.learn.mu.Unlock()

	plan := PlanRebalance(leads, reps, k, o)
	if dryRun {
		return plan, nil
	}
	for i := range plan.Moves {
		m := &plan.Moves[i]
		err := s.applyMove(ctx, *m)
		switch {
		case err == nil:
			plan.Applied++
		case skippable(err):
			m.Skipped = err.Error()
		default:
			return plan, fmt.Errorf("move lead %s to %s: %w", m.LeadID, m.To, err)
		}
	}
	return plan, nil
}

// withZoneRule sets the time zone rule of a plan from the policy, at now.
func (s *Service) withZoneRule(o RebalanceOptions) RebalanceOptions {
	o.Zones, o.Hours, o.At = s.policy.Zones, s.policy.Hours, s.now()
	return o
}

// openLeads reads every assigned lead, a page at a time.
func (s *Service) openLeads(ctx context.Context) ([]Lead, error) {
	var out []Lead
	f := LeadFilter{Status: StatusAssigned, Limit: MaxListLimit}
	for {
		page, err := s.store.Leads(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

func (s *Service) applyMove(ctx context.Context, m Move) error {
	now := s.now()
	return s.update(ctx, func(tx Tx, logs *logQueue) error {
		l, err := tx.Lead(ctx, m.LeadID)
		if err != nil {
			return err
		}
		if l.Status != StatusAssigned || l.Assignee != m.From {
			return conflict("not_assigned", "lead %s changed hands meanwhile", l.ID)
		}
		from, err := tx.Rep(ctx, m.From)
		if err != nil {
			return err
		}
		to, err := s.claimant(ctx, tx, m.To)
		if err != nil {
			return err
		}
		if _, err := s.handOver(ctx, tx, l, from, to, RepID(ActorRebalance), now); err != nil {
			return err
		}
		entry := AuditEntry{At: now, Actor: ActorRebalance, Action: "lead.rebalanced",
			Subject: l.ID.String(), Detail: m.Reason}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		logs.add("lead rebalanced", slog.String("lead_id", l.ID.String()),
			slog.String("from_rep_id", string(from.ID)), slog.String("rep_id", string(to.ID)))
		return nil
	})
}

// skippable tells a move overtaken by events from a failure of the store.
func skippable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Kind {
	case Conflict, OverCapacity, Invalid, NotFound:
		return true
	}
	return false
}

// rbMsg names one sentence of the rebalance reasons.
type rbMsg int

// The class labels follow the order of rbClass.
const (
	rbClassPeer rbMsg = iota
	rbClassOther
	rbClassReserve
	rbClassTelesales
	rbMoved
	rbChance
	rbCount
)

var rbCatalog = map[Lang]*[rbCount]string{
	Chinese: {
		rbClassPeer:      "同级别的",
		rbClassOther:     "其他级别的",
		rbClassReserve:   "储备销售",
		rbClassTelesales: "电销团队的",
		rbMoved:          "负载均衡：%s 负载 %d/%d，超出上限 %d，转给%s %s（转入后负载 %d/%d）",
		rbChance:         "；赢单概率 %s → %s",
	},
	English: {
		rbClassPeer:      "peer",
		rbClassOther:     "rep of another level",
		rbClassReserve:   "reserve rep",
		rbClassTelesales: "telesales rep",
		rbMoved: "rebalance: %s holds %d of %d, over the limit of %d; " +
			"moved to %s %s (then %d of %d)",
		rbChance: "; win chance %s to %s",
	},
}

// rb formats one rebalance sentence.
func (l Lang) rb(m rbMsg, args ...any) string {
	return fmt.Sprintf(rbCatalog[l.resolved()][m], args...)
}
