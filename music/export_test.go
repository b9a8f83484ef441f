package music

import (
	"context"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// Test hooks for the tests in package music_test, which can import
// music/redisstore.

// FakeClock is the manual Clock of the tests.
type FakeClock = fakeClock

// NewFakeClock returns a manual clock at the tests' epoch.
func NewFakeClock() *FakeClock { return newFakeClock() }

// Lavalink returns the lavalinktest clock the fake clock moves.
func (c *fakeClock) Lavalink() *lavalinktest.Clock { return c.ll }

// TimerSet is signalled when a timer is set.
func (c *fakeClock) TimerSet() <-chan struct{} { return c.added }

// FakeVoice is the tests' VoiceGateway.
type FakeVoice = fakeVoice

// Attach makes v answer for m.
func (v *fakeVoice) Attach(m *Manager) {
	v.mu.Lock()
	v.m = m
	v.mu.Unlock()
}

// BotID is the bot user the fake voice gateway answers for.
const BotID = botID

// WaitNodes waits until every node of m is connected.
func WaitNodes(ctx context.Context, m *Manager) error {
	for _, ln := range m.nodes {
		if err := ln.client.WaitReady(ctx); err != nil {
			return err
		}
	}
	return nil
}

// SaverObserver makes f see every store write m accounts for; call it
// before Start.
func SaverObserver(m *Manager, f func(settings bool, err error)) {
	m.saver.observe = func(_ snowflake.ID, settings bool, err error) { f(settings, err) }
}

// LeaseRounds makes f see each round of m's lease keeper (scanned: it
// looked for guilds to take over); call it before Start.
func LeaseRounds(m *Manager, f func(scanned bool)) { m.hooks.leases = f }

// QueueReloads makes f see each reload of a shared queue; call it before
// Start.
func QueueReloads(m *Manager, f func(guild snowflake.ID, version uint64)) { m.hooks.reloaded = f }

// QueueVersion is the stored queue's version m's copy of the guild's
// queue matches, and whether the copy changed locally only.
func QueueVersion(m *Manager, guild snowflake.ID) (version uint64, local bool) {
	p := m.players.get(guild)
	if p == nil {
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.qver, p.qlocal
}

// QueueTracks is m's copy of the guild's queue.
func QueueTracks(m *Manager, guild snowflake.ID) []Track {
	p := m.players.get(guild)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess == nil {
		return nil
	}
	return p.sess.Queue().Tracks()
}

// LeaseReleases makes f see each lease m gives back while it runs; call
// it before Start.
func LeaseReleases(m *Manager, f func(guild snowflake.ID)) { m.hooks.released = f }
