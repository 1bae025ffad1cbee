package bot

import (
	"context"

	"github.com/leadbot/leadbot/engine"
)

// PoolGate says whether a rep may see and claim a pooled lead under the
// configured visibility rules; engine.Service is one.
type PoolGate interface {
	MayClaim(ctx context.Context, r engine.Rep, l engine.Lead) (bool, error)
}

// WithPool makes the renderer offer the claim button by g's rules rather
// than the default ones, and returns it.
func (r *Renderer) WithPool(g PoolGate) *Renderer {
	r.pool = g
	return r
}

// mayClaim applies the pool's rules; when they cannot be read, it offers
// no claim button, and a claim would be checked again anyway.
func (r *Renderer) mayClaim(ctx context.Context, viewer engine.Rep, l engine.Lead) bool {
	if r.pool == nil {
		return engine.MayClaim(viewer, l)
	}
	ok, err := r.pool.MayClaim(ctx, viewer, l)
	return err == nil && ok
}

// poolFailureKeys map the pool rules' error codes to the catalogue.
var poolFailureKeys = map[string]string{
	"held_limit":         "lead.held_limit",
	"not_visible":        "lead.not_visible",
	"out_of_hours":       "lead.out_of_hours",
	"protected_customer": "lead.protected",
}

func init() {
	// Kept apart from failureKeys so that the pool rules read in one
	// place; both maps are fixed before any chat arrives.
	for code, key := range poolFailureKeys {
		failureKeys[code] = key
	}
}
