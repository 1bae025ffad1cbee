package command

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// verbWord is what a word at the start of a command stands for.
type verbWord struct {
	verb Verb
	lang i18n.Lang
	// outcome is set for the words that close a lead and name the
	// outcome at once: "赢单 12".
	outcome engine.Outcome
}

// verbs maps each verb word, English in lower case, to its verb. Besides
// the forms of the contract it holds the button label 退回公海, a common
// misspelling (申述) and the short forms 赢单 and 输单.
var verbs = map[string]verbWord{
	"公海":   {Pool, i18n.ZH, ""},
	"抢单":   {Claim, i18n.ZH, ""},
	"我的":   {Mine, i18n.ZH, ""},
	"我的任务": {Mine, i18n.ZH, ""},
	"我的线索": {Mine, i18n.ZH, ""},
	"进度":   {Progress, i18n.ZH, ""},
	"完成":   {Done, i18n.ZH, ""},
	"赢单":   {Done, i18n.ZH, engine.Won},
	"输单":   {Done, i18n.ZH, engine.Lost},
	"转交":   {Transfer, i18n.ZH, ""},
	"申诉":   {Dispute, i18n.ZH, ""},
	"申述":   {Dispute, i18n.ZH, ""},
	"详情":   {Show, i18n.ZH, ""},
	"帮助":   {Help, i18n.ZH, ""},
	"接受":   {Accept, i18n.ZH, ""},
	"退回":   {Release, i18n.ZH, ""},
	"退回公海": {Release, i18n.ZH, ""},
	"目标":   {Target, i18n.ZH, ""},
	"目标日期": {Target, i18n.ZH, ""},
	"里程碑":  {Milestone, i18n.ZH, ""},
	"延期":   {Extend, i18n.ZH, ""},
	"改派":   {Reassign, i18n.ZH, ""},
	"我的指标": {Quota, i18n.ZH, ""},
	"指标":   {Quota, i18n.ZH, ""},
	"看板":   {Dashboard, i18n.ZH, ""},
	"设指标":  {SetQuota, i18n.ZH, ""},
	"设置指标": {SetQuota, i18n.ZH, ""},
	"设定指标": {SetQuota, i18n.ZH, ""},

	"pool":      {Pool, i18n.EN, ""},
	"claim":     {Claim, i18n.EN, ""},
	"mine":      {Mine, i18n.EN, ""},
	"progress":  {Progress, i18n.EN, ""},
	"done":      {Done, i18n.EN, ""},
	"won":       {Done, i18n.EN, engine.Won},
	"lost":      {Done, i18n.EN, engine.Lost},
	"transfer":  {Transfer, i18n.EN, ""},
	"dispute":   {Dispute, i18n.EN, ""},
	"show":      {Show, i18n.EN, ""},
	"help":      {Help, i18n.EN, ""},
	"accept":    {Accept, i18n.EN, ""},
	"release":   {Release, i18n.EN, ""},
	"target":    {Target, i18n.EN, ""},
	"milestone": {Milestone, i18n.EN, ""},
	"return":    {Release, i18n.EN, ""},
	"extend":    {Extend, i18n.EN, ""},
	"reassign":  {Reassign, i18n.EN, ""},
	"quota":     {Quota, i18n.EN, ""},
	"quotas":    {Quota, i18n.EN, ""},
	"dashboard": {Dashboard, i18n.EN, ""},
}

var outcomes = map[string]engine.Outcome{
	"赢单": engine.Won, "赢": engine.Won, "成交": engine.Won,
	"win": engine.Won, "won": engine.Won,
	"输单": engine.Lost, "输": engine.Lost, "丢单": engine.Lost,
	"lose": engine.Lost, "lost": engine.Lost,
}

// outcomePrefixes are the outcome words a remark may follow without a
// space: "输单客户选了竞品".
var outcomePrefixes = []string{"赢单", "成交", "输单", "丢单"}

var kinds = map[string]engine.DisputeKind{
	"归属": engine.DisputeOwnership, "归属权": engine.DisputeOwnership,
	"ownership": engine.DisputeOwnership,
	"提成":        engine.DisputeCommission, "佣金": engine.DisputeCommission,
	"commission": engine.DisputeCommission,
	"跨区":         engine.DisputeCrossRegion, "跨区域": engine.DisputeCrossRegion,
	"cross_region": engine.DisputeCrossRegion,
	"cross-region": engine.DisputeCrossRegion,
}

// kindPrefixes are the kind words a reason may start with, as part of
// its sentence: "提成没算对".
var kindPrefixes = []string{"归属", "提成", "佣金", "跨区"}

