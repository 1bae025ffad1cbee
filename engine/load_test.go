package engine

import (
	"math"
	"testing"
)

// loadHistory has n observations at each load from 0 to 10 whose win
// share follows logit = a + b x (load - 5) exactly.
func loadHistory(n int, a, b float64) []LoadObservation {
	var obs []LoadObservation
	for open := range 11 {
		won := int(math.Round(float64(n) * sigmoid(a+b*float64(open-5))))
		for i := range n {
			obs = append(obs, LoadObservation{OpenTasks: open, Won: i < won})
		}
	}
	return obs
}

func TestFitLoad(t *testing.T) {
	tests := []struct {
		name   string
		obs    []LoadObservation
		slope  float64
		ref    float64
		fitted bool
	}{
		{"no history", nil, -0.05, 0, false},
		{"thin history", loadHistory(10, -1, -0.3), -0.05, 5, false},
		{"falling win rate", loadHistory(400, -1, -0.2), -0.2, 5, true},
		{"rising win rate is capped", loadHistory(400, -1, 0.1), 0, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FitLoad(tt.obs, LoadOptions{})
			if !near(got.Slope, tt.slope, 0.005) || !near(got.Reference, tt.ref, 1e-9) ||
				got.Fitted != tt.fitted {
				t.Errorf("FitLoad = %+v, want slope %v, reference %v, fitted %t",
					got, tt.slope, tt.ref, tt.fitted)
			}
		})
	}
}

func TestLoadShift(t *testing.T) {
	m := LoadModel{Slope: -0.1, Reference: 3}
	tests := []struct {
		open int
		want float64
	}{{3, 0}, {8, -0.5}, {0, 0.3}}
	for _, tt := range tests {
		if got := m.Shift(tt.open); !near(got, tt.want, 1e-12) {
			t.Errorf("Shift(%d) = %v, want %v", tt.open, got, tt.want)
		}
	}
}
