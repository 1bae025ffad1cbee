package storage

import "testing"

// SetInsightPage makes the streams of health samples and exports read n
// rows at a time until the test ends.
func SetInsightPage(t *testing.T, n int) {
	old := insightPage
	insightPage = n
	t.Cleanup(func() { insightPage = old })
}
