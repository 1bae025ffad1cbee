package console

import (
	"context"
	"fmt"
	"strings"

	"github.com/leadbot/leadbot/engine"
)

// DemoPrefix starts the id of every rep the demo team seeds, so that the
// console can say it shows demo data and an admin can find and remove it.
const DemoPrefix = "demo-"

var demoReps = []engine.Rep{
	{ID: "demo-zhangsan", Name: "张三", Team: "华东", Role: engine.RoleRep, Level: "senior", Capacity: 5,
		Industries: []string{"medical"}, Regions: []string{"east"}, Timezone: "Asia/Shanghai", Active: true},
	{ID: "demo-lisi", Name: "李四", Team: "华东", Role: engine.RoleRep, Level: "junior", Capacity: 3,
		Regions: []string{"east"}, Timezone: "Asia/Shanghai", Active: true},
	{ID: "demo-wangwu", Name: "王五", Team: "华东", Role: engine.RoleLead, Capacity: 2,
		Regions: []string{"east"}, Timezone: "Asia/Shanghai", Active: true},
	{ID: "demo-zhaoliu", Name: "赵六", Team: "华东", Role: engine.RoleManager, Capacity: 0,
		Timezone: "Asia/Shanghai", Active: true},
}

func demoLeads() []engine.LeadInput {
	p := func(v float64) *float64 { return &v }
	return []engine.LeadInput{
		{ExternalID: "demo-1001", Profile: engine.Profile{Company: "华东某三甲医院", Industry: "medical",
			ProductLine: "imaging", CustomerType: engine.CustomerNew, Region: "east", ExpectedAmount: 300000,
			CloseProbability: p(0.7), Source: "web", Contact: engine.Contact{Name: "李主任"}}},
		{ExternalID: "demo-1002", Profile: engine.Profile{Company: "苏州某精密制造", Industry: "manufacturing",
			CustomerType: engine.CustomerExisting, Region: "east", ExpectedAmount: 80000,
			CloseProbability: p(0.4), Source: "expo", Contact: engine.Contact{Name: "周经理"}}},
		{ExternalID: "demo-1003", Profile: engine.Profile{Company: "杭州某连锁药房", Industry: "retail",
			CustomerType: engine.CustomerNew, Region: "east", ExpectedAmount: 20000,
			CloseProbability: p(0.2), Source: "referral", Contact: engine.Contact{Name: "陈店长"}}},
	}
}

// SeedDemo fills an empty roster with a small demo team and a few leads,
// so that a first start has something to click. It does nothing where
// any rep exists, and reports whether it seeded.
func SeedDemo(ctx context.Context, svc *engine.Service) (bool, error) {
	reps, err := svc.Reps(ctx)
	if err != nil || len(reps) > 0 {
		return false, err
	}
	for _, r := range demoReps {
		if _, err := svc.PutRep(ctx, r, engine.Actor("demo")); err != nil {
			return false, fmt.Errorf("seed demo rep %s: %w", r.ID, err)
		}
	}
	for _, in := range demoLeads() {
		if _, _, err := svc.Intake(ctx, in, engine.Actor("demo")); err != nil {
			return false, fmt.Errorf("seed demo lead %s: %w", in.ExternalID, err)
		}
	}
	return true, nil
}

// HasDemo reports whether the roster holds demo reps.
func HasDemo(reps []engine.Rep) bool {
	for _, r := range reps {
		if strings.HasPrefix(string(r.ID), DemoPrefix) {
			return true
		}
	}
	return false
}
