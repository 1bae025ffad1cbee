package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Lang is the language in which a strategy or scorer writes its reasons.
type Lang string

// The languages reasons come in. The zero Lang reads as Chinese.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// Validate reports a language the engine cannot write.
func (l Lang) Validate() error {
	switch l {
	case "", Chinese, English:
		return nil
	}
	return invalid("lang", "invalid_value", "is %q, must be zh or en", l)
}

// msg names one sentence of the reason catalog.
type msg int

const (
	msgStandby msg = iota
	msgStandbyWhy
	msgSkipped
	msgSkipFull
	msgSkipInactive
	msgSkipRegion
	msgListSep
	msgValueChosen
	msgChanceChosen
	msgBaseOwn
	msgBaseModel
	msgBasePrior
	msgCellAll
	msgCellIndustry
	msgCellProduct
	msgCellCustomer
	msgCellSize
	msgDeclared
	msgLoad
	msgLoadDown
	msgLoadUp
	msgCandidates
	msgCandidate
	msgItemSep
	msgTie
	msgFairness
	msgExplore
	msgLowConfidence
	msgLeastLoaded
	msgScoreProbOwn
	msgScoreProbModel
	msgScoreProbDefault
	msgScoreAmount
	msgScorePart
	msgRoundRobin
	msgClaimed
	msgPoolHybrid
	msgPoolMode
	msgReleased
	msgHandedOver
	msgDrained
	msgProtected
	msgRecycled
	msgCreated
	msgAtOnce
	msgWaiting
	msgPooled
	msgClosedFor
	msgDue
	msgOverdueTier
	msgRecycleAt
	msgTransferAsked
	msgTransferRejected
	msgDuplicate
	msgTargetSet
	msgMilestonePlanned
	msgMilestoneMoved
	msgMilestoneDue
	msgMilestoneOverdue
	msgMilestoneDone
	msgCadenceBehind
	msgSilence
	msgTieOne
	msgLagAlert
	msgExtended
	msgReassigned
	msgReturned
	msgSkipZone
	msgCount
)

