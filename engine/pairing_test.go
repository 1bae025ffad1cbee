package engine

import (
	"testing"
	"time"
)

func TestPairingConditionMatches(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	lead := Profile{Industry: " Medical ", ProductLine: "影像", CustomerType: CustomerExisting,
		CompanySize: 800, ExpectedAmount: 600000,
		Attributes: map[string]any{"channel": "Partner", "visits": float64(3)}}
	tests := []struct {
		name string
		when PairingCondition
		want bool
	}{
		{"amount over", PairingCondition{AmountOver: f(500000)}, true},
		{"amount over, exclusive", PairingCondition{AmountOver: f(600000)}, false},
		{"amount under", PairingCondition{AmountUnder: f(500000)}, false},
		{"amount between", PairingCondition{AmountOver: f(1), AmountUnder: f(1e6)}, true},
		{"industry in, any case", PairingCondition{Industries: []string{"finance", "medical"}}, true},
		{"industry not in", PairingCondition{Industries: []string{"finance"}}, false},
		{"product line", PairingCondition{ProductLines: []string{"影像"}}, true},
		{"customer type", PairingCondition{CustomerType: CustomerNew}, false},
		{"size over", PairingCondition{SizeOver: n(500)}, true},
		{"size under", PairingCondition{SizeUnder: n(500)}, false},
		{"attribute text", PairingCondition{Attributes: map[string]string{"channel": "partner"}}, true},
		{"attribute number", PairingCondition{Attributes: map[string]string{"visits": "3"}}, true},
		{"attribute differs", PairingCondition{Attributes: map[string]string{"channel": "web"}}, false},
		{"attribute missing", PairingCondition{Attributes: map[string]string{"region": "east"}}, false},
		{"every condition must hold", PairingCondition{AmountOver: f(500000), CustomerType: CustomerNew}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.when.matches(lead); got != tt.want {
				t.Errorf("matches = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestCollaborationOptionsValidate(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rule := func(name, tag string) PairingRule {
		return PairingRule{Name: name, When: PairingCondition{AmountOver: f(500000)},
			Add: PairingTarget{Tag: tag}}
	}
	tests := []struct {
		name  string
		edit  func(o *CollaborationOptions)
		field string
	}{
		{"defaults", func(o *CollaborationOptions) {}, ""},
		{"good rules", func(o *CollaborationOptions) {
			o.Pairing = []PairingRule{rule("a", "tc"), rule("b", "tc")}
		}, ""},
		{"expert rate", func(o *CollaborationOptions) { o.ExpertRate = 1.5 }, "expert_rate"},
		{"confidence", func(o *CollaborationOptions) { o.ExpertConfidence = -0.1 }, "expert_confidence"},
		{"squad size", func(o *CollaborationOptions) { o.SquadSize = -1 }, "squad_size"},
		{"squad for", func(o *CollaborationOptions) { o.SquadFor = -time.Hour }, "squad_for"},
		{"key industry blank", func(o *CollaborationOptions) { o.KeyIndustries = []string{" "} }, "key_industries"},
		{"rule without name", func(o *CollaborationOptions) {
			o.Pairing = []PairingRule{rule("a", "tc"), rule("", "tc")}
		}, "pairing[1].name"},
		{"rule without tag", func(o *CollaborationOptions) {
			o.Pairing = []PairingRule{rule("a", "")}
		}, "pairing[0].add.tag"},
		{"rule without condition", func(o *CollaborationOptions) {
			o.Pairing = []PairingRule{{Name: "all", Add: PairingTarget{Tag: "tc"}}}
		}, "pairing[0].when"},
		{"negative amount", func(o *CollaborationOptions) {
			r := rule("a", "tc")
			r.When.AmountOver = f(-1)
			o.Pairing = []PairingRule{r}
		}, "pairing[0].when.amount_over"},
		{"bad customer type", func(o *CollaborationOptions) {
			r := rule("a", "tc")
			r.When.CustomerType = "vip"
			o.Pairing = []PairingRule{rule("ok", "tc"), r}
		}, "pairing[1].when.customer_type"},
		{"duplicate names", func(o *CollaborationOptions) {
			o.Pairing = []PairingRule{rule("a", "tc"), rule("b", "tc"), rule("a", "x")}
		}, "pairing[2].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultCollaborationOptions
			tt.edit(&o)
			err := o.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if KindOf(err) != Invalid || FieldOf(err) != tt.field {
				t.Fatalf("Validate = %v, want Invalid naming %s", err, tt.field)
			}
		})
	}
}

func TestSquadCatalogComplete(t *testing.T) {
	for lang, c := range sqCatalog {
		for m, s := range c {
			if s == "" {
				t.Errorf("%s sentence %d is empty", lang, m)
			}
		}
	}
}
