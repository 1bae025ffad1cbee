package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Dimension is a way of slicing closed deals to see what a rep is good
// at.
type Dimension string

// The dimensions of a rep's capability profile.
const (
	ByIndustry     Dimension = "industry"
	ByProductLine  Dimension = "product_line"
	ByCustomerType Dimension = "customer_type"
	ByCompanySize  Dimension = "company_size"
)

// Dimensions lists every dimension, in the order reasons mention them.
var Dimensions = [...]Dimension{ByIndustry, ByProductLine, ByCustomerType, ByCompanySize}

// ProfileOptions tune how far thin evidence is shrunk. Each strength is
// a number of pseudo-deals: a rep with as many real deals in a cell as
// RepStrength is weighed half on their own record, half on the team's.
// Zero fields take the defaults given with each.
type ProfileOptions struct {
	// RepStrength pulls a rep's rate toward the team's (default 10).
	RepStrength float64
	// TeamStrength pulls a team's rate toward the company's (default 20).
	TeamStrength float64
	// CompanyStrength pulls the company's rate in one industry, product
	// line and so on toward its overall rate (default 20).
	CompanyStrength float64
	// ExpertiseBonus is the pseudo-wins that an industry the rep declares
	// in Rep.Industries adds to their record there: a hint for a rep with
	// no history, outweighed by a few real deals (default 0.5; negative
	// for none).
	ExpertiseBonus float64
	// SizeBands are the company sizes, in staff, where one band ends and
	// the next begins (default 50 and 500).
	SizeBands []int
	// Prior is the win rate assumed with no history at all (default 0.2).
	Prior float64
}

var defaultSizeBands = []int{50, 500}

func (o ProfileOptions) withDefaults() ProfileOptions {
	setFloat(&o.RepStrength, 10)
	setFloat(&o.TeamStrength, 20)
	setFloat(&o.CompanyStrength, 20)
	switch {
	case o.ExpertiseBonus < 0:
		o.ExpertiseBonus = 0
	case o.ExpertiseBonus == 0:
		o.ExpertiseBonus = 0.5
	}
	// Bands must rise; tolerate a list written in any order.
	o.SizeBands = slices.Compact(slices.Sorted(slices.Values(o.SizeBands)))
	o.SizeBands = slices.DeleteFunc(o.SizeBands, func(n int) bool { return n <= 1 })
	if len(o.SizeBands) == 0 {
		o.SizeBands = defaultSizeBands
	}
	setFloat(&o.Prior, 0.2)
	return o
}

// Capability is what history says of a rep in one cell of a dimension,
// such as the healthcare industry, or overall when Dimension is "".
type Capability struct {
	Dimension Dimension
	Value     string
	// Rate is the rep's win rate: the posterior mean of a Beta prior
	// centred on the team's rate, updated with the rep's deals.
	Rate float64
	// TeamRate is the team's rate in the same cell, itself shrunk toward
	// the company's.
	TeamRate    float64
	CompanyRate float64
	Deals, Wins int
	// Confidence is the weight of the rep's own deals in Rate, from 0 (no
	// history: Rate is the team's) toward 1.
	Confidence float64
	// MeanAmount is the rep's mean won amount in yuan, shrunk the same
	// way; 0 when nobody won anything in the cell.
	MeanAmount float64
	// Declared says whether the rep declared this industry.
	Declared bool
}

// Profiles are the capability profiles of a roster, learned from closed
// deals. They are immutable and safe for concurrent use.
type Profiles struct {
	o          ProfileOptions
	all        tally
	ids        map[cell]int32 // cells are counted by these small ids
	company    map[int32]tally
	teams      map[string]*group
	reps       map[RepID]*group
	companyAll float64
	companyAmt float64
}

type cell struct {
	d Dimension
	v string
}

type tally struct {
	n, won int
	amount float64 // the sum over won deals
}

func (t *tally) add(won bool, amount float64) {
	t.n++
	if won {
		t.won++
		t.amount += amount
	}
}

type group struct {
	all   tally
	cells map[int32]tally
}

