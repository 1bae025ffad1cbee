package engine

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ErrTooLittleHistory says that there were too few closed deals to learn
// from, so the result falls back to a prior.
var ErrTooLittleHistory = errors.New("too little history")

// ModelOptions tune the close-probability model. Zero fields take the
// defaults given with each.
type ModelOptions struct {
	// MinDeals is the least history worth a model (default 50).
	MinDeals int
	// MinEachOutcome is the least number of won and of lost deals among
	// them (default 10).
	MinEachOutcome int
	// MaxCategories caps the one-hot columns of each categorical field:
	// the most frequent values get one, the rest share the baseline with
	// an empty value (default 20).
	MaxCategories int
	// MinCategoryDeals is how many deals a value needs for a column of
	// its own (default 5).
	MinCategoryDeals int
	// L2 is the ridge penalty on every weight but the intercept, in units
	// of log-likelihood (default 1).
	L2 float64
	// Iterations caps the Newton steps (default 25); training stops
	// earlier once the weights settle.
	Iterations int
	// Prior is the win rate assumed with no history at all (default 0.2).
	Prior float64
	// PriorStrength is how many deals the prior counts for when it is
	// blended with the observed win rate (default 20).
	PriorStrength float64
}

func (o ModelOptions) withDefaults() ModelOptions {
	setInt(&o.MinDeals, 50)
	setInt(&o.MinEachOutcome, 10)
	setInt(&o.MaxCategories, 20)
	setInt(&o.MinCategoryDeals, 5)
	setFloat(&o.L2, 1)
	setInt(&o.Iterations, 25)
	setFloat(&o.Prior, 0.2)
	setFloat(&o.PriorStrength, 20)
	return o
}

func setInt(v *int, def int) {
	if *v <= 0 {
		*v = def
	}
}

func setFloat(v *float64, def float64) {
	if *v <= 0 || math.IsNaN(*v) {
		*v = def
	}
}

// modelCats are the categorical fields the model one-hot encodes.
//
// TODO: lead attributes are not features yet; encoding the keys an
// administrator names would let the model use them, at the cost of one
// more configuration list.
var modelCats = [...]func(Profile) string{
	func(p Profile) string { return p.Industry },
	func(p Profile) string { return p.ProductLine },
	func(p Profile) string { return string(p.CustomerType) },
	func(p Profile) string { return p.Source },
	func(p Profile) string { return p.Region },
}

// modelNums are the numeric fields, on a log scale because a deal of
// 2 million differs from one of 1 million about as much as 200,000 from
// 100,000.
var modelNums = [...]func(Profile) float64{
	func(p Profile) float64 { return math.Log1p(math.Max(0, p.ExpectedAmount)) },
	func(p Profile) float64 { return math.Log1p(float64(max(0, p.CompanySize))) },
	func(p Profile) float64 { return math.Log1p(float64(max(0, p.Interactions))) },
}

const numOffset = 1 // column 0 is the intercept

// Model estimates the probability that a lead closes as won, by logistic
// regression on closed deals. A Model is immutable and safe for
// concurrent use.
type Model struct {
	prior   float64
	deals   int
	trained bool
	cols    [len(modelCats)]map[string]int
	mean    [len(modelNums)]float64
	sd      [len(modelNums)]float64
	w       []float64
}

// TrainModel fits a Model to closed deals: the categorical fields
// one-hot, the numeric ones scaled, with an L2 penalty, by a fixed number
// of Newton steps from zero so that the same deals always give the same
// model. The Model is never nil: when the history is too thin, or the fit
// fails, the error says so (ErrTooLittleHistory) and the Model predicts
// the prior for every lead.
func TrainModel(deals []Deal, o ModelOptions) (*Model, error) {
	o = o.withDefaults()
	won := 0
	for _, d := range deals {
		if d.Outcome == Won {
			won++
		}
	}
	m := &Model{deals: len(deals), prior: o.Prior}
	if n := float64(len(deals)); n > 0 {
		m.prior = (float64(won) + o.PriorStrength*o.Prior) / (n + o.PriorStrength)
	}
	lost := len(deals) - won
	if len(deals) < o.MinDeals || won < o.MinEachOutcome || lost < o.MinEachOutcome {
		return m, fmt.Errorf("train close-probability model on %d deals "+
			"(%d won, %d lost; want %d with %d of each): %w",
			len(deals), won, lost, o.MinDeals, o.MinEachOutcome, ErrTooLittleHistory)
	}

	m.encodeColumns(deals, o)
	x := m.design(deals)
	w, err := fitLogistic(x, o.L2, o.Iterations, m.prior)
	if err != nil {
		return m, fmt.Errorf("train close-probability model on %d deals: %w: %w",
			len(deals), err, ErrTooLittleHistory)
	}
	m.w, m.trained = w, true
	return m, nil
}

// Trained reports whether the model learned from history; if not, it
// predicts the prior.
func (m *Model) Trained() bool { return m != nil && m.trained }

// Deals returns how many closed deals the model was given.
func (m *Model) Deals() int {
	if m == nil {
		return 0
	}
	return m.deals
}

// Prior returns the history's win rate blended with the configured
// prior: what Predict returns when the model is not trained.
func (m *Model) Prior() float64 {
	if m == nil {
		return ModelOptions{}.withDefaults().Prior
	}
	return m.prior
}

// Predict returns the probability that a lead with profile p is won. A
// category the model never saw counts as the baseline.
func (m *Model) Predict(p Profile) float64 {
	if !m.Trained() {
		return m.Prior()
	}
	z := m.w[0]
	for j, f := range modelNums {
		z += m.w[numOffset+j] * (f(p) - m.mean[j]) / m.sd[j]
	}
	for j, f := range modelCats {
		if c, ok := m.cols[j][normKey(f(p))]; ok {
			z += m.w[c]
		}
	}
	return sigmoid(z)
}

