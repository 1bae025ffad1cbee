package wecom

import (
	"strings"
	"unicode/utf8"

	"github.com/leadbot/leadbot/bot"
)

// Limits of a button_interaction card. WeCom caps the lists and
// recommends the text lengths in its template_card reference
// (developer.work.weixin.qq.com/document/path/90236); longer text is cut
// on a character boundary with an ellipsis.
const (
	maxButtons     = 6
	maxFields      = 6
	maxTaskID      = 128
	maxTitle       = 36
	maxTitleDesc   = 44
	maxSubTitle    = 160
	maxKeyName     = 10
	maxValue       = 30
	maxButtonText  = 10
	maxReplaceName = 20
	maxTextBytes   = 2048
)

// templateCard is a button_interaction card as message/send and
// update_template_card take it.
type templateCard struct {
	CardType     string       `json:"card_type"`
	TaskID       string       `json:"task_id"`
	MainTitle    mainTitle    `json:"main_title"`
	SubTitleText string       `json:"sub_title_text,omitempty"`
	Horizontal   []horizontal `json:"horizontal_content_list,omitempty"`
	ButtonList   []buttonJSON `json:"button_list"`
}

type mainTitle struct {
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

type horizontal struct {
	KeyName string `json:"keyname"`
	Value   string `json:"value"`
}

type buttonJSON struct {
	Text  string `json:"text"`
	Style int    `json:"style"`
	Key   string `json:"key"`
}

// Button styles: WeCom draws 1 as the emphasised button.
const (
	stylePrimary = 1
	styleNormal  = 2
)

// drawCard turns a card, and the text that goes with it, into a WeCom
// card with the given task id. Buttons that ask for input cannot do so in
// WeCom: a click on one is answered with the prompt to type the command.
func drawCard(m bot.Message, taskID string) templateCard {
	c := m.Card
	tc := templateCard{
		CardType:  "button_interaction",
		TaskID:    taskID,
		MainTitle: mainTitle{Title: cut(c.Title, maxTitle), Desc: cut(c.State, maxTitleDesc)},
	}
	var sub []string
	for _, s := range []string{m.Text, c.Note} {
		if s = strings.TrimSpace(s); s != "" {
			sub = append(sub, s)
		}
	}
	tc.SubTitleText = cut(strings.Join(sub, "\n"), maxSubTitle)

	for i, f := range c.Fields {
		if i == maxFields {
			break
		}
		tc.Horizontal = append(tc.Horizontal,
			horizontal{KeyName: cut(f.Label, maxKeyName), Value: cut(f.Value, maxValue)})
	}

	tc.ButtonList = []buttonJSON{}
	for i, b := range c.Buttons {
		if i == maxButtons {
			break
		}
		style := styleNormal
		if b.Primary {
			style = stylePrimary
		}
		tc.ButtonList = append(tc.ButtonList,
			buttonJSON{Text: cut(b.Label, maxButtonText), Style: style, Key: b.Action})
	}
	return tc
}

// cardText is a card drawn as plain text, for cards with nothing to
// click: WeCom's only buttonless card type needs a link to open.
func cardText(m bot.Message) string {
	var lines []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	add(m.Text)
	if c := m.Card; c != nil {
		add(c.Title)
		for _, f := range c.Fields {
			add(f.Label + ": " + f.Value)
		}
		add(c.Note)
		add(c.State)
	}
	return cutBytes(strings.Join(lines, "\n"), maxTextBytes)
}

// cut shortens s to n characters, ending in an ellipsis when it had more.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// cutBytes shortens s to at most n bytes on a character boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// taskIDChars is the alphabet of a task id.
var taskIDChars = func() (ok [utf8.RuneSelf]bool) {
	for _, r := range "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-@" {
		ok[r] = true
	}
	return ok
}()

// taskID makes a task id from a card key and a unique suffix, within
// WeCom's alphabet [0-9a-zA-Z_-@] and 128 bytes.
func taskID(key, suffix string) string {
	k := strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && taskIDChars[r] {
			return r
		}
		return '_'
	}, key)
	if room := maxTaskID - len(suffix) - 1; len(k) > room {
		k = k[:room]
	}
	return k + "-" + suffix
}
