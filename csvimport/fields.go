package csvimport

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/leadbot/leadbot/engine"
)

// setFunc stores the text of a non-empty cell in a row, or says why the
// text does not fit the field.
type setFunc func(r *row, v string, p *rowParser) error

// A field is where the cells of a column go.
type field struct {
	name    string
	leads   bool // the field exists in lead files
	history bool // the field exists in history files
	aliases []string
	set     setFunc
}

func (f *field) usedBy(k Kind) bool {
	return (k == Leads && f.leads) || (k == History && f.history)
}

// Pseudo-fields that Options.Mapping may name: drop the column, or keep
// it as a profile attribute under its header text.
var (
	ignoreField    = &field{name: "ignore", leads: true, history: true}
	attributeField = &field{name: "attribute", leads: true, history: true}
)

// fields lists the fields with the header names people give them. The
// field's own name is understood too.
var fields = []*field{
	{name: "external_id", leads: true, history: true, set: setExternalID,
		aliases: []string{"外部编号", "线索编号", "编号", "ID", "CRM ID", "external id"}},
	{name: "company", leads: true, history: true, set: setCompany,
		aliases: []string{"公司", "公司名称", "客户", "客户名称", "企业名称",
			"company name", "customer", "account"}},
	{name: "contact_name", leads: true, history: true, set: setContactName,
		aliases: []string{"联系人", "联系人姓名", "contact"}},
	{name: "contact_phone", leads: true, history: true, set: setContactPhone,
		aliases: []string{"电话", "手机", "联系电话", "手机号", "phone", "mobile"}},
	{name: "industry", leads: true, history: true, set: setIndustry,
		aliases: []string{"行业"}},
	{name: "product_line", leads: true, history: true, set: setProductLine,
		aliases: []string{"产品线", "产品", "product"}},
	{name: "customer_type", leads: true, history: true, set: setCustomerType,
		aliases: []string{"客户类型"}},
	{name: "company_size", leads: true, history: true, set: setCompanySize,
		aliases: []string{"公司规模", "人数", "员工数", "employees", "headcount"}},
	{name: "region", leads: true, history: true, set: setRegion,
		aliases: []string{"区域", "地区", "大区", "area"}},
	{name: "expected_amount", leads: true, history: true, set: setExpectedAmount,
		aliases: []string{"预计金额", "金额", "预算", "budget"}},
	{name: "close_probability", leads: true, history: true, set: setCloseProbability,
		aliases: []string{"成交概率", "赢率", "probability", "win rate"}},
	{name: "source", leads: true, history: true, set: setSource,
		aliases: []string{"来源", "线索来源", "lead source"}},
	{name: "interactions", leads: true, history: true, set: setInteractions,
		aliases: []string{"互动次数"}},
	{name: "due_at", leads: true, set: setDueAt,
		aliases: []string{"截止时间", "跟进截止", "due", "deadline"}},
	{name: "timezone", leads: true, set: setTimezone,
		aliases: []string{"时区", "客户时区", "所在时区", "tz"}},
	{name: "rep_id", history: true, set: setRepID,
		aliases: []string{"销售", "负责人", "销售编号", "owner", "rep"}},
	{name: "outcome", history: true, set: setOutcome,
		aliases: []string{"结果", "result"}},
	{name: "amount", history: true, set: setAmount,
		aliases: []string{"成交金额", "合同金额", "deal amount"}},
	{name: "closed_at", history: true, set: setClosedAt,
		aliases: []string{"成交时间", "关闭时间", "结单时间", "close date"}},
}

// required names the fields a file of each kind must have a column for.
var required = map[Kind][]string{
	Leads:   {"external_id", "company"},
	History: {"company", "rep_id", "outcome", "closed_at"},
}

// builtin finds a field by a normalized header name.
var builtin = indexFields()

// byName finds a field, or a pseudo-field, by its name.
var byName = fieldNames()

func indexFields() map[string]*field {
	m := make(map[string]*field)
	for _, f := range fields {
		for _, a := range append([]string{f.name}, f.aliases...) {
			n := normalize(a)
			if g, ok := m[n]; ok && g != f {
				panic(fmt.Sprintf("csvimport: header %q names both %s and %s", a, g.name, f.name))
			}
			m[n] = f
		}
	}
	return m
}

func fieldNames() map[string]*field {
	m := map[string]*field{ignoreField.name: ignoreField, attributeField.name: attributeField}
	for _, f := range fields {
		m[f.name] = f
	}
	return m
}

// normalize makes header names compare equal regardless of case, spaces,
// underscores and hyphens.
func normalize(h string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '\uFEFF' {
			return -1
		}
		return unicode.ToLower(r)
	}, h)
}

// lookupField returns the field or pseudo-field called name.
func lookupField(name string) (*field, error) {
	f, ok := byName[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("unknown field %q (known fields: %s)", name, knownFields())
	}
	return f, nil
}

func knownFields() string {
	names := make([]string, 0, len(fields)+2)
	for _, f := range fields {
		names = append(names, f.name)
	}
	names = append(names, ignoreField.name, attributeField.name)
	return strings.Join(names, ", ")
}

func setExternalID(r *row, v string, _ *rowParser) error {
	r.deal.ExternalID = v
	return nil
}

func setCompany(r *row, v string, _ *rowParser) error {
	r.deal.Company = v
	return nil
}

func setContactName(r *row, v string, _ *rowParser) error {
	r.deal.Contact.Name = v
	return nil
}

func setContactPhone(r *row, v string, _ *rowParser) error {
	r.deal.Contact.Phone = v
	return nil
}

func setIndustry(r *row, v string, _ *rowParser) error {
	r.deal.Industry = v
	return nil
}

func setProductLine(r *row, v string, _ *rowParser) error {
	r.deal.ProductLine = v
	return nil
}

func setRegion(r *row, v string, _ *rowParser) error {
	r.deal.Region = v
	return nil
}

func setSource(r *row, v string, _ *rowParser) error {
	r.deal.Source = v
	return nil
}

func setRepID(r *row, v string, _ *rowParser) error {
	r.deal.RepID = engine.RepID(v)
	return nil
}

func setCustomerType(r *row, v string, _ *rowParser) error {
	t, err := parseCustomerType(v)
	r.deal.CustomerType = t
	return err
}

func setCompanySize(r *row, v string, _ *rowParser) error {
	n, err := parseCount(v)
	r.deal.CompanySize = n
	return err
}

func setInteractions(r *row, v string, _ *rowParser) error {
	n, err := parseCount(v)
	r.deal.Interactions = n
	return err
}

func setExpectedAmount(r *row, v string, _ *rowParser) error {
	a, err := parseAmount(v)
	r.deal.ExpectedAmount = a
	return err
}

func setAmount(r *row, v string, _ *rowParser) error {
	a, err := parseAmount(v)
	r.deal.Amount = a
	return err
}

func setCloseProbability(r *row, v string, _ *rowParser) error {
	pr, err := parseProbability(v)
	if err != nil {
		return err
	}
	r.deal.CloseProbability = &pr
	return nil
}

func setOutcome(r *row, v string, _ *rowParser) error {
	o, err := parseOutcome(v)
	r.deal.Outcome = o
	return err
}

func setDueAt(r *row, v string, p *rowParser) error {
	t, err := p.parseTime(v)
	if err != nil {
		return err
	}
	r.due = &t
	return nil
}

func setTimezone(r *row, v string, _ *rowParser) error {
	r.zone = v
	return nil
}

func setClosedAt(r *row, v string, p *rowParser) error {
	t, err := p.parseTime(v)
	r.deal.ClosedAt = t
	return err
}