// catalog holds every reason in every language, as fmt formats with the
// same verbs in the same order.
var catalog = map[Lang]*[msgCount]string{
	Chinese: {
		msgStandby:          "没有合适且有空位的销售：进入待分配",
		msgStandbyWhy:       "没有合适且有空位的销售（%s）：进入待分配",
		msgSkipped:          "跳过 %s的销售",
		msgSkipFull:         "%d 名满负荷",
		msgSkipInactive:     "%d 名不在岗",
		msgSkipRegion:       "%d 名区域不符",
		msgListSep:          "、",
		msgValueChosen:      "按期望价值分配给 %s：赢单概率 %s，期望价值 %s",
		msgChanceChosen:     "按赢单概率分配给 %s：赢单概率 %s（线索未填金额）",
		msgBaseOwn:          "线索自带成交概率 %s",
		msgBaseModel:        "模型依据 %d 单历史估计线索成交概率 %s",
		msgBasePrior:        "历史不足，线索成交概率按 %s 估计",
		msgCellAll:          "总体赢率 %s，团队平均 %s（%d 单历史）",
		msgCellIndustry:     "%s行业赢率 %s，团队平均 %s（%d 单历史）",
		msgCellProduct:      "产品线「%s」赢率 %s，团队平均 %s（%d 单历史）",
		msgCellCustomer:     "%s赢率 %s，团队平均 %s（%d 单历史）",
		msgCellSize:         "%s 人规模客户赢率 %s，团队平均 %s（%d 单历史）",
		msgDeclared:         "自报擅长%s，仅作弱参考",
		msgLoad:             "负载 %d/%d",
		msgLoadDown:         "负载 %d/%d，赢率因此降低 %d 个百分点",
		msgLoadUp:           "负载 %d/%d，低于平均，赢率因此提高 %d 个百分点",
		msgCandidates:       "候选人：%s",
		msgCandidate:        "%s %s（线索 %s，能力 %s，负载 %s 个百分点）",
		msgItemSep:          "；",
		msgTie:              "与另外 %d 人并列（如 %s），按线索编号随机决定，结果可复现",
		msgFairness:         "公平限制：%s 近期已获 %s 的 A 类线索（上限 %s），改派给次优人选",
		msgExplore:          "培养新人：%s 历史较少（置信度 %s），按 %s 的探索比例获得这条线索；原最优人选为 %s",
		msgLowConfidence:    "%s 历史较少（置信度 %s），以上赢率主要按团队水平估计",
		msgLeastLoaded:      "最空闲：%s 负载 %d/%d（%s），在 %d 名合适且有空位的销售中最低",
		msgScoreProbOwn:     "成交概率 %s（线索自带）",
		msgScoreProbModel:   "成交概率 %s（模型依据 %d 单历史估计）",
		msgScoreProbDefault: "未提供成交概率，按默认 %s",
		msgScoreAmount:      "预计金额 %s（%s）",
		msgScorePart:        "%s得 %s 分（满分 %s）",
		msgRoundRobin:       "轮流分配：%s 在 %d 名有空位的销售中最久没有拿到新线索",
		msgClaimed:          "%s 从公海抢单",
		msgPoolHybrid:       "混合模式：%s 级线索进入公海，只有 A 级线索直接分配",
		msgPoolMode:         "公海模式：所有新线索进入公海，由销售抢单",
		msgReleased:         "%s 退回公海",
		msgHandedOver:       "由 %s 转交给 %s",
		msgDrained:          "排队期间有销售空出名额，自动分配",
		msgRecycled:         "%s 超过 %d 小时未跟进，收回公海",
		msgCreated:          "评分 %.1f，%s 级，%s",
		msgAtOnce:           "直接分配",
		msgWaiting:          "排队等待：合适的销售都已满负荷",
		msgPooled:           "进入公海",
		msgClosedFor:        "%s，%s",
		msgDue:              "截止 %s",
		msgOverdueTier:      "已超时，第 %d 级提醒",
		msgRecycleAt:        "没有跟进记录：将于 %s 收回公海",
		msgTransferAsked:    "%s：申请转交给 %s，等待审批",
		msgTransferRejected: "%s：转交未获批准",
		msgDuplicate:        "重复客户：与 %s 是同一客户，归原跟进人 %s",
		msgTargetSet:        "目标成交日 %s；里程碑：%s",
		msgMilestonePlanned: "%s %s",
		msgMilestoneMoved:   "%s %s（按倒推应在 %s，已过，改为最早可行日）",
		msgMilestoneDue:     "里程碑「%s」截止 %s",
		msgMilestoneOverdue: "里程碑「%s」已逾期（截止 %s）",
		msgMilestoneDone:    "里程碑「%s」已完成",
		msgCadenceBehind:    "跟进节奏落后：要求每周 %d 次，上次跟进 %s",
		msgSilence:          "已连续 %d 天没有跟进（上次 %s）",
		msgProtected:        "老客户保护期：%s 自 %s 起跟进该客户，保护期至 %s，归属不变",
		msgTieOne:           "与 %s 并列，按线索编号随机选定，结果可复现",
		msgLagAlert:         "进度 %d%%，按计划应到 %d%%：提前提醒组长",
		msgExtended:         "%s 把截止时间从 %s 延到 %s",
		msgReassigned:       "%s 改派：原跟进人 %s",
		msgReturned:         "%s 收回公海：原跟进人 %s",
		msgSkipZone:         "%d 名时区不重叠",
	},
	English: {
		msgStandby:      "nobody who fits has room: waiting on standby",
		msgStandbyWhy:   "nobody who fits has room (%s): waiting on standby",
		msgSkipped:      "skipped %s reps",
		msgSkipFull:     "%d full",
		msgSkipInactive: "%d inactive",
		msgSkipRegion:   "%d out-of-region",
		msgListSep:      ", ",
		msgValueChosen:  "expected value: %s wins it with probability %s, worth %s",
		msgChanceChosen: "best chance: %s wins it with probability %s (the lead has no amount)",
		msgBaseOwn:      "the lead's own close probability is %s",
		msgBaseModel: "the model, trained on %d closed deals, " +
			"puts the close probability at %s",
		msgBasePrior:    "too little history for a model: close probability taken as %s",
		msgCellAll:      "overall win rate %s, team average %s (%d deals)",
		msgCellIndustry: "%s win rate %s, team average %s (%d deals)",
		msgCellProduct:  "product line %s: win rate %s, team average %s (%d deals)",
		msgCellCustomer: "%s: win rate %s, team average %s (%d deals)",
		msgCellSize:     "companies of %s staff: win rate %s, team average %s (%d deals)",
		msgDeclared:     "declares %s expertise, counted as a weak hint only",
		msgLoad:         "load %d of %d",
		msgLoadDown:     "load %d of %d costs %d points of win chance",
		msgLoadUp:       "load %d of %d is below average, adding %d points of win chance",
		msgCandidates:   "candidates: %s",
		msgCandidate:    "%s %s (lead %s, record %s, load %s points)",
		msgItemSep:      "; ",
		msgTie: "tied with %d others (such as %s); broken at random, " +
			"seeded by the lead's id so it is reproducible",
		msgFairness: "fairness: %s already holds %s of recent A leads (cap %s), " +
			"so the next best gets it",
		msgExplore: "exploration: %s has little history (confidence %s) and gets " +
			"this lead under the %s exploration share; the best estimate was %s",
		msgLowConfidence: "%s has little history (confidence %s): " +
			"the rates above lean on the team's",
		msgLeastLoaded: "least loaded: %s at %d of %d (%s), " +
			"the lowest of %d fitting reps with room",
		msgScoreProbOwn:     "close probability %s (given with the lead)",
		msgScoreProbModel:   "close probability %s (estimated by the model from %d closed deals)",
		msgScoreProbDefault: "no close probability given: assumed %s",
		msgScoreAmount:      "expected amount %s (%s deal)",
		msgScorePart:        "%s adds %s of its %s points",
		msgRoundRobin:       "round-robin: %s has waited longest for a new lead among %d reps with room",
		msgClaimed:          "claimed from the open pool by %s",
		msgPoolHybrid:       "hybrid mode: tier %s leads go to the open pool, only tier A is assigned at once",
		msgPoolMode:         "pool mode: every new lead goes to the open pool for reps to claim",
		msgReleased:         "given back to the open pool by %s",
		msgHandedOver:       "handed over from %s to %s",
		msgDrained:          "capacity freed up while it waited on standby",
		msgRecycled:         "%s recorded no follow-up for %d hours: back to the open pool",
		msgCreated:          "score %.1f, tier %s, %s",
		msgAtOnce:           "assigned at once",
		msgWaiting:          "on standby: every fitting rep is at capacity",
		msgPooled:           "put in the open pool",
		msgClosedFor:        "%s, %s",
		msgDue:              "due %s",
		msgOverdueTier:      "overdue, tier %d",
		msgRecycleAt:        "no follow-up: back to the pool at %s",
		msgTransferAsked:    "%s: hand-over to %s asked, waiting for approval",
		msgTransferRejected: "%s: hand-over rejected",
		msgDuplicate:        "same customer as %s: attached to its owner %s",
		msgTargetSet:        "target close date %s; milestones: %s",
		msgMilestonePlanned: "%s %s",
		msgMilestoneMoved:   "%s %s (planned back it fell on %s, already past: moved to the earliest workable day)",
		msgMilestoneDue:     "milestone %s due %s",
		msgMilestoneOverdue: "milestone %s overdue (due %s)",
		msgMilestoneDone:    "milestone %s done",
		msgCadenceBehind:    "behind the follow-up cadence: %d touches a week needed, last touch %s",
		msgSilence:          "no touch for %d days (last %s)",
		msgProtected:        "existing-customer protection: %s has held this customer since %s, protected until %s; ownership stays",
		msgTieOne:           "tied with %s; broken at random, seeded by the lead's id so it is reproducible",
		msgLagAlert:         "progress %d%%, the plan says %d%% by now: the team lead is told early",
		msgExtended:         "%s moved the deadline from %s to %s",
		msgReassigned:       "reassigned by %s, away from %s",
		msgReturned:         "returned to the open pool by %s, away from %s",
		msgSkipZone:         "%d out-of-time-zone",
	},
}