func (g *group) add(ids [len(Dimensions)]int32, won bool, amount float64) {
	g.all.add(won, amount)
	for _, id := range ids {
		if id >= 0 {
			t := g.cells[id]
			t.add(won, amount)
			g.cells[id] = t
		}
	}
}

// BuildProfiles tallies deals by rep, by the rep's team in reps, and for
// the whole company. A deal whose rep is not in reps counts for the rep
// and the company but no team.
//
// TODO: rates are raw, so a rep who was routed the hard leads looks
// weaker than they are; comparing each rep's wins with the model's
// expected wins on their deals would remove that bias, at the cost of
// training the model before the profiles.
func BuildProfiles(deals []Deal, reps []Rep, o ProfileOptions) *Profiles {
	p := &Profiles{o: o.withDefaults(), ids: map[cell]int32{}, company: map[int32]tally{},
		teams: map[string]*group{}, reps: map[RepID]*group{}}
	team := make(map[RepID]string, len(reps))
	for _, r := range reps {
		team[r.ID] = r.Team
	}
	for _, d := range deals {
		ids := p.intern(p.cellsOf(d.Profile))
		won := d.Outcome == Won
		p.all.add(won, d.Amount)
		for _, id := range ids {
			if id >= 0 {
				t := p.company[id]
				t.add(won, d.Amount)
				p.company[id] = t
			}
		}
		groupOf(p.reps, d.RepID).add(ids, won, d.Amount)
		if t := team[d.RepID]; t != "" {
			groupOf(p.teams, t).add(ids, won, d.Amount)
		}
	}
	p.companyAll = shrink(p.all.won, p.all.n, p.o.Prior, p.o.CompanyStrength)
	if p.all.won > 0 {
		p.companyAmt = p.all.amount / float64(p.all.won)
	}
	return p
}

func groupOf[K comparable](m map[K]*group, k K) *group {
	g, ok := m[k]
	if !ok {
		g = &group{cells: map[int32]tally{}}
		m[k] = g
	}
	return g
}

// SizeBand names the band of a company size, such as "50-499"; "" when
// the size is unknown (0).
func (p *Profiles) SizeBand(size int) string {
	if size <= 0 {
		return ""
	}
	bands := defaultSizeBands
	if p != nil {
		bands = p.o.SizeBands
	}
	lo := 1
	for _, cut := range bands {
		if size < cut {
			return strconv.Itoa(lo) + "-" + strconv.Itoa(cut-1)
		}
		lo = cut
	}
	return strconv.Itoa(lo) + "+"
}

// intern gives each new cell an id; cells without a value get -1.
func (p *Profiles) intern(cells [len(Dimensions)]cell) [len(Dimensions)]int32 {
	var ids [len(Dimensions)]int32
	for i, c := range cells {
		id, ok := p.ids[c]
		if !ok {
			id = int32(len(p.ids))
			p.ids[c] = id
		}
		if c.v == "" {
			id = -1
		}
		ids[i] = id
	}
	return ids
}

// lookup returns the ids of cells seen in history, -1 for the others.
func (p *Profiles) lookup(cells [len(Dimensions)]cell) [len(Dimensions)]int32 {
	var ids [len(Dimensions)]int32
	for i, c := range cells {
		id, ok := p.ids[c]
		if !ok || c.v == "" {
			id = -1
		}
		ids[i] = id
	}
	return ids
}

func (p *Profiles) cellsOf(pr Profile) [len(Dimensions)]cell {
	return [...]cell{
		{ByIndustry, normKey(pr.Industry)},
		{ByProductLine, normKey(pr.ProductLine)},
		{ByCustomerType, normKey(string(pr.CustomerType))},
		{ByCompanySize, p.SizeBand(pr.CompanySize)},
	}
}

// CompanyRate returns the company's overall win rate.
func (p *Profiles) CompanyRate() float64 { return p.view(Profile{}).p.companyAll }

// Overall returns the rep's record across all deals.
func (p *Profiles) Overall(r Rep) Capability {
	v := p.view(Profile{})
	return v.overall(&r, v.team(r.Team))
}

