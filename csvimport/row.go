package csvimport

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadbot/leadbot/engine"
)

// row is one data row read from a file. Its deal carries the lead's
// external id and profile for both kinds of file.
type row struct {
	line int
	deal engine.Deal
	due  *time.Time
	zone string // the customer's time zone, leads only
}

func (r row) lead() engine.LeadInput {
	return engine.LeadInput{ExternalID: r.deal.ExternalID, Profile: r.deal.Profile, DueAt: r.due,
		Timezone: r.zone}
}

// gbkHint follows the complaint that text read as UTF-8 is not.
const gbkHint = "(if the file is GBK, set the encoding to gbk)"

// rowParser turns records into rows by the columns of the header.
type rowParser struct {
	cols      []column
	attrs     int // columns kept as attributes
	loc       *time.Location
	checkUTF8 bool
	layout    int // index of the time layout that matched last
}

func newRowParser(cols []column, loc *time.Location, checkUTF8 bool) *rowParser {
	p := &rowParser{cols: cols, loc: loc, checkUTF8: checkUTF8}
	for _, c := range cols {
		if c.field == attributeField {
			p.attrs++
		}
	}
	return p
}

// parse reads into r the record that starts at line of the file, or says
// why it cannot be read, naming the column at fault.
func (p *rowParser) parse(rec []string, line int, r *row) error {
	if len(rec) != len(p.cols) {
		return fmt.Errorf("has %d fields, the header has %d", len(rec), len(p.cols))
	}
	*r = row{line: line}
	for i, cell := range rec {
		v := strings.TrimSpace(cell)
		if v == "" {
			continue
		}
		if err := p.set(r, p.cols[i], v); err != nil {
			return fmt.Errorf("column %q: %w", p.cols[i].header, err)
		}
	}
	return nil
}

func (p *rowParser) set(r *row, c column, v string) error {
	switch {
	case c.field == ignoreField:
		return nil
	case p.checkUTF8 && !utf8.ValidString(v):
		return errors.New("is not valid UTF-8 " + gbkHint)
	case c.field == attributeField:
		if r.deal.Attributes == nil {
			r.deal.Attributes = make(map[string]any, p.attrs)
		}
		r.deal.Attributes[c.header] = v
		return nil
	}
	return c.field.set(r, v, p)
}

// parseTime reads a time in any of the layouts, trying first the one that
// matched last, since a file writes all its times alike.
func (p *rowParser) parseTime(s string) (time.Time, error) {
	if t, err := time.ParseInLocation(layouts[p.layout], s, p.loc); err == nil {
		return t, nil
	}
	for i, l := range layouts {
		if t, err := time.ParseInLocation(l, s, p.loc); err == nil {
			p.layout = i
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf(
		"%q is not a time (want 2006-01-02, 2006-01-02 15:04, 2006/01/02 15:04 or RFC 3339)", s)
}

// column returns the header of the column that holds an engine input
// field such as "lead.contact.name", or "" if none does or if the header
// is the field's own name.
func (p *rowParser) column(engineField string) string {
	name := strings.ReplaceAll(strings.TrimPrefix(engineField, "lead."), ".", "_")
	for _, c := range p.cols {
		if c.field.name == name && normalize(c.header) != normalize(name) {
			return c.header
		}
	}
	return ""
}

// blank reports whether every cell of rec is empty or spaces.
func blank(rec []string) bool {
	for _, cell := range rec {
		if strings.TrimSpace(cell) != "" {
			return false
		}
	}
	return true
}
