package wecom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot"
)

// ErrNoGroupWebhook is returned by NotifyTeam for a team that has no
// group robot configured. The wiring may ignore it: group notices are an
// extra, the pool cards reach each rep anyway.
var ErrNoGroupWebhook = fmt.Errorf("no wecom group webhook for team: %w", bot.ErrNoTeamRoute)

// Group robots take 20 messages a minute each (protocols: webhook/send).
const robotPerMinute = 20

// maxMarkdownBytes is the most a robot's markdown content may hold.
const maxMarkdownBytes = 4096

type robotRequest struct {
	MsgType  string   `json:"msgtype"`
	Markdown textBody `json:"markdown"`
}

// NotifyTeam posts text, as markdown, to the team's group through its
// group robot (Options.GroupWebhooks). It is for read-only notices, such
// as a new lead in the pool: a group robot cannot receive clicks or
// replies, so the text should say what to type to the app. It fails with
// ErrNoGroupWebhook when the team has no robot, ErrRateLimited when the
// robot has had its 20 messages this minute, and an error wrapping
// bot.ErrPermanent when WeCom rejects the webhook key.
func (ch *Channel) NotifyTeam(ctx context.Context, team, text string) error {
	key := robotKey(ch.groups[team])
	if key == "" {
		return fmt.Errorf("notify team %s: %w", team, ErrNoGroupWebhook)
	}
	if err := ch.robots.reserve(key, ch.clock.Now()); err != nil {
		return fmt.Errorf("notify team %s: %w", team, err)
	}

	req := robotRequest{MsgType: "markdown",
		Markdown: textBody{Content: cutBytes(text, maxMarkdownBytes)}}
	var res errResult
	q := url.Values{"key": {key}}
	// The webhook answers errors as a 200 with an errcode, which the SDK's
	// RobotBroadcast returns as success: read the errcode here.
	if err := ch.api.do(ctx, http.MethodPost, "/cgi-bin/webhook/send", q, req, &res); err != nil {
		return fmt.Errorf("notify team %s: %w", team, err)
	}
	if res.ErrCode != 0 {
		err := ch.api.alarm.check(&APIError{Op: "webhook/send", Code: res.ErrCode, Message: res.ErrMsg})
		return fmt.Errorf("notify team %s: %w", team, err)
	}
	return nil
}

// robotKey is the key of a webhook setting, which may be the key or the
// whole URL the admin console shows. The key is a secret: never log it.
func robotKey(s string) string {
	s = strings.TrimSpace(s)
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return u.Query().Get("key")
	}
	return s
}

// robotWindow keeps the robot pacer's hour limit out of the way.
const robotWindow = robotPerMinute * int(time.Hour/time.Minute)
