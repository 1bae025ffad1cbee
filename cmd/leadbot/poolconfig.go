package main

import (
	"strings"

	"github.com/leadbot/leadbot/engine"
)

// validatePool reports the pool rules that cannot work, naming each key.
func (c Config) validatePool(bad func(key, format string, args ...any)) {
	p := c.Engine.Pool
	if p.MaxHeld < 0 {
		bad("engine.pool.max_held", "is %d; want 0 (no cap) or more", p.MaxHeld)
	}
	if _, err := engine.ParseVisibilityRules("visibility", p.Visibility); err != nil {
		bad("engine.pool.visibility", "%s; allowed: all, or any of team, region, fit",
			strings.TrimPrefix(err.Error(), "visibility: "))
	}
	if p.FitAbove < 0 || p.FitAbove > 1 {
		bad("engine.pool.fit_above", "is %g; want a number from 0 to 1 (0.5: the team's average)",
			p.FitAbove)
	}
	for region, team := range p.RegionTeams {
		if strings.TrimSpace(region) == "" || strings.TrimSpace(team) == "" {
			bad("engine.pool.region_teams", "maps %q to %q; want a region and a team", region, team)
		}
	}
}

// visibility is the pool's visibility rules as the engine reads them.
// Validate has checked the rules, so a parse error cannot happen here.
func (c Config) visibility() engine.PoolVisibility {
	p := c.Engine.Pool
	rules, _ := engine.ParseVisibilityRules("visibility", p.Visibility)
	return engine.PoolVisibility{Rules: rules, FitAbove: p.FitAbove, RegionTeams: p.RegionTeams}
}
