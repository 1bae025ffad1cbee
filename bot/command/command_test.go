package command

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

const (
	zh = i18n.ZH
	en = i18n.EN
)

func amount(v float64) *float64 { return &v }

// parseTests are texts that are commands, in the forms people type them.
var parseTests = []struct {
	name string
	in   string
	want Command
}{
	{"pool", "公海", Command{Verb: Pool, Lang: zh}},
	{"pool in english", "pool", Command{Verb: Pool, Lang: en}},
	{"english in capitals", "POOL", Command{Verb: Pool, Lang: en}},
	{"dingtalk group message", " 公海", Command{Verb: Pool, Lang: zh}},
	{"wecom mention", "@Leadbot\u2005公海", Command{Verb: Pool, Lang: zh}},
	{"mention with a space", "@Leadbot 公海", Command{Verb: Pool, Lang: zh}},
	{"chinese bot name", "@线索助手 公海", Command{Verb: Pool, Lang: zh}},
	{"bot name with a space", "@Lead Bot pool", Command{Verb: Pool, Lang: en}},
	{"two mentions", "@Leadbot @张三 公海", Command{Verb: Pool, Lang: zh}},
	{"slash", "/pool", Command{Verb: Pool, Lang: en}},
	{"slash before chinese", "/公海", Command{Verb: Pool, Lang: zh}},
	{"trailing words ignored", "公海 看看有什么", Command{Verb: Pool, Lang: zh}},
	{"trailing full stop", "公海。", Command{Verb: Pool, Lang: zh}},

	{"claim", "抢单 12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim glued", "抢单12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim glued with hash", "抢单#12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim hash", "抢单 #12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim hash apart", "抢单 # 12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim full-width", "抢单 ＃１２", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim glued full-width", "抢单１２", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"ideographic space", "抢单\u3000１２", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim L", "抢单 L12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim glued L", "抢单L12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim lower l", "抢单 l12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim hash L", "抢单 #L12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim full-width L", "抢单 Ｌ１２", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim leading zero", "抢单 012", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim comma", "抢单，12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim colon", "抢单：12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim full stop", "抢单 12。", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim glued exclamation", "抢单12！", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim question mark", "抢单 12？", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim emoji", "抢单 12👍", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim thanks", "抢单 12 谢谢", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim mention", "@Leadbot 抢单 12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim mention glued", "@Leadbot抢单12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim zero-width space", "\u200b抢单\u200b12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim newline", "抢单\n12", Command{Verb: Claim, Lead: 12, Lang: zh}},
	{"claim english", "claim 12", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim capitalised", "Claim #12", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim capitals", "CLAIM L12", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim english glued", "claim12", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim english glued hash", "claim#12", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim full-width english", "ｃｌａｉｍ　１２", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim odd spacing", "  claim \t  12  ", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim exclamation", "claim 12!", Command{Verb: Claim, Lead: 12, Lang: en}},
	{"claim full stop english", "claim 12.", Command{Verb: Claim, Lead: 12, Lang: en}},

	{"mine", "我的", Command{Verb: Mine, Lang: zh}},
	{"mine tasks", "我的任务", Command{Verb: Mine, Lang: zh}},
	{"mine tasks apart", "我的 任务", Command{Verb: Mine, Lang: zh}},
	{"mine english", "Mine please", Command{Verb: Mine, Lang: en}},
	{"quota", "我的指标", Command{Verb: Quota, Lang: zh}},
	{"quota short", "指标", Command{Verb: Quota, Lang: zh}},
	{"quota english", "my quota", Command{Verb: Quota, Lang: en}},
	{"quota english capitals", "My Quotas?", Command{Verb: Quota, Lang: en}},
	{"quota english alone", "quota", Command{Verb: Quota, Lang: en}},

	{"set quota team", "设指标 east 每周 existing_reviews 20", Command{Verb: SetQuota, Lang: zh,
		Goal: &Goal{Team: "east", Period: engine.PeriodWeek,
			Metric: engine.MetricExistingReviews, Amount: 20}}},
	{"set quota chinese metric", "设指标 华东 季度 老客户回访 20 按容量", Command{Verb: SetQuota,
		Lang: zh, Goal: &Goal{Team: "华东", Period: engine.PeriodQuarter,
			Metric: engine.MetricExistingReviews, Amount: 20, Split: engine.SplitCapacity}}},
	{"set quota rep", "设指标 @张三 每月 won 5", Command{Verb: SetQuota, Lang: zh,
		Goal: &Goal{Rep: "张三", Period: engine.PeriodMonth, Metric: engine.MetricWon,
			Amount: 5}}},
	{"set quota glued", "设指标east，周，抢单，6。", Command{Verb: SetQuota, Lang: zh,
		Goal: &Goal{Team: "east", Period: engine.PeriodWeek, Metric: engine.MetricClaimed,
			Amount: 6}}},
	{"set quota revenue in wan", "设置指标 @r1 每季 赢单金额 50万", Command{Verb: SetQuota,
		Lang: zh, Goal: &Goal{Rep: "r1", Period: engine.PeriodQuarter,
			Metric: engine.MetricRevenue, Amount: 500000}}},
	{"set quota ends", "设指标 east 月 跟进 0", Command{Verb: SetQuota, Lang: zh,
		Goal: &Goal{Team: "east", Period: engine.PeriodMonth, Metric: engine.MetricTouches}}},
	{"set quota english", "set quota east week existing_reviews 20", Command{Verb: SetQuota,
		Lang: en, Goal: &Goal{Team: "east", Period: engine.PeriodWeek,
			Metric: engine.MetricExistingReviews, Amount: 20}}},
	{"set quota english rep", "@Leadbot Set Quota @alice month won 5", Command{Verb: SetQuota,
		Lang: en, Goal: &Goal{Rep: "alice", Period: engine.PeriodMonth, Metric: engine.MetricWon,
			Amount: 5}}},
	{"set quota by capacity", "set quota east quarterly revenue 280,000 by capacity",
		Command{Verb: SetQuota, Lang: en, Goal: &Goal{Team: "east",
			Period: engine.PeriodQuarter, Metric: engine.MetricRevenue, Amount: 280000,
			Split: engine.SplitCapacity}}},
	{"set quota even", "set target east week claimed 6 even", Command{Verb: SetQuota,
		Lang: en, Goal: &Goal{Team: "east", Period: engine.PeriodWeek,
			Metric: engine.MetricClaimed, Amount: 6, Split: engine.SplitEven}}},
	{"dashboard", "看板", Command{Verb: Dashboard, Lang: zh}},
	{"dashboard english", "Dashboard", Command{Verb: Dashboard, Lang: en}},

	{"progress", "进度 12 40 已约下周拜访",
		Command{Verb: Progress, Lead: 12, Percent: 40, Note: "已约下周拜访", Lang: zh}},
	{"progress glued percent sign", "进度12 40%",
		Command{Verb: Progress, Lead: 12, Percent: 40, Lang: zh}},
	{"progress full-width percent", "进度 12 40％ 客户很满意！",
		Command{Verb: Progress, Lead: 12, Percent: 40, Note: "客户很满意！", Lang: zh}},
	{"progress percent apart", "进度 12 40 % 报价已发",
		Command{Verb: Progress, Lead: 12, Percent: 40, Note: "报价已发", Lang: zh}},
	{"progress commas", "进度 12，40%，客户说下周签",
		Command{Verb: Progress, Lead: 12, Percent: 40, Note: "客户说下周签", Lang: zh}},
	{"progress note glued", "进度 12 40%客户满意",
		Command{Verb: Progress, Lead: 12, Percent: 40, Note: "客户满意", Lang: zh}},
	{"progress note kept as typed", "进度 12 40　客户要ＰＯ单， 下周给",
		Command{Verb: Progress, Lead: 12, Percent: 40, Note: "客户要ＰＯ单， 下周给", Lang: zh}},
	{"progress note on two lines", "进度 12 60\n已报价\n等回复",
		Command{Verb: Progress, Lead: 12, Percent: 60, Note: "已报价\n等回复", Lang: zh}},
	{"progress hundred", "进度 12 100",
		Command{Verb: Progress, Lead: 12, Percent: 100, Lang: zh}},
	{"progress zero", "进度 12 0",
		Command{Verb: Progress, Lead: 12, Percent: 0, Lang: zh}},
	{"progress english", "progress L7 55 call went well, follow up Friday.",
		Command{Verb: Progress, Lead: 7, Percent: 55,
			Note: "call went well, follow up Friday.", Lang: en}},

	{"done won", "完成 12 赢单", Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: zh}},
	{"done lost", "完成 12 输单", Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Lang: zh}},
	{"done glued", "完成12赢单", Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: zh}},
	{"done 赢", "完成 12 赢", Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: zh}},
	{"done 成交", "完成 12 成交", Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: zh}},
	{"done 输", "完成 12 输", Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Lang: zh}},
	{"done 丢单", "完成 12 丢单", Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Lang: zh}},
	{"done particle", "完成 12 赢单了！",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: zh}},
	{"done english won", "done 12 won",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: en}},
	{"done english win", "done 12 WIN",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: en}},
	{"done english lose", "done 12 lose",
		Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Lang: en}},
	{"done english lost", "Done #12 Lost.",
		Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Lang: en}},
	{"done amount 万", "完成 12 赢单 28万",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done amount 万元", "完成 12 赢单 28.5万元",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(285000), Lang: zh}},
	{"done amount exact", "完成 12 赢单 1.2万",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(12000), Lang: zh}},
	{"done amount yen", "完成 12 赢单 ¥280,000",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done amount full-width yen", "完成 12 赢单 ￥２８０，０００元",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done amount unit apart", "完成 12 赢单 28 万",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done amount glued", "完成 12 赢单28万",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done amount w", "完成 12 赢单 28w",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done amount and remark", "完成 12 赢单，28万，客户很爽快",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000),
			Note: "客户很爽快", Lang: zh}},
	{"done amount first", "完成 12 28万 赢单",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"done english amount", "done 12 won 280000",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: en}},
	{"done english thousands", "done 12 won 1,200,000",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(1200000), Lang: en}},
	{"done english k", "done 12 won 280k",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: en}},
	{"done english rmb", "done 12 won RMB280000",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: en}},
	{"done lost remark", "完成 12 输单 客户选了竞品",
		Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Note: "客户选了竞品", Lang: zh}},
	{"done lost remark glued", "完成 12 输单客户选了竞品",
		Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Note: "客户选了竞品", Lang: zh}},
	{"done remark starting with a number", "完成 12 输单 3家竞品都报了价",
		Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Note: "3家竞品都报了价", Lang: zh}},
	{"won as verb", "赢单 12 28万",
		Command{Verb: Done, Lead: 12, Outcome: engine.Won, Amount: amount(280000), Lang: zh}},
	{"lost as verb", "输单 12 预算砍了",
		Command{Verb: Done, Lead: 12, Outcome: engine.Lost, Note: "预算砍了", Lang: zh}},
	{"won as english verb", "won 12", Command{Verb: Done, Lead: 12, Outcome: engine.Won, Lang: en}},

	{"transfer", "转交 12 @张三", Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer glued", "转交12@张三", Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer without at", "转交 12 张三",
		Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer with note", "转交 12 ＠张三 他负责华东",
		Command{Verb: Transfer, Lead: 12, Target: "张三", Note: "他负责华东", Lang: zh}},
	{"transfer 给", "转交 12 给张三", Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer 给 apart", "转交 12 给 @张三",
		Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer full stop", "转交 12 @张三。",
		Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer mixed name", "转交 12 @Tony王",
		Command{Verb: Transfer, Lead: 12, Target: "Tony王", Lang: zh}},
	{"transfer in group", "@Leadbot 转交 12 @张三",
		Command{Verb: Transfer, Lead: 12, Target: "张三", Lang: zh}},
	{"transfer english", "transfer 12 @bob",
		Command{Verb: Transfer, Lead: 12, Target: "bob", Lang: en}},
	{"transfer english to", "transfer 12 to Bob please take over",
		Command{Verb: Transfer, Lead: 12, Target: "Bob", Note: "please take over", Lang: en}},
	{"transfer full-width name", "Transfer #12 @Ｂｏｂ",
		Command{Verb: Transfer, Lead: 12, Target: "Bob", Lang: en}},

	{"dispute", "申诉 12 客户是我三月开始跟进的",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeOwnership,
			Note: "客户是我三月开始跟进的", Lang: zh}},
	{"dispute commission", "申诉 12 提成 客户是我谈下来的",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeCommission,
			Note: "客户是我谈下来的", Lang: zh}},
	{"dispute kind in the reason", "申诉 12 提成没算对",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeCommission,
			Note: "提成没算对", Lang: zh}},
	{"dispute 佣金 colon", "申诉 12 佣金：比例不对",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeCommission,
			Note: "比例不对", Lang: zh}},
	{"dispute cross region", "申诉 12 跨区 客户总部在上海",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeCrossRegion,
			Note: "客户总部在上海", Lang: zh}},
	{"dispute ownership", "申诉 12 归属 我先联系的",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeOwnership,
			Note: "我先联系的", Lang: zh}},
	{"dispute misspelt", "申述 12 客户是我的",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeOwnership,
			Note: "客户是我的", Lang: zh}},
	{"dispute glued colon", "申诉12：客户是我先联系的",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeOwnership,
			Note: "客户是我先联系的", Lang: zh}},
	{"dispute english", "Dispute #12 I called them first.",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeOwnership,
			Note: "I called them first.", Lang: en}},
	{"dispute english commission", "dispute 12 Commission split was wrong",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeCommission,
			Note: "split was wrong", Lang: en}},
	{"dispute english cross region", "dispute 12 cross_region HQ is in my region",
		Command{Verb: Dispute, Lead: 12, Kind: engine.DisputeCrossRegion,
			Note: "HQ is in my region", Lang: en}},

	{"show", "详情 12", Command{Verb: Show, Lead: 12, Lang: zh}},
	{"show glued hash", "详情#12", Command{Verb: Show, Lead: 12, Lang: zh}},
	{"show english", "show L12", Command{Verb: Show, Lead: 12, Lang: en}},
	{"show english please", "Show #12 please", Command{Verb: Show, Lead: 12, Lang: en}},

	{"help", "帮助", Command{Verb: Help, Lang: zh}},
	{"help english", "HELP", Command{Verb: Help, Lang: en}},
	{"help question mark", "?", Command{Verb: Help, Lang: zh}},
	{"help full-width question mark", "？", Command{Verb: Help, Lang: zh}},
	{"help two question marks", "？？", Command{Verb: Help, Lang: zh}},
	{"help with question mark", "帮助？", Command{Verb: Help, Lang: zh}},
	{"help mention", "@Leadbot 帮助", Command{Verb: Help, Lang: zh}},
	{"help me", "help me", Command{Verb: Help, Lang: en}},

	{"accept", "接受 12", Command{Verb: Accept, Lead: 12, Lang: zh}},
	{"accept glued", "接受12", Command{Verb: Accept, Lead: 12, Lang: zh}},
	{"accept english", "accept #12", Command{Verb: Accept, Lead: 12, Lang: en}},
	{"release", "退回 12", Command{Verb: Release, Lead: 12, Lang: zh}},
	{"release button label", "退回公海 12", Command{Verb: Release, Lead: 12, Lang: zh}},
	{"release with reason", "退回 12 客户暂时不需要",
		Command{Verb: Release, Lead: 12, Note: "客户暂时不需要", Lang: zh}},
	{"release english", "release 12", Command{Verb: Release, Lead: 12, Lang: en}},

	{"target", "目标 12 2027-01-31", Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Lang: zh}},
	{"target slashes", "目标 12 2027/1/31", Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Lang: zh}},
	{"target dots", "target 12 2027.1.5", Command{Verb: Target, Lead: 12, Date: day(2027, 1, 5), Lang: en}},
	{"target chinese date", "目标 12 2027年1月31日",
		Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Lang: zh}},
	{"target glued", "目标12 2027-01-31", Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Lang: zh}},
	{"target with note", "目标 12 2027-01-31 客户年底前要预算",
		Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Note: "客户年底前要预算", Lang: zh}},
	{"target full-width", "目标 １２ ２０２７－０１－３１",
		Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Lang: zh}},
	{"target english", "target L12 2027-01-31", Command{Verb: Target, Lead: 12, Date: day(2027, 1, 31), Lang: en}},
	{"milestone demo", "里程碑 12 演示", Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneDemo, Lang: zh}},
	{"milestone glued", "里程碑12演示", Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneDemo, Lang: zh}},
	{"milestone decision maker", "里程碑 12 决策人",
		Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneDecisionMaker, Lang: zh}},
	{"milestone quote", "里程碑 12 报价 已发邮件",
		Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneProposal, Note: "已发邮件", Lang: zh}},
	{"milestone english", "milestone 12 demo", Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneDemo, Lang: en}},
	{"milestone two words", "milestone 12 decision maker",
		Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneDecisionMaker, Lang: en}},
	{"milestone capitals", "Milestone #12 Proposal.",
		Command{Verb: Milestone, Lead: 12, Milestone: engine.MilestoneProposal, Lang: en}},
	{"return english", "return 12", Command{Verb: Release, Lead: 12, Lang: en}},

	{"extend by default", "延期 12", Command{Verb: Extend, Lead: 12, Lang: zh}},
	{"extend days", "延期 12 2d", Command{Verb: Extend, Lead: 12, Extension: days(2), Lang: zh}},
	{"extend chinese days", "延期 12 2天 客户出差",
		Command{Verb: Extend, Lead: 12, Extension: days(2), Note: "客户出差", Lang: zh}},
	{"extend unit apart", "延期#12 4 小时", Command{Verb: Extend, Lead: 12, Extension: hours(4), Lang: zh}},
	{"extend a week", "延期 12 1周", Command{Verb: Extend, Lead: 12, Extension: days(5), Lang: zh}},
	{"extend weeks english", "extend 12 2w", Command{Verb: Extend, Lead: 12, Extension: days(10), Lang: en}},
	{"extend working days", "延期 12 3个工作日",
		Command{Verb: Extend, Lead: 12, Extension: days(3), Lang: zh}},
	{"extend bare number", "extend 12 2 waiting for the budget",
		Command{Verb: Extend, Lead: 12, Extension: days(2), Note: "waiting for the budget", Lang: en}},
	{"extend hours english", "extend L12 4h", Command{Verb: Extend, Lead: 12, Extension: hours(4), Lang: en}},
	{"extend full width", "延期 １２ ２ｄ", Command{Verb: Extend, Lead: 12, Extension: days(2), Lang: zh}},
	{"extend note with a number", "延期 12 3家竞品在比价",
		Command{Verb: Extend, Lead: 12, Note: "3家竞品在比价", Lang: zh}},
	{"extend note only", "延期 12 客户出差", Command{Verb: Extend, Lead: 12, Note: "客户出差", Lang: zh}},

	{"reassign by router", "改派 12", Command{Verb: Reassign, Lead: 12, Lang: zh}},
	{"reassign named", "改派 12 @张三 熟悉客户",
		Command{Verb: Reassign, Lead: 12, Target: "张三", Note: "熟悉客户", Lang: zh}},
	{"reassign english", "reassign 12 to alice",
		Command{Verb: Reassign, Lead: 12, Target: "alice", Lang: en}},
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func days(n int) *engine.Extension  { return &engine.Extension{Days: n} }
func hours(n int) *engine.Extension { return &engine.Extension{Hours: n} }

