package engine

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// WeightsConfig is how an administrator tells a WeightedScorer what
// makes a lead valuable. The score is the weighted mean of the points
// (0 to 100) each input gives: a category input (industry, customer
// type, source, region, product line, or an attribute) looks its value
// up in Points, a numeric one (company size, expected amount,
// interactions, recency, or a numeric attribute) reads its Curve. The
// tier comes from the grid of close probability by expected amount, as
// with GridScorer.
type WeightsConfig struct {
	// Lang is the language of the reasons: zh (default) or en.
	Lang Lang `yaml:"lang"`
	// DefaultProbability is the close probability of a lead that brings
	// none when no model has been trained yet.
	DefaultProbability float64 `yaml:"default_probability"`
	// Grid holds the cut-offs of the tier grid.
	Grid GridConfig `yaml:"grid"`
	// ProbabilityWeight is the weight of the close probability, which
	// gives 100 times itself in points.
	ProbabilityWeight float64 `yaml:"probability_weight"`
	// Inputs are keyed by profile field: industry, company_size,
	// expected_amount, customer_type, source, region, interactions,
	// recency, product_line.
	Inputs map[string]Input `yaml:"inputs"`
	// Attributes are keyed by the name of a lead attribute.
	Attributes map[string]Input `yaml:"attributes"`
}

// GridConfig is Grid as configuration.
type GridConfig struct {
	ProbabilityHigh float64 `yaml:"probability_high"`
	ProbabilityMid  float64 `yaml:"probability_mid"`
	AmountLarge     float64 `yaml:"amount_large"`
	AmountMid       float64 `yaml:"amount_mid"`
}

// Grid returns the cut-offs as a Grid.
func (g GridConfig) Grid() Grid {
	return Grid{ProbabilityHigh: g.ProbabilityHigh, ProbabilityMid: g.ProbabilityMid,
		AmountLarge: g.AmountLarge, AmountMid: g.AmountMid}
}

// Input is one weighted input of the score.
type Input struct {
	// Weight is the input's share of the score relative to the others.
	Weight float64 `yaml:"weight"`
	// Points maps a category to points from 0 to 100; case and
	// surrounding spaces do not matter.
	Points map[string]float64 `yaml:"points"`
	// Default is the points for a missing value, and for a category
	// that Points does not list.
	Default float64 `yaml:"default"`
	// Curve maps a number to points by straight lines between the
	// breakpoints, flat beyond the first and the last.
	Curve []Breakpoint `yaml:"curve"`
	// Attribute names, for recency only, the lead attribute holding the
	// time of the latest contact: RFC 3339, "2006-01-02 15:04:05",
	// "2006-01-02", or a number of days ago (default last_contact_at).
	// Recency is measured in days.
	Attribute string `yaml:"attribute"`
}

// Breakpoint is one point of a curve.
type Breakpoint struct {
	At     float64 `yaml:"at"`
	Points float64 `yaml:"points"`
}

// inputKind says whether an input is read as a category or a number.
type inputKind uint8

const (
	categoryInput inputKind = iota
	numberInput
)

// inputValue is an input's value in a profile: its text, for a category
// and for reasons, and its number when it has one.
type inputValue struct {
	text    string
	num     float64
	numeric bool
}

type reader func(p Profile, now time.Time) (inputValue, bool)

// profileInputs are the inputs read from Profile fields, and how.
// Recency has no reader here: it reads an attribute against the clock.
var profileInputs = map[string]struct {
	kind inputKind
	read reader
}{
	"industry":        {categoryInput, text(func(p Profile) string { return p.Industry })},
	"customer_type":   {categoryInput, text(customerType)},
	"source":          {categoryInput, text(func(p Profile) string { return p.Source })},
	"region":          {categoryInput, text(func(p Profile) string { return p.Region })},
	"product_line":    {categoryInput, text(func(p Profile) string { return p.ProductLine })},
	"company_size":    {numberInput, number(func(p Profile) int { return p.CompanySize })},
	"expected_amount": {numberInput, amount},
	"interactions":    {numberInput, number(func(p Profile) int { return p.Interactions })},
	"recency":         {numberInput, nil},
}

func customerType(p Profile) string { return string(p.CustomerType) }

func text(f func(Profile) string) reader {
	return func(p Profile, _ time.Time) (inputValue, bool) {
		s := strings.TrimSpace(f(p))
		return inputValue{text: s}, s != ""
	}
}

func number(f func(Profile) int) reader {
	return func(p Profile, _ time.Time) (inputValue, bool) {
		return numeric(float64(f(p))), true
	}
}

