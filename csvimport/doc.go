// Package csvimport reads the CSV files that CRMs and spreadsheets export,
// leads to route or closed deals to learn from, and hands their rows to
// the engine in batches through a Sink, which *engine.Service satisfies.
//
// It reads UTF-8, with or without a byte order mark, and GBK; Chinese and
// English column names; and amounts, probabilities and times the way
// people write them ("120万", "¥1,200,000", "60%", "2024/3/1 9:30"). A row
// it cannot read is rejected alone, by its line in the file, and the other
// rows go ahead. It relies on golang.org/x/text for GBK.
package csvimport