// Cell returns the rep's record in one cell of a dimension, such as
// (ByIndustry, "healthcare") or (ByCompanySize, "50-499"). Rep.Team and
// Rep.Industries are read from r, so a rep who changed team is measured
// against the new one.
func (p *Profiles) Cell(r Rep, d Dimension, value string) Capability {
	v := p.view(Profile{})
	i := dimIndex(d)
	if i < 0 {
		return Capability{Dimension: d, Value: value}
	}
	v.cells[i] = cell{d, normKey(value)}
	v.fillCompany()
	tv := v.team(r.Team)
	return v.cell(&r, tv, v.overall(&r, tv), i)
}

func dimIndex(d Dimension) int {
	for i, x := range Dimensions {
		if x == d {
			return i
		}
	}
	return -1
}

// Lift returns how much better than the company this rep's record says
// they do on a lead like pr, as a change in log-odds, with the rep's
// overall confidence.
func (p *Profiles) Lift(r Rep, pr Profile) (lift, confidence float64) {
	return p.view(pr).lift(&r)
}

// maxLift bounds the change in log-odds a record can make, so that a
// lucky streak cannot make a rep look certain to win.
const maxLift = 3

// leadView is the part of a profile lookup that depends only on the
// lead: computed once per routing decision, then shared by every rep.
// It keeps the log-odds of the rates it reuses, so that each rep costs a
// few map lookups and two logarithms per cell.
type leadView struct {
	p        *Profiles
	cells    [len(Dimensions)]cell
	ids      [len(Dimensions)]int32
	company  [len(Dimensions)]float64
	lCompany [len(Dimensions)]float64
	amount   [len(Dimensions)]float64
	lAll     float64
	teams    map[string]*teamView
}

type teamView struct {
	all, lAll, amount float64
	cells, lCells     [len(Dimensions)]float64
	amts              [len(Dimensions)]float64
}

// noProfiles stands in for profiles that were never built.
var noProfiles = BuildProfiles(nil, nil, ProfileOptions{})

func (p *Profiles) view(pr Profile) *leadView {
	if p == nil {
		p = noProfiles
	}
	v := &leadView{p: p, cells: p.cellsOf(pr), teams: map[string]*teamView{}}
	v.fillCompany()
	return v
}

func (v *leadView) fillCompany() {
	p := v.p
	v.lAll = logit(p.companyAll)
	v.ids = p.lookup(v.cells)
	for i, id := range v.ids {
		t := p.company[id]
		v.company[i] = shrink(t.won, t.n, p.companyAll, p.o.CompanyStrength)
		v.lCompany[i] = logit(v.company[i])
		v.amount[i] = shrinkMean(t.amount, t.won, p.companyAmt, p.o.CompanyStrength)
	}
}

// team returns the team's rates in the lead's cells. A rep without a
// team is measured against the company.
func (v *leadView) team(name string) *teamView {
	if tv, ok := v.teams[name]; ok {
		return tv
	}
	p := v.p
	tv := &teamView{all: p.companyAll, lAll: v.lAll, amount: p.companyAmt,
		cells: v.company, lCells: v.lCompany, amts: v.amount}
	if g := p.teams[name]; name != "" && g != nil {
		k := p.o.TeamStrength
		tv.all = shrink(g.all.won, g.all.n, p.companyAll, k)
		tv.lAll = logit(tv.all)
		tv.amount = shrinkMean(g.all.amount, g.all.won, p.companyAmt, k)
		for i, id := range v.ids {
			t := g.cells[id]
			prior := sigmoid(v.lCompany[i] + tv.lAll - v.lAll)
			tv.cells[i] = shrink(t.won, t.n, prior, k)
			tv.lCells[i] = logit(tv.cells[i])
			tv.amts[i] = shrinkMean(t.amount, t.won, v.amount[i], k)
		}
	}
	v.teams[name] = tv
	return tv
}

// repTally returns the rep's deals overall and their record's group,
// nil without history.
func (v *leadView) repTally(r *Rep) (*group, tally) {
	g := v.p.reps[r.ID]
	if g == nil {
		return nil, tally{}
	}
	return g, g.all
}

