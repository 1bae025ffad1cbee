package bot

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// quota lists the sender's targets of the current week, month and
// quarter: their part of their team's, or their own, with progress.
func (c *Core) quota(ctx context.Context, me engine.Rep, lang i18n.Lang) Reply {
	rs, err := c.svc.TargetProgress(ctx, engine.TargetQuery{Rep: me.ID})
	if err != nil {
		return c.failure(ctx, me, 0, err, lang, false)
	}
	if len(rs) == 0 {
		return Reply{Text: i18n.T(lang, "quota.empty", nil)}
	}
	lines := []string{i18n.T(lang, "quota.header", nil)}
	for _, r := range rs {
		p := r.Progress
		if len(r.Parts) == 1 {
			p = r.Parts[0].Progress
		}
		status := i18n.T(lang, "quota.status."+string(p.Status),
			i18n.Args{"expected": p.Expected})
		lines = append(lines, i18n.T(lang, "quota.line", i18n.Args{
			"period":  i18n.T(lang, "quota.period."+string(r.Period.Kind), nil),
			"metric":  i18n.T(lang, "quota.metric."+string(r.Target.Metric), nil),
			"done":    strconv.FormatFloat(p.Done, 'f', -1, 64),
			"amount":  p.Amount,
			"percent": int(math.Floor(p.Share * 100)),
			"status":  status,
		}))
	}
	return Reply{Text: strings.Join(lines, "\n")}
}
