package insight

import (
	"context"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// DigestReport is the reporter as the engine's weekly health digest asks
// for it: the tiles of the company and of every team over [from, to),
// each warning or alert with the level it crossed.
func (r *Reporter) DigestReport(
	ctx context.Context,
	from, to time.Time,
) (engine.HealthReport, error) {
	rep, err := r.Health(ctx, Query{From: from, To: to})
	if err != nil {
		return engine.HealthReport{}, err
	}
	out := engine.HealthReport{Company: digestScope(rep.Company)}
	for _, s := range rep.Teams {
		out.Teams = append(out.Teams, digestScope(s))
	}
	return out, nil
}

func digestScope(s Scope) engine.HealthScope {
	out := engine.HealthScope{Team: s.Team, Tiles: []engine.HealthTile{}}
	for _, t := range s.Tiles {
		out.Tiles = append(out.Tiles, digestTile(t))
	}
	return out
}

// digestTile copies a tile and names the level a breached one crossed:
// below a floor's healthy level for a warning and its warning level for
// an alert; above a ceiling's warning or alert level.
func digestTile(t Tile) engine.HealthTile {
	out := engine.HealthTile{ID: t.ID, Unit: t.Unit, Value: t.Value, Status: string(t.Status),
		Numerator: t.Numerator, Denominator: t.Denominator}
	level := func(v float64) *float64 { return &v }
	switch {
	case t.Floor != nil && t.Status == Warning:
		out.Limit, out.Below = level(t.Floor.Healthy), true
	case t.Floor != nil && t.Status == Alert:
		out.Limit, out.Below = level(t.Floor.Warning), true
	case t.Ceiling != nil && t.Status == Warning:
		out.Limit = level(t.Ceiling.Warning)
	case t.Ceiling != nil && t.Status == Alert:
		out.Limit = level(t.Ceiling.Alert)
	}
	return out
}
