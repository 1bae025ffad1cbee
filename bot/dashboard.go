package bot

import (
	"log/slog"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// DashboardLinks makes signed links to the web dashboard: the address
// that lets a rep in, and how long it stays valid.
type DashboardLinks interface {
	DashboardLink(rep engine.RepID) (url string, valid time.Duration)
}

// WithDashboard lets leads and managers ask for a dashboard link in
// chat; without it they are told the dashboard is not set up.
func (c *Core) WithDashboard(l DashboardLinks) *Core {
	c.links = l
	return c
}

// dashboard answers the dashboard command: a link for a lead or a
// manager, a polite refusal for a rep.
func (c *Core) dashboard(me engine.Rep, lang i18n.Lang) Reply {
	if me.Role != engine.RoleLead && me.Role != engine.RoleManager {
		return Reply{Text: i18n.T(lang, "dashboard.refused", nil)}
	}
	if c.links == nil {
		return Reply{Text: i18n.T(lang, "dashboard.off", nil)}
	}
	url, valid := c.links.DashboardLink(me.ID)
	c.log.Info("dashboard link sent", slog.String("rep_id", string(me.ID)))
	return Reply{Text: i18n.T(lang, "dashboard.link",
		i18n.Args{"url": url, "hours": int(valid.Hours())})}
}
