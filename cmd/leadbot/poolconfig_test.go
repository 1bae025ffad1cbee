package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
)

func TestPoolRulesFromEnv(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_POOL_MAX_HELD":     "3",
		"LEADBOT_ENGINE_POOL_VISIBILITY":   "team, fit",
		"LEADBOT_ENGINE_POOL_FIT_ABOVE":    "0.6",
		"LEADBOT_ENGINE_POOL_REGION_TEAMS": "east=e-team,华北=north",
	}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.policy()
	got := fmt.Sprint(p.MaxHeld, p.Visibility.Rules, p.Visibility.FitAbove, p.Visibility.RegionTeams)
	if want := "3 [team fit] 0.6 map[east:e-team 华北:north]"; got != want {
		t.Errorf("pool policy from the env = %s, want %s", got, want)
	}
	d := DefaultConfig().policy().Visibility
	if fmt.Sprint(d.Rules) != "[region]" || d.FitAbove != 0.5 {
		t.Errorf("default visibility = %+v, want the region rule and fit_above 0.5", d)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("default visibility: %v", err)
	}
	if _, err := engine.NewRouter(c.Engine.Strategy, c.Engine.Routing); err != nil {
		t.Fatal(err)
	}
}

func TestBadPoolRulesNameKey(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"negative held cap", map[string]string{"LEADBOT_ENGINE_POOL_MAX_HELD": "-1"},
			"engine.pool.max_held: is -1"},
		{"unknown rule", map[string]string{"LEADBOT_ENGINE_POOL_VISIBILITY": "region,friends"},
			`engine.pool.visibility: has "friends"`},
		{"all with others", map[string]string{"LEADBOT_ENGINE_POOL_VISIBILITY": "all,team"},
			"engine.pool.visibility: combines all with other rules"},
		{"fit above 1", map[string]string{"LEADBOT_ENGINE_POOL_FIT_ABOVE": "1.5"},
			"engine.pool.fit_above: is 1.5"},
		{"team without region", map[string]string{"LEADBOT_ENGINE_POOL_REGION_TEAMS": "east="},
			"engine.pool.region_teams: maps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("", false, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
