package api

import "github.com/leadbot/leadbot/engine"

// candidateOut is a candidate with the parts of its score; a decision
// stored before parts were recorded lists none.
func candidateOut(c engine.Candidate) candidateJSON {
	out := candidateJSON{RepID: string(c.RepID), Score: c.Score, Parts: []partJSON{}}
	for _, p := range c.Parts {
		out.Parts = append(out.Parts, partJSON{Name: p.Name, Value: p.Value, Weight: p.Weight})
	}
	return out
}
