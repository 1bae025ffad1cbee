package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// industryDeals has 100 deals in each of two industries: a won in 80,
// b in 20.
func industryDeals() []Deal {
	var deals []Deal
	for i := range 200 {
		d := Deal{Profile: Profile{Industry: "a"}, Outcome: Lost, RepID: "r1"}
		if i >= 100 {
			d.Industry = "b"
		}
		if (i < 100 && i < 80) || (i >= 100 && i < 120) {
			d.Outcome = Won
		}
		deals = append(deals, d)
	}
	return deals
}

func TestTrainModelTooLittleHistory(t *testing.T) {
	deals := industryDeals()[:10] // all won
	m, err := TrainModel(deals, ModelOptions{})
	if !errors.Is(err, ErrTooLittleHistory) {
		t.Fatalf("TrainModel(10 deals) error = %v, want ErrTooLittleHistory", err)
	}
	// The prior blends 10 wins in 10 with 20 pseudo-deals at 0.2:
	// (10 + 4) / 30.
	if m.Trained() || !near(m.Predict(Profile{Industry: "a"}), 14.0/30, 1e-12) {
		t.Errorf("fallback model: trained %t, Predict = %v, want untrained, %v",
			m.Trained(), m.Predict(Profile{}), 14.0/30)
	}
	var nilModel *Model
	if got := nilModel.Predict(Profile{}); got != 0.2 {
		t.Errorf("nil model Predict = %v, want 0.2", got)
	}
}

func TestTrainModelLearnsCategories(t *testing.T) {
	// By symmetry the intercept is 0 and the weights ±w, where
	// 100 (0.8 - σ(w)) = L2 × w. With L2 = 1, σ(w) = 0.7869; with almost
	// no penalty, the observed 0.8.
	tests := []struct {
		name string
		l2   float64
		a, b float64
	}{
		{"ridge", 1, 0.7869, 0.2131},
		{"almost no ridge", 1e-9, 0.8, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := TrainModel(industryDeals(), ModelOptions{L2: tt.l2})
			if err != nil {
				t.Fatalf("TrainModel: %v", err)
			}
			a, b := m.Predict(Profile{Industry: "A "}), m.Predict(Profile{Industry: "b"})
			if !near(a, tt.a, 1e-4) || !near(b, tt.b, 1e-4) {
				t.Errorf("Predict(a), Predict(b) = %.4f, %.4f; want %.4f, %.4f", a, b, tt.a, tt.b)
			}
			if got := m.Predict(Profile{Industry: "unseen"}); !near(got, 0.5, 1e-6) {
				t.Errorf("Predict(unseen industry) = %.4f, want the baseline 0.5", got)
			}
		})
	}
}

func TestTrainModelCapsCategories(t *testing.T) {
	deals := industryDeals()
	for i := range 10 {
		d := Deal{Profile: Profile{Industry: "c"}, Outcome: Won}
		if i%2 == 1 {
			d.Outcome = Lost
		}
		deals = append(deals, d)
	}
	m, err := TrainModel(deals, ModelOptions{MaxCategories: 2})
	if err != nil {
		t.Fatalf("TrainModel: %v", err)
	}
	c, other := m.Predict(Profile{Industry: "c"}), m.Predict(Profile{Industry: "zz"})
	if c != other {
		t.Errorf("Predict(c) = %v, want the baseline %v: c is third under a cap of 2", c, other)
	}
}

func TestTrainModelDeterministic(t *testing.T) {
	deals := syntheticDeals(2000, 7)
	m1, _ := TrainModel(deals, ModelOptions{})
	m2, _ := TrainModel(deals, ModelOptions{})
	for i, d := range deals[:50] {
		if p1, p2 := m1.Predict(d.Profile), m2.Predict(d.Profile); p1 != p2 {
			t.Fatalf("deal %d: Predict = %v then %v from the same history", i, p1, p2)
		}
	}
}

func TestTrainModelRanksLeads(t *testing.T) {
	deals := syntheticDeals(5000, 3)
	m, err := TrainModel(deals, ModelOptions{})
	if err != nil {
		t.Fatalf("TrainModel: %v", err)
	}
	// syntheticDeals makes referrals from existing customers in industry
	// i0 the best and cold leads in i3 the worst.
	good := Profile{Industry: "i0", CustomerType: CustomerExisting, Source: "referral"}
	bad := Profile{Industry: "i3", CustomerType: CustomerNew, Source: "ads"}
	if pg, pb := m.Predict(good), m.Predict(bad); pg < pb+0.2 {
		t.Errorf("Predict(good) = %.3f, Predict(bad) = %.3f; want good ahead by 0.2", pg, pb)
	}
}

// syntheticDeals draws closed deals whose odds depend on industry,
// customer type, source and amount.
func syntheticDeals(n int, seed uint64) []Deal {
	rng := rand.New(rand.NewPCG(seed, 1))
	sources := []string{"web", "fair", "referral", "ads"}
	deals := make([]Deal, 0, n)
	for i := range n {
		ind := rng.IntN(8)
		p := Profile{
			Industry:       fmt.Sprintf("i%d", ind),
			ProductLine:    fmt.Sprintf("p%d", rng.IntN(4)),
			CustomerType:   CustomerNew,
			Source:         sources[rng.IntN(4)],
			Region:         fmt.Sprintf("g%d", rng.IntN(3)),
			CompanySize:    1 + rng.IntN(2000),
			ExpectedAmount: float64(10_000 + rng.IntN(500_000)),
			Interactions:   rng.IntN(10),
		}
		z := -1.0 + []float64{0.8, 0.3, 0, -0.8, 0, 0.2, -0.2, 0.1}[ind]
		if rng.IntN(3) == 0 {
			p.CustomerType = CustomerExisting
			z += 0.7
		}
		z += map[string]float64{"referral": 0.6, "ads": -0.5}[p.Source]
		d := Deal{ExternalID: fmt.Sprintf("d%d", i), Profile: p,
			RepID: RepID(fmt.Sprintf("r%d", rng.IntN(50))), Outcome: Lost,
			Amount: p.ExpectedAmount, ClosedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		if rng.Float64() < sigmoid(z) {
			d.Outcome = Won
		}
		deals = append(deals, d)
	}
	return deals
}

func BenchmarkTrainModel(b *testing.B) {
	deals := syntheticDeals(50_000, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := TrainModel(deals, ModelOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLearn(b *testing.B) {
	deals := syntheticDeals(50_000, 1)
	var reps []Rep
	for i := range 50 {
		reps = append(reps, Rep{ID: RepID(fmt.Sprintf("r%d", i)), Team: fmt.Sprintf("t%d", i%5)})
	}
	loads := loadHistory(5000, -1, -0.05)
	b.ResetTimer()
	for b.Loop() {
		Learn(deals, reps, loads, LearnOptions{})
	}
}
