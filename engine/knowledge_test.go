package engine

import (
	"strings"
	"testing"
)

func TestLearnNotesThinHistory(t *testing.T) {
	k := Learn(industryDeals()[:30], nil, nil, LearnOptions{})
	notes := strings.Join(k.Notes, "\n")
	if k.Model.Trained() || !strings.Contains(notes, "too little history") ||
		!strings.Contains(notes, "load observations") {
		t.Errorf("Learn(30 deals) trained %t, notes %q; want untrained and both fallbacks noted",
			k.Model.Trained(), k.Notes)
	}
	k = Learn(industryDeals(), nil, loadHistory(100, -1, -0.1), LearnOptions{})
	if !k.Model.Trained() || !k.Load.Fitted || len(k.Notes) != 0 {
		t.Errorf("Learn(200 deals, 1100 loads): trained %t, load fitted %t, notes %q; "+
			"want both learned, no notes", k.Model.Trained(), k.Load.Fitted, k.Notes)
	}
}

func TestWithRecentA(t *testing.T) {
	k := Learn(industryDeals(), nil, nil, LearnOptions{})
	r := NewRecentA([]RepID{"a", "b", "a", "a"})
	c := k.WithRecentA(r)
	shared := c.Model == k.Model && c.Profiles == k.Profiles
	if k.RecentA.Total != 0 || c.RecentA.Total != 4 || !shared {
		t.Errorf("WithRecentA changed the original or did not share the model and profiles")
	}
	if got := c.RecentA.Share("a"); got != 0.75 {
		t.Errorf("Share(a) = %v, want 0.75", got)
	}
	if got := (RecentA{}).Share("a"); got != 0 {
		t.Errorf("Share with no recent leads = %v, want 0", got)
	}
	var none *Knowledge
	if got := none.WithRecentA(r); got.Model == nil || got.RecentA.Total != 4 {
		t.Errorf("nil.WithRecentA = %+v, want the empty snapshot with the counts", got)
	}
}
