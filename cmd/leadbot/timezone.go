package main

import (
	"errors"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// validateZones checks the time zone rule of routing:
// engine.routing.min_overlap and engine.routing.region_timezones.
func (c Config) validateZones(bad func(key, format string, args ...any)) {
	z := c.Engine.Routing.Zones()
	var e *engine.Error
	if errors.As(z.Validate(), &e) {
		bad("engine.routing."+e.Field+" (LEADBOT_ENGINE_ROUTING_"+strings.ToUpper(e.Field)+")",
			"%s", e.Msg)
		return
	}
	h, err := c.hours()
	if err != nil || !h.On || z.MinOverlap == 0 {
		return
	}
	if day := time.Duration(h.End-h.Start) * time.Minute; z.MinOverlap > day {
		bad("engine.routing.min_overlap (LEADBOT_ENGINE_ROUTING_MIN_OVERLAP)",
			"is %s, longer than the working day of engine.business_hours (%s): "+
				"no rep with a time zone could take a lead with one; want 0 (off) to %s",
			z.MinOverlap, day, day)
	}
}
