package main

import (
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

func TestExperimentConfig(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_STRATEGY":             "round-robin",
		"LEADBOT_ENGINE_EXPERIMENT_NAME":      "ev-2026q4",
		"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "expertise-value-load",
		"LEADBOT_ENGINE_EXPERIMENT_SHARE":     "0.3",
		"LEADBOT_ENGINE_EXPERIMENT_START":     "2026-12-07T09:00:00+08:00",
	}))
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.experiment()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	if o.Name != "ev-2026q4" || o.Control != "round-robin" ||
		o.Treatment != "expertise-value-load" || o.Share != 0.3 || !o.Start.Equal(start) {
		t.Errorf("experiment = %+v, want ev-2026q4, round-robin (engine.strategy) "+
			"vs expertise-value-load, share 0.3, start %s", o, start)
	}
	r, err := c.router()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(engine.Learner); !ok {
		t.Errorf("router %s is not a Learner, want one: its treatment learns", r.Name())
	}
}

func TestBadExperimentNamesKey(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unknown treatment", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "random"},
			`engine.experiment.treatment: unknown routing strategy "random"`},
		{"unknown control", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_CONTROL": "coin", "LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin"},
			`engine.experiment.control: unknown routing strategy "coin"`},
		{"no treatment", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x"},
			"engine.experiment.treatment: is required"},
		{"share over 1", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin", "LEADBOT_ENGINE_EXPERIMENT_SHARE": "1.5"},
			"engine.experiment.share: is 1.5, must be from 0 to 1"},
		{"bad start", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_NAME": "x",
			"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin", "LEADBOT_ENGINE_EXPERIMENT_START": "monday"},
			`engine.experiment.start: is "monday"; want an RFC 3339 time`},
		{"treatment without a name", map[string]string{"LEADBOT_ENGINE_EXPERIMENT_TREATMENT": "round-robin"},
			"engine.experiment.name: is empty"},
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