// errorTests are texts that are not commands, with what Parse says.
var errorTests = []struct {
	name string
	in   string
	want Error
}{
	{"empty", "", Error{Code: CodeEmpty, Lang: zh}},
	{"blank", " \u3000 ", Error{Code: CodeEmpty, Lang: zh}},
	{"set alone is no verb", "set east week won 5", Error{Code: CodeUnknownCommand, Lang: en}},
	{"set quota nothing", "设指标", Error{Code: CodeMissingGoal, Verb: SetQuota, Lang: zh}},
	{"set quota no amount", "set quota east week won", Error{Code: CodeMissingGoal,
		Verb: SetQuota, Lang: en}},
	{"set quota bare at", "设指标 @ 每周 won 5", Error{Code: CodeMissingGoal, Verb: SetQuota,
		Lang: zh}},
	{"set quota bad period", "设指标 east 每天 won 5", Error{Code: CodeBadPeriod,
		Verb: SetQuota, Lang: zh, Arg: "每天"}},
	{"set quota bad metric", "set quota east week calls 5", Error{Code: CodeBadMetric,
		Verb: SetQuota, Lang: en, Arg: "calls"}},
	{"set quota negative", "set quota east week won -5", Error{Code: CodeBadGoalAmount,
		Verb: SetQuota, Lang: en, Arg: "-5"}},
	{"set quota fraction", "设指标 east 周 赢单 2.5", Error{Code: CodeBadGoalAmount,
		Verb: SetQuota, Lang: zh, Arg: "2.5"}},
	{"set quota too big", "set quota east week won 2000000000000", Error{
		Code: CodeBadGoalAmount, Verb: SetQuota, Lang: en, Arg: "2000000000000"}},
	{"set quota bad split", "设指标 east 周 赢单 5 按资历", Error{Code: CodeBadSplit,
		Verb: SetQuota, Lang: zh, Arg: "按资历"}},
	{"set quota split for a rep", "set quota @alice week won 5 by capacity", Error{
		Code: CodeBadSplit, Verb: SetQuota, Lang: en, Arg: "capacity"}},
	{"set quota words after split", "set quota east week won 5 by capacity please", Error{
		Code: CodeBadSplit, Verb: SetQuota, Lang: en, Arg: "please"}},
	{"mention only", "@Leadbot ", Error{Code: CodeEmpty, Lang: zh}},
	{"chinese greeting", "你好", Error{Code: CodeUnknownCommand, Lang: zh}},
	{"english greeting", "hello there", Error{Code: CodeUnknownCommand, Lang: en}},
	{"number only", "12", Error{Code: CodeUnknownCommand, Lang: zh}},
	{"hash only", "#12", Error{Code: CodeUnknownCommand, Lang: zh}},
	{"english typo", "claimx 12", Error{Code: CodeUnknownCommand, Lang: en}},
	{"verb cut short", "抢 12", Error{Code: CodeUnknownCommand, Lang: zh}},
	{"chinese verb glued to mention", "@线索助手抢单12", Error{Code: CodeUnknownCommand, Lang: zh}},
	{"chinese words after a mention", "@Leadbot 别 抢单 12",
		Error{Code: CodeUnknownCommand, Lang: zh}},

	{"claim without lead", "抢单", Error{Code: CodeMissingLead, Verb: Claim, Lang: zh}},
	{"claim without lead english", "claim", Error{Code: CodeMissingLead, Verb: Claim, Lang: en}},
	{"claim letters", "抢单 abc", Error{Code: CodeBadLead, Verb: Claim, Lang: zh, Arg: "abc"}},
	{"claim zero", "claim 0", Error{Code: CodeBadLead, Verb: Claim, Lang: en, Arg: "0"}},
	{"claim negative", "claim -3", Error{Code: CodeBadLead, Verb: Claim, Lang: en, Arg: "-3"}},
	{"claim fraction", "claim 12.5", Error{Code: CodeBadLead, Verb: Claim, Lang: en, Arg: "12.5"}},
	{"claim too big", "claim 99999999999999999999",
		Error{Code: CodeBadLead, Verb: Claim, Lang: en, Arg: "99999999999999999999"}},
	{"claim word", "claim twelve", Error{Code: CodeBadLead, Verb: Claim, Lang: en, Arg: "twelve"}},
	{"claim with a word before the id", "抢单 线索12",
		Error{Code: CodeBadLead, Verb: Claim, Lang: zh, Arg: "线索12"}},
	{"claim thousands", "抢单 1,234",
		Error{Code: CodeBadLead, Verb: Claim, Lang: zh, Arg: "1,234"}},
	{"transfer target first", "转交 @张三 12",
		Error{Code: CodeBadLead, Verb: Transfer, Lang: zh, Arg: "@张三"}},
	{"show hash only", "详情 #", Error{Code: CodeMissingLead, Verb: Show, Lang: zh}},

	{"progress without percent", "进度 12",
		Error{Code: CodeMissingPercent, Verb: Progress, Lang: zh}},
	{"progress over 100", "进度 12 140",
		Error{Code: CodeBadPercent, Verb: Progress, Lang: zh, Arg: "140"}},
	{"progress negative", "进度 12 -5",
		Error{Code: CodeBadPercent, Verb: Progress, Lang: zh, Arg: "-5"}},
	{"progress in words", "进度 12 四十",
		Error{Code: CodeBadPercent, Verb: Progress, Lang: zh, Arg: "四十"}},
	{"progress fraction", "progress 12 40.5",
		Error{Code: CodeBadPercent, Verb: Progress, Lang: en, Arg: "40.5"}},
	{"progress sign only", "progress 12 %",
		Error{Code: CodeBadPercent, Verb: Progress, Lang: en, Arg: "%"}},
	{"progress note without percent", "进度 12 客户说下周签",
		Error{Code: CodeBadPercent, Verb: Progress, Lang: zh, Arg: "客户说下周签"}},
	{"progress without lead", "进度", Error{Code: CodeMissingLead, Verb: Progress, Lang: zh}},

	{"target without date", "目标 12", Error{Code: CodeMissingDate, Verb: Target, Lang: zh}},
	{"target bad date", "target 12 tomorrow",
		Error{Code: CodeBadDate, Verb: Target, Lang: en, Arg: "tomorrow"}},
	{"target no such day", "目标 12 2027-02-30",
		Error{Code: CodeBadDate, Verb: Target, Lang: zh, Arg: "2027-02-30"}},
	{"target day first", "target 12 31/01/2027",
		Error{Code: CodeBadDate, Verb: Target, Lang: en, Arg: "31/01/2027"}},
	{"target without lead", "目标", Error{Code: CodeMissingLead, Verb: Target, Lang: zh}},
	{"milestone without kind", "里程碑 12", Error{Code: CodeMissingMilestone, Verb: Milestone, Lang: zh}},
	{"milestone unknown", "milestone 12 lunch",
		Error{Code: CodeBadMilestone, Verb: Milestone, Lang: en, Arg: "lunch"}},

	{"done without outcome", "完成 12", Error{Code: CodeMissingOutcome, Verb: Done, Lang: zh}},
	{"done amount without outcome", "完成 12 28万",
		Error{Code: CodeMissingOutcome, Verb: Done, Lang: zh}},
	{"done unclear", "完成 12 也许",
		Error{Code: CodeBadOutcome, Verb: Done, Lang: zh, Arg: "也许"}},
	{"done unclear english", "done 12 maybe",
		Error{Code: CodeBadOutcome, Verb: Done, Lang: en, Arg: "maybe"}},
	{"done bad amount", "完成 12 赢单 28x",
		Error{Code: CodeBadAmount, Verb: Done, Lang: zh, Arg: "28x"}},
	{"done yen only", "done 12 won ¥", Error{Code: CodeBadAmount, Verb: Done, Lang: en, Arg: "¥"}},
	{"done two points", "done 12 won 2.8.0",
		Error{Code: CodeBadAmount, Verb: Done, Lang: en, Arg: "2.8.0"}},
	{"done without lead", "完成", Error{Code: CodeMissingLead, Verb: Done, Lang: zh}},

	{"transfer without target", "转交 12",
		Error{Code: CodeMissingTarget, Verb: Transfer, Lang: zh}},
	{"transfer at only", "转交 12 @", Error{Code: CodeMissingTarget, Verb: Transfer, Lang: zh}},
	{"transfer to nobody", "transfer 12 to",
		Error{Code: CodeMissingTarget, Verb: Transfer, Lang: en}},

	{"extend in months", "extend 12 2m", Error{Code: CodeBadExtension, Verb: Extend, Lang: en, Arg: "2m"}},
	{"extend zero", "延期 12 0d", Error{Code: CodeBadExtension, Verb: Extend, Lang: zh, Arg: "0d"}},
	{"extend huge", "延期 12 99999999999999999999天",
		Error{Code: CodeBadExtension, Verb: Extend, Lang: zh, Arg: "99999999999999999999"}},
	{"reassign at only", "改派 12 @", Error{Code: CodeMissingTarget, Verb: Reassign, Lang: zh}},

	{"dispute without reason", "申诉 12", Error{Code: CodeMissingReason, Verb: Dispute, Lang: zh}},
	{"dispute kind only", "申诉 12 提成", Error{Code: CodeMissingReason, Verb: Dispute, Lang: zh}},
	{"dispute kind only english", "dispute 12 ownership",
		Error{Code: CodeMissingReason, Verb: Dispute, Lang: en}},
}

