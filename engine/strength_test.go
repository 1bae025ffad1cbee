package engine

import (
	"slices"
	"testing"
)

func TestIndustriesListsDealtAndDeclared(t *testing.T) {
	r := Rep{ID: "r1", Team: "east", Industries: []string{"Retail"}}
	deals := []Deal{
		{RepID: "r1", Profile: Profile{Industry: "healthcare"}, Outcome: Won},
		{RepID: "r1", Profile: Profile{Industry: "healthcare"}, Outcome: Lost},
		{RepID: "r1", Profile: Profile{Industry: "energy"}, Outcome: Won},
		{RepID: "r2", Profile: Profile{Industry: "finance"}, Outcome: Won},
	}
	p := BuildProfiles(deals, []Rep{r, {ID: "r2", Team: "east"}}, ProfileOptions{})
	got := p.Industries(r)
	var names []string
	for _, c := range got {
		names = append(names, c.Value)
	}
	if want := []string{"healthcare", "energy", "retail"}; !slices.Equal(names, want) {
		t.Fatalf("industries = %v, want %v", names, want)
	}
	if got[0].Deals != 2 || got[0].Wins != 1 || !got[2].Declared || got[2].Deals != 0 {
		t.Errorf("capabilities = %+v", got)
	}
}