func amount(p Profile, _ time.Time) (inputValue, bool) { return numeric(p.ExpectedAmount), true }

func numeric(v float64) inputValue {
	return inputValue{text: decimal(v), num: v, numeric: true}
}

// DefaultWeights scores exactly as GridScorer does on DefaultGrid: close
// probability weighs 60%, expected amount up to the large cut-off 40%.
func DefaultWeights() WeightsConfig {
	return WeightsConfig{
		Lang:               Chinese,
		DefaultProbability: 0.2,
		Grid: GridConfig{ProbabilityHigh: DefaultGrid.ProbabilityHigh,
			ProbabilityMid: DefaultGrid.ProbabilityMid,
			AmountLarge:    DefaultGrid.AmountLarge, AmountMid: DefaultGrid.AmountMid},
		ProbabilityWeight: 60,
		Inputs: map[string]Input{
			"expected_amount": {Weight: 40, Curve: []Breakpoint{
				{At: 0, Points: 0}, {At: DefaultGrid.AmountLarge, Points: 100}}},
		},
	}
}

// Validate reports every problem of the configuration, each an *Error of
// kind Invalid whose Field is the offending key, such as
// inputs.industry.points.
func (c WeightsConfig) Validate() error {
	var errs []error
	bad := func(field, code, format string, args ...any) {
		errs = append(errs, invalid(field, code, format, args...))
	}
	if err := c.Lang.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !inRange(c.DefaultProbability, 0, 1) {
		bad("default_probability", "out_of_range", "is %v, must be from 0 to 1",
			c.DefaultProbability)
	}
	if err := c.Grid.Grid().Validate(); err != nil {
		bad("grid", "invalid_value", "%v", err)
	}
	if !inRange(c.ProbabilityWeight, 0, math.MaxFloat64) {
		bad("probability_weight", "out_of_range", "is %v, must be 0 or more", c.ProbabilityWeight)
	}

	total := c.ProbabilityWeight + c.checkInputs(bad) + c.checkAttributes(bad)
	if len(errs) == 0 && !(total > 0) {
		bad("probability_weight", "missing_field",
			"every weight is 0: give at least one input a weight")
	}
	return errors.Join(errs...)
}

// checkInputs checks the profile inputs and returns their total weight.
func (c WeightsConfig) checkInputs(bad complaint) float64 {
	total := 0.0
	for _, name := range sortedKeys(c.Inputs) {
		in := c.Inputs[name]
		field := "inputs." + name
		spec, ok := profileInputs[name]
		if !ok {
			bad(field, "unknown_input", "is not an input; known: %s",
				strings.Join(sortedKeys(profileInputs), ", "))
			continue
		}
		if in.Attribute != "" && name != "recency" {
			bad(field+".attribute", "invalid_value", "applies to recency only")
		}
		in.check(field, spec.kind, bad)
		total += in.Weight
	}
	return total
}

// checkAttributes checks the attribute inputs and returns their total
// weight.
func (c WeightsConfig) checkAttributes(bad complaint) float64 {
	total := 0.0
	for _, key := range sortedKeys(c.Attributes) {
		in := c.Attributes[key]
		field := "attributes." + key
		switch {
		case strings.TrimSpace(key) == "":
			bad(field, "missing_field", "an attribute key must not be empty")
		case in.Attribute != "":
			bad(field+".attribute", "invalid_value", "applies to recency only")
		case (len(in.Points) > 0) == (len(in.Curve) > 0):
			bad(field, "invalid_value", "needs points (a category) or a curve (a number), not both")
		case len(in.Curve) > 0:
			in.check(field, numberInput, bad)
		default:
			in.check(field, categoryInput, bad)
		}
		total += in.Weight
	}
	return total
}

// complaint records a problem of a configuration key.
type complaint func(field, code, format string, args ...any)