// words holds the short terms reasons are built from.
var words = map[Lang]map[string]string{
	Chinese: {
		"large": "大单", "mid": "中单", "small": "小单",
		"new": "新客户", "existing": "老客户", "missing": "未填",
		"industry": "行业", "company_size": "公司规模",
		"expected_amount": "预计金额", "customer_type": "客户类型",
		"source": "来源", "region": "区域", "interactions": "互动次数",
		"recency": "距上次联系天数", "product_line": "产品线",
		"probability": "成交概率", "attribute": "属性",
		"won": "赢单", "lost": "输单",
		"decision_maker": "联系决策人", "demo": "演示", "proposal": "方案报价",
	},
	English: {
		"large": "large", "mid": "mid-size", "small": "small",
		"new": "new customers", "existing": "existing customers",
		"missing":  "missing",
		"industry": "industry", "company_size": "company size",
		"expected_amount": "expected amount", "customer_type": "customer type",
		"source": "source", "region": "region", "interactions": "interactions",
		"recency": "days since last contact", "product_line": "product line",
		"probability": "close probability", "attribute": "attribute",
		"won": "won", "lost": "lost",
		"decision_maker": "decision-maker contact", "demo": "demo",
		"proposal": "proposal",
	},
}

func (l Lang) resolved() Lang {
	if l == English {
		return English
	}
	return Chinese
}

// say formats one catalog sentence.
func (l Lang) say(m msg, args ...any) string {
	return fmt.Sprintf(catalog[l.resolved()][m], args...)
}

// word returns a short term, or the key itself when it has none.
func (l Lang) word(key string) string {
	if w, ok := words[l.resolved()][key]; ok {
		return w
	}
	return key
}

// label names an input and its value, as in 行业「医疗」 or industry
// healthcare.
func (l Lang) label(input, value string) string {
	if l.resolved() == Chinese {
		return l.word(input) + "「" + value + "」"
	}
	return l.word(input) + " " + value
}

func pct(p float64) string { return strconv.Itoa(int(math.Round(p*100))) + "%" }

// decimal writes a number with at most one decimal.
func decimal(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// money writes an amount the way the language's sales teams say it:
// 11.4万元, or 114,000 yuan.
func (l Lang) money(v float64) string {
	if l.resolved() == Chinese {
		if v >= 10_000 {
			return strconv.FormatFloat(math.Round(v/1000)/10, 'f', -1, 64) + "万元"
		}
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + "元"
	}
	return groupThousands(int64(math.Round(v))) + " yuan"
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
