// Package bot is Leadbot's chat layer, the same for every platform: it
// turns what people type or click into engine use cases, renders the
// engine's notices as cards in each person's language, and delivers them
// from the outbox through the platform channels (the local console,
// WeCom, DingTalk). Platform wire details live in the subpackages; this
// package knows only the Channel interface.
package bot