// encodeColumns picks the columns: the numeric scales, and for each
// categorical field its most frequent values, ties in name order.
func (m *Model) encodeColumns(deals []Deal, o ModelOptions) {
	n := float64(len(deals))
	for j, f := range modelNums {
		var sum, sq float64
		for _, d := range deals {
			v := f(d.Profile)
			sum += v
			sq += v * v
		}
		m.mean[j] = sum / n
		m.sd[j] = math.Sqrt(math.Max(0, sq/n-m.mean[j]*m.mean[j]))
		if m.sd[j] < 1e-9 {
			m.sd[j] = 1
		}
	}

	next := numOffset + len(modelNums)
	for j, f := range modelCats {
		counts := map[string]int{}
		for _, d := range deals {
			if k := normKey(f(d.Profile)); k != "" {
				counts[k]++
			}
		}
		m.cols[j] = map[string]int{}
		for _, k := range topKeys(counts, o.MaxCategories, o.MinCategoryDeals) {
			m.cols[j][k] = next
			next++
		}
	}
	m.w = make([]float64, next)
}

func topKeys(counts map[string]int, limit, least int) []string {
	keys := make([]string, 0, len(counts))
	for k, c := range counts {
		if c >= least {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys[:min(limit, len(keys))]
}

// design is the encoded training set: per row a dense numeric part and
// the one-hot columns that are set (-1 for none).
type design struct {
	cols int
	num  []float64 // rows x len(modelNums)
	cat  []int32   // rows x len(modelCats)
	y    []float64
}

func (m *Model) design(deals []Deal) design {
	x := design{
		cols: len(m.w),
		num:  make([]float64, 0, len(deals)*len(modelNums)),
		cat:  make([]int32, 0, len(deals)*len(modelCats)),
		y:    make([]float64, 0, len(deals)),
	}
	for _, d := range deals {
		for j, f := range modelNums {
			x.num = append(x.num, (f(d.Profile)-m.mean[j])/m.sd[j])
		}
		for j, f := range modelCats {
			c, ok := m.cols[j][normKey(f(d.Profile))]
			if !ok {
				c = -1
			}
			x.cat = append(x.cat, int32(c))
		}
		x.y = append(x.y, b2f(d.Outcome == Won))
	}
	return x
}

// fitLogistic maximises the penalised log-likelihood by Newton's method
// (IRLS). Rows are sparse, so a step costs rows x nonzeros² plus one
// Cholesky solve of the small Hessian.
func fitLogistic(x design, l2 float64, iterations int, base float64) ([]float64, error) {
	d := x.cols
	w := make([]float64, d)
	w[0] = logit(base)
	h := make([]float64, d*d)
	g := make([]float64, d)
	idx := make([]int, 0, numOffset+len(modelNums)+len(modelCats))
	val := make([]float64, 0, cap(idx))

	for range iterations {
		clear(h)
		clear(g)
		for i := range x.y {
			idx, val = x.row(i, idx[:0], val[:0])
			z := 0.0
			for k, c := range idx {
				z += w[c] * val[k]
			}
			p := sigmoid(z)
			r := p * (1 - p)
			for a, ca := range idx {
				g[ca] += (x.y[i] - p) * val[a]
				for b, cb := range idx {
					h[ca*d+cb] += r * val[a] * val[b]
				}
			}
		}
		for j := 1; j < d; j++ {
			h[j*d+j] += l2
			g[j] -= l2 * w[j]
		}
		if h[0] < 1e-12 {
			return nil, errors.New("every deal has the same predicted outcome")
		}

		step, err := solveCholesky(h, g, d)
		if err != nil {
			return nil, err
		}
		biggest := 0.0
		for j := range w {
			w[j] += step[j]
			biggest = math.Max(biggest, math.Abs(step[j]))
		}
		if biggest < 1e-7 {
			break
		}
	}
	return w, nil
}

func (x design) row(i int, idx []int, val []float64) ([]int, []float64) {
	idx, val = append(idx, 0), append(val, 1)
	for j, v := range x.num[i*len(modelNums) : (i+1)*len(modelNums)] {
		idx, val = append(idx, numOffset+j), append(val, v)
	}
	for _, c := range x.cat[i*len(modelCats) : (i+1)*len(modelCats)] {
		if c >= 0 {
			idx, val = append(idx, int(c)), append(val, 1)
		}
	}
	return idx, val
}

// solveCholesky solves a x = b for a symmetric positive definite a,
// given row-major with n columns. It overwrites a.
func solveCholesky(a, b []float64, n int) ([]float64, error) {
	for j := range n {
		s := a[j*n+j]
		for k := range j {
			s -= a[j*n+k] * a[j*n+k]
		}
		if s <= 0 {
			return nil, errors.New("hessian is not positive definite")
		}
		a[j*n+j] = math.Sqrt(s)
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := range j {
				s -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = s / a[j*n+j]
		}
	}
	x := slices.Clone(b)
	for i := range n {
		for k := range i {
			x[i] -= a[i*n+k] * x[k]
		}
		x[i] /= a[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		for k := i + 1; k < n; k++ {
			x[i] -= a[k*n+i] * x[k]
		}
		x[i] /= a[i*n+i]
	}
	return x, nil
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// logit is the inverse of sigmoid, kept finite at 0 and 1.
func logit(p float64) float64 {
	p = math.Min(math.Max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// normKey is how category values are compared: trimmed, case folded.
func normKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
