package main

import (
	"strings"

	"github.com/leadbot/leadbot/engine"
)

// RebalanceConfig is the engine.rebalance section: the defaults of
// "leadbot rebalance", which its flags override for one run.
type RebalanceConfig struct {
	Overload      float64  `yaml:"overload"`
	Reserve       []string `yaml:"reserve"`
	ReserveLevel  string   `yaml:"reserve_level"`
	TelesalesTeam string   `yaml:"telesales_team"`
	MovePenalty   int      `yaml:"move_penalty"`
	Candidates    int      `yaml:"candidates"`
}

// The limits Validate allows; the engine's own are wider.
const (
	maxOverload    = 10
	maxMovePenalty = 1_000_000
	maxCandidates  = 100_000
)

func defaultRebalance() RebalanceConfig {
	return RebalanceConfig{Overload: 1, Reserve: []string{}, MovePenalty: 1000, Candidates: 32}
}

func (r RebalanceConfig) validate(bad func(key, format string, args ...any)) {
	const key = "engine.rebalance."
	if !(r.Overload > 0 && r.Overload <= maxOverload) {
		bad(key+"overload", "is %g; allowed: above 0 up to %d (1: anything over capacity)",
			r.Overload, maxOverload)
	}
	for _, id := range r.Reserve {
		if strings.TrimSpace(id) == "" {
			bad(key+"reserve", "has an empty rep id; want rep ids such as [r7, r9]")
			break
		}
	}
	if r.MovePenalty < 1 || r.MovePenalty > maxMovePenalty {
		bad(key+"move_penalty", "is %d; allowed: 1 to %d", r.MovePenalty, maxMovePenalty)
	}
	if r.Candidates < 1 || r.Candidates > maxCandidates {
		bad(key+"candidates", "is %d; allowed: 1 to %d", r.Candidates, maxCandidates)
	}
}

// options are the engine's rebalance options the section sets.
func (r RebalanceConfig) options() engine.RebalanceOptions {
	var reserve []engine.RepID
	for _, id := range r.Reserve {
		reserve = append(reserve, engine.RepID(strings.TrimSpace(id)))
	}
	return engine.RebalanceOptions{
		Overload:      r.Overload,
		Reserve:       reserve,
		ReserveLevel:  r.ReserveLevel,
		TelesalesTeam: r.TelesalesTeam,
		MovePenalty:   r.MovePenalty,
		Candidates:    r.Candidates,
	}
}