func (in Input) check(field string, kind inputKind, bad complaint) {
	if !inRange(in.Weight, 0, math.MaxFloat64) {
		bad(field+".weight", "out_of_range", "is %v, must be 0 or more", in.Weight)
	}
	if !inRange(in.Default, 0, 100) {
		bad(field+".default", "out_of_range", "is %v, must be from 0 to 100", in.Default)
	}
	if kind == categoryInput {
		if len(in.Curve) > 0 {
			bad(field+".curve", "invalid_value", "is a category input: give points, not a curve")
		}
		seen := map[string]string{}
		for _, k := range sortedKeys(in.Points) {
			if prev, dup := seen[normKey(k)]; dup {
				bad(field+".points."+k, "duplicate", "is the same category as %q", prev)
			}
			seen[normKey(k)] = k
			if !inRange(in.Points[k], 0, 100) {
				bad(field+".points."+k, "out_of_range", "is %v, must be from 0 to 100",
					in.Points[k])
			}
		}
		return
	}
	if len(in.Points) > 0 {
		bad(field+".points", "invalid_value", "is a numeric input: give a curve, not points")
	}
	if len(in.Curve) == 0 {
		bad(field+".curve", "missing_field", "needs at least one breakpoint")
	}
	for i, b := range in.Curve {
		f := fmt.Sprintf("%s.curve[%d]", field, i)
		if !inRange(b.Points, 0, 100) {
			bad(f+".points", "out_of_range", "is %v, must be from 0 to 100", b.Points)
		}
		if math.IsNaN(b.At) || math.IsInf(b.At, 0) || (i > 0 && !(b.At > in.Curve[i-1].At)) {
			bad(f+".at", "out_of_order", "is %v, must be above the breakpoint before it", b.At)
		}
	}
}

func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// WeightedScorer scores leads by the weighted inputs of a WeightsConfig.
// A lead without its own close probability is given the learned model's
// estimate once SetKnowledge has handed it a trained one, else the
// configured default. It is safe for concurrent use.
type WeightedScorer struct {
	lang     Lang
	grid     Grid
	defProb  float64
	probW    float64
	inputs   []scoreInput
	totalW   float64
	clock    Clock
	learning atomic.Pointer[Knowledge]
}

type scoreInput struct {
	name   string // as reasons show it: industry, or the attribute key
	field  bool   // a Profile field, not an attribute
	kind   inputKind
	weight float64
	points map[string]float64
	def    float64
	curve  []Breakpoint
	read   reader
}

// NewWeightedScorer returns a scorer for a valid configuration. Recency
// is measured against clock; nil means the system clock.
func NewWeightedScorer(c WeightsConfig, clock Clock) (*WeightedScorer, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("scoring weights: %w", err)
	}
	if clock == nil {
		clock = SystemClock{}
	}
	s := &WeightedScorer{lang: c.Lang, grid: c.Grid.Grid(), defProb: c.DefaultProbability,
		probW: c.ProbabilityWeight, totalW: c.ProbabilityWeight, clock: clock}
	for _, name := range sortedKeys(c.Inputs) {
		in := c.Inputs[name]
		read := profileInputs[name].read
		if name == "recency" {
			read = recencyReader(cmp.Or(in.Attribute, "last_contact_at"))
		}
		s.add(name, true, profileInputs[name].kind, in, read)
	}
	for _, key := range sortedKeys(c.Attributes) {
		in := c.Attributes[key]
		kind := categoryInput
		if len(in.Curve) > 0 {
			kind = numberInput
		}
		s.add(key, false, kind, in, attributeReader(key))
	}
	return s, nil
}

func (s *WeightedScorer) add(name string, field bool, kind inputKind, in Input, read reader) {
	points := make(map[string]float64, len(in.Points))
	for k, v := range in.Points {
		points[normKey(k)] = v
	}
	s.inputs = append(s.inputs, scoreInput{name: name, field: field, kind: kind, weight: in.Weight,
		points: points, def: in.Default, curve: slices.Clone(in.Curve), read: read})
	s.totalW += in.Weight
}

// attributeReader reads an attribute as JSON decodes it: a string, a
// number or a bool. A string that spells a number is a number too.
func attributeReader(key string) reader {
	return func(p Profile, _ time.Time) (inputValue, bool) {
		switch v := p.Attributes[key].(type) {
		case string:
			s := strings.TrimSpace(v)
			n, err := strconv.ParseFloat(s, 64)
			return inputValue{text: s, num: n, numeric: err == nil}, s != ""
		case bool:
			return inputValue{text: strconv.FormatBool(v), num: b2f(v), numeric: true}, true
		case float64:
			return numeric(v), true
		case int:
			return numeric(float64(v)), true
		}
		return inputValue{}, false
	}
}

// recencyReader reads the days from the time in an attribute to now.
func recencyReader(key string) reader {
	layouts := []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02"}
	return func(p Profile, now time.Time) (inputValue, bool) {
		var at time.Time
		switch v := p.Attributes[key].(type) {
		case time.Time:
			at = v
		case float64:
			return numeric(v), v >= 0
		case string:
			for _, l := range layouts {
				t, err := time.ParseInLocation(l, strings.TrimSpace(v), now.Location())
				if err == nil {
					at = t
					break
				}
			}
		}
		if at.IsZero() {
			return inputValue{}, false
		}
		return numeric(math.Max(0, now.Sub(at).Hours()/24)), true
	}
}

