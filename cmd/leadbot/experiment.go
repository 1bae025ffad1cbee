package main

import (
	"errors"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// experimentOn reports whether an A/B test of strategies is configured.
func (c Config) experimentOn() bool { return c.Engine.Experiment.Name != "" }

// experiment is the engine's view of engine.experiment: the control
// strategy defaults to engine.strategy.
func (c Config) experiment() (engine.ExperimentOptions, error) {
	x := c.Engine.Experiment
	o := engine.ExperimentOptions{Name: x.Name, Control: x.Control, Treatment: x.Treatment,
		Share: x.Share}
	if o.Control == "" {
		o.Control = c.Engine.Strategy
	}
	if x.Start != "" {
		t, err := time.Parse(time.RFC3339, x.Start)
		if err != nil {
			return o, &engine.Error{Kind: engine.Invalid, Field: "start",
				Msg: "is \"" + x.Start + "\"; want an RFC 3339 time such as " +
					"2026-12-07T09:00:00+08:00"}
		}
		o.Start = t
	}
	return o, nil
}

// router is the routing strategy the configuration sets: engine.strategy,
// or the experiment that splits leads between two strategies.
func (c Config) router() (engine.Router, error) {
	if !c.experimentOn() {
		return engine.NewRouter(c.Engine.Strategy, c.routing())
	}
	o, err := c.experiment()
	if err != nil {
		return nil, err
	}
	return engine.NewExperiment(o, c.routing())
}

func (c Config) validateExperiment(bad func(key, format string, args ...any)) {
	x := c.Engine.Experiment
	if !c.experimentOn() {
		if x.Treatment != "" || x.Control != "" || x.Start != "" {
			bad("engine.experiment.name", "is empty; name the experiment to run it")
		}
		return
	}
	o, err := c.experiment()
	if err == nil {
		_, err = engine.NewExperiment(o, c.routing())
	}
	if err == nil {
		return
	}
	var e *engine.Error
	if errors.As(err, &e) && e.Field != "" {
		bad("engine.experiment."+e.Field, "%s", e.Msg)
		return
	}
	bad("engine.experiment", "%v", err)
}
