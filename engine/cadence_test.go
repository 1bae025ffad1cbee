package engine

import (
	"testing"
	"time"
)

func TestCadenceLook(t *testing.T) {
	held := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	h := func(n float64) time.Time { return held.Add(time.Duration(n * float64(time.Hour))) }
	tests := []struct {
		name       string
		lead       Lead
		from, now  time.Time
		wantMissed []time.Time // slot ends
		wantSilent bool
		wantNext   time.Time
	}{
		{"A before the first slot ends", Lead{Tier: TierA}, held, h(83), nil, false, h(84)},
		{"A first slot ends", Lead{Tier: TierA}, held, h(84), []time.Time{h(84)}, false, h(168)},
		{"A after downtime", Lead{Tier: TierA}, held, h(300),
			[]time.Time{h(84), h(168), h(252)}, false, h(336)},
		{"A silence with a slot", Lead{Tier: TierA}, h(336), h(336), []time.Time{h(336)}, true, h(420)},
		{"B one a week", Lead{Tier: TierB}, held, h(200), []time.Time{h(168)}, false, h(336)},
		{"C only the silence", Lead{Tier: TierC}, held, h(100), nil, false, h(336)},
		{"C silent, then nothing", Lead{Tier: TierC}, h(336), h(400), nil, true, time.Time{}},
		{"new customer, first week", Lead{Tier: TierC, Profile: Profile{CustomerType: CustomerNew}},
			held, h(170), []time.Time{h(56), h(112), h(168)}, false, h(336)},
		{"new tier A keeps three in week one", Lead{Tier: TierA,
			Profile: Profile{CustomerType: CustomerNew}}, held, h(200),
			[]time.Time{h(56), h(112), h(168)}, false, h(252)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.lead
			l.HeldSince = &held
			got := DefaultCadence.look(l, held, tt.from, tt.now)
			var ends []time.Time
			for _, sl := range got.missed {
				ends = append(ends, sl.end)
			}
			if len(ends) != len(tt.wantMissed) || got.silent != tt.wantSilent || !got.next.Equal(tt.wantNext) {
				t.Fatalf("look = missed %v silent %t next %v, want %v %t %v", ends, got.silent,
					got.next, tt.wantMissed, tt.wantSilent, tt.wantNext)
			}
			for i := range ends {
				if !ends[i].Equal(tt.wantMissed[i]) {
					t.Errorf("missed slot %d ends %v, want %v", i, ends[i], tt.wantMissed[i])
				}
			}
		})
	}
}
