package bot

// SenderObserver is told what the outbox sender does, for the
// operations metrics. Its labels are platform names and fixed words,
// never a rep or lead.
type SenderObserver interface {
	// ObserveDelivery counts one attempt to reach a platform: kind is
	// "send" (a rep's message), "team" (a group post) or "update" (a
	// card redrawn); err nil is a success.
	ObserveDelivery(platform, kind string, err error)
	// ObserveNotice counts what became of a notice the sender took:
	// "sent", "retried" or "given_up".
	ObserveNotice(result string)
}

type noSenderObserver struct{}

func (noSenderObserver) ObserveDelivery(string, string, error) {}
func (noSenderObserver) ObserveNotice(string)                  {}