// parser holds a text being parsed: the text as typed, its normalised
// runes with their byte offsets in it, and the tokens.
type parser struct {
	src  string
	norm []rune
	off  []int
	toks []token
	pos  int // the next token to read
	cmd  Command
}

func newParser(text string) *parser {
	norm, off := normalize(text)
	return &parser{src: text, norm: norm, off: off, toks: lex(norm)}
}

func (p *parser) parse() error {
	if err := p.verb(); err != nil {
		return err
	}
	if p.cmd.Verb == SetQuota {
		return p.goal()
	}
	if !p.cmd.Verb.NeedsLead() {
		return nil
	}

	if err := p.lead(); err != nil {
		return err
	}
	switch p.cmd.Verb {
	case Progress:
		return p.progress()
	case Done:
		return p.done()
	case Transfer:
		return p.transfer()
	case Dispute:
		return p.dispute()
	case Release:
		p.cmd.Note = p.rest()
	case Target:
		return p.target()
	case Milestone:
		return p.milestone()
	case Extend:
		return p.extend()
	case Reassign:
		if _, ok := p.peek(); ok {
			return p.transfer()
		}
	}
	return nil
}

// verb reads the verb after any mentions. After a mention, up to two
// more words without Chinese may come first, as the rest of a bot name
// with a space in it ("@Lead Bot 抢单 12"); Chinese words there are the
// user's ("@Leadbot 别 抢单 12") and leave the text unknown.
func (p *parser) verb() error {
	mention := p.skipMentions()
	if p.pos < len(p.toks) && p.word(p.pos) == "/" && !p.endsChunk(p.pos) {
		p.pos++ // "/抢单 12", as in other chat bots
	}
	if p.pos >= len(p.toks) {
		return &Error{Code: CodeEmpty, Lang: p.guessLang()}
	}

	if p.myQuota() || p.setQuota() {
		return nil
	}
	last := p.pos
	if mention {
		last += 2
	}
	for i := p.pos; i <= last && i < len(p.toks); i++ {
		if w, ok := p.verbAt(i); ok {
			p.pos = i + 1
			p.cmd.Verb, p.cmd.Lang, p.cmd.Outcome = w.verb, w.lang, w.outcome
			return nil
		}
		if strings.ContainsFunc(p.word(i), han) {
			break
		}
	}
	return &Error{Code: CodeUnknownCommand, Lang: p.guessLang()}
}

// myQuota reads "my quota", the English twin of 我的指标, whose first
// word alone is no verb.
func (p *parser) myQuota() bool {
	if p.pos+1 >= len(p.toks) || strings.ToLower(p.word(p.pos)) != "my" {
		return false
	}
	w, ok := verbs[trimTail(strings.ToLower(p.word(p.pos+1)))]
	if !ok || w.verb != Quota {
		return false
	}
	p.pos += 2
	p.cmd.Verb, p.cmd.Lang = Quota, i18n.EN
	return true
}

// skipMentions skips the mentions at the start and reports whether there
// were any. WeCom puts "@Leadbot" before a group message; a bare "@" is
// a mention whose name the lexer split off ("@线索助手").
func (p *parser) skipMentions() bool {
	mention := false
	for p.pos < len(p.toks) && strings.HasPrefix(p.word(p.pos), "@") {
		if p.word(p.pos) == "@" && !p.endsChunk(p.pos) {
			p.pos++
		}
		p.pos++
		mention = true
	}
	return mention
}

func (p *parser) verbAt(i int) (verbWord, bool) {
	w := strings.ToLower(strings.TrimPrefix(p.word(i), "/"))
	if w != "" && strings.Trim(w, "?") == "" {
		return verbWord{Help, i18n.ZH, ""}, true
	}
	if v, ok := verbs[trimTail(w)]; ok {
		return v, true
	}

	// An English verb glued to the lead id: "claim12", "show#12".
	rs := p.norm[p.toks[i].start:p.toks[i].end]
	n := slices.IndexFunc(rs, func(r rune) bool { return isDigit(r) || r == '#' })
	if n <= 0 {
		return verbWord{}, false
	}
	v, ok := verbs[strings.ToLower(string(rs[:n]))]
	if !ok {
		return verbWord{}, false
	}
	p.split(i, n)
	return v, true
}