func (v *leadView) overall(r *Rep, tv *teamView) Capability {
	p := v.p
	_, t := v.repTally(r)
	k := p.o.RepStrength
	return Capability{
		Rate:        shrink(t.won, t.n, tv.all, k),
		TeamRate:    tv.all,
		CompanyRate: p.companyAll,
		Deals:       t.n,
		Wins:        t.won,
		Confidence:  float64(t.n) / (float64(t.n) + k),
		MeanAmount:  shrinkMean(t.amount, t.won, tv.amount, k),
	}
}

// cellRate is the rep's rate in the lead's i-th cell, given the log-odds
// of their overall rate. Its prior is the team's rate there, moved by
// how the rep does overall against the team: a rep who beats the team
// everywhere is expected to beat it in a cell they have not worked yet.
//
// TODO: the overall rates include the cell's own deals, so for a rep or
// team that works one industry only the prior counts that evidence
// twice, overshooting the raw rate slightly; backfitting the overall
// edge on the other cells would remove it at some cost per decision.
func (v *leadView) cellRate(r *Rep, g *group, tv *teamView, lRepAll float64,
	i int) (float64, tally, bool) {
	p := v.p
	c := v.cells[i]
	var t tally
	if g != nil && v.ids[i] >= 0 {
		t = g.cells[v.ids[i]]
	}
	k := p.o.RepStrength
	prior := sigmoid(tv.lCells[i] + lRepAll - tv.lAll)
	bonus := 0.0
	declared := c.d == ByIndustry && declares(r, c.v)
	if declared {
		bonus = p.o.ExpertiseBonus
	}
	return (float64(t.won) + k*prior + bonus) / (float64(t.n) + k + bonus), t, declared
}

func (v *leadView) cell(r *Rep, tv *teamView, all Capability, i int) Capability {
	g, _ := v.repTally(r)
	rate, t, declared := v.cellRate(r, g, tv, logit(all.Rate), i)
	k := v.p.o.RepStrength
	return Capability{
		Dimension:   v.cells[i].d,
		Value:       v.cells[i].v,
		Rate:        rate,
		TeamRate:    tv.cells[i],
		CompanyRate: v.company[i],
		Deals:       t.n,
		Wins:        t.won,
		Confidence:  float64(t.n) / (float64(t.n) + k),
		MeanAmount:  shrinkMean(t.amount, t.won, tv.amts[i], k),
		Declared:    declared,
	}
}

// lift adds up what the rep's record says about this lead, in log-odds
// against the company: the overall edge once, plus in each cell what the
// rep does beyond that edge. Adding, not averaging, keeps a rep strong in
// both the lead's industry and its product line ahead of one strong in
// only one of them. It returns the rep's overall confidence too.
func (v *leadView) lift(r *Rep) (lift, confidence float64) {
	tv := v.team(r.Team)
	g, t := v.repTally(r)
	k := v.p.o.RepStrength
	lAll := logit(shrink(t.won, t.n, tv.all, k))
	edge := lAll - v.lAll
	lift = edge
	for i, c := range v.cells {
		if c.v == "" {
			continue
		}
		rate, _, _ := v.cellRate(r, g, tv, lAll, i)
		lift += logit(rate) - v.lCompany[i] - edge
	}
	return math.Max(-maxLift, math.Min(maxLift, lift)), float64(t.n) / (float64(t.n) + k)
}

// explain returns the rep's overall record and their record in each cell
// the lead has a value for.
func (v *leadView) explain(r *Rep) (Capability, []Capability) {
	tv := v.team(r.Team)
	all := v.overall(r, tv)
	var cells []Capability
	for i, c := range v.cells {
		if c.v != "" {
			cells = append(cells, v.cell(r, tv, all, i))
		}
	}
	return all, cells
}

func declares(r *Rep, industry string) bool {
	for _, s := range r.Industries {
		if strings.EqualFold(strings.TrimSpace(s), industry) {
			return true
		}
	}
	return false
}

// shrink is the posterior mean of a Beta prior with mean prior and
// strength k, after won wins in n deals.
func shrink(won, n int, prior, k float64) float64 {
	return (float64(won) + k*prior) / (float64(n) + k)
}

// shrinkMean pulls a mean of n values summing to sum toward prior as if
// k more values equal to prior had been seen.
func shrinkMean(sum float64, n int, prior, k float64) float64 {
	return (sum + k*prior) / (float64(n) + k)
}
