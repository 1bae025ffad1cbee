package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// RowError is the rejection of one row of a batch, by its index.
type RowError struct {
	Index int
	Err   error
}

// HistoryOptions tune a history import.
type HistoryOptions struct {
	Actor  Actor
	DryRun bool
}

// ImportHistory loads closed deals for the engine to learn from. A row
// that fails validation, names an unknown rep, or repeats an external id
// already loaded is rejected alone; the good rows are kept.
func (s *Service) ImportHistory(
	ctx context.Context,
	deals []Deal,
	opt HistoryOptions,
) (int, []RowError, error) {
	var rejected []RowError
	valid := make([]bool, len(deals))
	var exts []string
	for i, d := range deals {
		if err := d.Validate(); err != nil {
			rejected = append(rejected, RowError{i, err})
			continue
		}
		valid[i] = true
		if d.ExternalID != "" {
			exts = append(exts, d.ExternalID)
		}
	}

	now := s.now()
	var imported int
	var late []RowError
	err := s.dryRunnable(ctx, opt.DryRun, func(tx Tx, logs *logQueue) error {
		late, imported = nil, 0
		good, bad, err := s.screenDeals(ctx, tx, deals, valid, exts)
		if err != nil {
			return err
		}
		late = bad
		if len(good) == 0 {
			return nil
		}
		if err := tx.InsertDeals(ctx, good); err != nil {
			return err
		}
		imported = len(good)
		entry := AuditEntry{At: now, Actor: opt.Actor, Action: "history.import", Subject: "deals",
			Detail: fmt.Sprintf("%d imported, %d rejected", imported, len(rejected)+len(bad))}
		logs.add(
			"history imported",
			slog.Int("imported", imported),
			slog.Int("rejected", len(rejected)+len(bad)),
		)
		return tx.Audit(ctx, entry)
	})
	if err != nil {
		return 0, nil, err
	}
	if !opt.DryRun {
		s.learnedOutcomes(ctx, imported)
	}
	return imported, sortRowErrors(append(rejected, late...)), nil
}

// screenDeals keeps the valid deals whose rep exists and whose external
// id is new.
func (s *Service) screenDeals(
	ctx context.Context,
	tx Tx,
	deals []Deal,
	valid []bool,
	exts []string,
) ([]Deal, []RowError, error) {
	reps, err := tx.Reps(ctx)
	if err != nil {
		return nil, nil, err
	}
	known := make(map[RepID]bool, len(reps))
	for _, r := range reps {
		known[r.ID] = true
	}
	seen, err := tx.DealExternalIDs(ctx, exts)
	if err != nil {
		return nil, nil, err
	}

	var good []Deal
	var bad []RowError
	for i, d := range deals {
		switch {
		case !valid[i]:
		case !known[d.RepID]:
			bad = append(bad, RowError{i, invalid("rep_id", "unknown_rep",
				"no rep has id %q (create reps who have left with active false first)", d.RepID)})
		case d.ExternalID != "" && seen[d.ExternalID]:
			bad = append(bad, RowError{i, conflict("duplicate_external_id",
				"a deal with external id %q is already loaded", d.ExternalID)})
		default:
			if d.ExternalID != "" {
				seen[d.ExternalID] = true
			}
			good = append(good, d)
		}
	}
	return good, bad, nil
}

func sortRowErrors(errs []RowError) []RowError {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Index, b.Index) })
	return errs
}
