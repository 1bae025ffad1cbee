package bot

import (
	"math"
	"strconv"
	"strings"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// translate is i18n.T bound to one language.
type translate func(key string, args i18n.Args) string

// targetTally writes a team's targets by status, such as "2/3 达成 · 1
// 落后": short enough for the value of a WeCom card's field.
func targetTally(c engine.TargetTally, t translate) string {
	return t("health.targets.tally", i18n.Args{"total": c.Total, "met": c.Met,
		"on_track": c.OnTrack, "behind": c.Behind})
}

// targetLines writes a lead's team targets, one line each with the reps
// behind their share under it, for the card's note.
func targetLines(ts []engine.DigestTarget, t translate) []string {
	if len(ts) == 0 {
		return nil
	}
	lines := []string{t("health.targets.header", nil)}
	for _, g := range ts {
		period := t("health.target.period."+string(g.Period),
			i18n.Args{"elapsed": int(math.Floor(g.Elapsed * 100))})
		lines = append(lines, t("health.target.line", i18n.Args{
			"period": period,
			"metric": t("quota.metric."+string(g.Metric), nil),
			"done":   formatDone(g.Done),
			"amount": g.Amount,
			"status": t("health.target.status."+string(g.Status), nil),
		}))
		if len(g.Behind) == 0 {
			continue
		}
		var reps []string
		for _, r := range g.Behind {
			reps = append(reps, t("health.target.rep", i18n.Args{"name": r.Name,
				"done": formatDone(r.Done), "share": r.Share}))
		}
		if g.MoreBehind > 0 {
			reps = append(reps, t("health.target.more", i18n.Args{"count": g.MoreBehind}))
		}
		lines = append(lines, t("health.target.behind",
			i18n.Args{"reps": strings.Join(reps, t("health.sep", nil))}))
	}
	return lines
}

// formatDone writes work done without a needless fraction.
func formatDone(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
