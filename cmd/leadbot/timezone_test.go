package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestZoneRuleFromEnv(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_ROUTING_MIN_OVERLAP":      "90m",
		"LEADBOT_ENGINE_ROUTING_REGION_TIMEZONES": "east=Asia/Shanghai, eu=Europe/Berlin",
	}))
	if err != nil {
		t.Fatal(err)
	}
	z := c.policy().Zones
	got := fmt.Sprint(z.MinOverlap, z.RegionZones)
	if want := "1h30m0s map[east:Asia/Shanghai eu:Europe/Berlin]"; got != want {
		t.Errorf("zone rule from the env = %s, want %s", got, want)
	}
	d := DefaultConfig().policy().Zones
	if d.MinOverlap != 2*time.Hour || len(d.RegionZones) != 0 {
		t.Errorf("default zone rule = %+v, want 2h and no regions", d)
	}
}

func TestBadZoneRuleNamesKey(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"negative", map[string]string{"LEADBOT_ENGINE_ROUTING_MIN_OVERLAP": "-1h"},
			"engine.routing.min_overlap (LEADBOT_ENGINE_ROUTING_MIN_OVERLAP): is -1h0m0s"},
		{"longer than the working day",
			map[string]string{"LEADBOT_ENGINE_ROUTING_MIN_OVERLAP": "10h"},
			"engine.routing.min_overlap (LEADBOT_ENGINE_ROUTING_MIN_OVERLAP): is 10h0m0s, " +
				"longer than the working day of engine.business_hours (9h0m0s)"},
		{"unknown zone",
			map[string]string{"LEADBOT_ENGINE_ROUTING_REGION_TIMEZONES": "east=Asia/Shanghia"},
			`engine.routing.region_timezones (LEADBOT_ENGINE_ROUTING_REGION_TIMEZONES): ` +
				`maps region "east" to "Asia/Shanghia"`},
		{"no zone", map[string]string{"LEADBOT_ENGINE_ROUTING_REGION_TIMEZONES": "east="},
			`engine.routing.region_timezones (LEADBOT_ENGINE_ROUTING_REGION_TIMEZONES): ` +
				`maps region "east" to ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("", false, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_ROUTING_MIN_OVERLAP": "10h",
		"LEADBOT_ENGINE_BUSINESS_HOURS":      "",
	}))
	if err != nil || c.policy().Zones.MinOverlap != 10*time.Hour {
		t.Errorf("min_overlap 10h with business hours off: error %v, want none", err)
	}
}
