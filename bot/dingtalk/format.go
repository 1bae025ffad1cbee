package dingtalk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
)

// outTrackID names the DingTalk card of one lead and viewer. The card
// key may hold any rep id, so its viewer part is hashed into the
// characters DingTalk accepts.
func outTrackID(c *bot.Card) string {
	sum := sha256.Sum256([]byte(c.Key))
	return "leadbot-" + c.Lead + "-" + hex.EncodeToString(sum[:8])
}

// cardButton is a button as the card template reads it from the
// "buttons" variable. A click must send back params "action" and, for
// buttons with a prompt, "value".
type cardButton struct {
	Label   string `json:"label"`
	Action  string `json:"action"`
	Primary bool   `json:"primary"`
	Input   string `json:"input,omitempty"`
}

// cardParams are the template variables of a card, all strings as
// DingTalk's cardParamMap wants them; lists are JSON text. "markdown"
// holds the whole card for templates that show a single text block.
func cardParams(m bot.Message, lang i18n.Lang) map[string]string {
	c := m.Card
	fields, _ := json.Marshal(nonNil(c.Fields))
	buttons := make([]cardButton, 0, len(c.Buttons))
	for _, b := range c.Buttons {
		buttons = append(buttons, cardButton{Label: b.Label, Action: b.Action, Primary: b.Primary,
			Input: b.Input})
	}
	bs, _ := json.Marshal(buttons)
	return map[string]string{
		"lead":     c.Lead,
		"title":    c.Title,
		"text":     m.Text,
		"fields":   string(fields),
		"note":     c.Note,
		"state":    c.State,
		"closed":   strconv.FormatBool(c.Closed),
		"buttons":  string(bs),
		"markdown": cardBody(c),
		"lang":     string(lang),
	}
}

func nonNil(fs []bot.Field) []bot.Field {
	if fs == nil {
		return []bot.Field{}
	}
	return fs
}

// cardBody draws the fields, note and state of a card as markdown.
func cardBody(c *bot.Card) string {
	var b strings.Builder
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "- **%s**: %s\n", f.Label, f.Value)
	}
	if c.Note != "" {
		fmt.Fprintf(&b, "\n%s\n", c.Note)
	}
	if c.State != "" {
		fmt.Fprintf(&b, "\n**%s**\n", c.State)
	}
	return strings.TrimRight(b.String(), "\n")
}

// markdown draws a message without a card template: the card's text and
// fields, then for each button the command that does the same.
func markdown(m bot.Message, lang i18n.Lang) (title, text string) {
	var b strings.Builder
	if m.Text != "" {
		b.WriteString(m.Text + "\n\n")
	}
	c := m.Card
	if c == nil {
		return firstLine(m.Text), strings.TrimSpace(b.String())
	}
	fmt.Fprintf(&b, "### %s\n\n%s\n", c.Title, cardBody(c))
	if cmds := commands(c, lang); len(cmds) > 0 {
		fmt.Fprintf(&b, "\n%s\n", replyWith[lang])
		for _, cmd := range cmds {
			fmt.Fprintf(&b, "- `%s`\n", cmd)
		}
	}
	return c.Title, strings.TrimSpace(b.String())
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

var replyWith = map[i18n.Lang]string{i18n.ZH: "回复以下指令操作：", i18n.EN: "Reply with:"}

// typed are the commands a button stands for, by language; %s is the
// lead. Approvals have no typed form and show their action itself,
// which Stream accepts as a click.
var typed = map[i18n.Lang]map[string]string{
	i18n.ZH: {
		bot.ActClaim: "抢单 %s", bot.ActAccept: "接受 %s", bot.ActRelease: "退回 %s",
		bot.ActProgress: "进度 %s 40", bot.ActWon: "完成 %s 赢单", bot.ActLost: "完成 %s 输单",
		bot.ActDispute: "申诉 %s 理由", bot.ActExtend: "延期 %s", bot.ActReassign: "改派 %s",
		bot.ActReturn: "退回 %s", bot.ActCover: "改派 %s",
	},
	i18n.EN: {
		bot.ActClaim: "claim %s", bot.ActAccept: "accept %s", bot.ActRelease: "release %s",
		bot.ActProgress: "progress %s 40", bot.ActWon: "done %s won", bot.ActLost: "done %s lost",
		bot.ActDispute: "dispute %s reason", bot.ActExtend: "extend %s",
		bot.ActReassign: "reassign %s", bot.ActReturn: "return %s", bot.ActCover: "reassign %s",
	},
}

// commands lists what to type for each of the card's buttons.
func commands(c *bot.Card, lang i18n.Lang) []string {
	var out []string
	for _, btn := range c.Buttons {
		verb, id, _, err := bot.ParseAction(btn.Action)
		if err != nil {
			continue
		}
		if f, ok := typed[lang][verb]; ok {
			out = append(out, fmt.Sprintf(f, id))
		} else {
			out = append(out, btn.Action)
		}
	}
	return out
}

// typedAction reports whether text is an action that has no typed
// command, such as "approve:L3:T1" from a markdown card or a digest's
// "move:L3:r1>r2", and so stands for a click.
func typedAction(text string) bool {
	verb, _, _, err := bot.ParseAction(text)
	return err == nil && (verb == bot.ActApprove || verb == bot.ActReject || verb == bot.ActMove)
}