func (p *parser) lead() error {
	if w, ok := p.peek(); ok && w == "#" && p.endsChunk(p.pos) {
		p.pos++ // "# 12"
	}
	if p.pos >= len(p.toks) {
		return p.fail(CodeMissingLead, "")
	}

	id, err := engine.ParseLeadID(trimTail(p.word(p.pos)))
	if err != nil {
		// Show the whole chunk: "@张三", not just "@".
		w, _ := p.nextChunk()
		return p.fail(CodeBadLead, w)
	}
	p.cmd.Lead = id
	p.pos++
	return nil
}

func (p *parser) progress() error {
	w, ok := p.next()
	if !ok {
		return p.fail(CodeMissingPercent, "")
	}
	n, ok := percent(w)
	if !ok {
		return p.fail(CodeBadPercent, w)
	}
	if next, ok := p.peek(); ok && next == "%" {
		p.pos++
	}

	p.cmd.Percent = n
	p.cmd.Note = p.rest()
	return nil
}

// percent reads a whole percentage from 0 to 100: "40", "40%".
func percent(w string) (int, bool) {
	s := strings.TrimSuffix(trimTail(w), "%")
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 100
}

// done reads the outcome, unless the verb named it, then an optional
// amount and remark. The amount may also come before the outcome:
// "完成 12 28万 赢单".
func (p *parser) done() error {
	if p.cmd.Outcome == "" {
		w, ok := p.peek()
		if ok && amountLike(w) {
			if err := p.amount(); err != nil {
				return err
			}
		}
		if err := p.outcome(); err != nil {
			return err
		}
	}
	if p.cmd.Amount == nil {
		if err := p.amount(); err != nil {
			return err
		}
	}

	p.cmd.Note = p.rest()
	return nil
}

func (p *parser) outcome() error {
	w, ok := p.peek()
	if !ok {
		return p.fail(CodeMissingOutcome, "")
	}
	s := strings.TrimRight(strings.ToLower(trimTail(w)), "了啦")
	if o, ok := outcomes[s]; ok {
		p.cmd.Outcome = o
		p.pos++
		return nil
	}

	for _, prefix := range outcomePrefixes {
		if strings.HasPrefix(s, prefix) {
			p.cmd.Outcome = outcomes[prefix]
			p.split(p.pos, len([]rune(prefix)))
			p.pos++
			return nil
		}
	}
	return p.fail(CodeBadOutcome, w)
}

// amount reads a deal amount if the next token is one: "28万",
// "280,000", "¥280000元", or a number and its unit apart ("28 万"). A
// number glued to more words ("3家竞品都报了价") starts the remark.
func (p *parser) amount() error {
	w, ok := p.peek()
	if !ok || !amountLike(w) || !p.endsChunk(p.pos) {
		return nil
	}
	p.pos++
	if u, ok := p.peek(); ok && unitWord(u) && p.endsChunk(p.pos) {
		w += u
		p.pos++
	}

	v, ok := parseAmount(w)
	if !ok {
		return p.fail(CodeBadAmount, w)
	}
	p.cmd.Amount = &v
	return nil
}

// transfer reads the receiver, with or without "@" and an optional "给"
// or "to" before, then an optional note.
func (p *parser) transfer() error {
	w, ok := p.nextChunk()
	if ok && (w == "给" || strings.EqualFold(w, "to")) {
		w, ok = p.nextChunk()
	} else {
		w = strings.TrimPrefix(w, "给")
	}
	name := strings.TrimLeft(trimTail(w), "@")
	if !ok || name == "" {
		return p.fail(CodeMissingTarget, "")
	}

	p.cmd.Target = name
	p.cmd.Note = p.rest()
	return nil
}

// extensionUnits maps the words of a length to an extension of one; a
// week is five working days.
var extensionUnits = map[string]engine.Extension{
	"d": {Days: 1}, "day": {Days: 1}, "days": {Days: 1},
	"天": {Days: 1}, "日": {Days: 1}, "工作日": {Days: 1}, "个工作日": {Days: 1},
	"w": {Days: 5}, "week": {Days: 5}, "weeks": {Days: 5}, "周": {Days: 5}, "星期": {Days: 5},
	"h": {Hours: 1}, "hour": {Hours: 1}, "hours": {Hours: 1},
	"小时": {Hours: 1}, "个小时": {Hours: 1}, "钟头": {Hours: 1},
}

