package engine

import (
	"cmp"
	"slices"
)

// Knowledge returns the snapshot the service learned last, or nil before
// the first training or when no strategy learns. Callers must not change
// it.
func (s *Service) Knowledge() *Knowledge {
	s.learn.mu.Lock()
	defer s.learn.mu.Unlock()
	return s.learn.k
}

// Industries returns the rep's capabilities in every industry they have
// closed deals in or declared, the most deals first, then by name. The
// rates are those Cell returns.
func (p *Profiles) Industries(r Rep) []Capability {
	seen := map[string]bool{}
	var names []string
	if g := p.reps[r.ID]; g != nil {
		for c, id := range p.ids {
			if _, ok := g.cells[id]; ok && c.d == ByIndustry && c.v != "" {
				seen[c.v] = true
				names = append(names, c.v)
			}
		}
	}
	for _, ind := range r.Industries {
		if k := normKey(ind); k != "" && !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	out := make([]Capability, len(names))
	for i, n := range names {
		out[i] = p.Cell(r, ByIndustry, n)
	}
	slices.SortFunc(out, func(a, b Capability) int {
		if c := cmp.Compare(b.Deals, a.Deals); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return out
}