// SetKnowledge hands the scorer a new snapshot, whose model estimates
// the close probability of leads that bring none.
func (s *WeightedScorer) SetKnowledge(k *Knowledge) { s.learning.Store(k) }

// Score places the lead on the tier grid and scores it from 0 to 100.
// The reasons name the probability and its source, the deal size, and
// the inputs that added most to the score.
func (s *WeightedScorer) Score(p Profile) Scoring {
	prob, note := s.probability(p)
	now := s.clock.Now()
	sum := s.probW * 100 * prob
	parts := make([]scorePart, 0, len(s.inputs))
	for _, in := range s.inputs {
		pts, v := in.score(p, now)
		sum += in.weight * pts
		parts = append(parts, scorePart{in, pts, v})
	}
	score := 0.0
	if s.totalW > 0 {
		score = math.Round(sum/s.totalW*10) / 10
	}

	pb := band(prob, s.grid.ProbabilityHigh, s.grid.ProbabilityMid)
	sb := band(p.ExpectedAmount, s.grid.AmountLarge, s.grid.AmountMid)
	reasons := []string{note,
		s.lang.say(msgScoreAmount, s.lang.money(p.ExpectedAmount), s.lang.word(bandWords[sb]))}
	reasons = append(reasons, s.topParts(parts, 3)...)
	return Scoring{Score: score, Tier: tierTable[pb][sb], Probability: prob, Reasons: reasons}
}

var bandWords = [3]string{"large", "mid", "small"}

func (s *WeightedScorer) probability(p Profile) (float64, string) {
	l := s.lang
	if p.CloseProbability != nil {
		return *p.CloseProbability, l.say(msgScoreProbOwn, pct(*p.CloseProbability))
	}
	if k := s.learning.Load(); k != nil && k.Model.Trained() {
		prob := k.Model.Predict(p)
		return prob, l.say(msgScoreProbModel, pct(prob), k.Model.Deals())
	}
	return s.defProb, l.say(msgScoreProbDefault, pct(s.defProb))
}

type scorePart struct {
	in  scoreInput
	pts float64
	v   inputValue
}

// score returns the input's points for p and the value it read, zero
// when missing.
func (in scoreInput) score(p Profile, now time.Time) (float64, inputValue) {
	v, ok := in.read(p, now)
	switch {
	case !ok || (in.kind == numberInput && !v.numeric):
		return in.def, inputValue{}
	case in.kind == numberInput:
		return onCurve(in.curve, v.num), v
	}
	if pts, ok := in.points[normKey(v.text)]; ok {
		return pts, v
	}
	return in.def, v
}

// show writes an input's value for reasons.
func (l Lang) show(in scoreInput, v inputValue) string {
	switch {
	case v.text == "":
		return l.word("missing")
	case in.field && in.name == "customer_type":
		return l.word(normKey(v.text))
	case in.field && in.name == "expected_amount":
		return l.money(v.num)
	}
	return v.text
}

// onCurve interpolates linearly between breakpoints, flat outside them.
func onCurve(c []Breakpoint, v float64) float64 {
	i, _ := slices.BinarySearchFunc(c, v, func(b Breakpoint, v float64) int {
		return cmp.Compare(b.At, v)
	})
	switch {
	case i == 0:
		return c[0].Points
	case i == len(c):
		return c[len(c)-1].Points
	}
	a, b := c[i-1], c[i]
	return a.Points + (b.Points-a.Points)*(v-a.At)/(b.At-a.At)
}

// topParts names the inputs that added most to the score, as points of
// the 100 against the most they could add.
func (s *WeightedScorer) topParts(parts []scorePart, n int) []string {
	slices.SortStableFunc(parts, func(a, b scorePart) int {
		return cmp.Compare(b.in.weight*b.pts, a.in.weight*a.pts)
	})
	var out []string
	for _, pt := range parts {
		if len(out) == n || pt.in.weight*pt.pts <= 0 {
			break
		}
		label := s.lang.label(pt.in.name, s.lang.show(pt.in, pt.v))
		out = append(out, s.lang.say(msgScorePart, label,
			decimal(pt.in.weight*pt.pts/s.totalW), decimal(pt.in.weight*100/s.totalW)))
	}
	return out
}