// extend reads an optional length and then an optional note. A length
// is a number with a unit ("2d", "2天", "1周", "4 小时"); a number alone counts
// working days. A number glued to other words ("3家竞品") starts the
// note.
func (p *parser) extend() error {
	w, ok := p.peek()
	if !ok || !isDigit(rune(w[0])) {
		p.cmd.Note = p.rest()
		return nil
	}
	digits := strings.TrimLeftFunc(w, func(r rune) bool { return isDigit(r) })
	num, unit := w[:len(w)-len(digits)], strings.ToLower(trimTail(digits))
	glued := !p.endsChunk(p.pos)
	if unit == "" {
		next := ""
		if p.pos+1 < len(p.toks) {
			next = strings.ToLower(trimTail(p.word(p.pos + 1)))
		}
		if _, known := extensionUnits[next]; known {
			unit = next
			p.pos++
		} else if glued {
			p.cmd.Note = p.rest()
			return nil
		}
	}
	p.pos++

	per, known := extensionUnits[unit]
	n, err := strconv.Atoi(num)
	if unit == "" {
		per, known = engine.Extension{Days: 1}, true
	}
	if !known || err != nil || n <= 0 || n > 9999 {
		return p.fail(CodeBadExtension, w)
	}
	e := engine.Extension{Days: per.Days * n, Hours: per.Hours * n}
	p.cmd.Extension = &e
	p.cmd.Note = p.rest()
	return nil
}

// dispute reads an optional kind word, then the reason. A reason that
// starts with a kind word ("提成没算对") has that kind and keeps the word.
func (p *parser) dispute() error {
	p.cmd.Kind = engine.DisputeOwnership
	if w, ok := p.peek(); ok {
		s := strings.ToLower(trimTail(w))
		if k, ok := kinds[s]; ok {
			p.cmd.Kind = k
			p.pos++
		} else if i := slices.IndexFunc(kindPrefixes, func(k string) bool {
			return strings.HasPrefix(s, k)
		}); i >= 0 {
			p.cmd.Kind = kinds[kindPrefixes[i]]
		}
	}

	p.cmd.Note = p.rest()
	if p.cmd.Note == "" {
		return p.fail(CodeMissingReason, "")
	}
	return nil
}

func (p *parser) fail(code Code, arg string) *Error {
	return &Error{Code: code, Verb: p.cmd.Verb, Lang: p.cmd.Lang, Arg: arg}
}

func (p *parser) word(i int) string {
	return string(p.norm[p.toks[i].start:p.toks[i].end])
}

func (p *parser) peek() (string, bool) {
	if p.pos >= len(p.toks) {
		return "", false
	}
	return p.word(p.pos), true
}

func (p *parser) next() (string, bool) {
	w, ok := p.peek()
	if ok {
		p.pos++
	}
	return w, ok
}

// nextChunk reads the rest of the current chunk as one word, so that a
// name mixing scripts ("Tony王") stays whole.
func (p *parser) nextChunk() (string, bool) {
	if p.pos >= len(p.toks) {
		return "", false
	}
	first := p.toks[p.pos]
	for p.pos < len(p.toks) && p.toks[p.pos].chunk == first.chunk {
		p.pos++
	}
	return string(p.norm[first.start:p.toks[p.pos-1].end]), true
}

// endsChunk reports whether token i is the last of its chunk.
func (p *parser) endsChunk(i int) bool {
	return i+1 >= len(p.toks) || p.toks[i+1].chunk != p.toks[i].chunk
}

// split cuts token i after its first n runes into two of the same chunk.
func (p *parser) split(i, n int) {
	t := p.toks[i]
	p.toks[i].end = t.start + n
	p.toks = slices.Insert(p.toks, i+1, token{t.start + n, t.end, t.chunk})
}

// rest returns the text after the last token read, as the user typed
// it, without the white space and separators around it. Punctuation
// alone ("赢单了！") is no text.
func (p *parser) rest() string {
	s := p.src
	if p.pos > 0 {
		s = s[p.off[p.toks[p.pos-1].end]:]
	}
	s = strings.TrimLeftFunc(s, func(r rune) bool {
		return unicode.IsSpace(fold(r)) || strings.ContainsRune(",;:、。", fold(r))
	})
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(fold(r)) })
	if !strings.ContainsFunc(s, func(r rune) bool {
		r = fold(r)
		return !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.IsSymbol(r)
	}) {
		return ""
	}
	return s
}

// guessLang guesses the language of a text without a verb from what
// follows any mentions: Chinese if it has any, English if it has Latin
// letters, else the default.
func (p *parser) guessLang() i18n.Lang {
	var text []rune
	if p.pos < len(p.toks) {
		text = p.norm[p.toks[p.pos].start:]
	}
	if slices.ContainsFunc(text, han) {
		return i18n.ZH
	}
	if slices.ContainsFunc(text, func(r rune) bool {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}) {
		return i18n.EN
	}
	return i18n.ZH
}