// show formats a command with its amount, which %+v prints as an address.
func show(c Command) string {
	a := "nil"
	if c.Amount != nil {
		a = fmt.Sprint(*c.Amount)
	}
	return fmt.Sprintf("%+v (amount %s)", c, a)
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error %v, want %s", tt.in, err, show(tt.want))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, show(got), show(tt.want))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %s, %v, want error %+v", tt.in, show(got), err, tt.want)
			}
			if *e != tt.want {
				t.Errorf("Parse(%q) error %+v, want %+v", tt.in, *e, tt.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{Code: CodeUnknownCommand}, "parse command: unknown command"},
		{Error{Code: CodeBadLead, Verb: Claim, Arg: "abc"}, `parse command claim: bad lead "abc"`},
		{Error{Code: CodeMissingReason, Verb: Dispute}, "parse command dispute: missing reason"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestNeedsLead(t *testing.T) {
	for _, v := range allVerbs {
		want := v != Pool && v != Mine && v != Help && v != Quota && v != Dashboard &&
			v != SetQuota
		if got := v.NeedsLead(); got != want {
			t.Errorf("%s.NeedsLead() = %v, want %v", v, got, want)
		}
	}
}

// allVerbs and allCodes list the constants, for the tests that check the
// catalogue and the fuzzer.
var (
	allVerbs = []Verb{Pool, Claim, Mine, Progress, Done, Transfer, Dispute,
		Show, Help, Accept, Release, Target, Milestone, Extend, Reassign, Quota, Dashboard,
		SetQuota}
	allCodes = []Code{CodeEmpty, CodeUnknownCommand, CodeMissingLead,
		CodeBadLead, CodeMissingPercent, CodeBadPercent, CodeMissingOutcome,
		CodeBadOutcome, CodeBadAmount, CodeMissingTarget, CodeMissingReason,
		CodeMissingDate, CodeBadDate, CodeMissingMilestone, CodeBadMilestone,
		CodeBadExtension, CodeMissingGoal, CodeBadPeriod, CodeBadMetric,
		CodeBadGoalAmount, CodeBadSplit}
)

// forms are the words of each verb that the help text must show.
var forms = map[Verb][2]string{
	Pool: {"公海", "pool"}, Claim: {"抢单", "claim"}, Mine: {"我的", "mine"},
	Progress: {"进度", "progress"}, Done: {"完成", "done"},
	Transfer: {"转交", "transfer"}, Dispute: {"申诉", "dispute"},
	Show: {"详情", "show"}, Help: {"帮助", "help"},
	Accept: {"接受", "accept"}, Release: {"退回", "release"},
	Target: {"目标", "target"}, Milestone: {"里程碑", "milestone"},
	Extend: {"延期", "extend"}, Reassign: {"改派", "reassign"},
	Quota:     {"我的指标", "quota"},
	Dashboard: {"看板", "dashboard"},
	SetQuota:  {"设指标", "设置指标"},
}

func TestFormsAreVerbs(t *testing.T) {
	for _, v := range allVerbs {
		for _, w := range forms[v] {
			if got := verbs[w]; got.verb != v {
				t.Errorf("verbs[%q] = %q, want %q", w, got.verb, v)
			}
		}
	}
}

func TestCatalogueHasEveryAnswer(t *testing.T) {
	var keys []string
	for _, c := range allCodes {
		keys = append(keys, c.Key())
	}
	for _, v := range allVerbs {
		keys = append(keys, v.UsageKey())
	}
	for _, lang := range []i18n.Lang{zh, en} {
		for _, key := range keys {
			if got := i18n.T(lang, key, nil); got == key {
				t.Errorf("T(%s, %s) = %q, want a message", lang, key, got)
			}
		}
	}
}

func TestHelpShowsEveryVerb(t *testing.T) {
	for _, lang := range []i18n.Lang{zh, en} {
		help := i18n.T(lang, "help.text", nil)
		for _, v := range allVerbs {
			for _, w := range forms[v] {
				if !strings.Contains(help, w) {
					t.Errorf("help.text in %s lacks %q", lang, w)
				}
			}
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{"280000", 280000, true},
		{"280,000", 280000, true},
		{"¥280,000", 280000, true},
		{"28万", 280000, true},
		{"28.5万元", 285000, true},
		{"0.07万", 700, true},
		{"1.5亿", 150000000, true},
		{"28W", 280000, true},
		{"3.5k", 3500, true},
		{"cny 5000", 5000, true},
		{"5000元!", 5000, true},
		{"", 0, false},
		{"万", 0, false},
		{"1e5", 0, false},
		{"-5", 0, false},
		{"NaN", 0, false},
		{"0x10", 0, false},
		{"1..2", 0, false},
		{strings.Repeat("9", 400), 0, false},
	}
	for _, tt := range tests {
		got, ok := parseAmount(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseAmount(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
