package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/leadbot/leadbot/engine"
)

// A column is a column of the file and the field its cells go to: a
// field of the kind of file, ignoreField or attributeField.
type column struct {
	header string
	field  *field
}

// ParseMapping reads header-to-field pairs written as a command-line flag,
// "客户全称=company,Owner=rep_id", into the form of Options.Mapping. Pairs
// are separated by commas, ASCII or full-width. Besides the fields, a
// header may be mapped to "ignore" to drop its column, or to "attribute"
// to keep it as a profile attribute. An unknown field name is an error
// that lists the known ones.
func ParseMapping(s string) (map[string]string, error) {
	m := make(map[string]string)
	pairs := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' })
	for _, pair := range pairs {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		i := strings.LastIndex(pair, "=")
		if i < 0 || strings.TrimSpace(pair[:i]) == "" {
			return nil, fmt.Errorf("mapping %q: want header=field", pair)
		}
		header := strings.TrimSpace(pair[:i])
		f, err := lookupField(pair[i+1:])
		if err != nil {
			return nil, fmt.Errorf("mapping %q: %w", pair, err)
		}
		if old, ok := m[header]; ok && old != f.name {
			return nil, mappedTwice(header, old, f.name)
		}
		m[header] = f.name
	}
	return m, nil
}

// customFields turns Options.Mapping into fields by normalized header.
func customFields(mapping map[string]string) (map[string]*field, error) {
	m := make(map[string]*field, len(mapping))
	for header, name := range mapping {
		f, err := lookupField(name)
		if err != nil {
			return nil, fmt.Errorf("mapping %q: %w", header, err)
		}
		n := normalize(header)
		if g, ok := m[n]; ok && g != f {
			return nil, mappedTwice(header, g.name, f.name)
		}
		m[n] = f
	}
	return m, nil
}

func mappedTwice(header, a, b string) error {
	return fmt.Errorf("mapping: header %q is mapped to both %s and %s", header, a, b)
}

// readHeader reads the first row of the file and decides where each
// column goes.
func readHeader(cr *csv.Reader, kind Kind, mapping map[string]string, checkUTF8 bool) (
	[]column, error) {
	custom, err := customFields(mapping)
	if err != nil {
		return nil, err
	}
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("file is empty: want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if checkUTF8 && !utf8.ValidString(strings.Join(rec, "")) {
		return nil, errors.New("header is not valid UTF-8 " + gbkHint)
	}
	return mapHeader(rec, kind, custom)
}

func mapHeader(rec []string, kind Kind, custom map[string]*field) ([]column, error) {
	cols := make([]column, len(rec))
	seen := make(map[string]int) // field name or attribute header -> column index
	for i, h := range rec {
		c, err := resolve(strings.TrimSpace(h), kind, custom)
		if err != nil {
			return nil, err
		}
		cols[i] = c
		if c.field == ignoreField {
			continue
		}
		key := c.field.name
		if c.field == attributeField {
			key = "attribute " + c.header
		}
		if j, ok := seen[key]; ok {
			return nil, duplicate(cols[j], j, c, i)
		}
		seen[key] = i
	}

	if err := checkRequired(kind, seen); err != nil {
		return nil, err
	}
	return cols, checkAttributes(cols)
}

// resolve decides where the column headed h goes: where the custom
// mapping says, else to the field it names, else to the attributes. A
// column without a header is dropped.
func resolve(h string, kind Kind, custom map[string]*field) (column, error) {
	n := normalize(h)
	if f, ok := custom[n]; ok {
		if !f.usedBy(kind) {
			return column{}, fmt.Errorf("column %q: field %s is not part of a %s file",
				h, f.name, kind)
		}
		return column{h, f}, nil
	}
	if n == "" {
		return column{h, ignoreField}, nil
	}
	if f, ok := builtin[n]; ok && f.usedBy(kind) {
		return column{h, f}, nil
	}
	return column{h, attributeField}, nil
}

func duplicate(a column, i int, b column, j int) error {
	if a.field == attributeField {
		return fmt.Errorf("columns %d and %d are both headed %q", i+1, j+1, a.header)
	}
	return fmt.Errorf("columns %d %q and %d %q both map to %s: map one of them to another field, "+
		"to attribute or to ignore", i+1, a.header, j+1, b.header, a.field.name)
}

func checkRequired(kind Kind, seen map[string]int) error {
	var missing []string
	for _, name := range required[kind] {
		if _, ok := seen[name]; !ok {
			f := byName[name]
			missing = append(missing, fmt.Sprintf("%s (headed %s or %s)",
				name, strings.Join(f.aliases, ", "), name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing column for %s", strings.Join(missing, "; "))
	}
	return nil
}

// checkAttributes refuses headers that the engine would refuse as
// attribute names in every row.
func checkAttributes(cols []column) error {
	n := 0
	for i, c := range cols {
		if c.field != attributeField {
			continue
		}
		n++
		if utf8.RuneCountInString(c.header) > engine.MaxShortLen {
			return fmt.Errorf("column %d %q: header is over %d characters, too long for an "+
				"attribute: map it to a field or to ignore", i+1, c.header, engine.MaxShortLen)
		}
	}
	if n > engine.MaxAttributes {
		return fmt.Errorf("%d columns map to no field, and at most %d can be kept as attributes: "+
			"map some of them to ignore", n, engine.MaxAttributes)
	}
	return nil
}
